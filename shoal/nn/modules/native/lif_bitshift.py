"""``LIFBitshift``: bit-shift LIF neurons on NumPy (float64). See :class:`LIFBitshiftBase`."""

from shoal.nn.modules.lif_bitshift import LIFBitshiftBase

__all__ = ["LIFBitshift"]


class LIFBitshift(LIFBitshiftBase):
    __doc__ = LIFBitshiftBase.__doc__
