"""LIF whose decays are given directly (``LIFTorch``'s leak modes), not computed from τ.

A module that parametrises its leak by time constants, decays or bit shifts turns its
parameters into the decays ``α`` (membrane) and ``β`` (synapses) itself; every step is then
:func:`shoal.dynamics.lif.step`. Under ``jit``/``grad`` an optimiser may move a decay anywhere,
so the decays are clipped to ``[0, 1]`` here (exact for valid values; a decay of 1 never
forgets, 0 forgets at once): no value makes the state grow without bound or alternate in sign.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shoal.dynamics import lif

__all__ = [
    "FUSED_SCAN",
    "STATE_NAMES",
    "LIFDecayParams",
    "finish",
    "noise_shape",
    "pack_state",
    "prepare",
    "step",
    "unpack_state",
]

# Everything but the decays is LIF's (the configuration too: lif.LIFConfig).
STATE_NAMES = lif.STATE_NAMES
noise_shape = lif.noise_shape
pack_state = lif.pack_state
unpack_state = lif.unpack_state
step = lif.step
finish = lif.finish
# The same step, and a `prepare` whose constants have LIF's form (the fused loop reads only
# those, computed by this module's `prepare`), so the same fused loop.
FUSED_SCAN = lif.FUSED_SCAN


class LIFDecayParams(NamedTuple):
    alpha: Any  # membrane decay per step, (N,) or ()
    beta: Any  # synaptic decay per step, (N, n_syn), (1, n_syn) or ()
    bias: Any
    threshold: Any
    w_rec: Any  # None without recurrence
    dt: Any
    noise_std: Any


def prepare(backend: Any, config: lif.LIFConfig, p: LIFDecayParams, inputs: Any, noise: Any) -> Any:
    xp = backend.xp
    alpha = xp.clip(p.alpha, 0.0, 1.0)
    beta = xp.clip(p.beta, 0.0, 1.0)
    lif_params = lif.LIFParams(None, None, p.bias, p.threshold, p.w_rec, p.dt, p.noise_std)
    return lif.prepare_with_decays(backend, config, lif_params, inputs, noise, alpha, beta)
