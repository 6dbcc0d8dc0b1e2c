"""``Linear``: on NumPy (float64). See :class:`LinearBase`."""

from shoal.nn.modules.linear import LinearBase

__all__ = ["Linear"]


class Linear(LinearBase):
    __doc__ = LinearBase.__doc__
