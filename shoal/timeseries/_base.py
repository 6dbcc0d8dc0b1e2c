"""`TimeSeries`: what continuous and event series share (time range, periodicity, name).

Conventions used by the whole package:

* Times are in seconds and stored as 1-D ``float64`` arrays.
* A series covers the interval ``[t_start, t_stop]``; ``duration = t_stop - t_start``.
* Every error message starts with the series' label, e.g. ``TSContinuous `unnamed`:``.
"""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Iterable
from typing import Any, TypeVar

import numpy as np

from ._base_methods import SeriesFilesAndPlots
from ._classes import file_series_class
from ._errors import ChannelIndexError, no_channels_message
from ._range import set_t_start, set_t_stop, set_times

__all__ = ["STEP_TOLERANCE", "TIME_TOLERANCE", "TimeSeries", "num_timesteps"]

#: Absolute tolerance (seconds) when comparing a requested time with a series' time range or
#: sample times. Times built as ``t_start + k * dt`` in different ways differ by a few ulps;
#: such a difference must not turn a valid request into an error or pick the wrong sample.
TIME_TOLERANCE = 1e-9

#: Tolerance, as a fraction of one step, when converting a duration or a time into whole steps
#: of ``dt``. ``0.3 / 0.1`` is ``2.9999999999999996`` in floating point, which must count as 3.
STEP_TOLERANCE = 1e-7

_TS = TypeVar("_TS", bound="TimeSeries")


def num_timesteps(duration: float, dt: float) -> int:
    """Number of time steps of length ``dt`` needed to cover ``duration``.

    Rule: the smallest whole number of steps whose total length reaches ``duration``, i.e.
    ``ceil(duration / dt)``, where a ratio within ``STEP_TOLERANCE`` of a whole number counts as
    that whole number. Floating-point error therefore neither adds nor loses a step, and a
    trailing partial step is kept (so no event or sample near ``t_stop`` is dropped).

    Args:
        duration: Length of the interval in seconds (``>= 0``).
        dt: Step length in seconds (``> 0``).

    Returns:
        The number of steps ``T >= 0``.

    Examples:
        >>> num_timesteps(0.3, 0.1)
        3
        >>> num_timesteps(0.25, 0.1)
        3
        >>> num_timesteps(0.0, 0.1)
        0
    """
    ratio = duration / dt
    nearest = round(ratio)
    if abs(ratio - nearest) <= STEP_TOLERANCE * max(1.0, abs(nearest)):
        return max(int(nearest), 0)
    return max(math.ceil(ratio), 0)


def keep_axis(key: Any) -> Any:
    """Turn an integer index into a one-element list, so indexing keeps that axis."""
    return [int(key)] if isinstance(key, numbers.Integral) else key


def _format_values(values: np.ndarray, limit: int = 5) -> str:
    """Short text for a few offending values (long lists are cut so messages stay readable)."""
    shown = ", ".join(repr(float(v)) for v in values[:limit])
    more = f", ... ({values.size} in all)" if values.size > limit else ""
    return f"[{shown}{more}]"


