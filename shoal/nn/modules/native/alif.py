"""``aLIF``: adaptive LIF neurons on NumPy (float64). Equations and arguments: :class:`ALIFBase`."""

from shoal.nn.modules.alif import ALIFBase

__all__ = ["aLIF"]


class aLIF(ALIFBase):
    __doc__ = ALIFBase.__doc__
