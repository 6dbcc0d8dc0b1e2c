"""Lazy access to optional array libraries, and to a package's lazily imported attributes."""

from __future__ import annotations

import importlib
from collections.abc import Collection, Mapping
from types import ModuleType
from typing import Any

__all__ = ["lazy_attribute", "require_jax", "require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or raise an ``ImportError`` naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise ImportError(
            f"{feature} needs the optional dependency '{module.split('.')[0]}', which is not "
            f"installed. Install it with: pip install 'shoal[{extra}]'"
        ) from error


def require_jax(feature: str = "JAX modules") -> ModuleType:
    """Import JAX or raise an ``ImportError`` that says to install ``shoal[jax]``."""
    return require("jax", "jax", feature)


def lazy_attribute(
    package: str, name: str, exports: Mapping[str, str], submodules: Collection[str]
) -> Any:
    """Import what a package's module-level ``__getattr__`` was asked for, on first access.

    Why lazily: ``import shoal`` (and its light subpackages) must import neither JAX nor any
    other optional dependency, and must stay fast.

    Args:
        package: The package's dotted name (its ``__name__``), e.g. ``"shoal.transform"``.
        name: The attribute asked for.
        exports: Attribute name -> dotted name of the module that defines it.
        submodules: Names of the package's submodules, imported as ``package.name``.

    Returns:
        The attribute, or the imported submodule.

    Raises:
        AttributeError: ``name`` is neither an export nor a submodule (Python's own message
            for a missing module attribute).
    """
    if name in exports:
        return getattr(importlib.import_module(exports[name]), name)
    if name in submodules:
        return importlib.import_module(f"{package}.{name}")
    raise AttributeError(f"module '{package}' has no attribute '{name}'")
