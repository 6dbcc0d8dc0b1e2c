"""What the fused kernels share: numba (imported here, once) and layout helpers.

What the kernels require of their arrays (also when a caller, e.g. the Torch backend, hands
over views of its own buffers): float32 or float64, **one dtype for everything** (mixed dtypes
return ``None`` so that the generic loop applies NumPy's promotion), any strides. Inputs that
are not C-contiguous and writable are copied once (:func:`kernel_input`): numba compiles, and
caches, one variant per layout and read-only flag, and a strided kernel would run slower than
the copy costs. Nothing the caller passed in is ever written to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.backend._lazy import require

numba = require("numba", "numba", "The fused NumPy kernels")

__all__ = [
    "batch_major",
    "common_dtype",
    "fresh",
    "kernel_input",
    "neuron_rows",
    "njit",
    "numba",
    "output_array",
    "placeholder",
    "rows_of",
    "uniform_dtype",
    "vector",
]

# cache=True: the first call of a process loads the compiled kernel from __pycache__ rather than
# compiling (seconds) again. nogil: other Python threads run while a kernel does. No fastmath:
# it would reorder the float operations and break agreement with the generic loop (and LLVM,
# without it, never contracts a·b + c into one FMA, which would round once instead of twice).
njit = numba.njit(cache=True, nogil=True, error_model="numpy")

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def common_dtype(*arrays: Any) -> np.dtype | None:
    """The dtype NumPy would compute in, or ``None`` if it is not float32/float64."""
    dtype = np.result_type(*[a for a in arrays if a is not None])
    return dtype if dtype in _FLOATS else None


def uniform_dtype(*arrays: Any) -> np.dtype | None:
    """The one float dtype of every array given (``None`` entries skipped), else ``None``.

    Why not NumPy's promotion: with mixed dtypes NumPy computes part of a step in the narrow
    dtype and the rest in the wide one; a kernel computing everything in one dtype would not
    give the generic loop's numbers, so such calls take the generic loop.
    """
    dtypes = {np.asarray(a).dtype for a in arrays if a is not None}
    if len(dtypes) != 1:
        return None
    (dtype,) = dtypes
    return dtype if dtype in _FLOATS else None


def kernel_input(array: np.ndarray) -> np.ndarray:
    """``array`` itself when C-contiguous and writable (no copy), else a C-contiguous copy."""
    if array.flags.c_contiguous and array.flags.writeable:
        return array
    return np.array(array, order="C")


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


def neuron_rows(values: Any, n_neurons: int, dtype: np.dtype) -> np.ndarray | None:
    """``values`` each broadcast to ``(n_neurons,)``, stacked: ``(len(values), n_neurons)``.

    One array for a kernel's per-neuron parameters: fewer arguments to unbox per call, and
    fewer pointers for LLVM to check for aliasing before it vectorises a loop. ``None`` if one
    of them does not broadcast per neuron.
    """
    rows = [vector(value, (n_neurons,), dtype) for value in values]
    if any(row is None for row in rows):
        return None
    return np.stack(rows)  # type: ignore[arg-type]


def placeholder(ndim: int, dtype: np.dtype) -> np.ndarray:
    """A one-element array standing in for an absent operand (numba types arguments by ndim)."""
    return np.zeros((1,) * ndim, dtype=dtype)


def rows_of(array: np.ndarray, rows: slice, steps: slice = slice(None)) -> np.ndarray:
    """Batch rows (and time steps) of ``array``; a one-element :func:`placeholder` as it is."""
    return array if array.size == 1 else array[rows, steps]


def fresh(value: Any, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """A new C-contiguous copy of ``value`` broadcast to ``shape``, for a kernel to update.

    C order matters: a state handed over as a transposed view (``isyn`` is synapse-major) would
    otherwise make numba compile, and run, a slower strided variant of the kernel.
    """
    return np.array(np.broadcast_to(value, shape), dtype=dtype, order="C")


#: Alignment of the kernels' outputs: XLA's CPU buffers are 64-byte aligned, and XLA adopts
#: host memory without copying it only when it is (see ``shoal.backend._jax_host_arrays``).
OUTPUT_ALIGNMENT = 64


def output_array(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """An uninitialised C-contiguous array whose data start on a 64-byte boundary.

    For the kernels' ``(B, T, N)`` outputs. NumPy's own allocations start 16 bytes past such a
    boundary, so a JAX caller had to copy each result (9 ms and the output's size again in
    memory on workload (a)) before XLA would take it; this one it takes as it is.
    """
    dtype = np.dtype(dtype)
    n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if n_bytes == 0:
        return np.empty(shape, dtype)
    raw = np.empty(n_bytes + OUTPUT_ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % OUTPUT_ALIGNMENT
    return raw[start : start + n_bytes].view(dtype).reshape(shape)
