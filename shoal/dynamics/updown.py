"""Up/down (delta) encoder: events each time the input moves a threshold away from a reference.

Per batch element and channel, with reference ``r``, refractory counter ``k``::

    record analog_value_t = r                       (before this step's update)
    d  = u_t − r
    up = max(0, floor( d / thr_up))                 up events
    dn = max(0, floor(−d / thr_down))               down events
    n_ref_steps > 0:  up = dn = 0 where k > 0;  up, dn capped at 1;
                      k = n_ref_steps where up + dn > 0;  r = u_t where k > 0;  k = max(k − 1, 0)
    otherwise:        r = r + up·thr_up − dn·thr_down
    output[2c] = repeat_output·up,  output[2c+1] = repeat_output·dn

Until the module has seen input (``started = 0``), the reference is the first input sample,
as Rockpool sets it on every call; afterwards it carries over, so calls stream. The counts use
``backend.spike`` on ``d / thr`` with threshold 1, so JAX gradients pass where ``d/thr ≥ 0.5``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "STATE_NAMES",
    "UpDownConfig",
    "UpDownParams",
    "UpDownState",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("reference", "ref_count", "started")


class UpDownConfig(NamedTuple):
    """Static configuration: changes the computation, never traced."""

    n_ref_steps: int
    repeat_output: float
    surrogate: Any
    noisy: bool = False  # never: the driver asks every model


class UpDownParams(NamedTuple):
    thr_up: Any  # (1, N)
    thr_down: Any  # (1, N)


class UpDownState(NamedTuple):
    reference: Any
    ref_count: Any
    started: Any


def noise_shape(config: UpDownConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    return input_shape  # never drawn


def pack_state(xp: Any, config: Any, states: tuple[Any, ...]) -> UpDownState:
    return UpDownState(*states)


def unpack_state(xp: Any, config: Any, final: UpDownState, outputs: Any) -> dict[str, Any]:
    return final._asdict()


def prepare(backend: Any, config: Any, p: UpDownParams, inputs: Any, noise: Any) -> Any:
    return inputs, p


def step(backend: Any, config: UpDownConfig, p: UpDownParams, state: UpDownState, u_t: Any) -> Any:
    xp = backend.xp
    reference = xp.where(state.started > 0, state.reference, u_t)
    diff = u_t - reference
    never_capped = float("inf")
    up = backend.spike(diff / p.thr_up, 1.0, never_capped, config.surrogate)
    down = backend.spike(-diff / p.thr_down, 1.0, never_capped, config.surrogate)
    ref_count = state.ref_count
    if config.n_ref_steps > 0:
        free = ref_count <= 0
        up = xp.where(free, xp.clip(up, 0.0, 1.0), up * 0.0)
        down = xp.where(free, xp.clip(down, 0.0, 1.0), down * 0.0)
        ref_count = xp.where(up + down > 0, ref_count * 0.0 + config.n_ref_steps, ref_count)
        new_reference = xp.where(ref_count > 0, u_t, reference)
        ref_count = xp.where(ref_count > 0, ref_count - 1.0, ref_count * 0.0)
    else:
        new_reference = reference + up * p.thr_up - down * p.thr_down
    events = xp.stack([up, down], axis=-1)  # (B, N, 2): channels interleaved up, down
    output = config.repeat_output * xp.reshape(events, (*up.shape[:-1], 2 * up.shape[-1]))
    started = state.started * 0.0 + 1.0
    new_state = UpDownState(new_reference, ref_count, started)
    return new_state, output, {"analog_value": reference}


def finish(
    backend: Any, config: Any, p: Any, outputs: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    return outputs, (records if record else {})
