"""Recurrent LIF's fused time loop: fixed blocks of batch rows, each on its own worker.

Per step a recurrent LIF needs ``irec = spikes_prev @ w_rec`` (one BLAS product) before the
elementwise rest (one kernel call, ``lif._lif_step``), so the loop over time stays in Python.
On one thread the product is ~90 % of a step (workload (b): 32×512 by 512×512, ~220 µs in
float32), and BLAS's own threads do not help safely: OpenBLAS's float32 bits change with its
thread count, and on a loaded machine each multi-threaded product waits for a descheduled
worker (issue 18: a run went from 0.8 s to 10 s).

Batch rows never interact (``w_rec`` is shared, the state is per row), so the rows are split
into contiguous blocks and each block runs its **whole** time loop on one worker of the row
runner (:func:`shoal.dynamics._fused._rows.run_rows`; the products release the GIL, the kernel
is ``nogil``), every product on one BLAS thread. Nothing synchronises per step; on a loaded
machine the calling thread simply runs the blocks a helper has not taken, and on a busy one
(load average ≥ 2 per core) the rows stay one block.

The block bounds come from :func:`shoal.backend._blas_threads.row_blocks`: only bounds at which
the blocks' products have the bits of the whole product (checked once per shape), so the
numbers are the generic loop's, bit for bit, whatever the block count or the number of workers
that actually ran. (OpenBLAS's float32 kernel on Haswell takes the batch rows 12 at a time and
the remainder with another kernel: on (b) the blocks are rows 0–11 and 12–31, not two halves.)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from shoal.backend._blas_threads import row_blocks, single_threaded_blas
from shoal.dynamics._fused._common import rows_of
from shoal.dynamics._fused._rows import _cores, run_rows

__all__ = ["BUSY_PER_CORE", "MIN_WORK", "simulate_recurrent"]

#: Fewest multiply-adds of the products over the whole call (``T·B·N·S·N``) worth splitting
#: the rows (about a millisecond of products; handing a block to a helper costs ~50 µs).
MIN_WORK = 1 << 22

#: Load average per core from which one block runs: blocks do ~25 % more product work in all
#: (each pays a product's fixed cost), which only helpers scheduled in time repay. Measured on
#: (b), 2 cores, blocks ÷ one block: 0.73 at load 1.3, ≈ 1.05 at 3–5, ≈ 1.12–1.17 at 6–8.
BUSY_PER_CORE = 2


def _busy(n_cores: int) -> bool:
    """Whether the 1-minute load average has :data:`BUSY_PER_CORE` runnable threads per core."""
    try:
        return os.getloadavg()[0] >= BUSY_PER_CORE * n_cores
    except (AttributeError, OSError):  # no load average on this system
        return False


def block_bounds(n_batches: int, n_steps: int, w_rec: np.ndarray) -> tuple[int, ...]:
    """Where the batch rows are split: ``(0, ..., n_batches)``, one block per core at most.

    One block when the call is too small to be worth a hand-off (:data:`MIN_WORK`) or the
    machine is busy (:func:`_busy`). The count may follow the core count and the load: every
    split offered keeps the product's bits, so the numbers do not.
    """
    n_cores = _cores()
    n_blocks = min(n_cores, n_batches)
    if n_blocks < 2 or n_steps * n_batches * w_rec.size < MIN_WORK or _busy(n_cores):
        return (0, n_batches)
    return row_blocks(n_batches, w_rec, n_blocks)


def simulate_recurrent(
    step: Callable[..., None],
    inputs: np.ndarray,
    noise: np.ndarray,
    neuron: np.ndarray,
    synapse: np.ndarray,
    w_rec: np.ndarray,
    spikes_prev: np.ndarray,
    state: tuple[np.ndarray, np.ndarray],
    spikes: np.ndarray,
    records: tuple[np.ndarray, np.ndarray, np.ndarray],
    constants: tuple[Any, Any, tuple[bool, bool, bool]],
) -> None:
    """Run the recurrent loop in place: ``spikes (B, T, N)``, the state and the records.

    Args:
        step: The step kernel, ``lif._lif_step`` (passed in: lif.py imports this module).
        inputs: Raw input ``(B, T, S*N)``, C-contiguous.
        noise: ``(B, T, N)``, or a one-element placeholder.
        neuron: ``(4, N)`` packed per-neuron parameters (see ``lif.py``).
        synapse: ``(2, S, N)`` = ``(β, β)``.
        w_rec: ``(N, S*N)``, columns synapse-major.
        spikes_prev: ``(B, N)``, the spikes before the first step.
        state: ``(isyn (B, S, N), vmem (B, N))``, updated in place.
        spikes: ``(B, T, N)``, written.
        records: ``(rec_isyn, rec_irec (B, T, N, S), rec_vmem (B, T, N))`` or placeholders.
        constants: ``(zero, max_spikes, (positive, noisy, record))`` for the kernel.
    """
    isyn, vmem = state
    zero, limit, flags = constants
    n_batches, n_steps = spikes.shape[:2]
    bounds = block_bounds(n_batches, n_steps, w_rec)

    def run_block(k: int) -> None:
        part = slice(bounds[k], bounds[k + 1])
        block_inputs, block_noise, block_spikes = inputs[part], rows_of(noise, part), spikes[part]
        block_isyn, block_vmem = isyn[part], vmem[part]
        block_records = tuple(rows_of(record, part) for record in records)
        irec = np.empty((part.stop - part.start, w_rec.shape[1]), w_rec.dtype)
        for t in range(n_steps):
            previous = spikes_prev[part] if t == 0 else block_spikes[:, t - 1]
            np.matmul(previous, w_rec, out=irec)
            step(t, block_inputs, block_noise, neuron, synapse, irec, block_isyn, block_vmem,
                 block_spikes, block_records, zero, limit, flags)  # fmt: skip

    def run_blocks(first: int, stop: int) -> None:
        for k in range(first, stop):
            run_block(k)

    n_blocks = len(bounds) - 1
    # One BLAS thread: the workers are the parallelism, and the bits are the generic loop's.
    with single_threaded_blas():
        run_rows(run_blocks, n_blocks, n_blocks)
