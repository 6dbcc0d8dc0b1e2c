"""``aLIFTorch``: adaptive LIF neurons on Torch, with Rockpool's constructor.

Equations and arguments: :class:`~shoal.nn.modules.alif.ALIFBase` (the same dynamics as
``aLIF``/``aLIFJax``); the Torch family's options as :class:`LIFTorch`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoal.backend.surrogates import StepPWL
from shoal.nn.modules.alif import _W_AHP_DEFAULT, ALIFBase
from shoal.nn.modules.initialisers import kaiming
from shoal.nn.modules.torch._lif_family import (
    TorchLIFFamily,
    check_leak_mode,
    resolve_surrogate,
)
from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.parameters import SimulationParameter

__all__ = ["aLIFTorch"]


class aLIFTorch(TorchLIFFamily, ALIFBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Adaptive LIF neurons on Torch (see :class:`~shoal.nn.modules.alif.ALIFBase`).

    Rockpool's ``aLIFTorch`` signature: the ahp arguments first, then ``LIFTorch``'s. Input is
    always spiking; ``alpha``/``beta``/``dash_mem``/``dash_syn`` are read-only views of the
    time constants. Only ``leak_mode="taus"`` is implemented.

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)`` with ``Nin = Nout · n_synapses``.
        tau_ahp, w_ahp, w_ahp_init_func: As :class:`~shoal.nn.modules.alif.ALIFBase`.
        leak_mode: ``"taus"`` (the time constants are the parameters).
        tau_mem: As :class:`~shoal.nn.modules.lif.LIFBase`; so are ``tau_syn``, ``bias``,
            ``threshold``, ``has_rec``, ``w_rec``, ``noise_std``, ``max_spikes_per_dt``,
            ``weight_init_func`` and ``dt``.
        alpha, beta, dash_mem, dash_syn: Other leak modes' parameters; refused in ``"taus"``.
        spike_generation_fn: The surrogate gradient of the spike function (default ``StepPWL``).
        learning_window: Width of the ``StepPWL``/``PeriodicExponential`` window (> 0).

    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, Nout)`` spike counts. State
    ``vmem``, ``isyn (Nout, n_syn)``, ``spikes``, ``iahp``; records (``record=True``)
    ``irec``, ``spikes``, ``isyn``, ``vmem``, ``iahp``.
    """

    def __init__(
        self,
        shape: Any,
        tau_ahp: Any = None,
        w_ahp: Any = None,
        w_ahp_init_func: Callable[[Any], Any] = _W_AHP_DEFAULT,
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
        max_spikes_per_dt: Any = 2.0**16,
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
            tau_ahp=tau_ahp,
            w_ahp=w_ahp,
            w_ahp_init_func=w_ahp_init_func,
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
