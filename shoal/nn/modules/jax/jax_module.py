"""``JaxModule``: a :class:`~shoal.nn.modules.Module` that is a JAX pytree.

One plain rule decides what is traced: **arrays are leaves, everything else is static**.
Every subclass is registered as a pytree once, when the class is created. Flattening reads the
instance ``__dict__``: arrays (``jax.Array``/``np.ndarray``, registered or not) and submodules
are children; all other attributes (``dt`` as a Python float, activation functions, names,
the registry) are static auxiliary data compared by value. Unflattening restores the
attributes directly: it never re-runs ``__init__`` and never deep-copies, so a round trip costs
microseconds.

JAX modules never mutate when evolved: ``out, new_state, rec = mod(x)`` then
``mod = mod.set_attributes(new_state)``. ``set_attributes``, ``reset_state`` and
``reset_parameters`` return a new module (a shallow copy, O(number of attributes)).
"""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

import jax
import numpy as np

from shoal._debug import debug_enabled
from shoal.backend._jax_bptt_switch import jax_fused_grad, with_forward_mode_fallback
from shoal.backend.jax_backend import JAX
from shoal.nn.modules.jax._engine_route import runs_outside_jit
from shoal.nn.modules.module import Module

__all__ = ["JaxModule"]

_ARRAY_TYPES = (jax.Array, np.ndarray)


def _safe_hash(value: Any) -> int:
    try:
        return hash(value)
    except TypeError:
        # Unhashable statics (dicts, lists) hash by type; equality below still compares them.
        return hash(type(value))


def _safe_equal(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


class _Static:
    """Auxiliary pytree data: leaf names and static attributes, hashed and compared by value."""

    __slots__ = ("_hash", "leaf_keys", "static")

    def __init__(self, leaf_keys: tuple[str, ...], static: tuple[tuple[str, Any], ...]) -> None:
        self.leaf_keys = leaf_keys
        self.static = static
        self._hash: int | None = None

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.leaf_keys, tuple((k, _safe_hash(v)) for k, v in self.static)))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, _Static) or self.leaf_keys != other.leaf_keys:
            return False
        if len(self.static) != len(other.static):
            return False
        return all(
            ka == kb and _safe_equal(va, vb)
            for (ka, va), (kb, vb) in zip(self.static, other.static)
        )

    def __repr__(self) -> str:
        return f"_Static(leaves={self.leaf_keys})"


_child_by_type: dict[type, bool] = {}


def _is_child(value: Any) -> bool:
    """Arrays (tracers included) and submodules are pytree children; decided once per type.

    ``isinstance(v, jax.Array)`` goes through an ABC hook costing ~1 µs per attribute, which
    made flattening a 6-layer network take ~120 µs on every jitted call.
    """
    kind = type(value)
    found = _child_by_type.get(kind)
    if found is None:
        found = _child_by_type[kind] = issubclass(
            kind, (*_ARRAY_TYPES, jax.core.Tracer, JaxModule)
        ) or isinstance(value, jax.Array)
    return found


def _split(module: JaxModule) -> tuple[list[str], list[Any], list[tuple[str, Any]]]:
    keys: list[str] = []
    leaves: list[Any] = []
    static: list[tuple[str, Any]] = []
    for key, value in module.__dict__.items():
        if _is_child(value):
            keys.append(key)
            leaves.append(value)
        else:
            static.append((key, value))
    return keys, leaves, static


def _flatten(module: JaxModule) -> tuple[list[Any], _Static]:
    keys, leaves, static = _split(module)
    return leaves, _Static(tuple(keys), tuple(static))


def _flatten_with_keys(module: JaxModule) -> tuple[list[tuple[Any, Any]], _Static]:
    keys, leaves, static = _split(module)
    keyed = [(jax.tree_util.GetAttrKey(k), v) for k, v in zip(keys, leaves)]
    return keyed, _Static(tuple(keys), tuple(static))


def _unflatten(cls: type, aux: _Static, leaves: Any) -> JaxModule:
    module: JaxModule = object.__new__(cls)
    attributes = module.__dict__
    attributes.update(aux.static)
    attributes.update(zip(aux.leaf_keys, leaves))
    return module


def _register_pytree(cls: type) -> None:
    jax.tree_util.register_pytree_with_keys(
        cls, _flatten_with_keys, partial(_unflatten, cls), _flatten
    )


def _static_record(record: Any) -> bool:
    """``record`` as a Python bool; a traced value (inside the user's ``jit``) counts as True."""
    if isinstance(record, jax.core.Tracer):
        return True
    return bool(record)


def _evolve(
    module: JaxModule,
    input_data: Any,
    record: bool,
    forward_only: bool = False,
    fused_grad: bool = False,
) -> Any:
    with JAX.forward_only(forward_only), jax_fused_grad(fused_grad):
        return module.evolve(input_data, record=record)


