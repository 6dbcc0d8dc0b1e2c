"""What Rockpool's Torch LIF family shares: the spike-function options and the leak modes.

``LIFTorch``, ``aLIFTorch`` and ``LIFBitshiftTorch`` take ``spike_generation_fn`` and
``learning_window`` (``LIFNeuronTorch`` these two only) and a ``leak_mode`` that says which
parametrisation of the leaks is trained (catalogue-2.md §1.0):

* ``"taus"``: ``tau_mem``/``tau_syn`` (s) are the parameters, ``α = exp(−dt/τ)``;
* ``"decays"``: ``alpha``/``beta`` (family ``"decays"``, default 0.5) are the decays;
* ``"bitshifts"``: ``dash_mem``/``dash_syn`` (family ``"bitshifts"``, default 1.0), real-valued,
  ``α = 1 − 2^(−dash)``.

The other parametrisations are read-only views of the trained one (``τ = −dt/ln α``,
``dash = −log2(1 − α)``), carrying gradients. Rockpool let users assign a view, which silently
rewrote ``tau_mem`` with the decay formula applied to the decay and shadowed the computed value
(torch-backend.md §3.1); here assigning one raises ``AttributeError``.
"""

from __future__ import annotations

from typing import Any

import torch

from shoal.backend.surrogates import PeriodicExponential, StepPWL, Surrogate, get_surrogate
from shoal.backend.torch_backend import XP
from shoal.dynamics._guards import exp_decay
from shoal.nn.modules._constraints import NON_NEGATIVE, Constraint
from shoal.nn.modules.initialisers import filled
from shoal.parameters import Parameter

__all__ = ["DECAY", "LEAK_MODES", "TorchLIFFamily", "check_leak_mode", "resolve_surrogate"]

_WINDOWED = (StepPWL, PeriodicExponential)

#: The leak modes and the (membrane, synapse) parameters each trains.
LEAK_MODES = {
    "taus": ("tau_mem", "tau_syn"),
    "decays": ("alpha", "beta"),
    "bitshifts": ("dash_mem", "dash_syn"),
}
#: Every leak name -> 0 (membrane) or 1 (synapse).
_COMPARTMENT = {name: index for names in LEAK_MODES.values() for index, name in enumerate(names)}

DECAY = Constraint("a decay in [0, 1]", lambda array: (array >= 0) & (array <= 1))
_DEFAULTS = {"decays": (0.5, DECAY), "bitshifts": (1.0, NON_NEGATIVE)}


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


def check_leak_mode(owner: str, leak_mode: Any, implemented: tuple[str, ...], **leaks: Any) -> None:
    """Refuse an unknown or unimplemented leak mode, and leak values of another mode.

    Args:
        owner: Class name, for errors.
        leak_mode: The mode asked for.
        implemented: The modes ``owner`` supports.
        **leaks: Every leak argument by name (``tau_mem=None, alpha=0.9, ...``).

    Raises:
        ValueError: ``leak_mode`` is not a mode, or a leak of another mode is given.
        NotImplementedError: ``leak_mode`` is a mode ``owner`` does not implement.
    """
    if leak_mode not in LEAK_MODES:
        raise ValueError(
            f"{owner}.leak_mode: Training of time constants in `{owner}` neurons can be done "
            "only in one of the following modes: 'taus', 'decays', 'bitshifts'. `leak_mode` "
            f"must be one of these values; got {leak_mode!r}."
        )
    if leak_mode not in implemented:
        raise NotImplementedError(
            f"{owner}.leak_mode: only {' and '.join(map(repr, implemented))} is implemented "
            f"for {owner}; got {leak_mode!r}."
        )
    own = LEAK_MODES[leak_mode]
    given = sorted(name for name, value in leaks.items() if value is not None and name not in own)
    if given:
        raise ValueError(
            f"{owner}: current leak mode is set to {leak_mode} and only parameters from this "
            f"family can be directly initialised ({own[0]} and {own[1]}); got {given}."
        )


class TorchLIFFamily:
    """Mixin: the leak parametrisation chosen by ``leak_mode``, and read-only views of it.

    The class it is mixed into registers ``tau_mem``/``tau_syn`` (as ``LIFBase`` does) and sets
    ``leak_mode`` after :meth:`_use_leak_mode`.
    """

    dt: Any
    _path: str
    n_synapses: int
    size_out: int

    def _use_leak_mode(self, leak_mode: str, mem: Any, syn: Any) -> None:
        """Replace the registered time constants by ``leak_mode``'s parameters ``mem``, ``syn``."""
        if leak_mode == "taus":
            return
        del self.tau_mem, self.tau_syn  # type: ignore[attr-defined]
        default, constraint = _DEFAULTS[leak_mode]
        mem_name, syn_name = LEAK_MODES[leak_mode]
        n_out, n_syn = self.size_out, self.n_synapses
        declare = self._declare  # type: ignore[attr-defined]
        declare(mem_name, Parameter, mem, leak_mode, init_func=filled(default),
                shape=[(n_out,), ()], constraint=constraint)  # fmt: skip
        declare(syn_name, Parameter, syn, leak_mode, init_func=filled(default),
                shape=[(n_out, n_syn), (1, n_syn), ()], constraint=constraint)  # fmt: skip

    def _leak_decays(self) -> tuple[Any, Any]:
        """``(α, β)`` from the trained parametrisation, carrying its gradients.

        In ``"taus"`` mode through :func:`~shoal.dynamics._guards.exp_decay` (0 for τ ≤ 0),
        as ``LIF``'s dynamics compute them.
        """
        mode = self.__dict__["leak_mode"]
        mem, syn = (self.__dict__[name] for name in LEAK_MODES[mode])
        if mode == "taus":
            return exp_decay(XP, self.dt, mem), exp_decay(XP, self.dt, syn)
        if mode == "decays":
            return mem, syn
        return 1.0 - 2.0**-mem, 1.0 - 2.0**-syn

    def _derived_leak(self, name: str) -> torch.Tensor:
        mode = self.__dict__["leak_mode"]
        trained = self.__dict__[LEAK_MODES[mode][_COMPARTMENT[name]]]
        if mode == "taus":
            decay = torch.exp(-self.dt / trained)  # as Rockpool: no guard on a view
        elif mode == "decays":
            decay = trained
        else:
            decay = 1.0 - 2.0**-trained
        if name in ("alpha", "beta"):
            return decay
        if name.startswith("tau"):
            return -self.dt / torch.log(decay)
        return -torch.log2(1.0 - decay)

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: the trained leak names live in __dict__.
        if name in _COMPARTMENT and "leak_mode" in self.__dict__:
            return self._derived_leak(name)
        return super().__getattr__(name)  # type: ignore[misc]

    def __setattr__(self, name: str, value: Any) -> None:
        mode = self.__dict__.get("leak_mode")
        if mode is not None and name in _COMPARTMENT and name not in LEAK_MODES[mode]:
            trained = LEAK_MODES[mode][_COMPARTMENT[name]]
            raise AttributeError(
                f"{self._path}.{name} is derived from {trained} in leak_mode '{mode}' and "
                f"cannot be assigned; set {trained} instead (e.g. "
                f"set_attributes({{'{trained}': ...}}))."
            )
        super().__setattr__(name, value)
