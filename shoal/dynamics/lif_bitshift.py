"""Bit-shift LIF: LIF whose decays are restricted to ``x ← x − x / 2^d`` (Xylo-style).

The decays come from the time constants by rounding to a whole shift, on every call::

    d = max(0, round(log2(τ / dt)))        round half to even
    α = 1 − 2^(−d)                         (τ_mem; β likewise from τ_syn)

then every step is :func:`shoal.dynamics.lif.step` with these ``α``, ``β`` (τ < ~1.41·dt gives
``d = 0``: the state is wiped every step). The rounding is flat, so no gradient reaches τ.
"""

from __future__ import annotations

from typing import Any

from shoal.dynamics import lif

__all__ = [
    "STATE_NAMES",
    "bitshift_decay",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

# Everything but the decays is LIF's.
STATE_NAMES = lif.STATE_NAMES
noise_shape = lif.noise_shape
pack_state = lif.pack_state
unpack_state = lif.unpack_state
step = lif.step
FUSED_SCAN = lif.FUSED_SCAN  # the same step, so the same fused loop
finish = lif.finish


def bitshift_decay(xp: Any, dt: Any, tau: Any) -> Any:
    """``1 − 2^(−d)``, ``d = max(0, round(log2(τ/dt)))``; 0 for ``τ ≤ 0`` (never NaN but for NaN)."""
    tau = xp.asarray(tau)
    ratio = tau / dt
    positive = ratio > 0
    # The double `where`: log2 never sees 0 or a negative (no -inf, no warning).
    shift = xp.round(xp.log2(xp.where(positive, ratio, 1.0)))
    shift = xp.where(positive & (shift > 0), shift, shift * 0.0)
    return 1.0 - 2.0**-shift


def prepare(backend: Any, config: lif.LIFConfig, p: lif.LIFParams, inputs: Any, noise: Any) -> Any:
    xp = backend.xp
    alpha = bitshift_decay(xp, p.dt, p.tau_mem)
    beta = bitshift_decay(xp, p.dt, p.tau_syn)
    return lif.prepare_with_decays(backend, config, p, inputs, noise, alpha, beta)
