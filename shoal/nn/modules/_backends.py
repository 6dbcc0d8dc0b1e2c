"""Which array backends are installed, and stand-ins for classes whose backend is missing.

Rockpool's ``backend_available``, ``missing_backend_shim`` and ``list_backends``, plus the
placeholders for the Torch classes (``LIFTorch``, ``TorchSequential``...). A placeholder is
what ``shoal.nn.modules.LIFTorch`` resolves to while shoal's Torch backend
(``shoal.nn.modules.torch``, ``shoal.nn.combinators._torch``) or PyTorch itself is missing:
importing it works, using it raises an ``ImportError`` naming the extra. When the backend
package exists and imports, :func:`resolve_backend_name` returns the real class instead, so
landing the backend needs no change here.
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

__all__ = [
    "KNOWN_BACKENDS",
    "TORCH_COMBINATOR_NAMES",
    "TORCH_MODULE_NAMES",
    "backend_available",
    "list_backends",
    "missing_backend_shim",
    "resolve_backend_name",
]

#: Backends ``list_backends()`` reports, in order.
KNOWN_BACKENDS = ("numpy", "jax", "torch", "cuda", "sinabs-exodus", "brian", "samna")

#: Torch classes of ``shoal.nn.modules`` (Rockpool's names).
TORCH_MODULE_NAMES = (
    "TorchModule",
    "TorchModuleParameters",
    "LIFTorch",
    "RateTorch",
    "LinearTorch",
    "ExpSynTorch",
    "InstantTorch",
    "aLIFTorch",
    "LIFNeuronTorch",
    "LIFBitshiftTorch",
    "UpDownTorch",
    "TimeStepDropoutTorch",
    "UnitDropoutTorch",
    "ExpSmoothTorch",
    "SoftmaxTorch",
    "LogSoftmaxTorch",
    "BooleanStateTorch",
    "LowPass",
)
#: Torch combinator classes of ``shoal.nn.combinators``.
TORCH_COMBINATOR_NAMES = ("TorchSequential", "TorchResidual", "TorchFFwdStack")


@functools.cache
def _importable(module: str) -> bool:
    try:
        importlib.import_module(module)
    except Exception:  # a broken install counts as missing, whatever it raises
        return False
    return True


@functools.cache
def _one_backend_available(name: str) -> bool:
    if name == "jax":
        return _importable("jax") and _importable("jaxlib")
    if name == "brian":
        return _importable("brian2")
    if name == "sinabs-exodus":
        return _importable("sinabs.exodus")
    if name == "cuda":
        if not _importable("torch"):
            return False
        return bool(importlib.import_module("torch").cuda.is_available())
    if name == "samna":
        return _importable("samna") and hasattr(importlib.import_module("samna"), "__version__")
    return _importable(name)


def backend_available(*backend_names: str) -> bool:
    """``True`` if every named backend can be imported (results are cached).

    Known names with extra requirements: ``"jax"`` (jax and jaxlib), ``"sinabs-exodus"``,
    ``"brian"`` (brian2), ``"cuda"`` (torch with CUDA available), ``"samna"`` (importable and
    versioned); any other name is tried as a module name.

    Examples:
        >>> backend_available("numpy")
        True
        >>> backend_available("numpy", "surely_not_a_backend")
        False
    """
    return all(_one_backend_available(name) for name in backend_names)


def list_backends() -> None:
    """Print whether each known backend is available (``name: True/False`` per line)."""
    print("Backends available to shoal:")
    for name in KNOWN_BACKENDS:
        print(f"{name}: {backend_available(name)}")


class _MissingBackendMeta(type):
    """Classes that cannot be used: instantiating or reading a class attribute raises."""

    _missing_message: str

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        raise ModuleNotFoundError(cls._missing_message)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            # Introspection (inspect, doctest, copy, hasattr) must see an ordinary class.
            raise AttributeError(name)
        raise ModuleNotFoundError(cls._missing_message)


def _shim(class_name: str, message: str) -> type:
    return _MissingBackendMeta(
        class_name, (), {"_missing_message": message, "__doc__": f"Unavailable: {message}"}
    )


def missing_backend_shim(class_name: str, backend_name: str) -> type:
    """A stand-in class for ``class_name`` whose backend ``backend_name`` is missing.

    Instantiating it, or reading any of its attributes, raises ``ModuleNotFoundError("Missing
    the `foo` backend. `FooJax` objects, and others relying on `foo` are not available.")``;
    ``isinstance(x, shim)`` is ``False`` for everything.
    """
    return _shim(
        class_name,
        f"Missing the `{backend_name}` backend. `{class_name}` objects, and others relying on "
        f"`{backend_name}` are not available.",
    )


@functools.cache
def _torch_placeholder(class_name: str) -> type:
    return _shim(
        class_name,
        f"Missing the `torch` backend. `{class_name}` objects, and others relying on `torch` "
        "are not available. They need shoal's Torch backend and PyTorch: "
        "pip install 'shoal[torch]'",
    )


def resolve_backend_name(name: str, backend_module: str) -> Any:
    """The class ``name`` from ``backend_module``, or a placeholder if that cannot be imported.

    Args:
        name: A Torch class name (e.g. ``"LIFTorch"``).
        backend_module: Where the real class lives once the backend exists
            (e.g. ``"shoal.nn.modules.torch"``).
    """
    try:
        module = importlib.import_module(backend_module)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if backend_module.startswith(missing) or missing.split(".")[0] == "torch":
            return _torch_placeholder(name)
        raise
    except ImportError:  # the backend exists but PyTorch is missing: it names the extra
        return _torch_placeholder(name)
    found = getattr(module, name, None)
    if found is None:  # a Rockpool Torch class shoal's Torch backend does not provide yet
        return _shim(
            name,
            f"`{name}` is not implemented in shoal's Torch backend yet (available: "
            f"{', '.join(getattr(module, '__all__', ()))}).",
        )
    return found
