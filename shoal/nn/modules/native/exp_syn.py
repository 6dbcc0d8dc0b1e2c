"""``ExpSyn``: exponential synapses on NumPy (float64). See :class:`ExpSynBase`."""

from shoal.nn.modules.exp_syn import ExpSynBase

__all__ = ["ExpSyn"]


class ExpSyn(ExpSynBase):
    __doc__ = ExpSynBase.__doc__
