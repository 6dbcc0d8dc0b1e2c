"""``RateJax``: rate neurons on JAX (float32, compiled). Equations and arguments: :class:`RateBase`."""

from shoal.nn.modules.activations import H_LReLU
from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.rate import RateBase

__all__ = ["H_LReLU", "RateEulerJax", "RateJax"]


class RateJax(RateBase, JaxModule):
    __doc__ = RateBase.__doc__


RateEulerJax = RateJax