# One compiled program per module structure, input shape/dtype, `record` flag, whether the
# call is forward-only and whether the JAX training loop is switched on (read when tracing).
_compiled_evolve = JAX.compile(_evolve, static_argnames=("record", "forward_only", "fused_grad"))


def _is_forward_only(module: JaxModule, input_data: Any) -> bool:
    """Nested in a forward-only call, or no tracer in the module or the input.

    Without a tracer, no transformation of the caller (``grad``, ``jit``, ``vmap``) can reach
    the call's result, so nothing differentiates it.
    """
    if JAX.is_forward_only():
        return True
    if isinstance(input_data, jax.core.Tracer):
        return False
    return not any(isinstance(leaf, jax.core.Tracer) for leaf in jax.tree_util.tree_leaves(module))


def _refuse_old_flag_name(cls: type) -> None:
    # The flag was called `_compile_calls`; a class still setting it would silently lose its
    # compiled calls, so the old name is refused loudly.
    for owner in cls.__mro__:
        if "_compile_calls" in vars(owner):
            raise TypeError(
                f"{owner.__qualname__}._compile_calls: expected `_evolve_is_traceable` (the "
                "flag was renamed), got `_compile_calls`; rename it"
            )


class JaxModule(Module):
    """Base class of JAX modules: pytrees that compute in float32 and never mutate on evolve.

    Float data is stored as ``jax.Array`` in float32 (float64 is kept only when
    ``jax_enable_x64`` is on and float64 data is given). Submodules must be JAX modules.

    Dtypes and input conversion are the backend's (:class:`~shoal.backend.jax_backend.JaxBackend`).
    Built-in models declare ``_evolve_is_traceable = True`` on their backend-neutral class (so
    no final class has to): their ``evolve`` is pure array code, so every call ``mod(x)`` runs
    through one cached ``jax.jit`` of ``evolve`` and eager use runs at compiled speed; inside a
    user's ``jit`` or ``grad`` the nested compiled call is simply inlined. User subclasses
    evolve as written (their ``evolve`` may hold Python that does not trace); set
    ``_evolve_is_traceable = True`` on a subclass whose ``evolve`` traces to get the same.
    """

    _backend = JAX
    #: Whether ``evolve`` is pure traceable array code, so eager calls may run compiled.
    _evolve_is_traceable: bool = False

    def __call__(self, input_data: Any, *args: Any, **kwargs: Any) -> tuple[Any, dict, dict]:
        # `jax.jit(mod)(x, record=True)` traces the keyword: a traced flag cannot choose what
        # is computed, so it means full records (what `True` gives).
        if "record" in kwargs:
            kwargs["record"] = _static_record(kwargs["record"])
        elif args:
            args = (_static_record(args[0]), *args[1:])
        if (
            self._evolve_is_traceable
            and not args
            and kwargs.keys() <= {"record"}
            and isinstance(input_data, _ARRAY_TYPES)
            and input_data.dtype.kind in "biuf"  # anything else gets shoal's error, eagerly
            and not debug_enabled()
        ):
            # The compiled evolve sees only tracers: check the whole tree's time constants here.
            self._check_time_constants(recursive=True)
            # A concrete call may run forward-only loops (JaxBackend.forward_only); a traced
            # one keeps the loops that gradients are defined on.
            record = kwargs.get("record", False)
            forward_only = _is_forward_only(self, input_data)
            if forward_only and runs_outside_jit(self, input_data, record):
                # The NumPy engine takes the loops; it needs the arrays, not tracers.
                return _evolve(self, input_data, record, forward_only=True)
            return with_forward_mode_fallback(  # type: ignore[no-any-return]
                lambda fused: _compiled_evolve(
                    self, input_data, record, forward_only=forward_only, fused_grad=fused
                )
            )
        return super().__call__(input_data, *args, **kwargs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _refuse_old_flag_name(cls)
        _register_pytree(cls)

    # --------------------------------------------------------------- functional updates
    def _updated_copy(self) -> JaxModule:
        return copy.copy(self)

    def __copy__(self) -> JaxModule:
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def _commit_state(self, new_state: Any) -> None:
        """JAX modules never change on evolve; the caller applies ``new_state``."""

    def _check_submodule(self, name: str, module: Module) -> None:
        if not isinstance(module, JaxModule):
            raise ValueError(
                f"{self._path}.{name}: submodules of a JaxModule must themselves be JaxModules; "
                f"got a {module.class_name}. Use the JAX flavour (e.g. {module.class_name}Jax)."
            )
        for other in self._submodule_names:
            if other != name and getattr(self, other) is module:
                raise ValueError(
                    f"{self._path}.{name}: this {module.class_name} object is already the "
                    f"submodule '{other}'. JAX modules are updated functionally, so a shared "
                    "object would silently untie after the first update. Build two modules "
                    "and tie weights explicitly (e.g. set one parameter on both in "
                    "set_attributes), or call one submodule twice in evolve."
                )


_register_pytree(JaxModule)
