"""Exponential synapses: ``isyn ← (isyn + u_t)·exp(−dt/τ)``, output ``isyn``.

``u_t = input_t + noise_std·√dt·ξ_t``: noise is added to the *input* on every backend (so it is
filtered by the synapse like any other input). ``β·u_t`` is computed for all ``t`` before the
loop, leaving one multiply-add per step.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shoal.dynamics._guards import exp_decay

__all__ = [
    "STATE_NAMES",
    "ExpSynConfig",
    "ExpSynParams",
    "ExpSynState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]


class ExpSynConfig(NamedTuple):
    noisy: bool


class ExpSynParams(NamedTuple):
    tau: Any
    dt: Any
    noise_std: Any


class ExpSynState(NamedTuple):
    isyn: Any


#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("isyn",)

#: The fused numba loop of :func:`step` the NumPy backend runs when numba is installed
#: (see :mod:`shoal.backend._fused`); imported only then.
FUSED_SCAN = "shoal.dynamics._fused.exp_syn"


def pack_state(xp: Any, config: Any, states: tuple[Any, ...]) -> ExpSynState:
    return ExpSynState(*states)


def unpack_state(xp: Any, config: Any, final: ExpSynState, outputs: Any) -> dict[str, Any]:
    return {"isyn": final.isyn}


def noise_shape(config: ExpSynConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return input_shape


def prepare(backend: Any, config: ExpSynConfig, p: ExpSynParams, inputs: Any, noise: Any) -> Any:
    xp = backend.xp
    beta = exp_decay(xp, p.dt, p.tau)  # in [0, 1] for every τ (see _guards)
    if noise is not None:
        inputs = inputs + (p.noise_std * xp.sqrt(xp.asarray(p.dt, dtype=noise.dtype))) * noise
    return beta * inputs, beta


def step(backend: Any, config: ExpSynConfig, beta: Any, state: ExpSynState, drive_t: Any) -> Any:
    isyn = beta * state.isyn + drive_t
    return ExpSynState(isyn), isyn, None


def finish(
    backend: Any, config: ExpSynConfig, p: ExpSynParams, isyn: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    return isyn, ({"isyn": isyn} if record else {})
