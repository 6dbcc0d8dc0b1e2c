"""Adaptive LIF: LIF plus an after-hyperpolarisation (ahp) current driven by the neuron's spikes.

Per time step, with ``α = exp(−dt/τ_mem)``, ``β = exp(−dt/τ_syn)``, ``γ = exp(−dt/τ_ahp)`` and
the previous step's spikes ``s``::

    irec   = (s @ w_rec).reshape(N, n_syn)                (only with recurrence)
    isyn   = β (isyn + input_t + irec)
    iahp   = γ (iahp + s · w_ahp)
    vmem   = α vmem + Σ_syn isyn + iahp + bias + noise_std·√dt·ξ_t
    spikes = clip(floor(vmem/θ) · [vmem ≥ θ], 0, max_spikes_per_dt)
    vmem   = vmem − spikes θ

``iahp`` depends only on the previous step, so it enters the membrane exactly as a per-step
bias would: each step computes it and runs :func:`shoal.dynamics.lif.step` with
``bias + iahp``. The LIF equations are therefore written once; ``w_ahp = 0`` is exactly LIF.
Unlike LIF, the spikes are always carried (they drive ``iahp``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shoal.dynamics import lif
from shoal.dynamics._guards import exp_decay
from shoal.dynamics._multiply_add import multiply_add

__all__ = [
    "STATE_NAMES",
    "ALIFParams",
    "ALIFState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("spikes", "isyn", "vmem", "iahp")

# The configuration is LIF's (lif.LIFConfig); the loop is fed LIF's inputs.
noise_shape = lif.noise_shape


class ALIFParams(NamedTuple):
    tau_mem: Any
    tau_syn: Any
    bias: Any
    threshold: Any
    w_rec: Any  # None without recurrence
    dt: Any
    noise_std: Any
    w_ahp: Any
    tau_ahp: Any


class ALIFState(NamedTuple):
    spikes: Any
    isyn: Any  # synapse-major (B, n_syn, N), as in lif
    vmem: Any
    iahp: Any


class _Consts(NamedTuple):
    lif: Any  # lif's constants
    gamma: Any
    w_ahp: Any


def _lif_params(p: ALIFParams) -> lif.LIFParams:
    return lif.LIFParams(p.tau_mem, p.tau_syn, p.bias, p.threshold, p.w_rec, p.dt, p.noise_std)


def pack_state(xp: Any, config: lif.LIFConfig, states: tuple[Any, ...]) -> ALIFState:
    spikes, isyn, vmem, iahp = states
    return ALIFState(spikes, lif.to_synapse_major(xp, isyn), vmem, iahp)


def unpack_state(xp: Any, config: lif.LIFConfig, final: ALIFState, outputs: Any) -> dict:
    return {
        "spikes": final.spikes,
        "isyn": lif.from_synapse_major(xp, final.isyn),
        "vmem": final.vmem,
        "iahp": final.iahp,
    }


def prepare(backend: Any, config: lif.LIFConfig, p: ALIFParams, inputs: Any, noise: Any) -> Any:
    xs, lif_consts = lif.prepare(backend, config, _lif_params(p), inputs, noise)
    return xs, _Consts(lif_consts, exp_decay(backend.xp, p.dt, p.tau_ahp), p.w_ahp)


def step(backend: Any, config: lif.LIFConfig, c: _Consts, state: ALIFState, x_t: Any) -> Any:
    iahp = c.gamma * multiply_add(backend.xp, state.spikes, c.w_ahp, state.iahp)
    lif_state = lif.LIFState(state.spikes if config.has_rec else None, state.isyn, state.vmem)
    lif_consts = c.lif._replace(bias=c.lif.bias + iahp)
    new, spikes, record = lif.step(backend, config, lif_consts, lif_state, x_t)
    record["iahp"] = iahp
    return ALIFState(spikes, new.isyn, new.vmem, iahp), spikes, record


def finish(
    backend: Any, config: lif.LIFConfig, p: ALIFParams, spikes: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    outputs, lif_records = lif.finish(backend, config, _lif_params(p), spikes, records, record)
    if record:
        lif_records["iahp"] = records["iahp"]
    return outputs, lif_records
