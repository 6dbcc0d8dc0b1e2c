"""The work behind `TSEvent`'s window queries and editing methods.

Each function takes the series as its first argument and returns arrays or a new series;
``inplace`` handling stays in the class.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import num_timesteps
from ._continuous_ops import as_list

if TYPE_CHECKING:
    from .event import TSEvent

__all__ = [
    "append_c",
    "append_t",
    "clip",
    "events_between",
    "merge",
    "raster_steps",
    "validate_channels",
]


def validate_channels(label: str, channels: Any, count: int) -> np.ndarray:
    """Channel ids for ``count`` events as ``int64`` ``(E,)``; ``None`` means all channel 0."""
    if channels is None:
        return np.zeros(count, dtype=np.int64)
    ids = np.asarray(channels)
    if ids.ndim == 0:
        ids = np.full(count, ids)
    if ids.ndim != 1 or ids.size != count:
        raise ValueError(
            f"{label}: `channels` must have one entry per event: expected shape "
            f"({count},) (len(times)), got {ids.shape}."
        )
    if ids.size and not (
        np.issubdtype(ids.dtype, np.integer)
        or (np.issubdtype(ids.dtype, np.floating) and (ids == np.round(ids)).all())
    ):
        raise TypeError(
            f"{label}: `channels` must hold integer channel ids; got {ids[:5].tolist()}."
        )
    if (ids < 0).any():
        raise ValueError(
            f"{label}: channel ids must be non-negative; got {ids[ids < 0][:5].tolist()}."
        )
    return ids.astype(np.int64)


def raster_steps(
    series: TSEvent, start: float, dt: float, t_stop: float | None, num_steps: int | None
) -> int:
    """Number of raster bins from ``t_stop`` or ``num_timesteps`` (exactly one may be given)."""
    label = series._label
    if num_steps is not None:
        if t_stop is not None:
            raise ValueError(
                f"{label}: give `t_stop` or `num_timesteps` to `raster`, not both; "
                f"got t_stop={t_stop!r}, num_timesteps={num_steps!r}."
            )
        if isinstance(num_steps, bool) or not isinstance(num_steps, numbers.Integral):
            raise TypeError(f"{label}: `num_timesteps` must be an integer; got {num_steps!r}.")
        if num_steps < 0:
            raise ValueError(f"{label}: `num_timesteps` must be >= 0; got {num_steps!r}.")
        return int(num_steps)
    stop = series.t_stop if t_stop is None else series._check_time(t_stop, "t_stop")
    if stop < start:
        raise ValueError(f"{label}: `raster` needs t_start <= t_stop; got [{start!r}, {stop!r}].")
    return num_timesteps(stop - start, dt)


def events_between(
    series: TSEvent, start: float, stop: float, include_stop: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Event times and channels in ``[start, stop)`` (or ``[start, stop]``), sorted by time.

    A periodic series is unrolled: its events repeat every `duration` seconds.
    """
    if series.periodic:
        first = int(np.floor((start - series.t_start) / series.duration))
        last = int(np.floor((stop - series.t_start) / series.duration))
        shifts = np.arange(first, last + 1)[:, None] * series.duration
        times = (series.times[None, :] + shifts).ravel()
        ids = np.tile(series.channels, shifts.shape[0])
    else:
        times, ids = series.times, series.channels
    before_stop = times <= stop if include_stop else times < stop
    keep = (times >= start) & before_stop
    return times[keep], ids[keep]


def _check_type(series: TSEvent, other: Any, method: str) -> None:
    from .event import TSEvent

    if not isinstance(other, TSEvent):
        raise TypeError(
            f"{series._label}: `{method}` expects TSEvent objects; got {type(other).__name__}."
        )


def clip(
    series: TSEvent,
    t_start: float | None,
    t_stop: float | None,
    channels: Any,
    remap_channels: bool,
) -> TSEvent:
    """`TSEvent.clip` without the ``inplace`` handling."""
    start = series.t_start if t_start is None else series._check_time(t_start, "t_start")
    stop = series.t_stop if t_stop is None else series._check_time(t_stop, "t_stop")
    if stop < start:
        raise ValueError(
            f"{series._label}: `clip` needs t_start <= t_stop; got [{start!r}, {stop!r}]."
        )
    times, ids = events_between(series, start, stop)
    num_channels = series.num_channels
    if channels is not None:
        wanted = series._select_channels(channels, series.num_channels)
        keep = np.isin(ids, wanted)
        times, ids = times[keep], ids[keep]
        if remap_channels:
            if np.unique(wanted).size != wanted.size:
                raise ValueError(
                    f"{series._label}: `channels` must not repeat when remapping; "
                    f"got {wanted.tolist()}."
                )
            lookup = np.zeros(int(wanted.max(initial=-1)) + 1, dtype=np.int64)
            lookup[wanted] = np.arange(wanted.size)
            ids = lookup[ids]
            num_channels = wanted.size
        else:
            num_channels = max(num_channels, int(wanted.max(initial=-1)) + 1)
    return series._with_events(
        times, ids, t_start=start, t_stop=stop, num_channels=num_channels, periodic=False
    )


def append_t(series: TSEvent, others: Any, offset: float) -> TSEvent:
    """`TSEvent.append_t` without the ``inplace`` handling."""
    gap = series._check_time(offset, "offset")
    result = series
    for other in as_list(others):
        _check_type(series, other, "append_t")
        shift = result.t_stop + gap - other.t_start
        result = result._with_events(
            np.concatenate([result.times, other.times + shift]),
            np.concatenate([result.channels, other.channels]),
            t_stop=max(result.t_stop, other.t_stop + shift),
            num_channels=max(result.num_channels, other.num_channels),
            periodic=False,
        )
    return result


def append_c(series: TSEvent, others: Any) -> TSEvent:
    """`TSEvent.append_c` without the ``inplace`` handling."""
    result = series
    for other in as_list(others):
        _check_type(series, other, "append_c")
        result = result._with_events(
            np.concatenate([result.times, other.times]),
            np.concatenate([result.channels, other.channels + result.num_channels]),
            t_start=min(result.t_start, other.t_start),
            t_stop=max(result.t_stop, other.t_stop),
            num_channels=result.num_channels + other.num_channels,
            periodic=False,
        )
    return result


def merge(series: TSEvent, others: Any, remove_duplicates: bool) -> TSEvent:
    """`TSEvent.merge` without the ``inplace`` handling."""
    result = series
    for other in as_list(others):
        _check_type(series, other, "merge")
        times = np.concatenate([result.times, other.times])
        ids = np.concatenate([result.channels, other.channels])
        if remove_duplicates:
            # Sort by time, then channel, and drop each pair equal to its predecessor.
            order = np.lexsort((ids, times))
            times, ids = times[order], ids[order]
            fresh = np.ones(times.size, dtype=bool)
            fresh[1:] = (np.diff(times) != 0) | (np.diff(ids) != 0)
            times, ids = times[fresh], ids[fresh]
        start, stop = min(result.t_start, other.t_start), max(result.t_stop, other.t_stop)
        result = result._with_events(
            times,
            ids,
            t_start=start,
            t_stop=stop,
            num_channels=max(result.num_channels, other.num_channels),
            # The period is the duration: it survives only if the range does.
            periodic=result.periodic and (start, stop) == (result.t_start, result.t_stop),
        )
    return result
