"""JAX CPU arrays as NumPy arrays and back, without copying what does not need it.

Both directions share memory where XLA allows it:

* JAX → NumPy: ``np.asarray`` of a CPU ``jax.Array`` is a read-only view of its buffer.
* NumPy → JAX: ``jax.device_put`` aliases a NumPy array instead of copying it only when the
  array is C-contiguous and its data 64-byte aligned (XLA's CPU alignment). NumPy's own
  allocations are 16 bytes past a 64-byte boundary; the fused kernels allocate their outputs
  aligned (``shoal.dynamics._fused._common.output_array``), so XLA adopts them as they are.
  Any other large result is first copied into an aligned buffer by NumPy: measured 9 ms for a
  64 MB output, where ``device_put``'s own copy into a fresh XLA buffer took 38 ms (its page
  faults) and ``jax.dlpack`` 200 ms.

Imported by :mod:`shoal.backend._jax_cpu`'s functions only once JAX arrays exist; JAX itself
is imported lazily.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["aligned_copy", "host_view", "input_view", "on_cpu", "to_jax"]

#: XLA's CPU buffers are 64-byte aligned; only such host memory is aliased.
_XLA_ALIGNMENT = 64
#: Below this size a plain copy costs less than the alignment bookkeeping.
_ALIAS_MIN_BYTES = 1 << 20
#: Place the aligned copy half a page away from its source: reading and writing addresses with
#: the same offset within a 4 KiB page stalls the copy (4K aliasing; measured 3x slower).
_PAGE = 4096


def on_cpu(array: Any) -> bool:
    """Whether every device ``array`` lives on is a CPU."""
    return all(device.platform == "cpu" for device in array.devices())


def host_view(value: Any) -> Any:
    """A CPU ``jax.Array`` as a (read-only) NumPy view of its memory; anything else as it is."""
    import jax

    if isinstance(value, jax.Array):
        return np.asarray(value)
    return value


def input_view(array: Any) -> np.ndarray:
    """A CPU ``jax.Array`` as a *writable* NumPy view of its memory, for a kernel to read.

    The fused kernels copy a read-only input first (numba compiles, and caches, one variant
    per read-only flag; a second variant costs seconds of compilation): 30 ms for the 205 MB
    input of workload (e). They never write to their inputs (``shoal.dynamics._fused._common``;
    a test checks the JAX input is unchanged after every engine call), so the view is writable
    only to spare that copy. The caller must hold ``array`` while the view is in use (the view
    does not keep it alive) and must not hand the view out.
    """
    import ctypes

    view = np.asarray(array)  # waits for the array to be computed
    if len(array.devices()) != 1 or not view.flags.c_contiguous or view.size == 0:
        return view
    memory = (ctypes.c_char * view.nbytes).from_address(array.unsafe_buffer_pointer())
    return np.frombuffer(memoryview(memory), view.dtype).reshape(view.shape)


def aligned_copy(array: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of ``array`` whose data starts on a 64-byte boundary."""
    source = array.ctypes.data
    buffer = np.empty(array.nbytes + _PAGE, np.uint8)
    target = (source + _PAGE // 2) % _PAGE  # page offset half a page from the source's
    target -= target % _XLA_ALIGNMENT
    start = (target - buffer.ctypes.data) % _PAGE
    copy = buffer[start : start + array.nbytes].view(array.dtype).reshape(array.shape)
    np.copyto(copy, array)
    return copy


def to_jax(value: Any, device: Any) -> Any:
    """A NumPy result as a ``jax.Array`` on ``device`` (``None``: the default device,
    uncommitted), aliased when large; a ``None`` value is kept.

    The result must be the caller's own (nothing else writes to it afterwards): large arrays
    become the JAX array's memory.
    """
    import jax

    if value is None:
        return None
    array = np.asarray(value)
    if array.nbytes >= _ALIAS_MIN_BYTES and not (
        array.flags.c_contiguous and array.ctypes.data % _XLA_ALIGNMENT == 0
    ):
        array = aligned_copy(array)
    return jax.device_put(array, device)
