"""``LIFBitshiftJax``: bit-shift LIF neurons on JAX (float32, compiled).

Equations and arguments: :class:`~shoal.nn.modules.lif_bitshift.LIFBitshiftBase`.
"""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.lif_bitshift import LIFBitshiftBase

__all__ = ["LIFBitshiftJax"]


class LIFBitshiftJax(LIFBitshiftBase, JaxModule):
    __doc__ = LIFBitshiftBase.__doc__
