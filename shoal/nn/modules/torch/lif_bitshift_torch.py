"""``LIFBitshiftTorch``: bit-shift LIF neurons on Torch, with Rockpool's constructor.

Equations and arguments: :class:`~shoal.nn.modules.lif_bitshift.LIFBitshiftBase` (the same
dynamics as ``LIFBitshift``/``LIFBitshiftJax``); the Torch family's options as
:class:`LIFTorch`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoal.backend.surrogates import StepPWL
from shoal.nn.modules.initialisers import kaiming
from shoal.nn.modules.lif_bitshift import LIFBitshiftBase
from shoal.nn.modules.torch._lif_family import (
    TorchLIFFamily,
    check_leak_mode,
    resolve_surrogate,
)
from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.parameters import SimulationParameter

__all__ = ["LIFBitshiftTorch"]


class LIFBitshiftTorch(TorchLIFFamily, LIFBitshiftBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Bit-shift LIF neurons on Torch (see :class:`~shoal.nn.modules.lif_bitshift.LIFBitshiftBase`).

    Rockpool's ``LIFBitshiftTorch`` signature (``LIFTorch``'s, with ``max_spikes_per_dt=31``).
    The stored time constants are the representable ones; the rounding is flat, so
    ``tau_mem``/``tau_syn`` get zero gradients (Rockpool: ``None``). Only ``leak_mode="taus"``
    is meaningful: the shifts come from the time constants.

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)`` with ``Nin = Nout · n_synapses``.
        leak_mode: ``"taus"``.
        tau_mem, tau_syn, bias, threshold, has_rec, w_rec, noise_std, weight_init_func, dt:
            As :class:`~shoal.nn.modules.lif_bitshift.LIFBitshiftBase`.
        alpha, beta, dash_mem, dash_syn: Other leak modes' parameters; refused.
        spike_generation_fn: The surrogate gradient of the spike function (default ``StepPWL``).
        learning_window: Width of the ``StepPWL``/``PeriodicExponential`` window (> 0).
        max_spikes_per_dt: Most spikes per step (default 31, Xylo's limit).

    Input, output, state and records as :class:`LIFTorch`.
    """

    def __init__(
        self,
        shape: Any,
        leak_mode: str = "taus",
        tau_mem: Any = None,
        tau_syn: Any = None,
        alpha: Any = None,
        beta: Any = None,
        dash_mem: Any = None,
        dash_syn: Any = None,
        bias: Any = None,
        threshold: Any = None,
        has_rec: bool = False,
        w_rec: Any = None,
        noise_std: float = 0.0,
        spike_generation_fn: Any = StepPWL,
        learning_window: float = 0.5,
        max_spikes_per_dt: Any = 31.0,
        weight_init_func: Callable[[Any], Any] = kaiming,
        dt: float = 1e-3,
    ) -> None:
        owner = type(self).__name__
        check_leak_mode(owner, leak_mode, ("taus",), alpha=alpha, beta=beta,
                        dash_mem=dash_mem, dash_syn=dash_syn)  # fmt: skip
        surrogate = resolve_surrogate(
            owner, spike_generation_fn, learning_window, float(max_spikes_per_dt)
        )
        super().__init__(
            shape,
            tau_mem=tau_mem,
            tau_syn=tau_syn,
            bias=bias,
            w_rec=w_rec,
            has_rec=has_rec,
            weight_init_func=weight_init_func,
            threshold=threshold,
            noise_std=noise_std,
            max_spikes_per_dt=float(max_spikes_per_dt),
            dt=dt,
            spiking_input=True,
            spiking_output=True,
            surrogate=surrogate,
        )
        self.leak_mode = SimulationParameter(leak_mode)
        # Surrogate configuration, as on LIFTorch (not a simulation parameter).
        self.learning_window = float(learning_window)
