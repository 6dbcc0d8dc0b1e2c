"""``LIFTorch``: LIF neurons on Torch, with Rockpool's constructor and surrogate choice.

Equations: :class:`~shoal.nn.modules.lif.LIFBase` (the same dynamics as ``LIF``/``LIFJax``).
``StepPWL`` and ``PeriodicExponential`` are the surrogate classes ``spike_generation_fn``
takes (Rockpool imports them from ``rockpool.nn.modules.torch.lif_torch``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from shoal.backend.surrogates import PeriodicExponential, StepPWL
from shoal.dynamics import lif_decays
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules.initialisers import kaiming, zeros
from shoal.nn.modules.lif import LIFBase
from shoal.nn.modules.torch._lif_family import (
    LEAK_MODES,
    TorchLIFFamily,
    check_leak_mode,
    resolve_surrogate,
)
from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.parameters import SimulationParameter, State

__all__ = ["LIFTorch", "PeriodicExponential", "StepPWL"]


class LIFTorch(TorchLIFFamily, LIFBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """LIF neurons on Torch (see :class:`~shoal.nn.modules.lif.LIFBase` for the equations).

    Rockpool's ``LIFTorch`` signature. Differences from ``LIF``/``LIFJax``: the threshold
    family is ``"thresholds"``; input is always spiking; ``spike_generation_fn`` is
    ``StepPWL`` (default) or ``PeriodicExponential`` (the classes, or any
    :class:`~shoal.backend.surrogates.Surrogate`/name such as ``"fast_sigmoid"``), whose
    window is ``learning_window`` (default 0.5). ``leak_mode`` picks the trained leak
    parameters; the others are read-only views (``τ = −dt/ln α``, ``dash = −log2(1 − α)``).

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)``.
        leak_mode: ``"taus"`` (default: ``tau_mem``/``tau_syn``, ``α = exp(−dt/τ)``),
            ``"decays"`` (``alpha`` ``(N,)``/``()`` and ``beta`` ``(N, n_syn)``/``(1, n_syn)``/
            ``()``, family ``"decays"``, default 0.5, each in [0, 1]) or ``"bitshifts"``
            (``dash_mem``, ``dash_syn``, family ``"bitshifts"``, default 1.0, ≥ 0, real-valued:
            ``α = 1 − 2^(−dash)``). Giving another mode's leak raises ``ValueError``.
        tau_mem: As :class:`~shoal.nn.modules.lif.LIFBase`; so are ``tau_syn``, ``bias``,
            ``threshold``, ``has_rec``, ``w_rec``, ``noise_std``, ``max_spikes_per_dt``,
            ``weight_init_func`` and ``dt``.
        alpha, beta, dash_mem, dash_syn: The leaks of the ``"decays"``/``"bitshifts"`` modes.
        spike_generation_fn: The surrogate gradient of the spike function.
        learning_window: Width of the ``StepPWL``/``PeriodicExponential`` window (> 0).
    """

    # The module turns its leak parameters (taus, decays or bit shifts) into the decays.
    _dynamics: ClassVar[Dynamics] = lif_decays
    _threshold_family: ClassVar[str] = "thresholds"

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
        max_spikes_per_dt: Any = 2.0**16,
        weight_init_func: Callable[[Any], Any] = kaiming,
        dt: float = 1e-3,
    ) -> None:
        owner = type(self).__name__
        check_leak_mode(owner, leak_mode, tuple(LEAK_MODES), tau_mem=tau_mem, tau_syn=tau_syn,
                        alpha=alpha, beta=beta, dash_mem=dash_mem, dash_syn=dash_syn)  # fmt: skip
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
        mem, syn = {
            "taus": (None, None),
            "decays": (alpha, beta),
            "bitshifts": (dash_mem, dash_syn),
        }[leak_mode]
        self._use_leak_mode(leak_mode, mem, syn)
        self.leak_mode = SimulationParameter(leak_mode)
        # Configuration of the surrogate (as `surrogate` on LIFBase), not a simulation
        # parameter: checkpoints and simulation_parameters() stay comparable with LIF/LIFJax.
        self.learning_window = float(learning_window)
        # Rockpool's LIFTorch state order is vmem, isyn, spikes (LIFBase registers spikes
        # first): state(), named_buffers() and state_dict() list them in that order.
        n_out, n_syn = self.size_out, self.n_synapses
        del self.spikes, self.isyn, self.vmem
        self.vmem = State(shape=(n_out,), init_func=zeros)
        self.isyn = State(shape=(n_out, n_syn), init_func=zeros)
        self.spikes = State(shape=(n_out,), init_func=zeros)

    def _configure(self) -> tuple[Any, Any]:
        alpha, beta = self._leak_decays()
        params = lif_decays.LIFDecayParams(
            alpha, beta, self.bias, self.threshold, self.w_rec, self.dt, self.noise_std
        )
        return self._lif_config(), params
