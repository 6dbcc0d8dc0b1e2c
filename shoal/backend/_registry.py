"""The backend registry: backend name → where its :class:`~shoal.backend.Backend` lives.

Backends are imported on first use (``get_backend("jax")`` imports JAX), so listing them
costs nothing. Adding a backend is one new file plus one :func:`register_backend` line here.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from shoal.backend._lazy import require

__all__ = ["available_backends", "backend_names", "get_backend", "register_backend"]

# name → (module, attribute, the array library it needs, the extra that installs it)
_LOCATIONS: dict[str, tuple[str, str, str, str]] = {}


def register_backend(name: str, module: str, attribute: str, library: str, extra: str) -> None:
    """Declare backend ``name`` as ``module.attribute``, needing ``library`` (``shoal[extra]``)."""
    _LOCATIONS[name] = (module, attribute, library, extra)


def backend_names() -> tuple[str, ...]:
    """Every registered backend, installed or not, in registration order."""
    return tuple(_LOCATIONS)


def available_backends() -> tuple[str, ...]:
    """The registered backends whose array library is installed (nothing is imported)."""
    return tuple(
        name for name, (*_, library, _) in _LOCATIONS.items() if importlib.util.find_spec(library)
    )


def get_backend(name: str) -> Any:
    """The backend object called ``name``, importing it on first use.

    Raises:
        KeyError: For a name no backend was registered under.
        ImportError: If its array library is missing (the message names the extra).
    """
    if name not in _LOCATIONS:
        raise KeyError(f"no backend named {name!r}; registered backends: {backend_names()}")
    module, attribute, library, extra = _LOCATIONS[name]
    require(library, extra, f"The {name} backend")
    return getattr(importlib.import_module(module), attribute)


register_backend("numpy", "shoal.backend.numpy_backend", "NUMPY", "numpy", "numpy")
register_backend("jax", "shoal.backend.jax_backend", "JAX", "jax", "jax")
register_backend("torch", "shoal.backend.torch_backend", "TORCH", "torch", "torch")
