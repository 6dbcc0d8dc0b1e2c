"""Plumbing shared by the combinators: gathering sub-modules, and the flavour registry.

The flavour registry maps (combinator kind, backend name) to the class, e.g. ``("Sequential",
"jax")`` to ``JaxSequential``. Each backend's flavours live in one module
(:data:`_FLAVOUR_MODULES`) that registers its classes with :func:`register_flavour` when it is
imported, which happens the first time sub-modules of that backend (or one of Rockpool's class
names, :func:`flavour_named`) ask for it; so nothing here imports JAX or PyTorch.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from shoal._errors import UnknownKeywordError
from shoal.backend import require_jax
from shoal.nn.modules._backends import resolve_backend_name
from shoal.nn.modules.module import Module

__all__ = [
    "FLAVOUR_NAMES",
    "flavour",
    "flavour_named",
    "gather_modules",
    "pick_flavour",
    "register_flavour",
    "reject_keywords",
]

# The keywords a combinator computes itself from its sub-modules.
_DERIVED_KEYWORDS = ("shape", "spiking_input", "spiking_output")

_KINDS = ("Sequential", "Residual", "FFwdStack")

# Backend name → the module whose import registers that backend's flavours. NumPy's are
# registered by the combinators' own modules.
_FLAVOUR_MODULES = {
    "jax": "shoal.nn.combinators._jax",
    "torch": "shoal.nn.combinators._torch",
}
# Backend name → the prefix of Rockpool's class names (``JaxSequential``, ``TorchResidual``).
_NAME_PREFIXES = {"jax": "Jax", "torch": "Torch"}

#: Rockpool's class name → (combinator kind, backend), e.g. ``"JaxSequential"``.
FLAVOUR_NAMES: dict[str, tuple[str, str]] = {
    f"{prefix}{kind}": (kind, backend)
    for backend, prefix in _NAME_PREFIXES.items()
    for kind in _KINDS
}

# (combinator kind, backend name) → the flavour class.
_FLAVOURS: dict[tuple[str, str], type] = {}


def register_flavour(kind: str, backend: str, flavour: type) -> None:
    """Declare ``flavour`` as the ``kind`` combinator (``"Sequential"``) for ``backend``."""
    _FLAVOURS[(kind, backend)] = flavour


def flavour(kind: str, backend: str) -> type:
    """The ``kind`` combinator class of ``backend``, importing the backend's flavours once.

    Raises:
        ImportError: If the backend's array library is missing (from its flavour module).
        KeyError: If ``backend`` has no ``kind`` flavour.
    """
    if (kind, backend) not in _FLAVOURS and backend in _FLAVOUR_MODULES:
        importlib.import_module(_FLAVOUR_MODULES[backend])
    return _FLAVOURS[(kind, backend)]


def flavour_named(name: str) -> Any:
    """The flavour Rockpool calls ``name`` (``"JaxSequential"``), for the packages' ``__getattr__``.

    Without JAX, a JAX name raises an ``ImportError`` naming ``shoal[jax]``; without PyTorch, a
    Torch name is a placeholder whose use raises one naming ``shoal[torch]`` (Rockpool imports
    them without PyTorch too).
    """
    kind, backend = FLAVOUR_NAMES[name]
    if backend == "jax":
        require_jax(f"shoal.nn.combinators.{name}")
    try:
        return flavour(kind, backend)
    except ImportError:
        # The placeholder (and its message) for a backend that cannot import.
        return resolve_backend_name(name, _FLAVOUR_MODULES[backend])


def default_name(index: int, module: Module) -> str:
    """Rockpool's sub-module naming: ``f"{position}_{ClassName}"``, e.g. ``'0_Linear'``."""
    return f"{index}_{module.class_name}"


def _is_raw_torch(module: Any) -> bool:
    torch = sys.modules.get("torch")  # never import torch here: only its users pass its modules
    return (
        torch is not None and isinstance(module, torch.nn.Module) and not isinstance(module, Module)
    )


def _adopt_raw_torch(owner: str, modules: list[Any]) -> list[Any]:
    """Plain ``torch.nn.Module``s become ``TorchModule``s in place (Rockpool's rule).

    Only when every other sub-module is a Torch module: a failed construction must not have
    converted the user's torch module (its call would then return a tuple).
    """
    raw = [index for index, module in enumerate(modules) if _is_raw_torch(module)]
    if not raw:
        return modules
    others = [m for m in modules if isinstance(m, Module) and m._backend.name != "torch"]
    if others:
        raise ValueError(
            f"{owner}: sub-modules mix backends: a plain torch.nn.Module "
            f"({type(modules[raw[0]]).__name__}, argument {raw[0]}) can only join Torch "
            f"modules, got the {others[0]._backend.label} module {others[0].class_name}. Use "
            "the Torch flavours (e.g. LIFTorch) for every sub-module."
        )
    from shoal.nn.modules.torch.torch_module import TorchModule

    return [TorchModule.from_torch(m) if i in raw else m for i, m in enumerate(modules)]


def gather_modules(owner: str, args: Sequence[Any]) -> list[tuple[str, Module]]:
    """Name the sub-modules given positionally (``f"{i}_{Class}"``) or as one dict name → module.

    Plain ``torch.nn.Module``s among Torch modules are converted in place (see
    :meth:`TorchModule.from_torch <shoal.nn.modules.torch.TorchModule.from_torch>`).

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
            if not isinstance(module, Module) and not _is_raw_torch(module):
                raise TypeError(
                    f"{owner}: the dict entry '{name}' is a {type(module).__name__}, not a "
                    "Module; every value must be a sub-module"
                )
        adopted = _adopt_raw_torch(owner, [module for _, module in items])
        return [(name, module) for (name, _), module in zip(items, adopted, strict=True)]
    for index, module in enumerate(args):
        if not isinstance(module, Module) and not _is_raw_torch(module):
            kind = "dict" if isinstance(module, Mapping) else type(module).__name__
            raise TypeError(
                f"{owner}: argument {index} is a {kind}, not a Module. Pass sub-modules "
                "positionally, or a single dict (e.g. an OrderedDict) of name → module"
            )
    modules = _adopt_raw_torch(owner, list(args))
    return [(default_name(index, module), module) for index, module in enumerate(modules)]


def describe(entries: Sequence[tuple[str, Module]]) -> str:
    return ", ".join(f"{name} ({module.class_name})" for name, module in entries)


def mixed_backend_error(owner: str, entries: Sequence[tuple[str, Module]]) -> ValueError:
    """The error for sub-modules of several backends in one combinator, naming each group."""
    groups: dict[str, list[tuple[str, Module]]] = {}
    for entry in entries:
        groups.setdefault(entry[1]._backend.name, []).append(entry)
    described = " and ".join(
        f"{group[0][1]._backend.label} modules {describe(group)}"
        for _, group in sorted(groups.items())
    )
    return ValueError(
        f"{owner}: sub-modules mix backends: {described}. Use one backend for every "
        "sub-module (e.g. RateJax with LinearJax, or Rate with Linear)."
    )


def pick_flavour(kind: str, args: Sequence[Any]) -> type:
    """The ``kind`` combinator class of the sub-modules' backend (NumPy when there are none).

    Raises:
        ValueError: If the sub-modules belong to more than one backend.
    """
    entries = gather_modules(kind, args)
    backends = {module._backend.name for _, module in entries}
    if len(backends) > 1:
        raise mixed_backend_error(kind, entries)
    return flavour(kind, backends.pop() if backends else "numpy")


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
