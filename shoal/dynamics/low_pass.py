"""Rockpool's ``LowPass``: the equations of :mod:`shoal.dynamics.exp_smooth`, renamed.

``v_t = e^(−dt/τ)·v_{t−1} + u_t``, output ``v_t`` (the identity activation). Only the names
differ: Rockpool calls the state ``vmem``, so this module re-exports the exponential
smoothing dynamics with ``STATE_NAMES = ("vmem",)`` and a ``vmem`` record.
"""

from __future__ import annotations

from typing import Any

from shoal.dynamics import exp_smooth
from shoal.dynamics.exp_smooth import (
    ExpSmoothConfig,
    ExpSmoothParams,
    noise_shape,
    pack_state,
    prepare,
    step,
)

__all__ = [
    "STATE_NAMES",
    "ExpSmoothConfig",
    "ExpSmoothParams",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("vmem",)


def unpack_state(xp: Any, config: Any, final: Any, outputs: Any) -> dict[str, Any]:
    return {"vmem": final.activation}


def finish(
    backend: Any, config: ExpSmoothConfig, p: Any, activation: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    outputs, smoothed = exp_smooth.finish(backend, config, p, activation, records, record)
    return outputs, ({"vmem": smoothed["activation"]} if record else {})
