"""``LIF``: LIF neurons on NumPy (float64). Equations and arguments: :class:`LIFBase`."""

from shoal.nn.modules.lif import LIFBase

__all__ = ["LIF"]


class LIF(LIFBase):
    __doc__ = LIFBase.__doc__
