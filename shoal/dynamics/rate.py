"""Rate neurons with a forward-Euler update.

Per time step, with ``α = dt/τ`` (capped to ``[0, 1]``, see :func:`~shoal.dynamics._guards.euler_rate`)
and activation ``H``::

    rec = H(x, θ) @ w_rec                 (0 without recurrence)
    x  <- x + α (−x + u_t + bias + rec)   u_t = input_t + noise_std·√dt·ξ_t
    y_t = H(x, θ)

Everything but the recurrent product is done outside the loop: ``α (u_t + bias)`` for all
``t`` at once before it, and ``H`` over the whole trajectory after it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from shoal.dynamics._guards import euler_rate

__all__ = [
    "STATE_NAMES",
    "RateConfig",
    "RateParams",
    "RateState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]


class RateConfig(NamedTuple):
    """Static configuration: changes the computation, never traced."""

    activation: Callable[..., Any]
    has_rec: bool
    noisy: bool


class RateParams(NamedTuple):
    tau: Any
    bias: Any
    threshold: Any
    w_rec: Any  # None without recurrence
    dt: Any
    noise_std: Any


class RateState(NamedTuple):
    x: Any


class _Consts(NamedTuple):
    alpha: Any
    threshold: Any
    w_rec: Any


#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("x",)


def pack_state(xp: Any, config: Any, states: tuple[Any, ...]) -> RateState:
    return RateState(*states)


def unpack_state(xp: Any, config: Any, final: RateState, outputs: Any) -> dict[str, Any]:
    return {"x": final.x}


def noise_shape(config: RateConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Noise is added to the input, so it has the input's shape ``(B, T, N)``."""
    return input_shape


def prepare(backend: Any, config: RateConfig, p: RateParams, inputs: Any, noise: Any) -> Any:
    alpha = euler_rate(backend.xp, p.dt, p.tau)  # dt/τ capped to [0, 1] (see _guards)
    drive = inputs + p.bias
    if noise is not None:
        drive = drive + (p.noise_std * backend.xp.sqrt(backend.xp.asarray(p.dt))) * noise
    return alpha * drive, _Consts(alpha, p.threshold, p.w_rec)


def step(backend: Any, config: RateConfig, c: _Consts, state: RateState, drive_t: Any) -> Any:
    x = state.x
    if config.has_rec:
        rec = config.activation(x, c.threshold) @ c.w_rec
        x = x + c.alpha * (rec - x) + drive_t
        return RateState(x), x, {"rec_input": rec}
    x = x - c.alpha * x + drive_t
    return RateState(x), x, None


def finish(
    backend: Any, config: RateConfig, p: RateParams, xs: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    outputs = config.activation(xs, p.threshold)
    if not record:
        return outputs, {}
    rec_input = records["rec_input"] if config.has_rec else backend.xp.zeros_like(xs)
    return outputs, {"rec_input": rec_input, "x": xs}
