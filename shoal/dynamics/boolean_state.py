"""Boolean (flip-flop) state: a positive input sets a unit, a negative one clears it.

Per batch element and unit, with threshold ``θ ≥ 0`` and state ``s ∈ {0, 1}``::

    q   = sign(u_t) · [|u_t| > θ]          +1 set, −1 clear, 0 keep (|u_t| ≤ θ)
    s   = [max(q + s, 0) > 0]
    y_t = s                                 (output and record ``bool_state``)

The loop carries ``s`` as 0.0/1.0 in the input's float dtype (one carry type on every
backend); :func:`finish` returns output and record as booleans, as Rockpool's
``BooleanState`` does. Piecewise constant: no gradient flows through it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "STATE_NAMES",
    "BooleanStateConfig",
    "BooleanStateParams",
    "BooleanStateState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("bool_state",)


class BooleanStateConfig(NamedTuple):
    """Static configuration: nothing to configure."""

    noisy: bool = False  # never: the driver asks every model


class BooleanStateParams(NamedTuple):
    threshold: Any  # () or (N,), ≥ 0


class BooleanStateState(NamedTuple):
    bool_state: Any  # (B, N), 0.0 or 1.0


def noise_shape(config: BooleanStateConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return input_shape  # never drawn


def pack_state(xp: Any, config: Any, states: tuple[Any, ...]) -> BooleanStateState:
    return BooleanStateState(*states)


def unpack_state(xp: Any, config: Any, final: BooleanStateState, outputs: Any) -> dict[str, Any]:
    return {"bool_state": final.bool_state}


def prepare(backend: Any, config: Any, p: BooleanStateParams, inputs: Any, noise: Any) -> Any:
    xp = backend.xp
    # Where |u| > θ the input sets (+1) or clears (−1); elsewhere it keeps (0).
    moves = xp.sign(inputs) * xp.astype(xp.abs(inputs) > p.threshold, inputs.dtype)
    return moves, None


def step(backend: Any, config: Any, consts: Any, state: BooleanStateState, q_t: Any) -> Any:
    xp = backend.xp
    held = xp.astype(q_t + state.bool_state > 0, q_t.dtype)
    return BooleanStateState(held), held, None


def finish(
    backend: Any, config: Any, p: Any, held: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    as_bool = held > 0
    return as_bool, ({"bool_state": as_bool} if record else {})
