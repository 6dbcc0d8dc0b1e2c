"""``UpDown``: the up/down delta encoder on NumPy (float64). See :class:`UpDownBase`."""

from shoal.nn.modules.updown import UpDownBase

__all__ = ["UpDown"]


class UpDown(UpDownBase):
    __doc__ = UpDownBase.__doc__
