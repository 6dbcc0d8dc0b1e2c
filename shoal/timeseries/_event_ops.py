"""The work behind `TSEvent`'s window queries and editing methods.

Each function takes the series as its first argument and returns arrays or a new series;
``inplace`` handling stays in the class.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import num_timesteps
from ._classes import series_class
from ._continuous_ops import as_list, per_series

if TYPE_CHECKING:
    from .event import TSEvent

__all__ = [
    "append_c",
    "append_t",
    "clip",
    "events_between",
    "merge",
    "raster_steps",
    "remap",
    "validate_channels",
]


def validate_channels(label: str, channels: Any, count: int) -> np.ndarray:
    """Channel ids for ``count`` events as ``int64`` ``(E,)``; ``None`` means all channel 0."""
    ids = np.asarray(channels) if channels is not None else np.zeros(0)
    if (ids.size == 0 and ids.ndim == 1) or channels is None:
        # Rockpool: no channels (None or empty) means channel 0 for every event.
        return np.zeros(count, dtype=np.int64)
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


def _series_list(series: TSEvent, others: Any, method: str) -> list[TSEvent]:
    items = as_list(others)
    event_class = series_class("TSEvent")
    for item in items:
        if not isinstance(item, event_class):
            raise TypeError(
                f"{series._label}: Can only {method} with `TSEvent` objects; "
                f"got {type(item).__name__}."
            )
    return items


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
    times, ids = series(start, stop, channels=channels)
    num_channels = series.num_channels
    if remap_channels:
        if channels is None:
            # Rockpool's rule: the ids present are renumbered 0 .. k-1 in increasing order.
            wanted = np.unique(ids)
        else:
            wanted = series._select_channels(channels, series.num_channels, series.num_channels)
            if np.unique(wanted).size != wanted.size:
                raise ValueError(
                    f"{series._label}: `channels` must not repeat when remapping; "
                    f"got {wanted.tolist()}."
                )
            # Each requested channel maps to its rank in the sorted request, whether or not
            # it has events in the window (Rockpool's mapping depends on that: a trap).
            wanted = np.sort(wanted)
        ids = np.searchsorted(wanted, ids)
        num_channels = wanted.size
    same = (start, stop) == (series.t_start, series.t_stop)
    return series._with_events(
        times,
        ids,
        t_start=start,
        t_stop=stop,
        num_channels=num_channels,
        periodic=series.periodic and same,
    )


def remap(series: TSEvent, channel_map: Any) -> TSEvent:
    """`TSEvent.remap_channels` without the ``inplace`` handling."""
    mapping = np.asarray(channel_map)
    if mapping.ndim != 1 or mapping.size != series.num_channels:
        raise ValueError(
            f"{series._label}: `channel_map` must be of size {series.num_channels}; "
            f"got shape {mapping.shape}."
        )
    mapping = validate_channels(series._label, mapping, mapping.size)
    ids = mapping[series.channels]
    return series._with_events(
        series.times,
        ids,
        num_channels=max(series.num_channels, int(mapping.max(initial=-1)) + 1),
    )


def _sorted(times: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(times, kind="stable")  # ties keep the earlier series' events first
    return times[order], ids[order]


def _combine(series: TSEvent, parts: list[tuple[np.ndarray, np.ndarray]], remove: bool) -> Any:
    times = np.concatenate([p[0] for p in parts])
    ids = np.concatenate([p[1] for p in parts])
    if remove and times.size:
        order = np.lexsort((ids, times))
        times, ids = times[order], ids[order]
        fresh = np.ones(times.size, dtype=bool)
        fresh[1:] = (np.diff(times) != 0) | (np.diff(ids) != 0)
        return times[fresh], ids[fresh]
    return _sorted(times, ids)


def merge(series: TSEvent, others: Any, delay: Any, remove_duplicates: bool) -> TSEvent:
    """`TSEvent.merge` without the ``inplace`` handling."""
    items = _series_list(series, others, "merge")
    delays = per_series(series._label, delay, len(items), "delay")
    moved = [item.delay(series._check_time(d, "delay")) for item, d in zip(items, delays)]
    everything = [series, *moved]
    times, ids = _combine(series, [(s.times, s.channels) for s in everything], remove_duplicates)
    start = min(s.t_start for s in everything)
    stop = max(s.t_stop for s in everything)
    return series._with_events(
        times,
        ids,
        t_start=start,
        t_stop=stop,
        num_channels=max(s.num_channels for s in everything),
        # The period is the duration: it survives only if the range does.
        periodic=series.periodic and (start, stop) == (series.t_start, series.t_stop),
    )


def append_t(series: TSEvent, others: Any, offset: Any, remove_duplicates: bool) -> TSEvent:
    """`TSEvent.append_t` without the ``inplace`` handling (``offset=None`` means 0)."""
    items = _series_list(series, others, "append")
    offsets = per_series(series._label, offset, len(items), "offset")
    moved, end = [], series.t_stop
    for item, gap in zip(items, offsets):
        gap = 0.0 if gap is None else series._check_time(gap, "offset")
        shifted = item.delay(end + gap - item.t_start)
        moved.append(shifted)
        end = shifted.t_stop
    everything = [series, *moved]
    times, ids = _combine(series, [(s.times, s.channels) for s in everything], remove_duplicates)
    return series._with_events(
        times,
        ids,
        t_start=min(s.t_start for s in everything),
        t_stop=max(s.t_stop for s in everything),
        num_channels=max(s.num_channels for s in everything),
        periodic=False,
    )


def append_c(series: TSEvent, others: Any) -> TSEvent:
    """`TSEvent.append_c` without the ``inplace`` handling."""
    result = series
    for other in _series_list(series, others, "append"):
        times, ids = _sorted(
            np.concatenate([result.times, other.times]),
            np.concatenate([result.channels, other.channels + result.num_channels]),
        )
        result = result._with_events(
            times,
            ids,
            t_start=min(result.t_start, other.t_start),
            t_stop=max(result.t_stop, other.t_stop),
            num_channels=result.num_channels + other.num_channels,
            periodic=False,
        )
    return result
