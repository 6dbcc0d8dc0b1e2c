"""``Rate``: rate neurons on NumPy (float64). Equations and arguments: :class:`RateBase`."""

from shoal.nn.modules.rate import RateBase

__all__ = ["Rate"]


class Rate(RateBase):
    __doc__ = RateBase.__doc__
