"""NumPy spike functions under Rockpool's names (the JAX one, ``step_pwl``, is in ``lif_jax``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["spike_subtract_threshold"]


def spike_subtract_threshold(
    x: Any, threshold: Any, window: float = 0.5, max_spikes_per_dt: float = 2.0**16
) -> Any:
    """Multi-spike counts ``min(max_spikes_per_dt, [x ≥ θ] · floor(x / θ))`` (NumPy).

    Args:
        x: Membrane potentials, any shape.
        threshold: Firing threshold ``θ`` (> 0), broadcast against ``x``.
        window: Unused; kept for Rockpool's signature (the surrogate window of ``step_pwl``).
        max_spikes_per_dt: Most spikes per step (default 2**16).

    Returns:
        Spike counts, shape of ``x`` broadcast with ``threshold`` (float).

    Examples:
        >>> spike_subtract_threshold([-3.0, 0.5, 1.0, 2.99, 7.2], 1.0).tolist()
        [-0.0, 0.0, 1.0, 2.0, 7.0]
        >>> float(spike_subtract_threshold(2.5, 0.5))
        5.0
    """
    values = np.asarray(x, dtype=np.float64)
    counts = (values >= threshold) * np.floor(values / threshold)
    return np.minimum(max_spikes_per_dt, counts)
