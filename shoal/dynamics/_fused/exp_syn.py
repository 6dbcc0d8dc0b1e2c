"""The fused time loop of :func:`shoal.dynamics.exp_syn.step`: ``isyn ← β·isyn + drive_t``."""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.dynamics._fused._common import (
    batch_major,
    common_dtype,
    fresh,
    njit,
    output_array,
    vector,
)

__all__ = ["scan"]


@njit
def _exp_syn_kernel(drive, beta, isyn, out):  # pragma: no cover - compiled; tested via scan()
    n_batches, n_steps, n_channels = drive.shape
    for b in range(n_batches):
        for t in range(n_steps):
            for n in range(n_channels):
                value = beta[n] * isyn[b, n] + drive[b, t, n]
                isyn[b, n] = value
                out[b, t, n] = value


def scan(config: Any, beta: Any, state: Any, drive: Any, record: bool) -> Any:
    """``exp_syn.step``'s loop, fused; ``None`` for an uncovered layout.

    Args:
        config: ``ExpSynConfig``.
        beta: The decay, broadcasting to ``(N,)``.
        state: ``ExpSynState`` with ``isyn (B, N)``; never written to.
        drive: ``(T, B, N)``.
        record: Unused: ``step`` records nothing (``finish`` records the outputs).

    Returns:
        ``(final_state, isyn (T, B, N), {})`` as ``NumpyBackend.scan`` returns them.
    """
    n_steps, n_batches, n_channels = drive.shape
    dtype = common_dtype(drive, beta, state.isyn)
    if dtype is None or n_steps == 0:
        return None
    beta = vector(beta, (n_channels,), dtype)
    if beta is None:
        return None
    isyn = fresh(state.isyn, (n_batches, n_channels), dtype)
    out = output_array((n_batches, n_steps, n_channels), dtype)
    _exp_syn_kernel(batch_major(drive, dtype), beta, isyn, out)
    return type(state)(isyn), np.swapaxes(out, 0, 1), {}
