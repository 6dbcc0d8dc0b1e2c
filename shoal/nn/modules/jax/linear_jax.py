"""``LinearJax``: on JAX (float32). See :class:`LinearBase`."""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.linear import LinearBase

__all__ = ["LinearJax"]


class LinearJax(LinearBase, JaxModule):
    __doc__ = LinearBase.__doc__
