"""Input handling every backend shares: numeric data only, no ambiguous 1-D input, batching."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

__all__ = ["auto_batch", "host_array", "numpy_input", "refuse_vector"]


def host_array(value: Any, dtype: Any = None) -> np.ndarray:
    """``value`` as a NumPy array; torch tensors are detached and copied to the host first
    (``np.asarray`` refuses a tensor that requires grad)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    return np.asarray(value, dtype=dtype)


def refuse_vector(owner: str, data: Any) -> None:
    """Refuse 1-D input: ``(T,)`` and ``(N,)`` look alike, and guessing gives garbage."""
    shape = getattr(data, "shape", None)
    if shape is None and isinstance(data, (list, tuple)):
        try:
            shape = np.shape(data)
        except ValueError:  # ragged: the conversion reports it
            return
    if shape is not None and len(shape) == 1:
        raise ValueError(
            f"{owner}: got 1-D input of shape {tuple(shape)}, which is ambiguous. "
            "Input is (T, N) or (B, T, N); for one channel over time use x[:, None]."
        )


def numpy_input(owner: str, data: Any, dtype: Any) -> np.ndarray:
    """``data`` as a NumPy array of ``dtype``, refusing non-numeric and 1-D data."""
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(f"{owner}: input could not be converted to an array ({error})") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(
            f"{owner}: expected numeric input (bool, int or float), got an array of "
            f"dtype {array.dtype}"
        )
    refuse_vector(owner, array)
    return array.astype(dtype, copy=False)


def auto_batch(
    xp: Any,
    owner: str,
    data: Any,
    size_in: Any,
    states: Iterable[Any] = (),
    target_shapes: Iterable[Any] | None = None,
) -> tuple[Any, tuple[Any, ...]]:
    """Bring ``data`` to ``(B, T, size_in)`` and broadcast ``states`` to ``(B, *shape)``.

    ``(T, N)`` becomes ``(1, T, N)``; a channel axis of size 1 is broadcast to ``size_in``.

    Args:
        xp: The backend's array namespace.
        owner: The module path, for error messages.
        data: Input already converted to a numeric array of the backend.
        size_in: The module's input size.
        states: State arrays to broadcast.
        target_shapes: Their unbatched shapes (default: their own shapes).

    Returns:
        ``(data (B, T, size_in), batched_states)``.
    """
    if data.ndim == 2:
        data = data[None]
    elif data.ndim != 3:
        raise ValueError(
            f"{owner}: expected input of shape (T, {size_in}) or (B, T, {size_in}), got shape "
            f"{tuple(data.shape)} ({data.ndim}-d)"
        )
    n_batches, n_steps, n_channels = data.shape
    if n_steps == 0:
        raise ValueError(f"{owner}: input has no time steps (T = 0)")
    if n_channels != size_in:
        if n_channels != 1:
            raise ValueError(
                f"{owner}: Input has wrong neuron dimension. It is {n_channels}, must be {size_in}"
            )
        data = xp.broadcast_to(data, (n_batches, n_steps, size_in))
    states = tuple(states)
    shapes = [np.shape(s) for s in states] if target_shapes is None else list(target_shapes)
    batched = tuple(
        xp.broadcast_to(s, (n_batches, *tuple(shape))) for s, shape in zip(states, shapes)
    )
    return data, batched
