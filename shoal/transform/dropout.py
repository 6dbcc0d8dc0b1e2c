"""Parameter ``Dropout``: evolve a module with a random subset of its parameters set to zero.

Each selected parameter element is dropped (set to 0) with probability ``p``, independently
on every call; kept elements are not rescaled. The same rule holds on both backends
(decisions.md: Rockpool's NumPy flavour kept elements with probability ``p``, inverted).

Examples:
    >>> import numpy as np
    >>> from shoal.nn.modules import Linear
    >>> mod = Dropout(Linear((100, 10)), families="weights", transform_params=0.9)
    >>> kept = np.mean(mod.transformed_parameters()["module"]["weight"] != 0)
    >>> bool(0.05 < kept < 0.15)
    True
"""

from __future__ import annotations

import math
from typing import Any

from shoal.nn.modules.module import Module
from shoal.transform.param_transformer import (
    ParameterTransformerMixin,
    jax_flavour,
    pick_flavour,
)

__all__ = ["Dropout", "DropoutBase", "ModDropout"]  # and JaxDropout, imported on first access


class DropoutBase(ParameterTransformerMixin):
    """Drop each selected parameter element with probability ``p`` (``transform_params``).

    ``transform_params`` is the drop probability per family, in ``[0, 1]`` (default 0.5). See
    :class:`~shoal.transform.param_transformer.ParameterTransformerMixin` for the arguments.
    """

    _default_param = 0.5

    def _check_param(self, owner: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError(f"{owner}: the drop probability must be a number, got {value!r}")
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f"{owner}: the drop probability must be in [0, 1], got {value}")

    def _transform_leaf(self, value: Any, param: Any, key: Any) -> Any:
        # Dropped where U < p: probability p exactly, and p = 0 keeps every element.
        return value * (self._uniform(value.shape, key) >= param)


class ModDropout(DropoutBase):
    __doc__ = DropoutBase.__doc__


def __getattr__(name: str) -> Any:
    if name == "JaxDropout":
        return _jax_flavour()
    raise AttributeError(f"module 'shoal.transform.dropout' has no attribute '{name}'")


def _jax_flavour() -> type:
    return jax_flavour(DropoutBase, "JaxDropout")


def Dropout(
    mod: Module, families: Any = None, transform_params: Any = None, rng_key: Any = None
) -> Any:
    """Wrap ``mod`` to evolve with parameter dropout (flavour chosen by ``mod``'s type).

    Args:
        mod: The module to wrap. families: ``None`` (all parameters), a family or a list.
        transform_params: Drop probability per family (default 0.5). rng_key: JAX modules only.

    Returns:
        ``ModDropout`` for NumPy modules, ``JaxDropout`` for JAX modules.
    """
    cls = pick_flavour(mod, ModDropout, _jax_flavour)
    return cls(mod, families=families, transform_params=transform_params, rng_key=rng_key)
