"""``LIFJax``: LIF neurons on JAX (float32, compiled, surrogate gradients).

Equations and arguments: :class:`~shoal.nn.modules.lif.LIFBase`.
"""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.lif import LIFBase

__all__ = ["LIFJax"]


class LIFJax(LIFBase, JaxModule):
    __doc__ = LIFBase.__doc__
    _compile_calls = True
