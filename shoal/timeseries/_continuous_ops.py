"""The work behind `TSContinuous`'s validation and editing methods.

Kept apart from the class so that ``continuous.py`` holds the public surface and its docs.
Each function takes the series as its first argument and returns new arrays or a new series.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import TIME_TOLERANCE, TimeSeries

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = [
    "append_c",
    "append_t",
    "clip",
    "as_list",
    "check_dt",
    "check_num_channels",
    "merge",
    "resample",
    "validate_samples",
    "window",
]


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
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise TypeError(f"{label}: `samples` must hold numbers; got dtype {array.dtype}.")
    if not np.issubdtype(array.dtype, np.inexact):
        array = array.astype(np.float64)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{label}: `samples` must have shape (T,) or (T, C); got an array of shape "
            f"{array.shape}."
        )
    if array.shape[0] != num_times:
        raise ValueError(
            f"{label}: `samples` must have one row per time point: expected {num_times} rows "
            f"(len(times)), got {array.shape[0]} (shape {array.shape})."
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


def _check_type(series: TSContinuous, other: Any, method: str) -> None:
    if not _is_continuous(other):
        raise TypeError(
            f"{series._label}: `{method}` expects TSContinuous objects; got {type(other).__name__}."
        )


def _is_continuous(other: Any) -> bool:
    from .continuous import TSContinuous

    return isinstance(other, TSContinuous)


def _same_range(a: TimeSeries, b: TimeSeries) -> bool:
    return (
        abs(a.t_start - b.t_start) <= TIME_TOLERANCE and abs(a.t_stop - b.t_stop) <= TIME_TOLERANCE
    )


def window(series: TSContinuous, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
    """Sample times ``(N,)`` and values ``(N, C)`` of ``series`` inside ``[start, stop]``.

    Original samples are copied; a sample interpolated at ``start`` is added unless one is
    already there, and one at ``stop`` for linear interpolation, so values are unchanged.
    """
    if series.periodic:
        # One period holds the samples before t_stop; repeat it over the window.
        base = np.flatnonzero(series.times < series.t_stop - TIME_TOLERANCE)
        first = int(np.floor((start - series.t_start) / series.duration))
        last = int(np.floor((stop - series.t_start) / series.duration))
        shifts = np.arange(first, last + 1)[:, None] * series.duration
        times = (series.times[base][None, :] + shifts).ravel()
        index = np.tile(base, shifts.shape[0])
    else:
        times, index = series.times, np.arange(series.times.size)
    inside = (times >= start - TIME_TOLERANCE) & (times <= stop + TIME_TOLERANCE)
    times, samples = times[inside], series.samples[index[inside]]
    if times.size == 0 or times[0] > start + TIME_TOLERANCE:
        times = np.concatenate([[start], times])
        samples = np.concatenate([series([start]), samples])
    if series.interp_kind == "linear" and times[-1] < stop - TIME_TOLERANCE:
        times = np.concatenate([times, [stop]])
        samples = np.concatenate([samples, series([stop])])
    return times, samples


def append_t(series: TSContinuous, others: Any, offset: float) -> TSContinuous:
    """`TSContinuous.append_t` without the ``inplace`` handling."""
    gap = series._check_time(offset, "offset")
    result = series
    for other in as_list(others):
        _check_type(series, other, "append_t")
        if other.num_channels != result.num_channels and not result.isempty():
            raise ValueError(
                f"{series._label}: `append_t` needs the same number of channels; this series "
                f"has {result.num_channels}, {other._label} has {other.num_channels}."
            )
        shift = result.t_stop + gap - other.t_start
        if result.times.size and other.times.size and other.times[0] + shift < result.times[-1]:
            raise ValueError(
                f"{series._label}: `append_t` with offset {gap!r} s would place {other._label} "
                f"before the last sample ({float(result.times[-1])!r} s); use a larger offset."
            )
        times = np.concatenate([result.times, other.times + shift])
        if result.isempty():
            samples = other.samples.copy()
        else:
            samples = np.concatenate([result.samples, other.samples])
        result = result._with_samples(times, samples, False, t_stop=other.t_stop + shift)
    return result


def append_c(series: TSContinuous, others: Any) -> TSContinuous:
    """`TSContinuous.append_c` without the ``inplace`` handling."""
    result = series
    for other in as_list(others):
        _check_type(series, other, "append_c")
        if result.isempty() and result.num_channels == 0:
            result = other._with_samples(other.times, other.samples, other.periodic)
            result.name = series.name
            continue
        if not _same_range(result, other):
            raise ValueError(
                f"{series._label}: `append_c` needs series covering the same time range; this "
                f"one covers [{result.t_start!r}, {result.t_stop!r}] s, {other._label} covers "
                f"[{other.t_start!r}, {other.t_stop!r}] s. Use `clip` first."
            )
        times = np.union1d(result.times, other.times)
        samples = np.concatenate([result(times), other(times)], axis=1)
        result = result._with_samples(times, samples, result.periodic and other.periodic)
    return result


def merge(series: TSContinuous, others: Any, remove_duplicates: bool) -> TSContinuous:
    """`TSContinuous.merge` without the ``inplace`` handling."""
    result = series
    for other in as_list(others):
        _check_type(series, other, "merge")
        if other.num_channels != result.num_channels:
            raise ValueError(
                f"{series._label}: `merge` needs the same number of channels; this series has "
                f"{result.num_channels}, {other._label} has {other.num_channels}."
            )
        keep = np.ones(other.times.size, dtype=bool)
        if remove_duplicates and result.times.size:
            keep = ~_has_close(result.times, other.times)
        times = np.concatenate([result.times, other.times[keep]])
        samples = np.concatenate([result.samples, other.samples[keep]])
        # A stable sort keeps this series' sample first where times tie.
        order = np.argsort(times, kind="stable")
        start, stop = min(result.t_start, other.t_start), max(result.t_stop, other.t_stop)
        result = result._with_samples(
            times[order],
            samples[order],
            # The period is the duration: it survives only if the range does.
            result.periodic and (start, stop) == (result.t_start, result.t_stop),
            t_start=start,
            t_stop=stop,
        )
    return result


def _has_close(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each of ``values``, whether ``reference`` (sorted) has a time within tolerance."""
    right = np.clip(np.searchsorted(reference, values), 0, reference.size - 1)
    left = np.clip(right - 1, 0, reference.size - 1)
    distance = np.minimum(np.abs(reference[right] - values), np.abs(reference[left] - values))
    return distance <= TIME_TOLERANCE


