"""Lazy access to optional array libraries."""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

__all__ = ["is_tracer", "require_jax", "require"]


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


def is_tracer(value: Any) -> bool:
    """True for an abstract JAX value inside ``jit``/``grad`` (its contents are unknown).

    Never imports JAX: if JAX was not imported yet, nothing can be a tracer.
    """
    jax = sys.modules.get("jax")
    return jax is not None and isinstance(value, jax.core.Tracer)
