"""``UpDownJax``: the up/down delta encoder on JAX (float32). See :class:`UpDownBase`."""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.updown import UpDownBase

__all__ = ["UpDownJax"]


class UpDownJax(UpDownBase, JaxModule):
    __doc__ = UpDownBase.__doc__
