"""`TSContinuous`: a multi-channel signal sampled at (possibly irregular) time points."""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _continuous_ops as ops
from ._arithmetic import ContinuousArithmetic
from ._base import TimeSeries, num_timesteps
from ._classes import file_series_class
from ._continuous_methods import ContinuousEditing
from ._errors import check_flag
from ._interpolate import INTERP_KINDS
from ._range import short_number
from ._sampling import sample

__all__ = ["TSContinuous"]

ArrayLike = Any  # anything `np.asarray` accepts


@file_series_class
class TSContinuous(ContinuousArithmetic, ContinuousEditing, TimeSeries):
    """A continuous signal: samples ``(T, C)`` taken at times ``(T,)``, in seconds.

    Calling the series, ``ts(t)``, interpolates it at the requested times (``"previous"``,
    sample-and-hold, by default; or ``"linear"``). Indexing is by **time**: ``ts[0.2:0.8]``,
    ``ts[0.5, [0, 2]]`` (see `__getitem__`); for positions use ``ts.times[i]`` /
    ``ts.samples[i]``. Requests outside ``[t_start, t_stop]`` raise a `ValueError`, or give NaN
    and a warning with ``beyond_range_exception = False``. A periodic series is sampled modulo
    its `duration`.

    Args:
        times: Sample times in seconds, shape ``(T,)`` (a ``(T, 1)`` / ``(1, T)`` array or a
            scalar is accepted); not decreasing, finite.
        samples: Sample values, shape ``(T, C)``. Shape ``(T,)`` is one channel, except with a
            single time point, where it is one row of ``C`` channels; a scalar is one sample.
            Integer and boolean samples are stored as ``float64``; floating dtypes are kept.
        num_channels: Number of channels ``C``. Needed only for an empty series; otherwise
            it must agree with ``samples``.
        periodic: If ``True`` the series repeats with period ``t_stop - t_start``.
        t_start: Start in seconds. Default: the first sample time (0 for an empty series).
        t_stop: End in seconds. Default: the last sample time.
        name: Name shown in ``repr`` and error messages.
        units: Units of the samples (used as the plot's y label), e.g. ``"V"``.
        interp_kind: ``"previous"`` (default), ``"linear"``, ``"next"`` or ``"nearest"``.
        fill_value: ``"extrapolate"`` (default) or a number: the value between `t_start` and
            the first sample, and between the last sample and `t_stop`. ``"extrapolate"`` holds
            the first/last sample for ``previous`` and continues the end segments for ``linear``.

    Examples:
        >>> ts = TSContinuous([0.0, 1.0, 2.0], [[0, 1], [1, 2], [2, 3]])
        >>> ts
        non-periodic TSContinuous object `unnamed` from t=0.0 to 2.0. Samples: 3. Channels: 2
        >>> ts(0.5)
        array([[0., 1.]])
        >>> ts.interp_kind = "linear"
        >>> ts(0.5)
        array([[0.5, 1.5]])
    """

    def __init__(
        self,
        times: ArrayLike | None = None,
        samples: ArrayLike | None = None,
        num_channels: int | None = None,
        periodic: bool = False,
        t_start: float | None = None,
        t_stop: float | None = None,
        name: str | None = None,
        units: str | None = None,
        interp_kind: str = "previous",
        fill_value: float | str = "extrapolate",
    ) -> None:
        super().__init__(times, periodic=periodic, t_start=t_start, t_stop=t_stop, name=name)
        self._samples = ops.validate_samples(
            self._label, samples, self.times.size, times is not None, num_channels
        )
        self.units = units
        self.interp_kind = interp_kind
        self.fill_value = fill_value
        self._beyond_range_exception = True
        self._approx_limit_times = True

    # -- properties ---------------------------------------------------------------------------

    @property
    def samples(self) -> np.ndarray:
        """Sample values, shape ``(T, C)``; settable with the constructor's shape rules."""
        return self._samples

    @samples.setter
    def samples(self, values: ArrayLike) -> None:
        self._samples = ops.validate_samples(self._label, values, self.times.size, True, None)

    @property
    def num_channels(self) -> int:
        """Number of channels ``C``."""
        return int(self._samples.shape[1])

    @property
    def num_traces(self) -> int:
        """Number of channels ``C`` (Rockpool's other name for `num_channels`)."""
        return self.num_channels

    @property
    def interp_kind(self) -> str:
        """Interpolation used by ``ts(t)``: ``"previous"``, ``"linear"``, ``"next"`` or
        ``"nearest"``."""
        return self._interp_kind

    @interp_kind.setter
    def interp_kind(self, kind: str) -> None:
        if kind not in INTERP_KINDS:
            raise ValueError(
                f"{self._label}: `interp_kind` must be one of {INTERP_KINDS}; got {kind!r}."
            )
        self._interp_kind = kind

    @property
    def fill_value(self) -> float | str:
        """``"extrapolate"`` or the number used outside the sampled range."""
        return self._fill_value

    @fill_value.setter
    def fill_value(self, value: float | str) -> None:
        if not (isinstance(value, str) and value == "extrapolate") and not (
            isinstance(value, numbers.Real) and not isinstance(value, bool)
        ):
            raise ValueError(
                f"{self._label}: `fill_value` must be 'extrapolate' or a number; got {value!r}."
            )
        self._fill_value = value

    @property
    def units(self) -> str | None:
        """Units of the samples, or ``None``."""
        return self._units

    @units.setter
    def units(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{self._label}: `units` must be a string or None; got {value!r}.")
        self._units = value

    @property
    def beyond_range_exception(self) -> bool:
        """``True`` (default): sampling outside the range raises ValueError. ``False``: NaN
        rows and one UserWarning per call."""
        return self._beyond_range_exception

    @beyond_range_exception.setter
    def beyond_range_exception(self, value: bool) -> None:
        self._beyond_range_exception = check_flag(self._label, "beyond_range_exception", value)

    @property
    def approx_limit_times(self) -> bool:
        """``True`` (default): times at most ``min(1e-9, 1e-6 * duration)`` s outside the range
        are sampled at the range end. ``False``: no tolerance."""
        return self._approx_limit_times

    @approx_limit_times.setter
    def approx_limit_times(self, value: bool) -> None:
        self._approx_limit_times = check_flag(self._label, "approx_limit_times", value)

    @property
    def min(self) -> float:
        """Smallest sample value over all times and channels (NaN ignored)."""
        return float(np.nanmin(self._nonempty_samples("min")))

    @property
    def max(self) -> float:
        """Largest sample value over all times and channels (NaN ignored)."""
        return float(np.nanmax(self._nonempty_samples("max")))

    def _nonempty_samples(self, what: str) -> np.ndarray:
        if self._samples.size == 0:
            raise ValueError(f"{self._label}: `{what}` of a series without samples is undefined.")
        return self._samples

    def __repr__(self) -> str:
        name = self.name or "unnamed"
        if self.isempty():
            return (
                f"Empty TSContinuous object `{name}` from t={short_number(self.t_start)} to "
                f"{short_number(self.t_stop)}. Samples: 0. Channels: {self.num_channels}"
            )
        return (
            f"{self._periodic_word()} TSContinuous object `{name}` from t={self.t_start} to "
            f"{self.t_stop}. Samples: {self.times.size}. Channels: {self.num_channels}"
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Without this, NumPy would treat the series as a sequence and index it by position,
        # which here means sampling at 0 s, 1 s, ... (time indexing): silent garbage.
        raise TypeError(
            f"{self._label}: a TSContinuous is not an array; use `ts.samples` (shape (T, C)) "
            "or sample it with `ts(times)`."
        )

    def __iter__(self) -> Iterator[tuple[float, np.ndarray]]:
        """Yield ``(time, sample_row)`` pairs (row shape ``(C,)``)."""
        return iter(zip(self.times.tolist(), self.samples))

    def print(
        self, full: bool = False, num_first: int = 4, num_last: int = 4, limit_shorten: int = 10
    ) -> None:
        """Print the repr and one line ``<time>: <sample row>`` per sample.

        Args:
            full: Print every sample.
            num_first: Samples printed before ``...`` when shortened.
            num_last: Samples printed after ``...`` when shortened.
            limit_shorten: Shorten when there are more samples than this.
        """
        from ._printing import print_series

        rows = [f"{t}: \t {row}" for t, row in zip(self.times.tolist(), self.samples)]
        print_series(self, None, rows, full, num_first, num_last, limit_shorten)

    # -- sampling -----------------------------------------------------------------------------

    def __call__(self, times: float | ArrayLike) -> np.ndarray:
        """Interpolate the series at ``times``.

        Args:
            times: A time or times in seconds, scalar or shape ``(N,)``.

        Returns:
            Values of shape ``(N, C)`` (``(1, C)`` for a scalar). A series without samples and
            channels gives ``(N, 0)``.

        Raises:
            ValueError: If a time is NaN, or lies outside ``[t_start, t_stop]`` (non-periodic
                series, beyond the `approx_limit_times` tolerance) while
                `beyond_range_exception` is ``True``; with ``False`` those rows are NaN and a
                UserWarning is issued.
        """
        return sample(self, times)

    def _interpolate(self, times: float | ArrayLike) -> np.ndarray:
        """Same as calling the series (Rockpool's name)."""
        return sample(self, times)

    def _sorted_samples(self) -> tuple[np.ndarray, np.ndarray]:
        """Times and samples in time order (a time-indexed series may keep a given order)."""
        if self.times.size < 2 or (np.diff(self.times) >= 0).all():
            return self.times, self.samples
        order = np.argsort(self.times, kind="stable")
        return self.times[order], self.samples[order]

    @staticmethod
    def from_clocked(
        samples: ArrayLike,
        dt: float,
        t_start: float = 0.0,
        periodic: bool = False,
        name: str | None = None,
        interp_kind: str = "previous",
        units: str | None = None,
    ) -> TSContinuous:
        """Build a series from regularly clocked samples.

        Args:
            samples: Values, shape ``(T, C)``, ``(T,)`` (one channel) or a scalar (one
                sample); row ``k`` is the value during ``[t_start + k*dt, t_start + (k+1)*dt)``.
            dt: Clock period in seconds (``> 0``).
            t_start: Time of the first sample in seconds.
            periodic: Whether the series repeats.
            name: Name of the series.
            interp_kind: ``"previous"`` (default) or ``"linear"``.
            units: Units of the samples.

        Returns:
            A series with ``times = t_start + k*dt`` and ``t_stop = t_start + T*dt``.

        Examples:
            >>> TSContinuous.from_clocked([1.0, 2.0, 3.0], dt=0.5).times
            array([0. , 0.5, 1. ])
        """
        label = f"TSContinuous `{name or 'unnamed'}`"
        if samples is None:
            raise TypeError(f"{label}: TSContinuous.from_clocked: `samples` must not be `None`.")
        array = np.asarray(samples)
        if array.ndim == 0:
            array = array.reshape(1, 1)
        elif array.ndim == 1:
            array = array[:, None]
        if array.ndim != 2:
            raise ValueError(
                f"{label}: `samples` must have shape (T,) or (T, C); got shape {array.shape}."
            )
        step = ops.check_dt(dt, label)
        start = float(t_start)
        times = start + np.arange(array.shape[0]) * step
        return TSContinuous(
            times,
            array,
            periodic=periodic,
            t_start=start,
            t_stop=start + array.shape[0] * step,
            name=name,
            units=units,
            interp_kind=interp_kind,
        )

    def to_clocked(self, dt: float) -> np.ndarray:
        """Sample the series on a regular clock.

        Args:
            dt: Clock period in seconds (``> 0``).

        Returns:
            Values at ``t_start + k*dt`` for ``k < num_timesteps(duration, dt)`` (see
            `shoal.timeseries.num_timesteps` for the rounding rule), shape ``(T, C)``.
        """
        step = ops.check_dt(dt, self._label)
        count = num_timesteps(self.duration, step)
        return self(self.t_start + np.arange(count) * step)

    def _with_samples(
        self, times: np.ndarray, samples: np.ndarray, periodic: bool, **overrides: Any
    ) -> TSContinuous:
        """A copy with new times/samples and settings; ``t_start``/``t_stop`` default to the
        times' min/max widened by this series' range only when given as overrides."""
        new = copy.copy(self)
        new._times = np.asarray(times, dtype=np.float64)
        new._samples = np.array(samples)
        new._periodic = periodic
        new._t_start = float(overrides.pop("t_start", self.t_start))
        new._t_stop = float(overrides.pop("t_stop", self.t_stop))
        for key, value in overrides.items():
            setattr(new, key, value)
        return new
