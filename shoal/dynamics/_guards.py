"""Decay factors and thresholds that stay finite for every parameter value.

Inside ``jit``/``grad`` nothing is validated, so an optimiser may move a time constant through
zero or below, or a threshold to zero. These helpers keep the dynamics finite for any such
value while giving the exact textbook numbers (and the exact gradients) for valid ones:

* :func:`exp_decay` ``= exp(−dt/τ)``, in ``[0, 1]`` for every ``τ``: a non-positive (or
  vanishingly small) ``τ`` is the instantaneous limit ``τ → 0⁺``, a decay of 0;
* :func:`euler_rate` ``= dt/τ``, capped to ``[0, 1]``: the forward-Euler step never overshoots
  its target (``τ ≤ dt`` and ``τ ≤ 0`` jump straight to it, as an infinitely fast neuron would);
* :func:`firing_threshold`: a non-positive threshold never fires (no ``v/0`` spike counts).

Each uses the "double ``where``": the unsafe branch is fed a harmless stand-in value, so its
derivative is finite and masked to zero, rather than ``0 · inf = NaN``. A NaN parameter stays
NaN (it is not hidden), so debug mode can still report it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["exp_decay", "euler_rate", "firing_threshold"]

# exp(−750) is exactly 0 in float32 and float64, so below τ = dt/750 the decay is already 0 and
# taking the short cut changes no value; it also keeps dt/τ² (the derivative) far from overflow.
_MAX_DT_OVER_TAU = 750.0


def exp_decay(xp: Any, dt: Any, tau: Any) -> Any:
    """``exp(−dt/τ)`` for ``τ > 0``, 0 for ``τ ≤ 0``; always in ``[0, 1]`` (NaN only for NaN)."""
    instant = tau <= dt / _MAX_DT_OVER_TAU
    safe_tau = xp.where(instant, dt, tau)
    return xp.where(instant, 0.0, xp.exp(-_over(xp, dt, safe_tau)))


def euler_rate(xp: Any, dt: Any, tau: Any) -> Any:
    """``dt/τ`` capped to ``[0, 1]``: exact for ``τ ≥ dt``, 1 for smaller or negative ``τ``."""
    too_fast = tau < dt
    safe_tau = xp.where(too_fast, dt, tau)
    return xp.where(too_fast, 1.0, _over(xp, dt, safe_tau))


def _over(xp: Any, dt: Any, tau: Any) -> Any:
    """``dt/τ``, one correctly rounded division on every backend.

    PyTorch evaluates ``python_float / tensor`` as ``dt · (1/τ)``, two roundings: in float32
    that argument is one ulp off NumPy's and XLA's for about a quarter of all τ, and
    ``exp`` carries it into the decays (the float32 Torch/JAX gap; float64 values unchanged).
    """
    return xp.asarray(dt, dtype=tau.dtype) / tau


def firing_threshold(xp: Any, threshold: Any) -> Any:
    """``θ`` for ``θ > 0``; the largest finite float for ``θ ≤ 0``, so that neuron never fires.

    With the stand-in, ``v/θ`` stays finite, the spike count is 0, the reset ``v − 0·θ`` leaves
    ``v`` unchanged and every surrogate's partials are 0.
    """
    threshold = xp.asarray(threshold)
    disabled = threshold <= 0
    return xp.where(disabled, xp.finfo(threshold.dtype).max, threshold)
