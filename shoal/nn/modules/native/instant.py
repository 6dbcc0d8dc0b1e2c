"""``Instant``: on NumPy (float64). See :class:`InstantBase`."""

from shoal.nn.modules.instant import InstantBase

__all__ = ["Instant"]


class Instant(InstantBase):
    __doc__ = InstantBase.__doc__