def clip(
    series: TSContinuous, t_start: float | None, t_stop: float | None, channels: Any
) -> TSContinuous:
    """`TSContinuous.clip` without the ``inplace`` handling."""
    start = series.t_start if t_start is None else series._check_time(t_start, "t_start")
    stop = series.t_stop if t_stop is None else series._check_time(t_stop, "t_stop")
    if stop < start:
        raise ValueError(
            f"{series._label}: `clip` needs t_start <= t_stop; got [{start!r}, {stop!r}]."
        )
    series._check_in_range(np.array([start, stop]))
    columns = series._select_channels(channels, series.num_channels, series.num_channels)
    if series.isempty():
        times, samples = np.zeros(0), np.zeros((0, columns.size))
    else:
        times, samples = window(series, start, stop)
    return series._with_samples(
        times, samples[:, columns], periodic=False, t_start=start, t_stop=stop
    )


def resample(series: TSContinuous, times: Any, channels: Any) -> TSContinuous:
    """`TSContinuous.resample` without the ``inplace`` handling."""
    new_times = series._validate_times(times)
    columns = series._select_channels(channels, series.num_channels, series.num_channels)
    values = series(new_times)[:, columns]
    start = min(series.t_start, float(new_times[0])) if new_times.size else series.t_start
    stop = max(series.t_stop, float(new_times[-1])) if new_times.size else series.t_stop
    same_range = start == series.t_start and stop == series.t_stop
    return series._with_samples(
        new_times, values, series.periodic and same_range, t_start=start, t_stop=stop
    )
