"""Plumbing shared by the combinators: gathering sub-modules, backend dispatch, lazy JAX names.

Nothing here imports JAX: a module is recognised as a JAX module only if
:mod:`shoal.nn.modules.jax.jax_module` was already imported (it must have been, for a
``JaxModule`` instance to exist).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from shoal._errors import UnknownKeywordError
from shoal.backend import require_jax
from shoal.nn.modules.module import Module

__all__ = [
    "gather_modules",
    "is_jax_module",
    "lazy_jax_flavour",
    "pick_flavour",
    "reject_keywords",
]

_JAX_MODULE_PATH = "shoal.nn.modules.jax.jax_module"
_JAX_FLAVOURS_PATH = "shoal.nn.combinators._jax"

# The keywords a combinator computes itself from its sub-modules.
_DERIVED_KEYWORDS = ("shape", "spiking_input", "spiking_output")


def is_jax_module(module: Any) -> bool:
    """Whether ``module`` is a :class:`~shoal.nn.modules.jax.jax_module.JaxModule` (no JAX import)."""
    jax_module = sys.modules.get(_JAX_MODULE_PATH)
    return jax_module is not None and isinstance(module, jax_module.JaxModule)


def default_name(index: int, module: Module) -> str:
    """Rockpool's sub-module naming: ``f"{position}_{ClassName}"``, e.g. ``'0_Linear'``."""
    return f"{index}_{module.class_name}"


def gather_modules(owner: str, args: Sequence[Any]) -> list[tuple[str, Module]]:
    """Name the sub-modules given positionally (``f"{i}_{Class}"``) or as one dict name → module.

    Args:
        owner: The name used to prefix error messages (``"Sequential"``, ``"ModResidual"``...).
        args: The positional arguments of the combinator.

    Returns:
        ``[(name, module), ...]`` in order.
    """
    if len(args) == 1 and isinstance(args[0], Mapping):
        items = list(args[0].items())
        for name, module in items:
            if not isinstance(name, str):
                raise TypeError(
                    f"{owner}: sub-module names must be strings, got {name!r} "
                    f"({type(name).__name__}) as a key of the dict of sub-modules"
                )
            if not isinstance(module, Module):
                raise TypeError(
                    f"{owner}: the dict entry '{name}' is a {type(module).__name__}, not a "
                    "Module; every value must be a sub-module"
                )
        return items
    for index, module in enumerate(args):
        if not isinstance(module, Module):
            kind = "dict" if isinstance(module, Mapping) else type(module).__name__
            raise TypeError(
                f"{owner}: argument {index} is a {kind}, not a Module. Pass sub-modules "
                "positionally, or a single dict (e.g. an OrderedDict) of name → module"
            )
    return [(default_name(index, module), module) for index, module in enumerate(args)]


def describe(entries: Sequence[tuple[str, Module]]) -> str:
    return ", ".join(f"{name} ({module.class_name})" for name, module in entries)


def mixed_backend_error(owner: str, entries: Sequence[tuple[str, Module]]) -> ValueError:
    """The error for NumPy and JAX sub-modules in one combinator, naming both groups."""
    jax_entries = [entry for entry in entries if is_jax_module(entry[1])]
    numpy_entries = [entry for entry in entries if not is_jax_module(entry[1])]
    return ValueError(
        f"{owner}: sub-modules mix backends: JAX modules {describe(jax_entries)} and NumPy "
        f"modules {describe(numpy_entries)}. Use one backend for every sub-module (e.g. "
        "RateJax with LinearJax, or Rate with Linear)."
    )


def pick_flavour(kind: str, args: Sequence[Any], numpy_class: type) -> type:
    """The combinator class for these sub-modules: JAX if all are JAX, NumPy if none are.

    Raises:
        ValueError: If some sub-modules are JAX modules and others are not.
    """
    entries = gather_modules(kind, args)
    n_jax = sum(is_jax_module(module) for _, module in entries)
    if n_jax == 0:
        return numpy_class
    if n_jax < len(entries):
        raise mixed_backend_error(kind, entries)
    return lazy_jax_flavour(f"Jax{numpy_class.__name__.removeprefix('Mod')}")


def lazy_jax_flavour(name: str) -> Any:
    """Import the JAX flavour ``name`` (``JaxSequential``...) on first use."""
    require_jax(f"shoal.nn.combinators.{name}")
    return getattr(importlib.import_module(_JAX_FLAVOURS_PATH), name)


def reject_keywords(owner: str, kind: str, kwargs: Mapping[str, Any], accepted: str = "") -> None:
    """Refuse ``shape``/``spiking_*`` (derived from the sub-modules) and any unknown keyword."""
    for key in kwargs:
        if key in _DERIVED_KEYWORDS:
            raise ValueError(
                f"{owner}: You may not provide a `{key}` argument when building a {kind} "
                f"module. It is taken from the sub-modules."
            )
    if kwargs:
        raise UnknownKeywordError(
            f"{owner}: unexpected keyword argument '{next(iter(kwargs))}'. {kind} takes "
            f"sub-modules (positionally, or one dict of name → module){accepted}."
        )
