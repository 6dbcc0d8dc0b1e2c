"""The work behind `TSContinuous`'s editing methods (clip, resample, merge, append).

Each function takes the series as its first argument and returns a new series; ``inplace``
handling stays in the class. Results of these edits are not periodic unless their range is
the original one (a period that silently became the window length would be a trap).
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import TIME_TOLERANCE
from ._classes import series_class
from ._continuous_ops import as_list, per_series
from ._errors import ChannelIndexError, no_channels_message

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["append_c", "append_t", "channel_columns", "clip", "merge", "resample"]


def channel_columns(series: TSContinuous, channels: Any) -> np.ndarray:
    """Column indices for ``channels`` (an int, a sequence or ``None`` for all)."""
    if channels is None:
        return np.arange(series.num_channels)
    ids = np.atleast_1d(np.asarray(channels))
    if ids.size and (ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer)):
        raise TypeError(
            f"{series._label}: `channels` must be an integer or a 1-D sequence of integers; "
            f"got {channels!r}."
        )
    ids = ids.astype(np.int64)
    if ((ids < 0) | (ids >= series.num_channels)).any():
        raise ChannelIndexError(no_channels_message(series._label, series.num_channels))
    return ids


def _is_continuous(other: Any) -> bool:
    return isinstance(other, series_class("TSContinuous"))


def _series_list(series: TSContinuous, others: Any, method: str) -> list[TSContinuous]:
    if not (_is_continuous(others) or isinstance(others, (list, tuple))):
        raise TypeError(
            f"{series._label}: `other_series` must be `TSContinuous` or iterable thereof; "
            f"got {type(others).__name__}."
        )
    items = as_list(others)
    for item in items:
        if not _is_continuous(item):
            raise TypeError(
                f"{series._label}: Can only {method} with `TSContinuous` objects; "
                f"got {type(item).__name__}."
            )
    return items


def _neutral(series: TSContinuous) -> bool:
    """An empty series without channels: adds nothing and adopts the other's channels."""
    return series.isempty() and series.num_channels == 0


def _check_channels(
    series: TSContinuous, result: TSContinuous, other: TSContinuous, i: int
) -> None:
    if other.num_channels != result.num_channels and not (_neutral(other) or _neutral(result)):
        raise ValueError(
            f"{series._label}: `other_series` must include the same number of traces "
            f"({result.num_channels}). Other series number {i} has {other.num_channels}."
        )


def _unrolled(series: TSContinuous, start: float, stop: float) -> tuple[np.ndarray, np.ndarray]:
    """Sample times and sample indices of ``series`` covering ``[start, stop]``."""
    times, index = series._sorted_samples()[0], np.argsort(series.times, kind="stable")
    if not series.periodic:
        return times, index
    # One period holds the samples before t_stop; repeat it over the window.
    base = np.flatnonzero(times < series.t_stop - TIME_TOLERANCE)
    first = int(np.floor((start - series.t_start) / series.duration))
    last = int(np.floor((stop - series.t_start) / series.duration))
    shifts = np.arange(first, last + 1)[:, None] * series.duration
    return (times[base][None, :] + shifts).ravel(), np.tile(index[base], shifts.shape[0])


def clip(
    series: TSContinuous,
    t_start: float | None,
    t_stop: float | None,
    channels: Any,
    include_stop: bool,
    sample_limits: bool,
) -> TSContinuous:
    """`TSContinuous.clip` without the ``inplace`` handling."""
    start = series.t_start if t_start is None else series._check_time(t_start, "t_start")
    stop = series.t_stop if t_stop is None else series._check_time(t_stop, "t_stop")
    include_stop = include_stop or t_stop is None
    if stop < start:
        raise ValueError(
            f"{series._label}: `clip` needs t_start <= t_stop; got [{start!r}, {stop!r}]."
        )
    columns = channel_columns(series, channels)
    if series.isempty():
        return series._with_samples(
            np.zeros(0), np.zeros((0, columns.size)), False, t_start=start, t_stop=stop
        )
    times, index = _unrolled(series, start, stop)
    upper = times <= stop + TIME_TOLERANCE if include_stop else times < stop - TIME_TOLERANCE
    keep = (times >= start - TIME_TOLERANCE) & upper
    times, samples = times[keep], series.samples[index[keep]][:, columns]
    if sample_limits:
        if times.size == 0 or times[0] > start + TIME_TOLERANCE:
            times = np.concatenate([[start], times])
            samples = np.concatenate([series([start])[:, columns], samples])
        if include_stop and times[-1] < stop - TIME_TOLERANCE:
            times = np.concatenate([times, [stop]])
            samples = np.concatenate([samples, series([stop])[:, columns]])
    elif not series.periodic and (start < series.t_start or stop > series.t_stop):
        warnings.warn(
            f"{series._label}: the clipped range [{start!r}, {stop!r}] s extends beyond the "
            f"series' range [{series.t_start!r}, {series.t_stop!r}] s; no samples are added "
            "there (sample_limits=False).",
            UserWarning,
            stacklevel=4,
        )
    same = (start, stop) == (series.t_start, series.t_stop)
    return series._with_samples(
        times, samples, series.periodic and same, t_start=start, t_stop=stop
    )


