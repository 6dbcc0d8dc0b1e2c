"""`TSContinuous[...]`: indexing by time, then by channel (Rockpool's rules, §3.4 of the spec).

* ``ts[a:b]`` is ``ts.clip(a, b, include_stop=(b is None), sample_limits=False)``: the original
  samples in ``[a, b)``.
* ``ts[a:b:s]`` resamples at ``np.arange(a, b, |s|)`` (points at or after `t_stop` dropped),
  reversed for ``s < 0``; a number or a list of numbers resamples there, in the order given.
  Integers are times in seconds, not positions (use ``ts.times[i]`` / ``ts.samples[i]``).
* Channels: an int, a list, or a slice ``a:b:s`` taken as ``arange(a, b, |s|)`` (negative
  bounds count from the end), reversed for ``s < 0``.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np

from ._continuous_edit import channel_columns, clip, resample
from ._errors import ChannelIndexError, no_channels_message

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["get_item"]


def _split(series: TSContinuous, key: Any) -> tuple[Any, Any]:
    if not isinstance(key, tuple):
        return key, None
    if len(key) > 2:
        raise IndexError(
            f"TSContinuous: `{series.name or 'unnamed'}`: Supports at most 2 indices "
            "(times and channels)."
        )
    return (*key, None, None)[:2]


def _channel_slice(series: TSContinuous, key: slice) -> np.ndarray:
    count = series.num_channels
    bounds = []
    for bound, default in ((key.start, 0), (key.stop, count)):
        if bound is None:
            bounds.append(default)
        elif isinstance(bound, numbers.Integral) and not isinstance(bound, bool):
            bounds.append(int(bound) + count if bound < 0 else int(bound))
        else:
            raise TypeError(f"{series._label}: channel slice bounds must be integers; got {key!r}.")
    step = 1 if key.step is None else int(key.step)
    if step == 0:
        raise ValueError(f"{series._label}: a channel slice step must not be 0.")
    if bounds[0] < 0 or bounds[1] > count:
        raise ChannelIndexError(no_channels_message(series._label, count))
    ids = np.arange(bounds[0], bounds[1], abs(step))
    return ids[::-1] if step < 0 else ids


def _channels(series: TSContinuous, key: Any) -> np.ndarray:
    if key is None:
        return np.arange(series.num_channels)
    if isinstance(key, slice):
        return _channel_slice(series, key)
    ids = np.atleast_1d(np.asarray(key))
    if ids.dtype == np.bool_:
        raise TypeError(f"{series._label}: channels must be given as integers, not booleans.")
    if ids.size and np.issubdtype(ids.dtype, np.integer):
        # Negative channel ids count from the end, as in NumPy.
        ids = np.where(ids < 0, ids + series.num_channels, ids)
    return channel_columns(series, ids)


def _step_points(series: TSContinuous, key: slice) -> np.ndarray:
    start = series.t_start if key.start is None else series._check_time(key.start, "start")
    stop = series.t_stop if key.stop is None else series._check_time(key.stop, "stop")
    step = series._check_time(key.step, "step")
    if step == 0:
        raise ValueError(f"{series._label}: a time slice step must not be 0.")
    # np.arange computes start + k*|step|, which is what users compare sample times with.
    points = np.arange(start, stop, abs(step))
    if not series.periodic:
        points = points[(points >= series.t_start) & (points < series.t_stop)]
    return points[::-1] if step < 0 else points


def get_item(series: TSContinuous, key: Any) -> TSContinuous:
    """`TSContinuous.__getitem__`; see the module docstring."""
    time_key, channel_key = _split(series, key)
    columns = _channels(series, channel_key)
    if time_key is None or (isinstance(time_key, slice) and time_key == slice(None)):
        return series._with_samples(series.times, series.samples[:, columns], series.periodic)
    if isinstance(time_key, slice):
        if time_key.step is None:
            return clip(
                series,
                time_key.start,
                time_key.stop,
                columns,
                include_stop=time_key.stop is None,
                sample_limits=False,
            )
        return resample(series, _step_points(series, time_key), columns)
    points = np.asarray(time_key)
    if points.dtype == np.bool_:
        raise TypeError(
            f"{series._label}: indexing is by time in seconds; a boolean mask is not a time "
            "index (select positions with `ts.times[mask]` / `ts.samples[mask]`)."
        )
    return resample(series, points, columns)
