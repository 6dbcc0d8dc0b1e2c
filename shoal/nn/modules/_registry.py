"""The registry's records and the construction machinery behind :class:`Module`.

* the attribute kinds as classes (``PARAMETER``, ``STATE``, ``SIMULATION_PARAMETER``);
* :class:`Registered`, the record kept per registered attribute, and :class:`FromAttribute`;
* :class:`ModuleMeta`, which checks constructor keywords ("did you mean") before ``__init__``
  and closes the init phase after it.
"""

from __future__ import annotations

import inspect
import numbers
from abc import ABCMeta
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from shoal import parameters as _parameters
from shoal._errors import UnknownKeywordError, did_you_mean
from shoal.parameters import ParameterBase, ParameterShapeError

__all__ = [
    "PARAMETER",
    "SIMULATION_PARAMETER",
    "STATE",
    "FromAttribute",
    "ModuleMeta",
    "Registered",
    "all_keywords",
    "is_array_value",
    "is_numeric_array",
    "matches_family",
    "normalise_module_shape",
    "store",
]

# The kind classes, typed as classes (type checkers see ``Parameter(...)`` as a plain value).
PARAMETER: type[ParameterBase] = cast(Any, _parameters.Parameter)
STATE: type[ParameterBase] = cast(Any, _parameters.State)
SIMULATION_PARAMETER: type[ParameterBase] = cast(Any, _parameters.SimulationParameter)


@dataclass(frozen=True)
class FromAttribute:
    """An ``init_func`` that resets to the value held in another (unregistered) attribute.

    Used for per-instance initial values such as a JAX module's construction ``rng_key``: kept
    in an array attribute, it is a pytree leaf rather than static data, so modules that differ
    only in it share compiled programs.
    """

    attribute: str

    def __call__(self, shape: Any) -> Any:
        raise TypeError("FromAttribute is resolved by the module, not called")


@dataclass(frozen=True)
class Registered:
    """What the registry keeps for one attribute (the value itself lives on the instance)."""

    kind: type[ParameterBase]
    family: str | None
    init_func: Callable[[Any], Any] | None
    shape: tuple[int, ...]
    constraint: Any = None  # a shoal.nn.modules._constraints.Constraint, or None


_keyword_cache: dict[type, tuple[frozenset[str], bool]] = {}


def _accepted_keywords(cls: type) -> tuple[frozenset[str], bool]:
    """Keyword names that ``cls.__init__`` accepts, and whether it takes ``**kwargs``."""
    cached = _keyword_cache.get(cls)
    if cached is None:
        params = inspect.signature(cls.__init__).parameters.values()  # type: ignore[misc]
        names = frozenset(p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD))
        open_ended = any(p.kind is p.VAR_KEYWORD for p in params)
        cached = _keyword_cache[cls] = (names - {"self"}, open_ended)
    return cached


def all_keywords(cls: type) -> set[str]:
    """Every keyword accepted along the MRO (for "did you mean" suggestions)."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" in klass.__dict__ and klass is not object:
            names |= _accepted_keywords(klass)[0]
    return names


def store(module: Any, name: str, value: Any) -> None:
    """The one write path of every module attribute (the registry and bookkeeping included).

    ``Module.__setattr__`` decides what an assignment means (register, add a submodule, check
    a value); whatever it decides is written here.
    """
    object.__setattr__(module, name, value)
    # Torch modules mirror registered values into torch's own tables (see TorchModule).
    mirror = getattr(type(module), "_mirror_store", None)
    if mirror is not None:
        mirror(module, name, value)


class ModuleMeta(ABCMeta):
    """Checks constructor keywords before ``__init__`` and closes the init phase after it."""

    # A property of the metaclass: classes get it, instances do not (an instance's own
    # signature is that of ``__call__``). Without it, ``inspect.signature(LIF)`` would show
    # this metaclass's ``__call__(*args, **kwargs)``, and IDEs and Jupyter would show nothing.
    @property
    def __signature__(cls) -> inspect.Signature:
        init = inspect.signature(cls.__init__)  # type: ignore[misc]
        parameters = list(init.parameters.values())[1:]  # drop `self`
        return init.replace(parameters=parameters, return_annotation=inspect.Signature.empty)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        # Keywords every subclass of a base accepts without declaring them (TorchModule's
        # `retain_torch_api`): taken out here, applied once the module is built.
        base_keywords = {
            key: kwargs.pop(key) for key in getattr(cls, "_base_keywords", ()) if key in kwargs
        }
        accepted, open_ended = _accepted_keywords(cls)
        if not open_ended:
            for key in kwargs:
                if key not in accepted:
                    raise UnknownKeywordError(
                        f"{cls.__name__}: unexpected keyword argument '{key}'"
                        f"{did_you_mean(key, accepted | set(getattr(cls, '_base_keywords', ())))}"
                    )
        try:
            obj = super().__call__(*args, **kwargs)
        except ParameterShapeError as error:
            # Raised inside a user's __init__ (`self.w = Parameter(...)`), before the attribute
            # name is known: at least name the module. Built-ins name the attribute too.
            raise ValueError(f"{cls.__name__}: {error}") from None
        post_init = getattr(obj, "__post_init__", None)
        if post_init is not None:
            post_init()
        store(obj, "_in_init", False)
        if base_keywords:
            obj._apply_base_keywords(**base_keywords)
        return obj


def normalise_module_shape(owner: str, shape: Any) -> tuple[Any, ...]:
    if shape is None:
        return ()
    entries = tuple(shape) if isinstance(shape, Iterable) else (shape,)
    for entry in entries:
        if not isinstance(entry, numbers.Integral) or isinstance(entry, bool):
            raise TypeError(
                f"{owner}: `shape` must contain integers, got {entry!r} "
                f"({type(entry).__name__}) in {shape!r}"
            )
    sizes = tuple(int(e) for e in entries)
    if any(size < 1 for size in sizes):
        raise ValueError(f"{owner}.shape: expected sizes >= 1, got {sizes}")
    return sizes


def matches_family(record: Registered, family: Any) -> bool:
    if family is None:
        return True
    if isinstance(family, str):
        return record.family == family
    return record.family in family


def is_numeric_array(value: Any) -> bool:
    return np.asarray(value).dtype.kind in "biuf"


def is_array_value(value: Any) -> bool:
    """Whether ``value`` is a numeric array of some backend (not a Python scalar or list)."""
    kind = getattr(getattr(value, "dtype", None), "kind", None)
    return hasattr(value, "shape") and kind is not None and kind in "biufc"
