"""The spike rule, written once for every backend (backends add only the surrogate gradient)."""

from __future__ import annotations

from typing import Any

__all__ = ["spike_counts"]


def spike_counts(xp: Any, v: Any, threshold: Any, max_spikes: Any, positive: bool = False) -> Any:
    """Multi-spike counts ``clip(floor(v/θ) · [v ≥ θ], 0, max_spikes)``.

    Args:
        xp: The array namespace.
        v: Membrane potentials ``(..., N)``.
        threshold: ``θ``, broadcast against ``v``.
        max_spikes: Most spikes per step (a float; ``inf`` for no limit).
        positive: The caller knows every ``θ > 0``: then ``floor(v/θ) ≤ 0`` exactly where
            ``v < θ``, the lower clip bound is the mask, and the mask is skipped (a NumPy
            step saves a pass over the array).

    Returns:
        Spike counts (float) of the broadcast shape of ``v`` and ``θ``.
    """
    counts = xp.floor(v / threshold)
    if not positive:
        # `counts · 0`, not 0, where masked: a NaN stays NaN (debug mode reports it), exactly
        # as `counts · [v ≥ θ]` would give; bool × float is outside the array API.
        counts = xp.where(v >= threshold, counts, counts * 0.0)
    return xp.clip(counts, 0.0, max_spikes)
