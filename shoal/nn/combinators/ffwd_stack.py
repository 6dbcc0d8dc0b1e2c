"""``FFwdStack``: sub-modules joined by trainable weight matrices.

One implementation, :class:`FFwdStackBase`, with thin flavours :class:`ModFFwdStack` (NumPy)
and ``JaxFFwdStack`` (JAX pytree, imported only when used); :func:`FFwdStack` picks the flavour.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from shoal.nn.combinators._common import (
    flavour_named,
    gather_modules,
    pick_flavour,
    register_flavour,
)
from shoal.nn.combinators._nir import chain_graph
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules._constraints import FINITE
from shoal.nn.modules.initialisers import kaiming
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir._registry import register_nir_graph
from shoal.parameters import Parameter

if TYPE_CHECKING:  # the JAX flavour is imported on first access (see __getattr__)
    from shoal.nn.combinators._jax import JaxFFwdStack

__all__ = ["FFwdStack", "FFwdStackBase", "FFwdStackMixin", "JaxFFwdStack", "ModFFwdStack"]

_WEIGHT_NAME = re.compile(r"\d+_\d+_weight")


def _weight_name(index: int) -> str:
    """The weights feeding sub-module ``index`` from sub-module ``index - 1``."""
    return f"{index - 1}_{index}_weight"


class FFwdStackBase(SequentialBase):
    """Sub-modules in a chain, with a trainable weight matrix between each consecutive pair.

    Between sub-modules ``i`` and ``i + 1`` the stack holds a parameter ``'{i}_{i+1}_weight'``
    of shape ``(size_out_i, size_in_{i+1})`` (family ``"weights"``), applied as ``x @ w``. So
    consecutive sizes need not match. Naming, indexing, ``append`` (which adds the weights to
    the new last module), state and records are as for
    :class:`~shoal.nn.combinators.sequential.SequentialBase`; records hold each sub-module's own
    output (before the following weights).

    Args:
        *modules: At least two sub-modules in order, or one dict name → module.
        weight_init_func: Initialiser ``f(shape) -> array`` for the weights (default
            :func:`~shoal.nn.modules.initialisers.kaiming`).

    Raises:
        ValueError: With fewer than two sub-modules, plus every error of ``Sequential``.
    """

    _kind: ClassVar[str] = "FFwdStack"
    _keywords: ClassVar[str] = " and `weight_init_func`"

    def __init__(
        self,
        *modules: Any,
        weight_init_func: Callable[[Any], Any] = kaiming,
        **kwargs: Any,
    ) -> None:
        count = len(gather_modules(type(self).__name__, modules))
        if count < 2:
            raise ValueError(
                f"{type(self).__name__}: an FFwdStack needs at least two sub-modules to join "
                f"with weights, got {count}. Use the module on its own, or Sequential."
            )
        # Plain attribute (static pytree metadata), set before sub-modules are inserted.
        self._weight_init_func = weight_init_func
        super().__init__(*modules, **kwargs)

    def _between(self, index: int, data: Any) -> Any:
        return data if index == 0 else data @ getattr(self, _weight_name(index))

    def _check_link(self, index: int, previous: Module, next_index: int, module: Module) -> None:
        """Weights bridge any sizes, but both sides need a known size to shape them."""
        if previous.size_out is None or module.size_in is None:
            raise ValueError(
                f"{self._path}: cannot size the weights between submodule {index} "
                f"({previous.class_name}) and submodule {next_index} ({module.class_name}): "
                "both must have a known shape."
            )

    def _check_addition(self, name: Any, module: Any) -> None:
        if isinstance(name, str) and _WEIGHT_NAME.fullmatch(name):
            raise ValueError(
                f"{self._path}: the sub-module name '{name}' has the form of a weight name "
                "('{i}_{i+1}_weight'), which FFwdStack reserves; choose another name."
            )
        super()._check_addition(name, module)

    def _insert(self, name: str, module: Module) -> None:
        index = len(self)
        if index == 0:
            super()._insert(name, module)
            return
        # Built before anything changes, so a failing initialiser leaves the stack as it was.
        weight = Parameter(
            shape=(self[-1].size_out, module.size_in),
            family="weights",
            init_func=self._weight_init_func,
            constraint=FINITE,
        )
        super()._insert(name, module)
        setattr(self, _weight_name(index), weight)


class ModFFwdStack(FFwdStackBase):
    __doc__ = FFwdStackBase.__doc__


register_nir_graph(
    FFwdStackBase,
    partial(chain_graph, kind="Sequential", weights=True),  # see shoal.nn.modules.nir
)
register_flavour("FFwdStack", "numpy", ModFFwdStack)


def FFwdStack(
    *modules: Any, weight_init_func: Callable[[Any], Any] = kaiming, **kwargs: Any
) -> FFwdStackBase:
    """Build a :class:`ModFFwdStack` or ``JaxFFwdStack``: all JAX sub-modules give the JAX one.

    Args:
        *modules: At least two sub-modules, or one dict (e.g. ``OrderedDict``) name → module.
        weight_init_func: Initialiser for the inserted weights (default ``kaiming``).

    Raises:
        ValueError: If NumPy and JAX sub-modules are mixed, or fewer than two are given.

    Example:
        >>> import numpy as np
        >>> from shoal.nn.modules import Rate
        >>> stack = FFwdStack(Rate(2), Rate(3), weight_init_func=np.ones)
        >>> {name: w.shape for name, w in stack.parameters("weights").items()}
        {'0_1_weight': (2, 3)}
        >>> stack(np.ones((5, 2)))[0].shape
        (1, 5, 3)
    """
    flavour = pick_flavour("FFwdStack", modules)
    return flavour(*modules, weight_init_func=weight_init_func, **kwargs)  # type: ignore[no-any-return]


#: Rockpool's name for the backend-neutral implementation (``isinstance`` works for
#: every flavour).
FFwdStackMixin = FFwdStackBase


def __getattr__(name: str) -> Any:
    if name in ("JaxFFwdStack", "TorchFFwdStack"):  # Rockpool's names, from the flavour registry
        return flavour_named(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
