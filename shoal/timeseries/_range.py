"""Setters of a series' range and time stamps (`t_start`, `t_stop`, `times`).

Kept apart from ``_base.py`` so the class file stays short. Rule: a new bound may not cut off
a time point; a value on the wrong side by at most `SNAP_TOLERANCE` is snapped onto the limit,
because times built as ``t_start + k * dt`` in two ways differ by a few ulps and such a
difference must not make an assignment fail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import check_real

if TYPE_CHECKING:
    from ._base import TimeSeries

__all__ = [
    "SNAP_TOLERANCE",
    "number_text",
    "short_number",
    "set_t_start",
    "set_t_stop",
    "set_times",
]

#: Largest distance (seconds) by which an assigned bound may cut off a time point and still be
#: snapped onto it instead of rejected.
SNAP_TOLERANCE = 1e-9


def number_text(value: float) -> str:
    """A number as printed in range messages."""
    return repr(float(value))


def short_number(value: float) -> str:
    """``0`` rather than ``0.0`` for whole numbers (the empty-series reprs are Rockpool's)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _as_real(series: TimeSeries, name: str, value: Any) -> float:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    return check_real(series._label, name, value)


def _check_period(series: TimeSeries, start: float, stop: float) -> None:
    if series.periodic and not stop > start:
        raise ValueError(
            f"{series._label}: a periodic series needs t_stop > t_start (its period); "
            f"got t_start={start!r}, t_stop={stop!r}."
        )


def set_t_start(series: TimeSeries, value: Any) -> None:
    """Assign `t_start`, snapping a value up to 1e-9 s after its limit onto the limit."""
    new = _as_real(series, "t_start", value)
    limit = float(series.times.min()) if series.times.size else series.t_stop
    if new > limit:
        if new - limit > SNAP_TOLERANCE:
            raise ValueError(
                f"{series._label}: t_start must be less or equal to {number_text(limit)}. "
                f"It was {new!r}."
            )
        new = limit
    _check_period(series, new, series.t_stop)
    series._t_start = new


def set_t_stop(series: TimeSeries, value: Any) -> None:
    """Assign `t_stop`, snapping a value up to 1e-9 s below its minimum onto the minimum."""
    new = _as_real(series, "t_stop", value)
    limit = series._min_t_stop()
    if new < limit:
        if limit - new > SNAP_TOLERANCE:
            raise ValueError(
                f"{series._label}: t_stop must be greater or equal to {number_text(limit)}. "
                f"It was {new!r}."
            )
        new = limit
    _check_period(series, series.t_start, new)
    series._t_stop = new


def set_times(series: TimeSeries, values: Any) -> None:
    """Assign new time stamps (same count, not decreasing); the range widens to hold them."""
    new = series._validate_times(values)
    if new.size != series.times.size:
        raise ValueError(
            f"{series._label}: New time trace must have the same number of elements as the "
            f"original trace ({series.times.size}); got {new.size}."
        )
    old = (series._times, series._t_start, series._t_stop)
    series._times = new
    if new.size:
        series._t_start = min(series._t_start, float(new[0]))
        series._t_stop = max(series._t_stop, series._min_t_stop())
    try:
        _check_period(series, series._t_start, series._t_stop)
    except ValueError:
        series._times, series._t_start, series._t_stop = old
        raise
