"""``BooleanState``: the set/reset latch on NumPy (float64). See :class:`BooleanStateBase`."""

from shoal.nn.modules.boolean_state import BooleanStateBase

__all__ = ["BooleanState"]


class BooleanState(BooleanStateBase):
    __doc__ = BooleanStateBase.__doc__
