"""Interpolation of sampled signals (NumPy only, all channels at once)."""

from __future__ import annotations

import numpy as np

from ._base import TIME_TOLERANCE

__all__ = ["INTERP_KINDS", "interpolate"]

#: Supported interpolation kinds.
#: ``previous``: sample-and-hold, the value of the last sample at or before ``t``.
#: ``linear``: straight line between neighbouring samples.
#: ``next``: the value of the first sample at or after ``t``.
#: ``nearest``: the value of the closest sample (the earlier one on a tie).
INTERP_KINDS = ("previous", "linear", "next", "nearest")


def interpolate(
    times: np.ndarray,
    samples: np.ndarray,
    query: np.ndarray,
    kind: str,
    fill_value: float | str,
) -> np.ndarray:
    """Evaluate a sampled signal at ``query`` times.

    Args:
        times: Sample times in seconds, shape ``(T,)``, sorted, ``T >= 1``.
        samples: Sample values, shape ``(T, C)``.
        query: Requested times in seconds, shape ``(N,)``.
        kind: One of `INTERP_KINDS`.
        fill_value: ``"extrapolate"`` or a number. Used for query times before the first or
            after the last sample. ``"extrapolate"`` holds the first/last value for
            ``previous`` and continues the first/last segment for ``linear``.

    Returns:
        Values at ``query``, shape ``(N, C)``.
    """
    if kind == "previous":
        values = _previous(times, samples, query)
    elif kind == "next":
        index = np.searchsorted(times, query - TIME_TOLERANCE, side="left")
        values = samples[np.clip(index, 0, times.size - 1)]
    elif kind == "nearest":
        right = np.clip(np.searchsorted(times, query), 0, times.size - 1)
        left = np.clip(right - 1, 0, times.size - 1)
        closer_left = np.abs(query - times[left]) <= np.abs(times[right] - query)
        values = samples[np.where(closer_left, left, right)]
    else:
        values = _linear(times, samples, query)
    if isinstance(fill_value, str):
        return values
    outside = (query < times[0] - TIME_TOLERANCE) | (query > times[-1] + TIME_TOLERANCE)
    if outside.any():
        values = values.astype(np.result_type(values, np.asarray(fill_value)), copy=True)
        values[outside] = fill_value
    return values


def _previous(times: np.ndarray, samples: np.ndarray, query: np.ndarray) -> np.ndarray:
    # The tolerance makes a query a few ulps before a sample time pick that sample: times built
    # as t_start + k*dt in two different ways must give the same value.
    index = np.searchsorted(times, query + TIME_TOLERANCE, side="right") - 1
    # Before the first sample there is no previous value; hold the first one.
    return samples[np.clip(index, 0, None)]


def _linear(times: np.ndarray, samples: np.ndarray, query: np.ndarray) -> np.ndarray:
    if times.size == 1:
        return np.repeat(samples, query.size, axis=0)
    # Segment i runs from times[i] to times[i + 1]; queries outside the samples use the first
    # or last segment, which extrapolates linearly.
    index = np.clip(np.searchsorted(times, query, side="right") - 1, 0, times.size - 2)
    left, right = times[index], times[index + 1]
    width = right - left
    # Repeated time stamps make zero-width segments (a jump): take the later value at or after
    # the jump and the earlier one before it.
    safe_width = np.where(width > 0, width, 1.0)
    weight = np.where(width > 0, (query - left) / safe_width, (query >= right).astype(float))
    start, stop = samples[index], samples[index + 1]
    return start + weight[:, None] * (stop - start)
