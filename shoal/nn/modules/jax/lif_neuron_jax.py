"""``LIFNeuronJax``: LIF neurons without synapses on JAX (float32, compiled).

Equations and arguments: :class:`~shoal.nn.modules.lif_neuron.LIFNeuronBase`.
"""

from shoal.nn.modules.jax.jax_module import JaxModule
from shoal.nn.modules.lif_neuron import LIFNeuronBase

__all__ = ["LIFNeuronJax"]


class LIFNeuronJax(LIFNeuronBase, JaxModule):
    __doc__ = LIFNeuronBase.__doc__
