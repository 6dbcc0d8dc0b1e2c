"""``LIFNeuron``: LIF neurons without synapses on NumPy (float64). See :class:`LIFNeuronBase`."""

from shoal.nn.modules.lif_neuron import LIFNeuronBase

__all__ = ["LIFNeuron"]


class LIFNeuron(LIFNeuronBase):
    __doc__ = LIFNeuronBase.__doc__
