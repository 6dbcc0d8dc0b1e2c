"""Combinators: build networks from modules.

- :func:`Sequential`: each sub-module's output feeds the next one.
- :func:`Residual`: a sequential chain plus its input (skip connection).
- :func:`FFwdStack`: a chain with trainable weights inserted between consecutive sub-modules.

Each factory looks at every sub-module and returns the NumPy flavour (``ModSequential``...) or,
when all are JAX modules, the JAX flavour (``JaxSequential``...); mixing backends raises a
``ValueError``. The JAX flavours are imported on first access, so importing this package never
imports JAX. ``SequentialMixin`` / ``FFwdStackMixin`` are Rockpool's names for the
backend-neutral bases; ``TorchSequential``, ``TorchResidual`` and ``TorchFFwdStack`` are
placeholders raising an ``ImportError`` naming ``shoal[torch]`` until the Torch backend exists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shoal.nn.combinators._common import FLAVOUR_NAMES, flavour_named
from shoal.nn.combinators.ffwd_stack import FFwdStack, FFwdStackBase, FFwdStackMixin, ModFFwdStack
from shoal.nn.combinators.residual import ModResidual, Residual, ResidualBase
from shoal.nn.combinators.sequential import (
    ModSequential,
    Sequential,
    SequentialBase,
    SequentialMixin,
)
from shoal.nn.modules._backends import TORCH_COMBINATOR_NAMES

if TYPE_CHECKING:  # imported on first access (see __getattr__): they import JAX
    from shoal.nn.combinators._jax import JaxFFwdStack, JaxResidual, JaxSequential

__all__ = [
    "FFwdStack",
    "FFwdStackBase",
    "FFwdStackMixin",
    "JaxFFwdStack",
    "JaxResidual",
    "JaxSequential",
    "ModFFwdStack",
    "ModResidual",
    "ModSequential",
    "Residual",
    "ResidualBase",
    "Sequential",
    "SequentialBase",
    "SequentialMixin",
    *TORCH_COMBINATOR_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in FLAVOUR_NAMES:  # JaxSequential, TorchResidual...: from the flavour registry
        return flavour_named(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
