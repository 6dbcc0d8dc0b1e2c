"""``Softmax``, ``LogSoftmax``: smoothed softmax readouts on NumPy. See :class:`SoftmaxBase`."""

from shoal.nn.modules.softmax import LogSoftmaxBase, SoftmaxBase

__all__ = ["LogSoftmax", "Softmax"]


class Softmax(SoftmaxBase):
    __doc__ = SoftmaxBase.__doc__


class LogSoftmax(LogSoftmaxBase):
    __doc__ = LogSoftmaxBase.__doc__
