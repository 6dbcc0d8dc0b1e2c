"""Validation helpers shared by `TSContinuous` and `TSEvent` (samples, ``dt``, channels)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._base import TimeSeries

__all__ = ["as_list", "check_dt", "check_num_channels", "validate_samples"]


def check_num_channels(label: str, num_channels: Any) -> None:
    """Raise unless ``num_channels`` is ``None`` or a non-negative integer."""
    if num_channels is None:
        return
    if (
        isinstance(num_channels, bool)
        or not isinstance(num_channels, numbers.Integral)
        or num_channels < 0
    ):
        raise ValueError(
            f"{label}: `num_channels` must be a non-negative integer; got {num_channels!r}."
        )


def validate_samples(
    label: str, samples: Any, num_times: int, has_times: bool, num_channels: int | None
) -> np.ndarray:
    """Check ``samples`` against ``num_times`` time points and return them as ``(T, C)``."""
    check_num_channels(label, num_channels)
    if samples is None:
        if num_times:
            raise ValueError(
                f"{label}: `samples` must be given with `times`; "
                f"got {num_times} time points and no samples."
            )
        return np.zeros((0, num_channels or 0))
    if not has_times:
        raise ValueError(
            f"{label}: `times` must be given with `samples` "
            f"(or use `TSContinuous.from_clocked(samples, dt)`)."
        )
    array = np.asarray(samples)
    given_shape = array.shape
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{label}: `samples` must hold numbers; got dtype {array.dtype}.")
    if not np.issubdtype(array.dtype, np.inexact):
        array = array.astype(np.float64)
    if array.ndim == 0 and num_times == 1:
        array = array.reshape(1, 1)  # one scalar sample at one time point
    elif array.ndim == 1:
        # One time point: a 1-D array is one row of channels. Several time points: one value
        # per time point, i.e. one channel.
        array = array[None, :] if num_times == 1 and array.size else array[:, None]
    if array.ndim != 2 or array.shape[0] != num_times:
        raise ValueError(
            f"{label}: `samples` must have shape (T,) or (T, C) with T = {num_times} "
            f"(len(times)); got an array of shape {given_shape}."
        )
    if array.shape[0] == 0 and num_channels is not None:
        return np.zeros((0, num_channels), dtype=array.dtype)
    if num_channels is not None and array.shape[1] != num_channels:
        raise ValueError(
            f"{label}: `num_channels` is {num_channels} but `samples` has {array.shape[1]} "
            f"channels (shape {array.shape})."
        )
    return array


def check_dt(dt: Any, label: str) -> float:
    """Return ``dt`` as a float, raising unless it is finite and positive."""
    try:
        step = float(dt)
    except (TypeError, ValueError):
        raise TypeError(f"{label}: `dt` must be a number of seconds; got {dt!r}.") from None
    if not (np.isfinite(step) and step > 0):
        raise ValueError(f"{label}: `dt` must be finite and > 0 seconds; got {dt!r}.")
    return step


def as_list(other: Any) -> list[Any]:
    """One series, or a collection of them, as a list (items are type-checked by the caller)."""
    if isinstance(other, TimeSeries) or not isinstance(other, Iterable):
        return [other]
    return list(other)


def per_series(label: str, value: Any, count: int, what: str) -> list[Any]:
    """``value`` for each of ``count`` series: a list must have exactly ``count`` entries.

    Rockpool warns and silently drops the unmatched series; a wrong length is a mistake.
    """
    if isinstance(value, (list, tuple, np.ndarray)):
        entries = list(value)
        if len(entries) != count:
            raise ValueError(
                f"{label}: got {len(entries)} `{what}` values for {count} series; give one "
                f"per series or a single number."
            )
        return entries
    return [value] * count
