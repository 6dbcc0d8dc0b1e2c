"""What Rockpool's Torch LIF family shares: the spike-function options and the leak aliases.

``LIFTorch``, ``aLIFTorch`` and ``LIFBitshiftTorch`` take ``spike_generation_fn`` and
``learning_window`` (and ``LIFNeuronTorch`` these two only), and expose the decays ``alpha``,
``beta`` and their bit-shift equivalents ``dash_mem``, ``dash_syn`` as read-only views of the
time constants. Rockpool let users assign those views, which silently rewrote ``tau_mem`` with
the decay formula applied to the decay and shadowed the computed value (torch-backend.md §3.1).
"""

from __future__ import annotations

from typing import Any

import torch

from shoal.backend.surrogates import PeriodicExponential, StepPWL, Surrogate, get_surrogate

__all__ = ["TorchLIFFamily", "check_taus_leak_mode", "resolve_surrogate"]

_WINDOWED = (StepPWL, PeriodicExponential)

#: Derived attribute -> the time constant to set instead.
_DERIVED = {"alpha": "tau_mem", "beta": "tau_syn", "dash_mem": "tau_mem", "dash_syn": "tau_syn"}


def resolve_surrogate(owner: str, spec: Any, window: Any, max_spikes: float) -> Surrogate:
    """The surrogate for ``spike_generation_fn=spec`` with ``learning_window=window``.

    Args:
        owner: Class name, for errors.
        spec: ``StepPWL`` / ``PeriodicExponential`` (the classes, as in Rockpool), a
            :class:`~shoal.backend.surrogates.Surrogate` or a surrogate name.
        window: Width of the ``StepPWL``/``PeriodicExponential`` window, > 0.
        max_spikes: Most spikes per step (``PeriodicExponential`` repeats its peak up to it).

    Raises:
        ValueError: ``window`` is not > 0, or ``spec`` names no surrogate.
    """
    width = float(window)
    if not width > 0:
        raise ValueError(f"{owner}.learning_window: expected a value > 0, got {width}")
    if isinstance(spec, type) and issubclass(spec, PeriodicExponential):
        return spec(width, max_spikes)
    if isinstance(spec, type) and issubclass(spec, _WINDOWED):
        return spec(width)
    try:
        return get_surrogate(spec)
    except ValueError as error:
        raise ValueError(f"{owner}.spike_generation_fn: {error}") from None


def check_taus_leak_mode(owner: str, leak_mode: str, **decays: Any) -> None:
    """Refuse a leak mode other than ``"taus"``, or decays given in ``"taus"`` mode.

    Raises:
        NotImplementedError: ``leak_mode`` is not ``"taus"``.
        ValueError: One of ``decays`` (``alpha=...``) is not ``None``.
    """
    if leak_mode != "taus":
        raise NotImplementedError(
            f"{owner}.leak_mode: only 'taus' (time constants as parameters) is implemented "
            f"for {owner}; got {leak_mode!r}."
        )
    given = sorted(name for name, value in decays.items() if value is not None)
    if given:
        raise ValueError(
            f"{owner}: current leak mode is set to taus and only parameters from this family "
            f"can be directly initialised (tau_mem and tau_syn); got {given}."
        )


class TorchLIFFamily:
    """Mixin: ``alpha``/``beta``/``dash_mem``/``dash_syn`` as read-only views of the taus.

    The class it is mixed into has ``tau_mem``, ``tau_syn`` (tensors) and ``dt``.
    """

    tau_mem: Any
    tau_syn: Any
    dt: Any
    _path: str

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
