"""``LIFNeuronTorch``: LIF neurons without synapses on Torch, with Rockpool's constructor.

Equations and arguments: :class:`~shoal.nn.modules.lif_neuron.LIFNeuronBase` (the same
dynamics as ``LIFNeuron``/``LIFNeuronJax``).
"""

from __future__ import annotations

from typing import Any

from shoal.backend.surrogates import StepPWL
from shoal.nn.modules.lif_neuron import LIFNeuronBase
from shoal.nn.modules.torch._lif_family import resolve_surrogate
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["LIFNeuronTorch"]


class LIFNeuronTorch(LIFNeuronBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """LIF neurons without synaptic state on Torch (see :class:`~shoal.nn.modules.lif_neuron.LIFNeuronBase`).

    Rockpool's ``LIFNeuronTorch`` signature: input is not spiking (it is added straight to
    the membrane), the state is ``vmem`` only.

    Args:
        shape: ``N`` or ``(N,)``.
        tau_mem, threshold, bias, dt, noise_std: As
            :class:`~shoal.nn.modules.lif_neuron.LIFNeuronBase` (``bias`` defaults to the
            scalar 0.0, kept 0-d).
        spike_generation_fn: The surrogate gradient of the spike function (default ``StepPWL``).
        learning_window: Width of the ``StepPWL``/``PeriodicExponential`` window (> 0).
        max_spikes_per_dt: Most spikes per step, ≥ 0 (default 2**16).

    Input ``(T, N)`` or ``(B, T, N)``; output ``(B, T, N)`` spike counts. State ``vmem (N,)``;
    records (``record=True``) ``vmem``, ``spikes`` ``(B, T, N)``.
    """

    def __init__(
        self,
        shape: Any = None,
        tau_mem: Any = None,
        threshold: Any = None,
        bias: Any = 0.0,
        dt: float = 1e-3,
        noise_std: float = 0.0,
        spike_generation_fn: Any = StepPWL,
        learning_window: float = 0.5,
        max_spikes_per_dt: Any = 2.0**16,
    ) -> None:
        owner = type(self).__name__
        surrogate = resolve_surrogate(
            owner, spike_generation_fn, learning_window, float(max_spikes_per_dt)
        )
        super().__init__(
            shape,
            tau_mem=tau_mem,
            threshold=threshold,
            bias=bias,
            dt=dt,
            noise_std=noise_std,
            max_spikes_per_dt=float(max_spikes_per_dt),
            spiking_input=False,
            spiking_output=True,
            surrogate=surrogate,
        )
        # Surrogate configuration, as on LIFTorch (not a simulation parameter).
        self.learning_window = float(learning_window)
