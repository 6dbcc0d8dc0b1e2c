"""BLAS threads on the NumPy backend: one thread around per-step loops; bit-keeping row blocks.

Large one-off products (a ``Linear`` layer's GEMM over all time steps) run with BLAS's own
thread count. Inside a time loop the products are small and many, and threads there can cost
far more than they gain: on a loaded 2-core machine a multi-threaded OpenBLAS product per
step slowed a recurrent run from 0.8 s to 10 s (issue 18), because each product waits for a
worker the scheduler has given to another process. Worse, OpenBLAS's float32 product changes
its last bits with its thread count, so the numbers would depend on the machine's load.

So per-step loops run BLAS on one thread (:func:`single_threaded_blas`), and a recurrent loop
that wants more than one core splits its batch rows into blocks, each block's loop on its own
worker (``shoal.dynamics._fused.lif_recurrent``). :func:`row_blocks` picks the split: only one
at which the blocks' products have the bits of the whole product. Everything that sets
threads needs ``threadpoolctl`` (installed by the ``numba`` extra); without it BLAS is left as
configured.
"""

from __future__ import annotations

import contextlib
import importlib.util
import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["GRANULES", "row_blocks", "single_threaded_blas"]

#: Block sizes tried, in order, as the unit the block bounds are rounded to. OpenBLAS's
#: float32 kernel on Haswell takes the rows 12 at a time and the rest with narrower kernels
#: (measured: rows 0–15 of a 32-row product are not the bits of a 16-row one; rows 0–11 are),
#: so a split at a multiple of its width keeps every row on the kernel it had.
GRANULES = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64)

_blas: dict[str, Any] = {}
# (rows, blocks, right's shape, dtype, strides) -> the bounds row_blocks chose.
_bounds: dict[tuple[Any, ...], tuple[int, ...]] = {}


def _blas_libraries() -> list[Any]:
    """threadpoolctl's controllers of the loaded BLAS libraries ([] without threadpoolctl)."""
    if "libraries" not in _blas:
        if importlib.util.find_spec("threadpoolctl") is None:
            _blas["libraries"] = []
        else:
            from threadpoolctl import ThreadpoolController

            # Built once: it inspects every loaded shared library (milliseconds).
            controller = ThreadpoolController().select(user_api="blas")
            _blas["libraries"] = list(controller.lib_controllers)
    return _blas["libraries"]  # type: ignore[no-any-return]


def _rounded_bounds(n_rows: int, n_blocks: int, granule: int) -> tuple[int, ...]:
    """Equal shares of ``n_rows`` with inner bounds rounded to multiples of ``granule``."""
    inner = {granule * round(n_rows * k / (n_blocks * granule)) for k in range(1, n_blocks)}
    return (0, *sorted(bound for bound in inner if 0 < bound < n_rows), n_rows)


def row_blocks(n_rows: int, right: np.ndarray, n_blocks: int) -> tuple[int, ...]:
    """Bounds of up to ``n_blocks`` row blocks whose products keep ``left @ right``'s bits.

    Rows ``bounds[k]:bounds[k + 1]`` of ``left @ right``, computed on their own on one BLAS
    thread, equal those rows of the whole product on one thread, bit for bit. Tried: equal
    shares, then shares rounded to each of :data:`GRANULES` in turn, for ``n_blocks`` blocks,
    then fewer; checked once per row count, block count, and ``right``'s shape, dtype and
    layout, on synthetic operands, and remembered. ``(0, n_rows)`` (no split) when no
    candidate keeps the bits (e.g. float32 on 13 rows here: 12 and a last row, and NumPy
    computes a one-row product with another BLAS routine).

    Args:
        n_rows: Rows of the left operand (the batch).
        right: The right operand (its shape, dtype and strides are what is checked).
        n_blocks: Most blocks wanted.

    Returns:
        ``(0, ..., n_rows)``, increasing.
    """
    key = (n_rows, n_blocks, right.shape, right.dtype.str, right.strides)
    if key not in _bounds:
        rng = np.random.default_rng(0)
        left = rng.standard_normal((n_rows, right.shape[0])).astype(right.dtype)
        synthetic = np.empty_like(right)  # the same memory layout (BLAS's transpose flags)
        synthetic[...] = rng.standard_normal(right.shape)
        with single_threaded_blas():
            whole = left @ synthetic
            chosen = _first_keeping(left, synthetic, whole, n_blocks)
        _bounds[key] = chosen
    return _bounds[key]


def _first_keeping(
    left: np.ndarray, right: np.ndarray, whole: np.ndarray, n_blocks: int
) -> tuple[int, ...]:
    """The first candidate split of ``left``'s rows whose products concatenate to ``whole``."""
    n_rows = left.shape[0]
    tried = set()
    for count in range(n_blocks, 1, -1):
        for granule in GRANULES:
            bounds = _rounded_bounds(n_rows, count, granule)
            if len(bounds) < 3 or bounds in tried:
                continue
            tried.add(bounds)
            parts = [left[a:b] @ right for a, b in itertools.pairwise(bounds)]
            if np.array_equal(np.concatenate(parts), whole):
                return bounds
    return (0, n_rows)


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS limited to one thread inside the block (a no-op without ``threadpoolctl``)."""
    with _threads_restored() as libraries:
        for library in libraries:
            library.set_num_threads(1)
        yield


@contextlib.contextmanager
def _threads_restored() -> Iterator[list[Any]]:
    libraries = _blas_libraries()
    before = [library.num_threads for library in libraries]
    try:
        yield libraries
    finally:
        for library, count in zip(libraries, before, strict=True):
            library.set_num_threads(count)