@file_series_class
class TimeSeries(SeriesFilesAndPlots):
    """Base class of `TSContinuous` and `TSEvent`: a time range, a name and periodicity.

    Not usually built directly; it holds the time stamps and the interval ``[t_start, t_stop]``
    they live in. Subclasses add the values (samples or event channels).

    Args:
        times: Time stamps in seconds, shape ``(N,)``; sorted, not decreasing, finite.
        periodic: If ``True`` the series repeats with period ``duration``.
        t_start: Start of the series in seconds. Default: the first time stamp, or 0.
        t_stop: End of the series in seconds. Default: the last time stamp, or ``t_start``.
        name: Name used in ``repr`` and error messages. Default: ``None`` (shown as
            ``unnamed``).
    """

    def __init__(
        self,
        times: Iterable[float] | np.ndarray | None = None,
        periodic: bool = False,
        t_start: float | None = None,
        t_stop: float | None = None,
        name: str | None = None,
    ) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(
                f"{type(self).__name__}: `name` must be a string or None, "
                f"got {type(name).__name__} {name!r}."
            )
        self._name = name
        self._periodic = bool(periodic)
        self._times = self._validate_times(times)
        self._t_start = self._resolve_t_start(t_start)
        self._t_stop = self._resolve_t_stop(t_stop)
        if self._periodic and not self.duration > 0:
            raise ValueError(
                f"{self._label}: a periodic series needs a duration > 0 (its period); "
                f"got t_start={self._t_start!r}, t_stop={self._t_stop!r}."
            )

    # -- validation ---------------------------------------------------------------------------

    @property
    def _label(self) -> str:
        return f"{type(self).__name__} `{self.name or 'unnamed'}`"

    def _validate_times(self, times: Iterable[float] | np.ndarray | None) -> np.ndarray:
        if times is None:
            return np.zeros(0)
        array = np.asarray(times)
        if array.ndim == 0 or (array.ndim == 2 and 1 in array.shape):
            # A scalar is one time point; a row or column of times is common in user code.
            array = array.reshape(-1)
        if array.ndim != 1:
            raise ValueError(
                f"{self._label}: `times` must be a 1-D array of time points in seconds "
                f"(or a (T, 1) / (1, T) array); got an array of shape {array.shape}."
            )
        if array.size and not np.issubdtype(array.dtype, np.number):
            raise TypeError(
                f"{self._label}: `times` must hold numbers (seconds); got dtype {array.dtype}."
            )
        array = array.astype(np.float64)
        bad = ~np.isfinite(array)
        if bad.any():
            raise ValueError(
                f"{self._label}: `times` must be finite; got non-finite values at indices "
                f"{np.flatnonzero(bad)[:5].tolist()}."
            )
        return self._order_times(array)

    def _order_times(self, times: np.ndarray) -> np.ndarray:
        """Reject decreasing time stamps (`TSEvent` sorts its events before they get here)."""
        decreasing = np.flatnonzero(np.diff(times) < 0)
        if decreasing.size:
            i = int(decreasing[0])
            raise ValueError(
                f"{self._label}: The time trace must be sorted and not decreasing. "
                f"times[{i}] = {float(times[i])!r} is followed by times[{i + 1}] = "
                f"{float(times[i + 1])!r}."
            )
        return times

    def _check_time(self, value: Any, what: str) -> float:
        try:
            result = float(value)
        except (TypeError, ValueError):
            raise TypeError(
                f"{self._label}: `{what}` must be a number of seconds; got {value!r}."
            ) from None
        if not math.isfinite(result):
            raise ValueError(f"{self._label}: `{what}` must be finite; got {result!r}.")
        return result

    def _resolve_t_start(self, t_start: float | None) -> float:
        if t_start is None:
            return float(self._times[0]) if self._times.size else 0.0
        value = self._check_time(t_start, "t_start")
        if self._times.size and value > self._times[0] + TIME_TOLERANCE:
            raise ValueError(
                f"{self._label}: `t_start` must not be later than the first time point "
                f"({float(self._times[0])!r}); got t_start={value!r}."
            )
        return min(value, float(self._times[0])) if self._times.size else value

    def _resolve_t_stop(self, t_stop: float | None) -> float:
        if t_stop is None:
            return float(self._times[-1]) if self._times.size else self._t_start
        value = self._check_time(t_stop, "t_stop")
        if self._times.size and value < self._times[-1] - TIME_TOLERANCE:
            raise ValueError(
                f"{self._label}: `t_stop` must not be earlier than the last time point "
                f"({float(self._times[-1])!r}); got t_stop={value!r}."
            )
        if value < self._t_start:
            raise ValueError(
                f"{self._label}: `t_stop` must not be earlier than `t_start` "
                f"({self._t_start!r}); got t_stop={value!r}."
            )
        return max(value, float(self._times[-1])) if self._times.size else value

    # -- properties ---------------------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """Name of the series (``None`` when unnamed)."""
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(
                f"{self._label}: `name` must be a string or None, "
                f"got {type(value).__name__} {value!r}."
            )
        self._name = value

    @property
    def times(self) -> np.ndarray:
        """Time stamps in seconds, shape ``(N,)``, ``float64``.

        Settable with the same number of points, not decreasing; the range then widens to
        include them (``t_start = min(t_start, first)``, ``t_stop = max(t_stop, last)``). To
        shift a series use `delay` instead, which moves the range too.
        """
        return self._times

    @times.setter
    def times(self, values: Iterable[float] | np.ndarray) -> None:
        set_times(self, values)

    @property
    def t_start(self) -> float:
        """Start of the series in seconds.

        Settable up to the first time point (the value ``t_stop`` for an empty series); a value
        at most 1e-9 s later than the first time point is snapped onto it.
        """
        return self._t_start

    @t_start.setter
    def t_start(self, value: float) -> None:
        set_t_start(self, value)

    @property
    def t_stop(self) -> float:
        """End of the series in seconds.

        Settable down to the last sample time (`TSEvent`: just after the last event); a value
        at most 1e-9 s below that minimum is snapped onto it.
        """
        return self._t_stop

    @t_stop.setter
    def t_stop(self, value: float) -> None:
        set_t_stop(self, value)

    def _min_t_stop(self) -> float:
        """The smallest valid `t_stop`: the last time point (or `t_start` when empty)."""
        return float(self._times.max()) if self._times.size else self._t_start

    @property
    def duration(self) -> float:
        """``t_stop - t_start`` in seconds (the period of a periodic series)."""
        return self._t_stop - self._t_start

    @property
    def periodic(self) -> bool:
        """Whether the series repeats with period `duration`."""
        return self._periodic

    def isempty(self) -> bool:
        """``True`` if the series holds no samples or events."""
        return self._times.size == 0

    def __len__(self) -> int:
        return int(self._times.size)

    # -- time helpers -------------------------------------------------------------------------

    def contains(self, times: float | Iterable[float] | np.ndarray) -> bool:
        """Whether every time in ``times`` lies in ``[t_start, t_stop]`` (always for periodic)."""
        values = np.atleast_1d(np.asarray(times, dtype=np.float64))
        if self._periodic:
            return bool(np.isfinite(values).all())
        return bool(
            (values >= self._t_start - TIME_TOLERANCE).all()
            and (values <= self._t_stop + TIME_TOLERANCE).all()
        )

    def _select_channels(self, channels: Any, count: int, limit: int | None = None) -> np.ndarray:
        """Validate a channel selection; ``None`` means ``range(count)``.

        Args:
            channels: An integer, a 1-D integer sequence or ``None``.
            count: Number of channels selected by ``None``.
            limit: If given, every channel must be below it.
        """
        if channels is None:
            return np.arange(count)
        ids = np.atleast_1d(np.asarray(channels))
        if ids.size == 0:
            return np.zeros(0, dtype=np.int64)
        if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(
                f"{self._label}: `channels` must be an integer or a 1-D sequence of integers; "
                f"got {channels!r}."
            )
        if limit is None:
            if (ids < 0).any():
                raise ChannelIndexError(
                    f"{self._label}: channel ids must be non-negative; got {ids[ids < 0].tolist()}."
                )
        elif ((ids < 0) | (ids >= limit)).any():
            raise ChannelIndexError(
                f"{no_channels_message(self._label, limit)} Got {ids.tolist()}."
            )
        return ids.astype(np.int64)

    def _wrap_periodic(self, times: np.ndarray) -> np.ndarray:
        """Map times into ``[t_start, t_stop)`` for a periodic series."""
        if not self._periodic:
            return times
        return self._t_start + np.mod(times - self._t_start, self.duration)

    # -- copies and shifts --------------------------------------------------------------------

    def copy(self: _TS) -> _TS:
        """Return an independent copy (arrays are copied too)."""
        new = copy.copy(self)
        for key, value in vars(self).items():
            if isinstance(value, np.ndarray):
                setattr(new, key, value.copy())
        return new

    def _finish(self: _TS, new: _TS, inplace: bool) -> _TS:
        """Return ``new``, or, for ``inplace=True``, move its content into ``self``."""
        if not inplace:
            return new
        vars(self).update(vars(new))
        return self

    def delay(self: _TS, offset: float, inplace: bool = False) -> _TS:
        """Shift the series in time by ``offset`` seconds (times, `t_start` and `t_stop`).

        Args:
            offset: Shift in seconds; negative values move the series earlier.
            inplace: Change this object instead of returning a shifted copy.

        Returns:
            The shifted series.
        """
        shift = self._check_time(offset, "offset")
        new = self.copy()
        new._times = self._times + shift
        new._t_start = self._t_start + shift
        new._t_stop = self._t_stop + shift
        return self._finish(new, inplace)

    def start_at(self: _TS, t_start: float, inplace: bool = False) -> _TS:
        """Shift the series so that it starts at ``t_start`` seconds."""
        return self.delay(self._check_time(t_start, "t_start") - self._t_start, inplace=inplace)

    def start_at_zero(self: _TS, inplace: bool = False) -> _TS:
        """Shift the series so that it starts at 0 s."""
        return self.start_at(0.0, inplace=inplace)

    def _periodic_word(self) -> str:
        return "periodic" if self._periodic else "non-periodic"
