"""LIF neurons without synaptic state: input goes straight onto the membrane.

Per time step, with ``α = exp(−dt/τ_mem)``::

    vmem   = α vmem + input_t + bias + noise_std·√dt·ξ_t
    spikes = clip(floor(vmem/θ) · [vmem ≥ θ], 0, max_spikes_per_dt)
    vmem   = vmem − spikes θ

``input_t + bias + noise_t`` for every ``t`` is one vectorised sum before the loop.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shoal.dynamics._guards import exp_decay, firing_threshold
from shoal.dynamics._multiply_add import multiply_add, subtract_product

__all__ = [
    "STATE_NAMES",
    "LIFNeuronConfig",
    "LIFNeuronParams",
    "LIFNeuronState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("vmem",)


class LIFNeuronConfig(NamedTuple):
    """Static configuration: changes the computation, never traced."""

    noisy: bool
    max_spikes: float
    surrogate: Any


class LIFNeuronParams(NamedTuple):
    tau_mem: Any
    threshold: Any
    bias: Any
    dt: Any
    noise_std: Any


class LIFNeuronState(NamedTuple):
    vmem: Any


class _Consts(NamedTuple):
    alpha: Any
    threshold: Any


def noise_shape(config: LIFNeuronConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return input_shape  # one value per neuron and step, (B, T, N)


def pack_state(xp: Any, config: LIFNeuronConfig, states: tuple[Any, ...]) -> LIFNeuronState:
    return LIFNeuronState(*states)


def unpack_state(xp: Any, config: Any, final: LIFNeuronState, outputs: Any) -> dict[str, Any]:
    return {"vmem": final.vmem}


def prepare(
    backend: Any, config: LIFNeuronConfig, p: LIFNeuronParams, inputs: Any, noise: Any
) -> Any:
    xp = backend.xp
    drive = inputs + p.bias
    if noise is not None:
        drive = drive + (p.noise_std * xp.sqrt(xp.asarray(p.dt, dtype=noise.dtype))) * noise
    # Guarded: under jit an optimiser may move τ or θ anywhere (see _guards).
    consts = _Consts(exp_decay(xp, p.dt, p.tau_mem), firing_threshold(xp, p.threshold))
    return drive, consts


def step(backend: Any, config: LIFNeuronConfig, c: _Consts, state: LIFNeuronState, x_t: Any) -> Any:
    vmem = multiply_add(backend.xp, c.alpha, state.vmem, x_t)
    spikes = backend.spike(vmem, c.threshold, config.max_spikes, config.surrogate)
    vmem = subtract_product(backend.xp, vmem, spikes, c.threshold)
    return LIFNeuronState(vmem), spikes, {"vmem": vmem, "spikes": spikes}


def finish(
    backend: Any, config: Any, p: Any, spikes: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    return spikes, (records if record else {})
