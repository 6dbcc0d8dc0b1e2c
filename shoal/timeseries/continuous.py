"""`TSContinuous`: a multi-channel signal sampled at (possibly irregular) time points."""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import _continuous_ops as ops
from ._arithmetic import ContinuousArithmetic
from ._base import TimeSeries, keep_axis, num_timesteps
from ._interpolate import INTERP_KINDS, interpolate

__all__ = ["TSContinuous"]

ArrayLike = Any  # anything `np.asarray` accepts


class TSContinuous(ContinuousArithmetic, TimeSeries):
    """A continuous signal: samples ``(T, C)`` taken at times ``(T,)``, in seconds.

    Calling the series, ``ts(t)``, interpolates it at the requested times. The default
    interpolation is ``"previous"`` (sample-and-hold); ``"linear"`` draws straight lines between
    samples. Requests outside ``[t_start, t_stop]`` raise a `ValueError`, except for a periodic
    series, which is sampled modulo its `duration`.

    Args:
        times: Sample times in seconds, shape ``(T,)``; sorted, not decreasing, finite.
        samples: Sample values, shape ``(T, C)``; shape ``(T,)`` means one channel. Integer and
            boolean samples are stored as ``float64``; floating dtypes are kept.
        num_channels: Number of channels ``C``. Needed only for an empty series; otherwise
            it must agree with ``samples``.
        periodic: If ``True`` the series repeats with period ``t_stop - t_start``.
        t_start: Start in seconds. Default: the first sample time (0 for an empty series).
        t_stop: End in seconds. Default: the last sample time.
        name: Name shown in ``repr`` and error messages.
        units: Units of the samples (used as the plot's y label), e.g. ``"V"``.
        interp_kind: ``"previous"`` (default) or ``"linear"``.
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

    # -- properties ---------------------------------------------------------------------------

    @property
    def samples(self) -> np.ndarray:
        """Sample values, shape ``(T, C)``."""
        return self._samples

    @property
    def num_channels(self) -> int:
        """Number of channels ``C``."""
        return int(self._samples.shape[1])

    @property
    def interp_kind(self) -> str:
        """Interpolation used by ``ts(t)``: ``"previous"`` or ``"linear"``."""
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
        if value != "extrapolate" and not (
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

    def __repr__(self) -> str:
        return (
            f"{self._periodic_word()} TSContinuous object `{self.name or 'unnamed'}` from "
            f"t={self.t_start} to {self.t_stop}. Samples: {self.times.size}. "
            f"Channels: {self.num_channels}"
        )

    # -- sampling -----------------------------------------------------------------------------

    def __call__(self, times: float | ArrayLike) -> np.ndarray:
        """Interpolate the series at ``times``.

        Args:
            times: A time or times in seconds, scalar or shape ``(N,)``.

        Returns:
            Values of shape ``(N, C)`` (``(1, C)`` for a scalar).

        Raises:
            ValueError: If a time lies outside ``[t_start, t_stop]`` (non-periodic series) or
                the series has no samples.
        """
        query = np.asarray(times, dtype=np.float64)
        if query.ndim > 1:
            raise ValueError(
                f"{self._label}: the requested times must be a scalar or 1-D; "
                f"got an array of shape {query.shape}."
            )
        query = np.atleast_1d(query)
        self._check_in_range(query)
        if self.isempty():
            raise ValueError(f"{self._label}: the series has no samples to interpolate.")
        return interpolate(
            self.times, self.samples, self._wrap_periodic(query), self.interp_kind, self.fill_value
        )

    @classmethod
    def from_clocked(
        cls,
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
            samples: Values, shape ``(T, C)`` or ``(T,)``; row ``k`` is the value during
                ``[t_start + k*dt, t_start + (k+1)*dt)``.
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
        array = np.asarray(samples)
        label = f"TSContinuous `{name or 'unnamed'}`"
        if array.ndim not in (1, 2):
            raise ValueError(
                f"{label}: `samples` must have shape (T,) or (T, C); got shape {array.shape}."
            )
        step = ops.check_dt(dt, label)
        start = float(t_start)
        times = start + np.arange(array.shape[0]) * step
        return cls(
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

    # -- new series from this one -------------------------------------------------------------

    def _with_samples(
        self, times: np.ndarray, samples: np.ndarray, periodic: bool, **overrides: Any
    ) -> TSContinuous:
        settings: dict[str, Any] = {
            "t_start": self.t_start,
            "t_stop": self.t_stop,
            "name": self.name,
            "units": self.units,
            "interp_kind": self.interp_kind,
            "fill_value": self.fill_value,
        }
        settings.update(overrides)
        return TSContinuous(
            times, samples, num_channels=samples.shape[1], periodic=periodic, **settings
        )

    def __getitem__(self, key: Any) -> TSContinuous:
        """Select samples by index: ``ts[time_index]`` or ``ts[time_index, channel_index]``.

        Integers keep their axis, so the result is always a `TSContinuous` with 2-D samples.
        The selected times must stay sorted; `t_start`, `t_stop` and the settings are kept.
        """
        time_key, channel_key = key if isinstance(key, tuple) and len(key) == 2 else (key, None)
        try:
            times = self.times[keep_axis(time_key)]
            samples = self.samples[keep_axis(time_key)]
            if channel_key is not None:
                samples = samples[:, keep_axis(channel_key)]
        except IndexError as error:
            raise IndexError(
                f"{self._label}: invalid index {key!r} for {self.times.size} samples and "
                f"{self.num_channels} channels ({error})."
            ) from None
        return self._with_samples(times, samples, self.periodic)

    def clip(
        self,
        t_start: float | None = None,
        t_stop: float | None = None,
        channels: int | Sequence[int] | None = None,
        inplace: bool = False,
    ) -> TSContinuous:
        """Restrict the series to ``[t_start, t_stop]`` and optionally to some channels.

        Samples inside the window are kept as they are; a sample is added at ``t_start`` (and,
        for linear interpolation, at ``t_stop``) by interpolation, so the clipped series has the
        same values as the original everywhere in the window. A periodic series is unrolled
        over the window; the result is not periodic.

        Args:
            t_start: Start of the window in seconds. Default: `t_start`.
            t_stop: End of the window in seconds. Default: `t_stop`.
            channels: Channel index or indices to keep. Default: all.
            inplace: Change this object instead of returning a new one.

        Returns:
            The clipped series.
        """
        return self._finish(ops.clip(self, t_start, t_stop, channels), inplace)

    def resample(
        self,
        times: ArrayLike,
        channels: int | Sequence[int] | None = None,
        inplace: bool = False,
    ) -> TSContinuous:
        """Replace the samples by the series' values at ``times``.

        Args:
            times: New sample times in seconds, shape ``(N,)``, sorted, inside
                ``[t_start, t_stop]`` (any finite times for a periodic series).
            channels: Channel index or indices to keep. Default: all.
            inplace: Change this object instead of returning a new one.

        Returns:
            A series with the new samples. Its range grows to include ``times`` if needed (a
            periodic series resampled outside its period becomes non-periodic).
        """
        return self._finish(ops.resample(self, times, channels), inplace)

    def append_t(
        self,
        other: TSContinuous | Iterable[TSContinuous],
        offset: float = 0.0,
        inplace: bool = False,
    ) -> TSContinuous:
        """Append series after this one in time.

        ``other`` is shifted so that its `t_start` falls ``offset`` seconds after this series'
        `t_stop`; the result ends at the shifted `t_stop`. Where two samples share a time, the
        later (appended) one wins for ``previous`` interpolation.

        Args:
            other: A series, or several, with the same number of channels.
            offset: Gap in seconds between the end of this series and the start of ``other``.
            inplace: Change this object instead of returning a new one.

        Returns:
            The concatenated series (not periodic).
        """
        return self._finish(ops.append_t(self, other, offset), inplace)

    def append_c(
        self, other: TSContinuous | Iterable[TSContinuous], inplace: bool = False
    ) -> TSContinuous:
        """Stack the channels of other series after this one's.

        The series must cover the same ``[t_start, t_stop]`` (use `clip` first otherwise).
        The result is sampled at the union of all sample times.

        Args:
            other: A series, or several.
            inplace: Change this object instead of returning a new one.

        Returns:
            A series with ``C_self + C_other`` channels.
        """
        return self._finish(ops.append_c(self, other), inplace)

    def merge(
        self,
        other: TSContinuous | Iterable[TSContinuous],
        remove_duplicates: bool = True,
        inplace: bool = False,
    ) -> TSContinuous:
        """Merge the samples of other series (same channels) into this one, sorted by time.

        Args:
            other: A series, or several, with the same number of channels.
            remove_duplicates: Drop samples of ``other`` at times this series already has.
            inplace: Change this object instead of returning a new one.

        Returns:
            A series spanning both ranges.
        """
        return self._finish(ops.merge(self, other, remove_duplicates), inplace)

    # -- plotting -----------------------------------------------------------------------------

    def plot(
        self,
        times: ArrayLike | None = None,
        target: Any = None,
        channels: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> list[Any]:
        """Plot the series with matplotlib (imported here, so ``import shoal`` does not need it).

        Args:
            times: Times in seconds to sample the series at. Default: its sample times.
            target: A matplotlib ``Axes`` to draw on. Default: the current axes.
            channels: Channel index or indices to draw. Default: all.
            **kwargs: Passed on to ``Axes.plot`` (or ``Axes.step`` for ``previous``).

        Returns:
            The ``Line2D`` artists, one per channel.

        Raises:
            ImportError: If matplotlib is not installed (``pip install shoal[plot]``).
        """
        from ._plotting import plot_continuous

        return plot_continuous(
            self,
            times,
            target,
            self._select_channels(channels, self.num_channels, self.num_channels),
            **kwargs,
        )
