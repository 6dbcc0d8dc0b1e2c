"""Exponential smoothing: ``a_t = e^(−dt/τ)·a_{t−1} + u_t``, output ``f(a_t)``.

The decay comes *before* the input (unlike :mod:`shoal.dynamics.exp_syn`), so the current
sample passes unattenuated. The activation ``f`` runs once on the whole trajectory after the
loop. No noise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from shoal.dynamics._guards import exp_decay

__all__ = [
    "STATE_NAMES",
    "ExpSmoothConfig",
    "ExpSmoothParams",
    "ExpSmoothState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("activation",)


class ExpSmoothConfig(NamedTuple):
    """Static configuration: changes the computation, never traced."""

    activation_fun: Callable[[Any], Any]  # already resolved for the backend's namespace
    noisy: bool = False  # never: the driver asks every model


class ExpSmoothParams(NamedTuple):
    tau: Any
    dt: Any


class ExpSmoothState(NamedTuple):
    activation: Any


def noise_shape(config: ExpSmoothConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return input_shape  # never drawn (config.noisy is False)


def pack_state(xp: Any, config: Any, states: tuple[Any, ...]) -> ExpSmoothState:
    return ExpSmoothState(*states)


def unpack_state(xp: Any, config: Any, final: ExpSmoothState, outputs: Any) -> dict[str, Any]:
    return {"activation": final.activation}


def prepare(backend: Any, config: Any, p: ExpSmoothParams, inputs: Any, noise: Any) -> Any:
    return inputs, exp_decay(backend.xp, p.dt, p.tau)  # in [0, 1] for every τ (see _guards)


def step(backend: Any, config: Any, decay: Any, state: ExpSmoothState, u_t: Any) -> Any:
    activation = decay * state.activation + u_t
    return ExpSmoothState(activation), activation, None


def finish(
    backend: Any, config: ExpSmoothConfig, p: Any, activation: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    return config.activation_fun(activation), ({"activation": activation} if record else {})
