"""``StochasticQuantize``: evolve a module with stochastically rounded parameters.

Each selected parameter element :math:`p` becomes :math:`\\lfloor p \\rfloor + [p -
\\lfloor p \\rfloor > U]` with :math:`U \\sim U[0, 1)`: rounded up with probability equal to its
fractional part, so the rounding is unbiased on average. Scale parameters to the integer
grid first (e.g. with :mod:`shoal.transform.quantize_methods`). The rounding has no gradient.

Examples:
    >>> import numpy as np
    >>> from shoal.nn.modules import Linear
    >>> np.random.seed(0)
    >>> mod = StochasticQuantize(Linear((2, 3), weight=[[0.3, 1.7, -0.4], [2.5, -1.2, 0.05]]))
    >>> mod.transformed_parameters()["module"]["weight"].tolist()
    [[0.0, 1.0, -1.0], [2.0, -1.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

from shoal.nn.modules.module import Module
from shoal.transform.param_transformer import (
    ParameterTransformerMixin,
    jax_flavour,
    pick_flavour,
)

# and JaxStochasticQuantize, imported on first access
__all__ = ["ModStochasticQuantize", "StochasticQuantize", "StochasticQuantizeBase"]


class StochasticQuantizeBase(ParameterTransformerMixin):
    """Stochastic rounding of the selected parameter families; ``transform_params`` unused.

    See :class:`~shoal.transform.param_transformer.ParameterTransformerMixin` for the arguments.
    """

    def _check_param(self, owner: str, value: Any) -> None:
        if value is not None:
            raise ValueError(
                f"{owner}: stochastic rounding takes no transform_params, got {value!r}"
            )

    def _transform_leaf(self, value: Any, param: Any, key: Any) -> Any:
        xp = self._backend.xp
        floor = xp.floor(value)
        return floor + (value - floor > self._uniform(value.shape, key))


class ModStochasticQuantize(StochasticQuantizeBase):
    __doc__ = StochasticQuantizeBase.__doc__


def __getattr__(name: str) -> Any:
    if name == "JaxStochasticQuantize":
        return _jax_flavour()
    raise AttributeError(f"module 'shoal.transform.quantize' has no attribute '{name}'")


def _jax_flavour() -> type:
    return jax_flavour(StochasticQuantizeBase, "JaxStochasticQuantize")


def StochasticQuantize(
    mod: Module, families: Any = None, transform_params: Any = None, rng_key: Any = None
) -> Any:
    """Wrap ``mod`` to evolve with stochastically rounded parameters (flavour by ``mod``'s type).

    Args:
        mod: The module to wrap. families: ``None`` (all parameters), a family or a list.
        transform_params: Unused (must be ``None``). rng_key: JAX modules only.

    Returns:
        ``ModStochasticQuantize`` for NumPy modules, ``JaxStochasticQuantize`` for JAX modules.
    """
    cls = pick_flavour(mod, ModStochasticQuantize, _jax_flavour)
    return cls(mod, families=families, transform_params=transform_params, rng_key=rng_key)
