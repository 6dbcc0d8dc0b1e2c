"""``SoftmaxJax``, ``LogSoftmaxJax``: smoothed softmax readouts on JAX (float32).

See :class:`~shoal.nn.modules.softmax.SoftmaxBase`.
"""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.softmax import LogSoftmaxBase, SoftmaxBase

__all__ = ["LogSoftmaxJax", "SoftmaxJax"]


class SoftmaxJax(SoftmaxBase, JaxModule):
    __doc__ = SoftmaxBase.__doc__


class LogSoftmaxJax(LogSoftmaxBase, JaxModule):
    __doc__ = LogSoftmaxBase.__doc__
