"""What the fused kernels share: numba (imported here, once) and layout helpers."""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.backend._lazy import require

numba = require("numba", "numba", "The fused NumPy kernels")

__all__ = ["batch_major", "common_dtype", "fresh", "njit", "numba", "placeholder", "vector"]

# cache=True: the first call of a process loads the compiled kernel from __pycache__ rather than
# compiling (seconds) again. nogil: other Python threads run while a kernel does. No fastmath:
# it would reorder the float operations and break agreement with the generic loop.
njit = numba.njit(cache=True, nogil=True)

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def common_dtype(*arrays: Any) -> np.dtype | None:
    """The dtype NumPy would compute in, or ``None`` if it is not float32/float64."""
    dtype = np.result_type(*[a for a in arrays if a is not None])
    return dtype if dtype in _FLOATS else None


def batch_major(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Time-major ``(T, B, ...)`` → C-contiguous, writable ``(B, T, ...)``.

    The module's input is batch-major, so after ``simulate`` moved time to the front this is a
    free transpose back in the common case; kernels then index contiguous rows. Writable
    because numba compiles (seconds) a separate kernel for read-only arrays: a read-only
    input is copied instead.
    """
    array = np.ascontiguousarray(np.swapaxes(array, 0, 1), dtype=dtype)
    return array if array.flags.writeable else array.copy()


def vector(value: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray | None:
    """``value`` broadcast to ``shape`` as a new C-contiguous array, or ``None`` if it does not fit.

    Always a writable copy (parameters are small): a read-only broadcast view would make numba
    compile a second variant of the kernel.
    """
    try:
        return fresh(value, shape, dtype)
    except ValueError:
        return None


def placeholder(ndim: int, dtype: np.dtype) -> np.ndarray:
    """A one-element array standing in for an absent operand (numba types arguments by ndim)."""
    return np.zeros((1,) * ndim, dtype=dtype)


def fresh(value: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A new C-contiguous copy of ``value`` broadcast to ``shape``, for a kernel to update.

    C order matters: a state handed over as a transposed view (``isyn`` is synapse-major) would
    otherwise make numba compile, and run, a slower strided variant of the kernel.
    """
    return np.array(np.broadcast_to(value, shape), dtype=dtype, order="C")
