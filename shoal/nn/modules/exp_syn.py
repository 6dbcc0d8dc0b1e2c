"""Exponential synapses, the one definition behind ``ExpSyn`` and ``ExpSynJax``."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from shoal.dynamics import exp_syn as exp_syn_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import NON_NEGATIVE, TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule, is_noisy
from shoal.nn.modules.initialisers import filled, zeros
from shoal.nn.modules.nir import _conversions as nir_conversions
from shoal.nn.modules.nir._importing import (
    ImportContext,
    LinearSpec,
    ModuleSpec,
    NodeImport,
    node_vectors,
    require_zero,
)
from shoal.nn.modules.nir._registry import (
    as_vector,
    register_nir_export,
    register_nir_import,
    reject_noise,
)
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
    """``nir.I`` when leak-free, else ``nir.LI`` (see :mod:`shoal.nn.modules.nir._conversions`)."""
    reject_noise(module)
    tau, step = as_vector(module.tau, module.size_out), float(module.dt)
    if nir_conversions.is_leak_free(tau):
        return {name: nir.I(**nir_conversions.i_from_expsyn(tau.size, step))}, []
    return {name: nir.LI(**nir_conversions.li_from_expsyn(tau, step))}, []


register_nir_export(ExpSynBase, _exp_syn_to_nir)


_NO_REST = "ExpSyn has no resting level"


def _exp_syn_spec(name: str, tau: Any, context: ImportContext, kind: str) -> ModuleSpec:
    kwargs = {"shape": tau.size, "tau": tau, "dt": context.dt}
    return ModuleSpec(name, "ExpSyn", kwargs, f"{context.path} (nir.{kind})")


def _exp_syn_from_li(node: Any, context: ImportContext) -> NodeImport:
    """``nir.LI`` → ``ExpSyn`` (``v_leak`` must be 0)."""
    params = node_vectors(node, ("tau", "r", "v_leak"), context.path)
    require_zero(params.v_leak, "v_leak", "nir.LI", context.path, _NO_REST)
    tau, gain = nir_conversions.expsyn_from_li(params, context.dt)
    return NodeImport([_exp_syn_spec(context.name, tau, context, "LI")], gain)


def _exp_syn_from_i(node: Any, context: ImportContext) -> NodeImport:
    """``nir.I`` → ``ExpSyn`` with ``tau = LEAK_FREE_TAU`` (a decay of exactly 1)."""
    tau, gain = nir_conversions.expsyn_from_i(node_vectors(node, ("r",), context.path), context.dt)
    return NodeImport([_exp_syn_spec(context.name, tau, context, "I")], gain)


def _exp_syns_from_cubali(node: Any, context: ImportContext) -> NodeImport:
    """``nir.CubaLI`` → ``ExpSyn '<name>_syn'`` → ×gain → ``ExpSyn '<name>_mem'``."""
    names = ("tau_syn", "tau_mem", "r", "v_leak", "w_in")
    params = node_vectors(node, names, context.path)
    require_zero(params.v_leak, "v_leak", "nir.CubaLI", context.path, _NO_REST)
    gain, membrane_gain = nir_conversions.cubali_gains(params, context.dt)
    name = context.name
    synapse = _exp_syn_spec(f"{name}_syn", params.tau_syn, context, "CubaLI")
    membrane = _exp_syn_spec(f"{name}_mem", params.tau_mem, context, "CubaLI")
    if nir_conversions.is_unit(membrane_gain):
        return NodeImport([synapse, membrane], gain)
    scale = LinearSpec(f"{name}_r", weight=np.diag(membrane_gain), source=synapse.source)
    return NodeImport([synapse, scale, membrane], gain)


register_nir_import("LI", _exp_syn_from_li)
register_nir_import("I", _exp_syn_from_i)
register_nir_import("CubaLI", _exp_syns_from_cubali)
