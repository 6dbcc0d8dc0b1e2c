"""``ExpSynJax``: exponential synapses on JAX (float32, compiled). See :class:`ExpSynBase`."""

from shoal.nn.modules.exp_syn import ExpSynBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["ExpSynJax"]


class ExpSynJax(ExpSynBase, JaxModule):
    __doc__ = ExpSynBase.__doc__
