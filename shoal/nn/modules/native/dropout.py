"""``TimeStepDropout``, ``UnitDropout`` on NumPy. See :mod:`shoal.nn.modules.dropout`."""

from shoal.nn.modules.dropout import TimeStepDropoutBase, UnitDropoutBase

__all__ = ["TimeStepDropout", "UnitDropout"]


class TimeStepDropout(TimeStepDropoutBase):
    __doc__ = TimeStepDropoutBase.__doc__


class UnitDropout(UnitDropoutBase):
    __doc__ = UnitDropoutBase.__doc__
