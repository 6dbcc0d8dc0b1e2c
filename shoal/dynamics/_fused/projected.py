"""A ``Linear`` and the neuron after it as one pass: the projection is never stored.

``Sequential(Linear, LIF)`` would multiply the whole ``(B·T, Nin)`` input by the weights
(workload (a): a 64 MB float32 result, a fresh array whose page faults alone cost ~6 ms), then
run the neuron's kernel over that result, read back from memory. Here, per block of batch rows
(or, for long rows, chunk of :func:`chunk_steps` steps), one BLAS product writes into a
per-thread scratch buffer that is reused call after call, the bias is added to it, and the
neuron's kernel consumes it at once (the kernel module's ``simulate`` with ``feed=``). Rows
are shared over the cores by the row runner (:mod:`shoal.dynamics._fused._rows`); every
product runs on one BLAS thread (the kernel module's ``simulate`` holds
:func:`~shoal.backend._fused.single_threaded_blas`), so two workers never wait on each other's
BLAS threads, and a block's product, hence the numbers, never depends on the machine's load.

Why blocks of megabytes, not L2-sized chunks: measured on (a) (float32, alternating with the
unfused pair, load ~1.2), 128 KiB chunks (64 steps) took 0.89x the unfused time, 512 KiB
0.77x, 2–8 MiB 0.74–0.77x, 32 KiB 1.6x: each product packs the weights again and a short
product runs below BLAS's rate, which costs more than reading the block back from the L3
cache (32 MiB here) does.

Numbers: each output element is the same dot product of one input row and one weight column,
summed by the same BLAS kernel, and the bias is added to the rounded product as ``Linear``
adds it. OpenBLAS however sums the rows at the edge of its row tiles (the rows left over
below a multiple of its tile height) in another order, and which rows those are depends on
the product's height: a block's tail rows, or BLAS's row split over threads in the one big
product. Measured on this machine: float64 bit for bit on workloads (a) and (c) (and
wherever the block heights are multiples of 4; otherwise within a few ulp); float32 bit for
bit on (a), on (c) 0.9 % of the outputs 1 ulp apart (final states equal), as the unfused
float32 product itself changes bits between one and two BLAS threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from shoal.dynamics._fused import _rows
from shoal.dynamics._fused._common import uniform_dtype

__all__ = ["chunk_steps", "simulate"]

#: Most bytes of one block of the projection (one product): whole rows of (a) (2 in float32,
#: 1 in float64) and (c); see the module docstring for the sizes measured.
SCRATCH_BYTES = 4 * 1024 * 1024

#: Chunk heights are multiples of this: OpenBLAS's row tiles (4 rows in float64, 24 in
#: float32 on this machine's Haswell kernels), so that only a row's last chunk has edge rows.
STEP_MULTIPLE = 24

#: Fewest batch rows per core for a call large enough to be shared out: with fewer, a core
#: would sit idle (a row's steps are sequential) where the unfused product keeps all BLAS
#: threads busy. Measured on (a)'s sizes at B·T = 32 000: B = 1 took 1.11x, B = 3 1.5x the
#: unfused time (one row per chunk, 2 against 1), B = 4 and 32 less.
MIN_ROWS_PER_CORE = 2

Kernel = Callable[[np.ndarray, slice, slice], None]


_buffers = threading.local()


def _scratch(size: int, dtype: np.dtype) -> np.ndarray:
    """This thread's scratch, ``size`` values of ``dtype``, kept for the next call.

    Kept because a fresh array of a few MiB is mapped fresh by ``malloc`` and page-faults on
    every call (what the unfused product pays for its 64 MB); at most one chunk per thread
    (:data:`SCRATCH_BYTES`, a few MiB) stays allocated.
    """
    needed = size * dtype.itemsize
    buffer = getattr(_buffers, "bytes", None)
    if buffer is None or buffer.size < needed:
        buffer = _buffers.bytes = np.empty(needed, np.uint8)
    return buffer[:needed].view(dtype)


def chunk_steps(n_out: int, dtype: np.dtype, n_steps: int) -> int:
    """Time steps per product: a :data:`SCRATCH_BYTES` scratch, a multiple of :data:`STEP_MULTIPLE`.

    Never more than ``n_steps`` (a short call is one product per row).
    """
    steps = SCRATCH_BYTES // max(1, n_out * dtype.itemsize)
    steps = max(STEP_MULTIPLE, steps // STEP_MULTIPLE * STEP_MULTIPLE)
    return min(steps, n_steps)


def simulate(
    backend: Any,
    kernels: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: np.ndarray,
    projection: tuple[Any, Any],
) -> tuple[Any, Any, dict[str, Any]] | None:
    """The neuron's ``simulate`` on ``inputs @ weight + bias``, computed chunk by chunk.

    Args:
        backend: The NumPy backend.
        kernels: The dynamics' kernel module (its ``simulate`` takes ``feed``).
        dynamics: The neuron's dynamics module.
        config: The dynamics' configuration.
        params: The dynamics' parameters.
        state: The batched state; never written to.
        inputs: The ``Linear``'s input ``(B, T, Nin)``, already of its dtype.
        projection: ``(weight (Nin, Nout), bias (Nout,) or () or None)``.

    Returns:
        ``(outputs (B, T, ...), final_state, {})``, or ``None`` when the kernel does not cover
        the call (mixed dtypes, recurrence, noisy Rate...; too few batch rows to share out a
        large call, see :data:`MIN_ROWS_PER_CORE`), before any noise is drawn.
    """
    weight, bias = projection
    dtype = uniform_dtype(inputs, weight, bias)
    if dtype is None or np.ndim(weight) != 2 or inputs.ndim != 3 or 0 in inputs.shape[:2]:
        return None  # (no rows or steps: the kernels leave those to the generic route)
    n_batches, n_steps, _ = inputs.shape
    n_out = weight.shape[1]
    shared = n_batches * n_steps * n_out >= _rows.MIN_ELEMENTS
    if shared and n_batches < MIN_ROWS_PER_CORE * _rows._cores():
        return None
    # The kernel reads only this stand-in's shape and dtype: zero bytes, one value.
    stand_in = np.broadcast_to(np.zeros((), dtype), (n_batches, n_steps, n_out))
    # Contiguous once, not per product: each row's chunk is then a plain (steps, Nin) matrix.
    inputs = np.ascontiguousarray(inputs)
    weight = np.ascontiguousarray(weight)
    steps = chunk_steps(n_out, dtype, n_steps)

    # Whole rows fit: blocks of several rows, one product each (the rows are contiguous).
    row_bytes = max(1, n_steps * n_out * dtype.itemsize)
    rows_per_block = max(1, SCRATCH_BYTES // row_bytes) if steps == n_steps else 1

    def feed(kernel: Kernel) -> None:
        def rows(part: slice) -> None:
            height = min(rows_per_block, part.stop - part.start)
            scratch = _scratch(height * steps * n_out, dtype).reshape(-1, n_out)
            for first in range(part.start, part.stop, height):
                last = min(first + height, part.stop)
                for start in range(0, n_steps, steps):
                    stop = min(start + steps, n_steps)
                    block = scratch[: (last - first) * (stop - start)]
                    np.matmul(
                        inputs[first:last, start:stop].reshape(-1, inputs.shape[2]),
                        weight,
                        out=block,
                    )
                    if bias is not None:
                        np.add(block, bias, out=block)
                    kernel(
                        block.reshape(last - first, stop - start, n_out),
                        slice(first, last),
                        slice(start, stop),
                    )

        _rows.split_rows(rows, n_batches, n_batches * n_steps * n_out)

    return kernels.simulate(  # type: ignore[no-any-return]
        backend, dynamics, config, params, state, stand_in, False, feed=feed
    )
