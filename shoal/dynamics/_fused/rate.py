"""The fused time loop of :func:`shoal.dynamics.rate.step` without recurrence.

``x ← x − α·x + drive_t`` (``drive = α (u + bias)``, from ``prepare``), as ``step`` writes it.
With recurrence the step applies the module's activation, an arbitrary Python callable, so the
generic loop runs (its per-step product under one BLAS thread, see :mod:`shoal.backend._fused`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.dynamics._fused._common import batch_major, common_dtype, fresh, njit, vector

__all__ = ["scan"]


@njit
def _rate_kernel(drive, alpha, x, out):  # pragma: no cover - compiled; tested through scan()
    n_batches, n_steps, n_neurons = drive.shape
    for b in range(n_batches):
        for t in range(n_steps):
            for n in range(n_neurons):
                value = x[b, n] - alpha[n] * x[b, n] + drive[b, t, n]
                x[b, n] = value
                out[b, t, n] = value


def scan(config: Any, consts: Any, state: Any, drive: Any, record: bool) -> Any:
    """``rate.step``'s loop, fused; ``None`` with recurrence or an uncovered layout.

    Args:
        config: ``RateConfig``.
        consts: ``rate._Consts`` (``alpha`` broadcasts to ``(N,)``).
        state: ``RateState`` with ``x (B, N)``; never written to.
        drive: ``(T, B, N)``.
        record: Unused: without recurrence ``step`` records nothing (``finish`` uses ``x``).

    Returns:
        ``(final_state, x (T, B, N), {})`` as ``NumpyBackend.scan`` returns them.
    """
    n_steps, n_batches, n_neurons = drive.shape
    dtype = common_dtype(drive, consts.alpha, state.x)
    if config.has_rec or dtype is None or n_steps == 0:
        return None
    alpha = vector(consts.alpha, (n_neurons,), dtype)
    if alpha is None:
        return None
    x = fresh(state.x, (n_batches, n_neurons), dtype)
    out = np.empty((n_batches, n_steps, n_neurons), dtype)
    _rate_kernel(batch_major(drive, dtype), alpha, x, out)
    return type(state)(x), np.swapaxes(out, 0, 1), {}
