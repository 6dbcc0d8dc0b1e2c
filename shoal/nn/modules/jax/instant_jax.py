"""``InstantJax``: on JAX (float32). See :class:`InstantBase`."""

from shoal.nn.modules.instant import InstantBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["InstantJax"]


class InstantJax(InstantBase, JaxModule):
    __doc__ = InstantBase.__doc__
    # Not compiled on eager calls: the user's function may be NumPy code that cannot trace.