def resample(series: TSContinuous, times: Any, channels: Any) -> TSContinuous:
    """`TSContinuous.resample` without the ``inplace`` handling."""
    new_times = np.atleast_1d(np.asarray(times, dtype=np.float64)).ravel()
    if not np.isfinite(new_times).all():
        raise ValueError(f"{series._label}: `times` must be finite; got {times!r}.")
    columns = channel_columns(series, channels)
    values = series(new_times)[:, columns]
    if new_times.size == 0:
        return series._with_samples(new_times, values, series.periodic)
    start, stop = float(new_times.min()), float(new_times.max())
    same = (start, stop) == (series.t_start, series.t_stop)
    return series._with_samples(
        new_times, values, series.periodic and same, t_start=start, t_stop=stop
    )


def merge(series: TSContinuous, others: Any, remove_duplicates: bool) -> TSContinuous:
    """`TSContinuous.merge` without the ``inplace`` handling."""
    result = series
    for i, other in enumerate(_series_list(series, others, "merge")):
        _check_channels(series, result, other, i)
        channels = max(result.num_channels, other.num_channels)
        keep = np.ones(other.times.size, dtype=bool)
        if remove_duplicates and result.times.size and other.times.size:
            keep = ~_has_close(np.sort(result.times), other.times)
        times = np.concatenate([result.times, other.times[keep]])
        samples = np.concatenate(
            [_widen(result.samples, channels), _widen(other.samples[keep], channels)]
        )
        # A stable sort keeps this series' sample first where times tie.
        order = np.argsort(times, kind="stable")
        start, stop = min(result.t_start, other.t_start), max(result.t_stop, other.t_stop)
        result = result._with_samples(
            times[order],
            samples[order],
            result.periodic and (start, stop) == (result.t_start, result.t_stop),
            t_start=start,
            t_stop=stop,
        )
    return result


def _widen(samples: np.ndarray, channels: int) -> np.ndarray:
    """Samples of a 0-channel (empty) series given ``channels`` columns."""
    return samples if samples.shape[1] == channels else np.zeros((samples.shape[0], channels))


def _has_close(reference: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For each of ``values``, whether ``reference`` (sorted) has a time within tolerance."""
    right = np.clip(np.searchsorted(reference, values), 0, reference.size - 1)
    left = np.clip(right - 1, 0, reference.size - 1)
    distance = np.minimum(np.abs(reference[right] - values), np.abs(reference[left] - values))
    return distance <= TIME_TOLERANCE


def _median_step(series: TSContinuous) -> float:
    return float(np.median(np.diff(np.sort(series.times)))) if series.times.size >= 2 else 0.0


def append_t(series: TSContinuous, others: Any, offset: Any) -> TSContinuous:
    """`TSContinuous.append_t` without the ``inplace`` handling."""
    items = _series_list(series, others, "append")
    offsets = per_series(series._label, offset, len(items), "offset")
    result, previous = series, series
    for i, (other, gap) in enumerate(zip(items, offsets)):
        _check_channels(series, result, other, i)
        if gap is None:
            gap = _median_step(previous) if not other.isempty() else 0.0
        shift = result.t_stop + series._check_time(gap, "offset") - other.t_start
        moved = other.times + shift
        if result.times.size and moved.size and moved.min() < result.times.max() - TIME_TOLERANCE:
            raise ValueError(
                f"{series._label}: `append_t` with offset {gap!r} s would place series number "
                f"{i} before the last sample ({float(result.times.max())!r} s); the samples "
                "would interleave. Use a larger offset, or `merge`."
            )
        channels = max(result.num_channels, other.num_channels)
        result = result._with_samples(
            np.concatenate([result.times, moved]),
            np.concatenate([_widen(result.samples, channels), _widen(other.samples, channels)]),
            False,
            t_stop=max(result.t_stop, other.t_stop + shift),
        )
        previous = other
    return result


def append_c(series: TSContinuous, others: Any) -> TSContinuous:
    """`TSContinuous.append_c` without the ``inplace`` handling."""
    if not (_is_continuous(others) or isinstance(others, (list, tuple))):
        raise TypeError(
            f"{series._label}: `other_series` must be a TSContinuous object; "
            f"got {type(others).__name__}."
        )
    result = series
    for other in _series_list(series, others, "append"):
        if _neutral(other):
            continue
        # The other series is sampled on this series' time base (its own range rules apply).
        values = other(result.times)
        result = result._with_samples(
            result.times, np.concatenate([result.samples, values], axis=1), result.periodic
        )
    return result
