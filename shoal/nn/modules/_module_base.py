"""The module base: registration through one write path, traversal and ``repr``.

:class:`ModuleBase` is what every module shares, simulated or timed: attributes register by
plain assignment (``self.tau = Parameter(...)``); every attribute write, registered or
bookkeeping, goes through :func:`_store`. Updates and resets are
:mod:`~shoal.nn.modules._updates`; evolution is :class:`~shoal.nn.modules.module.Module`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from shoal._errors import UnknownKeywordError, did_you_mean
from shoal.backend import NUMPY, Backend, is_tracer
from shoal.nn.modules._constraints import FINITE, is_complex
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
    store,
)
from shoal.parameters import InitialData, ParameterBase, ParameterShapeError

__all__ = ["ModuleBase"]


# Every attribute write goes through this one function (see _registry.store).
_store = store


class ModuleBase(metaclass=ModuleMeta):
    """Registration, traversal and ``repr``, shared by every module.

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
    # Called by every store with (module, name, value) after the write (Torch modules keep
    # torch's parameter/buffer tables in step); None for NumPy and JAX modules.
    _mirror_store: ClassVar[Any] = None
    # Set through _store in __init__ (they are bookkeeping, not registered).
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
        set_raw = _store
        set_raw(self, "_registry", {})
        set_raw(self, "_submodule_names", ())
        set_raw(self, "_name", None)
        set_raw(self, "_path", cls_name)
        set_raw(self, "_in_init", True)
        set_raw(self, "_shape", normalise_module_shape(cls_name, shape))
        set_raw(self, "_spiking_input", bool(spiking_input))
        set_raw(self, "_spiking_output", bool(spiking_output))

    def _check_time_constants(self, recursive: bool) -> None:
        """Hook: built-in models refuse an out-of-range time constant before an eager call.

        Values changed without validation (under ``jit``, or edited in place) reach the module
        unchecked; this names the time constant instead of letting NaN surface elsewhere.
        User modules' own values are trusted (placeholders are a legitimate pattern).
        """
        if recursive:
            for child in self._submodule_names:
                getattr(self, child)._check_time_constants(recursive)

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
        elif isinstance(value, ModuleBase):
            self._add_submodule(name, value)
        elif name in self.__dict__.get("_registry", ()):
            _store(self, name, self._checked_value(name, value))
        else:
            self._drop_submodule_name(name)
            _store(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._registry:
            registry = dict(self._registry)
            del registry[name]
            _store(self, "_registry", registry)
            self.__dict__.pop(f"_initial_{name}", None)
        self._drop_submodule_name(name)
        object.__delattr__(self, name)

    def _drop_submodule_name(self, name: str) -> None:
        names = self.__dict__.get("_submodule_names", ())
        if name in names:
            _store(self, "_submodule_names", tuple(n for n in names if n != name))

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
        _store(self, "_registry", {**self._registry, name: record})
        self._drop_submodule_name(name)  # a name lives in exactly one registry
        _store(self, name, value)

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
        _store(self, holder, value.copy() if isinstance(value, np.ndarray) else value)
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
                f"{self._path}.{name}: expected shape {permitted}, got {error.got}{error.reason}"
            ) from None
        setattr(self, name, attribute)

    def _add_submodule(self, name: str, module: Any) -> None:
        self._require_init()
        self._check_submodule(name, module)
        if name in self._registry:  # a name lives in exactly one registry
            registry = dict(self._registry)
            del registry[name]
            _store(self, "_registry", registry)
        _store(module, "_name", name)
        module._set_path(f"{self._path}.{name}")
        if name not in self._submodule_names:
            _store(self, "_submodule_names", (*self._submodule_names, name))
        _store(self, name, module)

    def _check_submodule(self, name: str, module: Any) -> None:
        """Hook: JAX modules accept only JAX submodules."""

    def _set_path(self, path: str) -> None:
        _store(self, "_path", path)
        for child_name in self._submodule_names:
            getattr(self, child_name)._set_path(f"{path}.{child_name}")

    def _refuse_unrepresentable(self, name: str, kind: Any, value: Any) -> None:
        """Refuse what a float array would silently mangle: complex data (casting drops the
        imaginary part) and text where a parameter or state belongs."""
        if is_complex(value):
            raise TypeError(
                f"{self._path}.{name}: expected real numbers, got complex data "
                f"(dtype {getattr(value, 'dtype', type(value).__name__)})"
            )
        if isinstance(value, (str, bytes)) and issubclass(kind, (PARAMETER, STATE)):
            raise TypeError(f"{self._path}.{name}: expected numbers, got the text {value!r}")

    def _coerce(self, name: str, kind: type[ParameterBase], value: Any) -> Any:
        """Convert a value entering the registry with the backend's dtype policy."""
        self._refuse_unrepresentable(name, kind, value)
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
            array = self._backend.to_numpy(value)
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
        # Before the shape check, whose message would misdescribe text ("got ()").
        self._refuse_unrepresentable(name, record.kind, value)
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

    def modules(self) -> dict[str, Any]:
        """Ordered dict of the direct submodules, name → module."""
        return {name: getattr(self, name) for name in self._submodule_names}

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
