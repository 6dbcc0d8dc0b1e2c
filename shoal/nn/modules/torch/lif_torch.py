"""``LIFTorch``: LIF neurons on Torch, with Rockpool's constructor and surrogate choice.

Equations: :class:`~shoal.nn.modules.lif.LIFBase` (the same dynamics as ``LIF``/``LIFJax``).
``StepPWL`` and ``PeriodicExponential`` are the surrogate classes ``spike_generation_fn``
takes (Rockpool imports them from ``rockpool.nn.modules.torch.lif_torch``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch

from shoal.backend.surrogates import PeriodicExponential, StepPWL, Surrogate, get_surrogate
from shoal.nn.modules.initialisers import kaiming, zeros
from shoal.nn.modules.lif import LIFBase
from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.parameters import SimulationParameter, State

__all__ = ["LIFTorch", "PeriodicExponential", "StepPWL"]

_WINDOWED = (StepPWL, PeriodicExponential)


class LIFTorch(LIFBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """LIF neurons on Torch (see :class:`~shoal.nn.modules.lif.LIFBase` for the equations).

    Rockpool's ``LIFTorch`` signature. Differences from ``LIF``/``LIFJax``: the threshold
    family is ``"thresholds"``; input is always spiking; ``spike_generation_fn`` is
    ``StepPWL`` (default) or ``PeriodicExponential`` (the classes, or any
    :class:`~shoal.backend.surrogates.Surrogate`/name such as ``"fast_sigmoid"``), whose
    window is ``learning_window`` (default 0.5). Only ``leak_mode="taus"`` is implemented.

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)``.
        leak_mode: ``"taus"`` (the time constants are the parameters).
        tau_mem, tau_syn, bias, threshold, has_rec, w_rec, noise_std, max_spikes_per_dt,
            weight_init_func, dt: As :class:`~shoal.nn.modules.lif.LIFBase`.
        spike_generation_fn: The surrogate gradient of the spike function.
        learning_window: Width of the ``StepPWL``/``PeriodicExponential`` window (> 0).
    """

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
        if leak_mode != "taus":
            raise NotImplementedError(
                f"{owner}: leak_mode {leak_mode!r} is not implemented in shoal yet; only "
                "'taus' (time constants as parameters) is."
            )
        given = [n for n, v in (("alpha", alpha), ("beta", beta), ("dash_mem", dash_mem),
                                ("dash_syn", dash_syn)) if v is not None]  # fmt: skip
        if given:
            raise ValueError(
                f"{owner}: current leak mode is set to taus and only parameters from this "
                f"family can be directly initialised (tau_mem and tau_syn); got {given}."
            )
        window = float(learning_window)
        if not window > 0:
            raise ValueError(f"{owner}.learning_window: expected a value > 0, got {window}")
        surrogate = _surrogate(owner, spike_generation_fn, window, float(max_spikes_per_dt))
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
        # Configuration of the surrogate (as `surrogate` on LIFBase), not a simulation
        # parameter: checkpoints and simulation_parameters() stay comparable with LIF/LIFJax.
        self.learning_window = window
        # Rockpool's LIFTorch state order is vmem, isyn, spikes (LIFBase registers spikes
        # first): state(), named_buffers() and state_dict() list them in that order.
        n_out, n_syn = self.size_out, self.n_synapses
        del self.spikes, self.isyn, self.vmem
        self.vmem = State(shape=(n_out,), init_func=zeros)
        self.isyn = State(shape=(n_out, n_syn), init_func=zeros)
        self.spikes = State(shape=(n_out,), init_func=zeros)

    # ------------------------------------------------------------------ derived decays
    # Rockpool computes these from the taus in "taus" mode; assigning one there silently set
    # tau_mem = exp(-dt/value) and shadowed the decay. Here they are read-only views.
    @property
    def alpha(self) -> torch.Tensor:
        """Membrane decay ``exp(−dt/τ_mem)`` (read-only; carries gradients)."""
        return torch.exp(-self.dt / self.tau_mem)

    @property
    def beta(self) -> torch.Tensor:
        """Synaptic decay ``exp(−dt/τ_syn)`` (read-only; carries gradients)."""
        return torch.exp(-self.dt / self.tau_syn)

    @property
    def dash_mem(self) -> torch.Tensor:
        """Bit-shift equivalent of the membrane decay, ``−log2(1 − α)`` (read-only)."""
        return -torch.log2(1 - self.alpha)

    @property
    def dash_syn(self) -> torch.Tensor:
        """Bit-shift equivalent of the synaptic decay, ``−log2(1 − β)`` (read-only)."""
        return -torch.log2(1 - self.beta)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _DERIVED:
            raise AttributeError(
                f"{self._path}.{name} is derived from the time constants in leak_mode 'taus' "
                f"and cannot be assigned; set {_DERIVED[name]} instead (e.g. "
                f"set_attributes({{'{_DERIVED[name]}': ...}}))."
            )
        super().__setattr__(name, value)


_DERIVED = {"alpha": "tau_mem", "beta": "tau_syn", "dash_mem": "tau_mem", "dash_syn": "tau_syn"}


def _surrogate(owner: str, spec: Any, window: float, max_spikes: float) -> Surrogate:
    if isinstance(spec, type) and issubclass(spec, PeriodicExponential):
        return spec(window, max_spikes)
    if isinstance(spec, type) and issubclass(spec, _WINDOWED):
        return spec(window)
    try:
        return get_surrogate(spec)
    except ValueError as error:
        raise ValueError(f"{owner}.spike_generation_fn: {error}") from None
