"""The :class:`Module` base class: registration, traversal, introspection, reset, ``repr``.

A module registers its attributes by plain assignment in ``__init__``::

    class MyNet(Module):
        def __init__(self, shape):
            super().__init__(shape=shape)
            self.w = Parameter(shape=self.shape, init_func=np.zeros, family="weights")
            self.neurons = Rate(self.shape[-1])

        def evolve(self, input_data, record=False):
            ...
            return output, new_state, record_dict

``self.w`` is then the raw array; the registry keeps its kind, family, initialiser and shape.
NumPy modules (this class) update their own state on every call. JAX modules
(:class:`~shoal.nn.modules.jax.jax_module.JaxModule`) override a few hooks to never mutate.
"""

from __future__ import annotations

import copy
import warnings
from abc import abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from shoal._debug import check_finite, debug_enabled
from shoal._errors import UnknownAttributeError, UnknownKeywordError, did_you_mean
from shoal.backend import NUMPY, Backend, is_tracer
from shoal.backend._inputs import auto_batch, refuse_vector
from shoal.nn.modules._constraints import FINITE
from shoal.nn.modules._registry import (
    PARAMETER,
    SIMULATION_PARAMETER,
    STATE,
    FromAttribute,
    ModuleMeta,
    Registered,
    all_keywords,
    is_array_value,
    matches_family,
    normalise_module_shape,
)
from shoal.parameters import InitialData, ParameterBase, ParameterShapeError

__all__ = ["PARAMETER", "SIMULATION_PARAMETER", "STATE", "FromAttribute", "Module"]


