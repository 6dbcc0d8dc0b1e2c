"""``aLIFJax``: adaptive LIF neurons on JAX (float32, compiled). See :class:`ALIFBase`."""

from shoal.nn.modules.alif import ALIFBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["aLIFJax"]


class aLIFJax(ALIFBase, JaxModule):
    __doc__ = ALIFBase.__doc__
