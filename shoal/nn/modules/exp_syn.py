"""Exponential synapses, the one definition behind ``ExpSyn`` and ``ExpSynJax``."""

from __future__ import annotations

from typing import Any, ClassVar

from shoal.dynamics import exp_syn as exp_syn_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import NON_NEGATIVE, TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule, is_noisy
from shoal.nn.modules.initialisers import filled, zeros
from shoal.nn.modules.nir import _conversions as nir_conversions
from shoal.nn.modules.nir._registry import as_vector, register_nir_export, reject_noise
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["ExpSynBase"]


class ExpSynBase(SimulatedModule):
    """A bank of exponential synapses (a first-order low-pass filter per channel).

    Per time step::

        I_syn ← (I_syn + i_t + σ · √dt · ξ_t) · exp(−dt/τ)
        y_t   = I_syn

    with input ``i_t``, σ = ``noise_std`` and ξ_t ~ N(0, 1).
    Noise is added to the input on every backend (Rockpool's NumPy and JAX versions differ).
    Under ``jit`` the decay stays in ``[0, 1]`` for any τ (τ ≤ 0 gives 0); eager calls refuse
    τ ≤ 0, naming it.

    Args:
        shape: ``N`` or ``(N,)``: one synapse per channel (one-dimensional).
        tau: Time constants (s), ``(N,)`` or scalar; default 10 ms. Family ``"taus"``.
        noise_std: Input noise in units per √second, ≥ 0: each step adds ``noise_std · √dt · ξ``
            with ``ξ ~ N(0, 1)`` to the input; default 0 (none drawn).
        dt: Time step in seconds (default 1 ms).
        spiking_input: Whether input is spikes (default ``True``).
        spiking_output: Whether output is spikes (default ``False``).
        rng_key: JAX only: PRNG key for the noise (random when ``None``).

    Input ``(T, N)`` or ``(B, T, N)``; output ``(B, T, N)``. State ``isyn (N,)`` (and
    ``rng_key`` on JAX). Records (``record=True``): ``isyn (B, T, N)``.
    """

    _dynamics: ClassVar[Dynamics] = exp_syn_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "ExpSyn",
        "jax": "ExpSynJax",
        "torch": "ExpSynTorch",
    }
    # evolve traces: JAX flavours run eager calls through one compiled program.
    _evolve_is_traceable = True

    tau: Any  # registered through _declare (named errors); declared for type checkers

    def __init__(
        self,
        shape: Any,
        tau: Any = None,
        noise_std: float = 0.0,
        dt: float = 1e-3,
        spiking_input: bool = True,
        spiking_output: bool = False,
        rng_key: Any = None,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (N,).")
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        if len(self.shape) != 1:
            raise ValueError(
                f"{owner}: The `shape` argument must be one-dimensional for an ExpSyn module; "
                f"got {self.shape}."
            )
        n = self.size_out
        self._declare(
            "tau",
            Parameter,
            tau,
            "taus",
            init_func=filled(0.01),
            shape=[(n,), ()],
            constraint=TIME_CONSTANT,
        )
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.noise_std = SimulationParameter(noise_std, constraint=NON_NEGATIVE)
        self._init_rng_key(rng_key)
        self.isyn = State(shape=(n,), init_func=zeros)

    def _configure(self) -> tuple[Any, Any]:
        config = exp_syn_dynamics.ExpSynConfig(is_noisy(self.noise_std))
        return config, exp_syn_dynamics.ExpSynParams(self.tau, self.dt, self.noise_std)


def _exp_syn_to_nir(nir: Any, name: str, module: ExpSynBase, dt: float | None) -> tuple[dict, list]:
    """``nir.LI`` (see :func:`shoal.nn.modules.nir._conversions.li_from_expsyn`)."""
    reject_noise(module)
    tau = as_vector(module.tau, module.size_out)
    return {name: nir.LI(**nir_conversions.li_from_expsyn(tau, float(module.dt)))}, []


register_nir_export(ExpSynBase, _exp_syn_to_nir)