class Module(metaclass=ModuleMeta):
    """Base class of every simulation module (NumPy backend; JAX modules subclass it).

    Args:
        shape: The module's dimensions, e.g. ``(Nin, Nout)`` or ``N``; an int becomes ``(N,)``.
        spiking_input: Whether the module expects spike (event count) input.
        spiking_output: Whether the module emits spikes.

    Attributes:
        class_name: The subclass name.
        name: The attribute name of this module in its parent; ``None`` at top level.
        full_name: ``"ClassName 'name'"``, or ``"ClassName"`` at top level.
        shape: The dimensions tuple. ``size_in`` is ``shape[0]``, ``size_out`` ``shape[-1]``.
    """

    # Everything array-specific (dtypes, input conversion, the time loop) is the backend's.
    _backend: Backend = NUMPY
    # Final classes of the backend-neutral models for each backend, by backend name (for
    # messages that suggest the right class, e.g. {"numpy": "LIF", "jax": "LIFJax"}).
    _flavours: ClassVar[dict[str, str]] = {}
    # Record keys holding spike counts (time series of events in the timed API). The default
    # is Rockpool's convention for user modules; built-in models declare their own.
    _spike_records: ClassVar[frozenset[str]] = frozenset({"spikes"})
    # Set through object.__setattr__ in __init__ (they are bookkeeping, not registered).
    _registry: dict[str, Registered]
    _submodule_names: tuple[str, ...]
    _name: str | None
    _path: str
    _in_init: bool
    _shape: tuple[Any, ...]
    _spiking_input: bool
    _spiking_output: bool

    def __init__(
        self,
        shape: Any = None,
        spiking_input: bool = False,
        spiking_output: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        cls_name = type(self).__name__
        if kwargs:
            key = next(iter(kwargs))
            raise UnknownKeywordError(
                f"{cls_name}: unexpected keyword argument '{key}'"
                f"{did_you_mean(key, all_keywords(type(self)))}"
            )
        if args:
            raise TypeError(f"{cls_name}: unexpected positional arguments {args!r}")
        set_raw = object.__setattr__
        set_raw(self, "_registry", {})
        set_raw(self, "_submodule_names", ())
        set_raw(self, "_name", None)
        set_raw(self, "_path", cls_name)
        set_raw(self, "_in_init", True)
        set_raw(self, "_shape", normalise_module_shape(cls_name, shape))
        set_raw(self, "_spiking_input", bool(spiking_input))
        set_raw(self, "_spiking_output", bool(spiking_output))

    # ------------------------------------------------------------------ evolution
    @abstractmethod
    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve over ``input_data`` and return ``(output, new_state, record_dict)``."""

    def __call__(self, input_data: Any, *args: Any, **kwargs: Any) -> tuple[Any, dict, dict]:
        """Evolve the module: ``output, new_state, record = mod(input, record=False)``.

        A NumPy module whose evolution raises part-way (say the second of three sub-modules)
        is put back in the state it had before the call.
        """
        # References, not copies: built-in models replace their state arrays, never write
        # into them, so holding the old objects is enough to restore them.
        if not self._backend.accepts_tracers and is_tracer(input_data):
            raise self._tracer_error("input")
        saved = self.state() if self._backend.mutates_on_evolve else None
        self._check_time_constants(recursive=False)  # submodules check on their own calls
        try:
            if not debug_enabled():
                return self.evolve(input_data, *args, **kwargs)
            return self._checked_evolve(input_data, *args, **kwargs)
        except BaseException:
            if saved is not None:
                self._restore_states(saved)
            raise

    def _check_time_constants(self, recursive: bool) -> None:
        """Hook: built-in models refuse an out-of-range time constant before an eager call.

        Values changed without validation (under ``jit``, or edited in place) reach the module
        unchecked; this names the time constant instead of letting NaN surface elsewhere.
        User modules' own values are trusted (placeholders are a legitimate pattern).
        """
        if recursive:
            for child in self._submodule_names:
                getattr(self, child)._check_time_constants(recursive)

    def _checked_evolve(self, input_data: Any, *args: Any, **kwargs: Any) -> Any:
        check_finite(self._path, "input", input_data)
        check_finite(self._path, "parameters", self.parameters())
        check_finite(self._path, "state", self.state())
        output, new_state, record = self.evolve(input_data, *args, **kwargs)
        check_finite(self._path, "output", output)
        check_finite(self._path, "new_state", new_state)
        return output, new_state, record

    def _tracer_error(self, what: str) -> TypeError:
        """The error for a JAX tracer reaching a NumPy module (under ``jax.grad``/``jit``)."""
        return TypeError(
            f"{self._path}: {self.class_name} is a NumPy module and cannot run under JAX "
            f"transformations such as jax.grad, jax.jit or jax.vmap (its {what} is a JAX "
            f"tracer). Use {self._jax_flavour()} instead."
        )

    def _jax_flavour(self) -> str:
        """The JAX class to suggest in place of this NumPy one."""
        return self._flavours.get("jax", "a JaxModule subclass")

    def _restore_states(self, saved: Mapping[str, Any]) -> None:
        for key, value in saved.items():
            if key in self._submodule_names:
                getattr(self, key)._restore_states(value)
            else:
                object.__setattr__(self, key, value)

    # ------------------------------------------------------------------ attributes
    @property
    def class_name(self) -> str:
        return type(self).__name__

    @property
    def name(self) -> str | None:
        return self._name

    @property
    def full_name(self) -> str:
        return self.class_name if self._name is None else f"{self.class_name} '{self._name}'"

    @property
    def shape(self) -> tuple[Any, ...]:
        return self._shape

    @property
    def size_in(self) -> Any:
        return self._shape[0] if self._shape else None

    @property
    def size_out(self) -> Any:
        return self._shape[-1] if self._shape else None

    @property
    def size(self) -> Any:
        warnings.warn(
            "The `size` property is deprecated. Please use `size_out` instead.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.size_out

    @property
    def spiking_input(self) -> bool:
        return self._spiking_input

    @property
    def spiking_output(self) -> bool:
        return self._spiking_output

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ParameterBase):
            self._register(name, value)
        elif isinstance(value, Module):
            self._add_submodule(name, value)
        elif name in self.__dict__.get("_registry", ()):
            object.__setattr__(self, name, self._checked_value(name, value))
        else:
            self._drop_submodule_name(name)
            object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._registry:
            registry = dict(self._registry)
            del registry[name]
            object.__setattr__(self, "_registry", registry)
            self.__dict__.pop(f"_initial_{name}", None)
        self._drop_submodule_name(name)
        object.__delattr__(self, name)

    def _drop_submodule_name(self, name: str) -> None:
        names = self.__dict__.get("_submodule_names", ())
        if name in names:
            object.__setattr__(self, "_submodule_names", tuple(n for n in names if n != name))

    def _require_init(self) -> None:
        if "_registry" not in self.__dict__:
            raise NotImplementedError(
                "You must call `super().__init__()` in your `Module` subclass before "
                "assigning parameters, states or submodules."
            )

    def _register(self, name: str, attribute: ParameterBase) -> None:
        self._require_init()
        if name in self._registry and not self._in_init:
            raise ValueError(
                f"{self._path}: Cannot assign a new Parameter or State to an existing attribute "
                f'"{name}". Assign a plain value to change it.'
            )
        kind = type(attribute)
        value = self._coerce(name, kind, attribute.data)
        constraint = attribute.constraint
        # A module's own initial value is trusted unless it declared a rule (built-ins do).
        if constraint is not None:
            self._validate(name, kind, constraint, value)
        init_func = self._hold_initial_value(name, attribute.init_func, value)
        record = Registered(kind, attribute.family, init_func, tuple(np.shape(value)), constraint)
        # Copy-on-write: JAX copies share the registry dict with their originals.
        object.__setattr__(self, "_registry", {**self._registry, name: record})
        self._drop_submodule_name(name)  # a name lives in exactly one registry
        object.__setattr__(self, name, value)

    def _hold_initial_value(self, name: str, init_func: Any, value: Any) -> Any:
        """Keep concrete construction data in an array attribute, out of the registry.

        The registry is a JAX module's static pytree data: construction arrays held there
        would make every module built from different arrays compile its own program, and
        stacking such modules for ``jax.vmap`` would fail on unequal metadata. Held in the
        array attribute ``_initial_<name>`` (a pytree leaf), the data is what a reset restores
        while the registry records only ``FromAttribute``, equal for every such module.
        Non-array values (``dt`` as a Python float) are static configuration and stay put.
        """
        holder = f"_initial_{name}"
        self.__dict__.pop(holder, None)  # a re-registration drops the stale initial value
        if not isinstance(init_func, InitialData) or not is_array_value(value):
            return init_func
        # NumPy arrays can be edited in place: keep a private copy. JAX arrays are immutable.
        object.__setattr__(self, holder, value.copy() if isinstance(value, np.ndarray) else value)
        return FromAttribute(holder)

    def _declare(
        self, name: str, kind: Callable[..., Any], data: Any, family: Any = None, **options: Any
    ) -> None:
        """Register attribute ``name`` as ``kind(data, family, **options)`` (built-in models).

        The same as ``setattr(self, name, kind(data, family, ...))``, except that data fitting
        none of the permitted shapes gives an error naming the module and the attribute.
        """
        try:
            attribute = kind(data, family, **options)
        except ParameterShapeError as error:
            permitted = " or ".join(str(shape) for shape in error.permitted)
            raise ValueError(
                f"{self._path}.{name}: expected shape {permitted}, got {error.got}"
            ) from None
        setattr(self, name, attribute)

    def _add_submodule(self, name: str, module: Module) -> None:
        self._require_init()
        self._check_submodule(name, module)
        if name in self._registry:  # a name lives in exactly one registry
            registry = dict(self._registry)
            del registry[name]
            object.__setattr__(self, "_registry", registry)
        object.__setattr__(module, "_name", name)
        module._set_path(f"{self._path}.{name}")
        if name not in self._submodule_names:
            object.__setattr__(self, "_submodule_names", (*self._submodule_names, name))
        object.__setattr__(self, name, module)

    def _check_submodule(self, name: str, module: Module) -> None:
        """Hook: JAX modules accept only JAX submodules."""

    def _set_path(self, path: str) -> None:
        object.__setattr__(self, "_path", path)
        for child_name in self._submodule_names:
            getattr(self, child_name)._set_path(f"{path}.{child_name}")

    def _coerce(self, name: str, kind: type[ParameterBase], value: Any) -> Any:
        """Convert a value entering the registry with the backend's dtype policy."""
        if not self._backend.accepts_tracers and is_tracer(value):
            raise self._tracer_error(f"new value for '{name}'")
        static = issubclass(kind, SIMULATION_PARAMETER)
        return self._backend.coerce(value, self.__dict__.get(name), static)

    def _validate(self, name: str, kind: type[ParameterBase], constraint: Any, value: Any) -> None:
        """Check a concrete value entering the module against the attribute's rule.

        ``constraint`` is the :class:`~shoal.nn.modules._constraints.Constraint` the module
        declared; without one, parameters must be finite. Traced and non-numeric values pass.
        """
        if value is None or is_tracer(value) or callable(value):
            return
        if isinstance(value, (str, bytes)):
            return
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):
            return
        if array.dtype.kind not in "fiu" or array.size == 0:
            return
        if constraint is None and issubclass(kind, PARAMETER):
            constraint = FINITE
        if constraint is not None:
            constraint.check(f"{self._path}.{name}", array)

    def _checked_value(self, name: str, value: Any) -> Any:
        """Shape-check, convert and validate a plain value for registered attribute ``name``."""
        record = self._registry[name]
        if value is None:
            if self.__dict__.get(name) is None:
                return None  # an attribute that holds nothing may stay empty
            raise ValueError(
                f"{self._path}.{name}: expected a value of shape {record.shape}, got None"
            )
        got = tuple(np.shape(value))
        if got != record.shape:
            raise ValueError(f"{self._path}.{name}: expected shape {record.shape}, got {got}")
        value = self._coerce(name, record.kind, value)
        self._validate(name, record.kind, record.constraint, value)
        return value

    # ------------------------------------------------------------------ introspection
    def _collect(
        self, kind: type[ParameterBase] | None, family: Any, names: Any = None
    ) -> dict[str, Any]:
        """The one traversal behind ``parameters``, ``state``, ``attributes_named``..."""
        out: dict[str, Any] = {}
        for attr, record in self._registry.items():
            if kind is not None and not issubclass(record.kind, kind):
                continue
            if not matches_family(record, family) or (names is not None and attr not in names):
                continue
            out[attr] = getattr(self, attr)
        keep_empty = family is None and names is None
        for child in self._submodule_names:
            nested = getattr(self, child)._collect(kind, family, names)
            if nested or keep_empty:
                out[child] = nested
        return out

    def parameters(self, family: str | Iterable[str] | None = None) -> dict[str, Any]:
        """Nested dict of :class:`~shoal.parameters.Parameter` values, optionally of ``family``.

        ``family`` is a family name or a list of names. Own attributes come first (in
        registration order), then one entry per submodule; with a family filter, submodules
        with no match are left out.
        """
        return self._collect(PARAMETER, family)

    def state(self, family: str | Iterable[str] | None = None) -> dict[str, Any]:
        """Nested dict of :class:`~shoal.parameters.State` values (see :meth:`parameters`)."""
        return self._collect(STATE, family)

    def simulation_parameters(self, family: str | Iterable[str] | None = None) -> dict[str, Any]:
        """Nested dict of simulation parameters such as ``dt`` (see :meth:`parameters`)."""
        return self._collect(SIMULATION_PARAMETER, family)

    def attributes_named(self, name: str | Iterable[str]) -> dict[str, Any]:
        """Nested dict of registered attributes of any kind called ``name`` (or any of a list)."""
        names = {name} if isinstance(name, str) else set(name)
        return self._collect(None, None, names)

    def modules(self) -> dict[str, Module]:
        """Ordered dict of the direct submodules, name → module."""
        return {name: getattr(self, name) for name in self._submodule_names}

    # ------------------------------------------------------------------ updates
    def _updated_copy(self) -> Module:
        """The object that functional updates write to: NumPy modules update themselves."""
        return self

    def _store_child(self, name: str, child: Module) -> None:
        object.__setattr__(self, name, child)

    def set_attributes(self, new_attributes: Mapping[str, Any]) -> Module:
        """Set registered attributes of this module and its submodules from a nested dict.

        All entries are validated first (unknown keys, shapes, values); only if every entry is
        valid is anything changed. NumPy modules update in place and return themselves; JAX
        modules return an updated copy. A nested dict of a subset of keys is fine.
        """
        plan = self._plan_attributes(new_attributes)
        return self._apply_plan(plan)

    def _plan_attributes(self, new_attributes: Any, unknown: list[str] | None = None) -> dict:
        top = unknown is None
        unknown = [] if unknown is None else unknown
        if not isinstance(new_attributes, Mapping):
            raise TypeError(
                f"{self._path}: set_attributes expects a nested dict of attribute values, "
                f"got {type(new_attributes).__name__}"
            )
        plan: dict[str, Any] = {}
        for key, value in new_attributes.items():
            if key in self._registry:
                plan[key] = self._checked_value(key, value)
            elif key in self._submodule_names:
                plan[key] = getattr(self, key)._plan_attributes(value, unknown)
            else:
                known = [*self._registry, *self._submodule_names]
                unknown.append(f"'{self._path}.{key}'{did_you_mean(str(key), known)}")
        if top and unknown:
            raise UnknownAttributeError(
                f"{self._path}: set_attributes got unknown keys: {', '.join(unknown)}. "
                "Keys must name registered attributes or submodules."
            )
        return plan

    def _apply_plan(self, plan: dict[str, Any]) -> Module:
        target = self._updated_copy()
        for key, value in plan.items():
            if key in self._submodule_names:
                target._store_child(key, getattr(self, key)._apply_plan(value))
            else:
                object.__setattr__(target, key, value)
        return target

    def _initial_value(self, record: Registered) -> Any:
        """What a reset restores: ``init_func(shape)``, or a copy of a stored initial value."""
        if isinstance(record.init_func, FromAttribute):
            return copy.copy(getattr(self, record.init_func.attribute))
        assert record.init_func is not None
        return record.init_func(record.shape)

    def _reset_kind(self, kind: type[ParameterBase]) -> Module:
        target = self._updated_copy()
        for name, record in self._registry.items():
            if issubclass(record.kind, kind) and record.init_func is not None:
                value = target._coerce(name, record.kind, self._initial_value(record))
                object.__setattr__(target, name, value)
        for child in self._submodule_names:
            target._store_child(child, getattr(self, child)._reset_kind(kind))
        return target

    def reset_state(self) -> Module:
        """Reset every state of this module and its submodules to its initial value."""
        return self._reset_kind(STATE)

    def reset_parameters(self) -> Module:
        """Reset every parameter to its initial value (concrete construction data if given)."""
        return self._reset_kind(PARAMETER)

    def _reset_attribute(self, name: str) -> Module:
        """Reset one registered attribute to its initial value."""
        if name not in self._registry:
            raise UnknownAttributeError(
                f"{self._path}: '{name}' is not a registered attribute"
                f"{did_you_mean(name, self._registry)}."
            )
        record = self._registry[name]
        target = self._updated_copy()
        if record.init_func is not None:
            value = target._coerce(name, record.kind, self._initial_value(record))
            object.__setattr__(target, name, value)
        return target

    def _commit_state(self, new_state: Mapping[str, Any]) -> None:
        """Hook called by built-in models after evolving: NumPy modules keep the new state."""
        for key, value in new_state.items():
            object.__setattr__(self, key, value)

    # ------------------------------------------------------------------ batching
    def _input_dtype(self) -> Any:
        return self._backend.input_dtype([self.__dict__.get(key) for key in self._registry])

    def _as_input_array(self, data: Any) -> Any:
        """Convert input to a float array of this module's dtype, rejecting non-numeric data."""
        return self._backend.input_array(self._path, data, self._input_dtype())

    def _refuse_vector(self, data: Any) -> None:
        """Refuse 1-D input: ``(T,)`` and ``(N,)`` look alike, and guessing gives garbage."""
        refuse_vector(self._path, data)

    def _auto_batch(
        self,
        data: Any,
        states: Iterable[Any] = (),
        target_shapes: Iterable[Any] | None = None,
    ) -> tuple[Any, tuple[Any, ...]]:
        """Bring input to ``(B, T, Nin)`` and broadcast states to ``(B, *shape)``.

        See :func:`shoal.backend._inputs.auto_batch`. Returns ``(data, batched_states)``.
        """
        data = self._as_input_array(data)
        return auto_batch(self._backend.xp, self._path, data, self.size_in, states, target_shapes)

    # ------------------------------------------------------------------ repr
    def _repr(self, indent: str) -> str:
        head = f"{indent}{self.full_name} with shape {self.shape}"
        children = [getattr(self, name) for name in self._submodule_names]
        if not children:
            return head
        inner = "\n".join(child._repr(indent + "    ") for child in children)
        return f"{head} {{\n{inner}\n{indent}}}"

    def __repr__(self) -> str:
        return self._repr("")

    # ------------------------------------------------------------------ checkpoints
    def save(self, path: Any) -> None:
        """Write parameters, state and numeric simulation parameters to an ``.npz`` file.

        See :func:`shoal.nn.modules._checkpoint.save_module` (atomic write, no pickle).
        """
        from shoal.nn.modules._checkpoint import save_module

        save_module(self, path)

    def load(self, path: Any) -> Module:
        """Load a file written by :meth:`save` into a module of the same architecture.

        NumPy modules load in place and return themselves; JAX modules return a new module
        (``net = net.load(path)``). See :func:`shoal.nn.modules._checkpoint.load_module`.
        """
        from shoal.nn.modules._checkpoint import load_module

        return load_module(self, path)

    # ------------------------------------------------------------------ time series
    def timed(self, output_num: int = 0, dt: float | None = None, add_events: bool = False) -> Any:
        """Wrap this module to evolve over time series, keeping a clock and the state.

        Returns a :class:`~shoal.nn.modules.timed_module.TimedModuleWrapper`; see it for the
        arguments (``dt`` is required when the module has none).
        """
        from shoal.nn.modules.timed_module import TimedModuleWrapper

        return TimedModuleWrapper(self, output_num=output_num, dt=dt, add_events=add_events)
