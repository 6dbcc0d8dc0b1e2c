"""``ExpSmooth``: exponential smoothing on NumPy (float64). See :class:`ExpSmoothBase`."""

from shoal.nn.modules.exp_smooth import ExpSmoothBase

__all__ = ["ExpSmooth"]


class ExpSmooth(ExpSmoothBase):
    __doc__ = ExpSmoothBase.__doc__
