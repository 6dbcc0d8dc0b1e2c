"""The backend registry: backend name → where its :class:`~shoal.backend.Backend` lives.

Backends are imported on first use (``get_backend("jax")`` imports JAX), so listing them
costs nothing. Adding a backend is one new file plus one :func:`register_backend` line here.

Questions about a value of unknown origin (is it a tracer? a JAX array?) go to the backends
whose array library the process has *already* imported (:func:`loaded_backend`): a value can
only come from a library that was imported, and asking must never import one (``import
shoal`` never imports JAX).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

from shoal.backend._lazy import require

__all__ = [
    "available_backends",
    "backend_names",
    "get_backend",
    "is_tracer",
    "loaded_backend",
    "loaded_backends",
    "register_backend",
]

# name → (module, attribute, the array library it needs, the extra that installs it)
_LOCATIONS: dict[str, tuple[str, str, str, str]] = {}
# name → backend object, once loaded: is_tracer runs on every attribute write, so it must not
# go through the import machinery each time.
_LOADED: dict[str, Any] = {}


def register_backend(name: str, module: str, attribute: str, library: str, extra: str) -> None:
    """Declare backend ``name`` as ``module.attribute``, needing ``library`` (``shoal[extra]``)."""
    _LOCATIONS[name] = (module, attribute, library, extra)
    _LOADED.pop(name, None)


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


def loaded_backend(name: str) -> Any:
    """Backend ``name`` if its array library is imported already, else ``None``.

    Never imports the array library (it may import shoal's backend module once the library
    is in ``sys.modules``).
    """
    found = _LOADED.get(name)
    if found is None and _LOCATIONS[name][2] in sys.modules:
        try:
            found = get_backend(name)
        except ImportError:
            # The library is there but shoal's backend for it cannot load (e.g. an
            # unsupported version): then none of the process's values came from that
            # backend, and NumPy-only work must not fail because of it.
            found = False
        _LOADED[name] = found
    return found or None


def loaded_backends() -> tuple[Any, ...]:
    """Every registered backend whose array library is imported already, in order."""
    found = (loaded_backend(name) for name in _LOCATIONS)
    return tuple(backend for backend in found if backend is not None)


def is_tracer(value: Any) -> bool:
    """True for an abstract value inside a transformation (JAX ``jit``/``grad``).

    Each backend whose library is loaded answers (:meth:`Backend.is_tracer`); if no tracing
    library was imported, nothing can be a tracer, and none is imported to find out.
    """
    # Values no backend can trace are answered without looking at `sys.modules` (which
    # torch.compile guarded on, re-tracing a compiled module after every new import): builtins,
    # and arrays of a loaded backend that does not trace (a torch tensor, a NumPy array).
    library = type(value).__module__.partition(".")[0]
    if library == "builtins":
        return False
    for name, location in _LOCATIONS.items():
        backend = loaded_backend(name) if location[2] == library else None
        if backend is not None and not backend.accepts_tracers:
            return False
    return any(backend.is_tracer(value) for backend in loaded_backends())


register_backend("numpy", "shoal.backend.numpy_backend", "NUMPY", "numpy", "numpy")
register_backend("jax", "shoal.backend.jax_backend", "JAX", "jax", "jax")
register_backend("torch", "shoal.backend.torch_backend", "TORCH", "torch", "torch")
