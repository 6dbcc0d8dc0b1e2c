"""`TSEvent`: discrete events (e.g. spikes), each a time and a channel."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from shoal._errors import warn_user

from . import _event_ops as ops
from ._base import STEP_TOLERANCE, TimeSeries, keep_axis
from ._classes import file_series_class
from ._continuous_ops import check_dt, check_num_channels
from ._event_methods import EventEditing
from ._range import short_number
from ._raster import bin_events, raster_events, validate_raster

__all__ = ["TSEvent"]

ArrayLike = Any  # anything `np.asarray` accepts


@file_series_class
class TSEvent(EventEditing, TimeSeries):
    """Events on numbered channels: times ``(E,)`` in seconds and channel ids ``(E,)``.

    Events are given in time order (not decreasing). The series covers ``[t_start,
    t_stop)``; every event lies before `t_stop`.

    Args:
        times: Event times in seconds, shape ``(E,)``, finite, not decreasing.
        channels: Channel id of each event, shape ``(E,)``, non-negative integers; a single
            integer applies to every event. Default: channel 0 for every event.
        periodic: If ``True`` the events repeat with period ``t_stop - t_start``.
        t_start: Start in seconds. Default: the first event time (0 with no events).
        t_stop: End in seconds, strictly greater than every event time. Required when
            ``times`` holds events; default ``t_start`` for an empty series.
        name: Name shown in ``repr`` and error messages.
        num_channels: Number of channels. Default: largest channel id + 1 (0 with no events).

    Examples:
        >>> ev = TSEvent([0.1, 0.5, 0.7], [0, 1, 0], t_start=0.0, t_stop=1.0, name="ev")
        >>> ev
        non-periodic `TSEvent` object `ev` from t=0.0 to 1.0. Channels: 2. Events: 3
        >>> ev.raster(dt=0.25).astype(int)
        array([[1, 0],
               [0, 0],
               [1, 1],
               [0, 0]])
    """

    def __init__(
        self,
        times: ArrayLike | None = None,
        channels: ArrayLike | None = None,
        periodic: bool = False,
        t_start: float | None = None,
        t_stop: float | None = None,
        name: str | None = None,
        num_channels: int | None = None,
    ) -> None:
        self._name = name if isinstance(name, str) else None
        event_times = self._validate_times(times)
        ids = ops.validate_channels(self._label, channels, event_times.size)
        if event_times.size:
            self._check_t_stop(t_stop, float(event_times[-1]))
        super().__init__(event_times, periodic=periodic, t_start=t_start, t_stop=t_stop, name=name)
        self._channels = ids
        check_num_channels(self._label, num_channels)
        self._num_channels = self._resolve_num_channels(num_channels)

    # -- validation ---------------------------------------------------------------------------

    def _min_t_stop(self) -> float:
        # Events lie strictly before t_stop: the smallest valid t_stop is just after the last.
        if not self._times.size:
            return self._t_start
        last = float(self._times.max())
        return max(last + 1e-15, float(np.nextafter(last, np.inf)))

    def _check_t_stop(self, t_stop: float | None, last: float) -> None:
        if t_stop is None:
            raise TypeError(
                f"{self._label}: If `times` is not `None`, `t_stop` must be a float strictly "
                f"greater than the largest entry in `times`. The largest entry is {last!r}."
            )
        value = self._check_time(t_stop, "t_stop")
        if not value > last:
            raise ValueError(
                f"{self._label}: `t_stop` must be strictly greater than the last event time "
                f"({last!r}); got t_stop={value!r}."
            )

    def _resolve_num_channels(self, num_channels: int | None) -> int:
        needed = int(self._channels.max()) + 1 if self._channels.size else 0
        if num_channels is None:
            return needed
        if num_channels < needed:
            raise ValueError(
                f"{self._label}: channel ids must be < num_channels ({num_channels}); "
                f"got channel {needed - 1}."
            )
        return int(num_channels)

    # -- properties ---------------------------------------------------------------------------

    @property
    def channels(self) -> np.ndarray:
        """Channel id of each event, shape ``(E,)``, ``int64``.

        Settable with one id per event or a single id for all; `num_channels` grows to hold
        the largest id.
        """
        return self._channels

    @channels.setter
    def channels(self, values: ArrayLike) -> None:
        ids = np.asarray(values)
        if ids.ndim == 1 and ids.size != self.times.size:
            raise ValueError(
                f"{self._label}: `new_channels` must be the same size as `times` "
                f"({self.times.size}); got {ids.size}."
            )
        self._channels = ops.validate_channels(self._label, ids, self.times.size)
        self._num_channels = max(self._num_channels, int(self._channels.max(initial=-1)) + 1)

    @property
    def num_channels(self) -> int:
        """Number of channels (at least the largest channel id + 1)."""
        return self._num_channels

    @num_channels.setter
    def num_channels(self, value: int) -> None:
        check_num_channels(self._label, value)
        self._num_channels = self._resolve_num_channels(value)

    def __repr__(self) -> str:
        name = self.name or "unnamed"
        if self.isempty():
            return (
                f"Empty `TSEvent` object `{name}` from t={short_number(self.t_start)} to "
                f"t={short_number(self.t_stop)}."
            )
        return (
            f"{self._periodic_word()} `TSEvent` object `{name}` from t={self.t_start} to "
            f"{self.t_stop}. Channels: {self.num_channels}. Events: {self.times.size}"
        )

    def __iter__(self) -> Iterator[tuple[float, int]]:
        """Yield ``(time, channel)`` pairs."""
        return iter(zip(self.times.tolist(), self.channels.tolist()))

    def print(
        self, full: bool = False, num_first: int = 4, num_last: int = 4, limit_shorten: int = 10
    ) -> None:
        """Print the repr, a header and one line ``<time>: <channel>`` per event.

        Args:
            full: Print every event.
            num_first: Events printed before ``...`` when shortened.
            num_last: Events printed after ``...`` when shortened.
            limit_shorten: Shorten when there are more events than this.
        """
        from ._printing import print_series

        rows = [f"{t}: \t {c}" for t, c in zip(self.times.tolist(), self.channels.tolist())]
        print_series(self, "Time \t Ch.-ID", rows, full, num_first, num_last, limit_shorten)

    # -- selecting events ---------------------------------------------------------------------

    def __call__(
        self,
        t_start: float | None = None,
        t_stop: float | None = None,
        channels: int | Sequence[int] | None = None,
        include_t_stop: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Events in ``[t_start, t_stop)`` (``[t_start, t_stop]`` with ``include_t_stop``).

        A periodic series repeats its events over the whole window; for a non-periodic one,
        a window beyond the series simply holds no events.

        Args:
            t_start: Start of the window in seconds. Default: `t_start`.
            t_stop: End of the window in seconds. Default: `t_stop`.
            channels: Channel id or ids to keep. Default: all.
            include_t_stop: Also return events exactly at ``t_stop``.

        Returns:
            ``(times, channels)``, each of shape ``(E,)``, in stored order.

        Raises:
            ValueError: If ``t_stop < t_start``.
            IndexError: For a channel outside ``[0, num_channels)``.
        """
        start = self.t_start if t_start is None else self._check_time(t_start, "t_start")
        stop = self.t_stop if t_stop is None else self._check_time(t_stop, "t_stop")
        if stop < start:
            raise ValueError(
                f"{self._label}: the window needs t_start <= t_stop; got [{start!r}, {stop!r}]."
            )
        times, ids = ops.events_between(self, start, stop, include_t_stop)
        if channels is not None:
            keep = np.isin(
                ids, self._select_channels(channels, self.num_channels, self.num_channels)
            )
            times, ids = times[keep], ids[keep]
        return times, ids

    def __getitem__(self, index: Any) -> TSEvent:
        """Select events by position (integer, slice, mask or index array), in the order given.

        The range, channel count and settings are kept. With a given order the events may
        not be sorted by time; all methods accept such a series.
        """
        key = keep_axis(index)
        try:
            times, ids = self.times[key], self.channels[key]
        except IndexError as error:
            raise IndexError(
                f"{self._label}: invalid index {index!r} for {self.times.size} events ({error})."
            ) from None
        return self._with_events(times, ids)

    def _with_events(self, times: np.ndarray, ids: np.ndarray, **overrides: Any) -> TSEvent:
        """A copy with new events (no validation: callers pass consistent data)."""
        new = copy.copy(self)
        new._times = np.array(times, dtype=np.float64)
        new._channels = np.array(ids, dtype=np.int64)
        new._t_start = float(overrides.pop("t_start", self.t_start))
        new._t_stop = float(overrides.pop("t_stop", self.t_stop))
        new._num_channels = int(overrides.pop("num_channels", self.num_channels))
        new._periodic = bool(overrides.pop("periodic", self.periodic))
        for key, value in overrides.items():
            setattr(new, key, value)
        return new

    # -- rasters ------------------------------------------------------------------------------

    def raster(
        self,
        dt: float,
        t_start: float | None = None,
        t_stop: float | None = None,
        num_timesteps: int | None = None,
        channels: int | Sequence[int] | None = None,
        add_events: bool = False,
    ) -> np.ndarray:
        """Bin the events on a regular clock.

        Bin ``k`` covers ``[t_start + k*dt, t_start + (k+1)*dt)``. Without ``num_timesteps``
        the number of bins is ``num_timesteps(t_stop - t_start, dt)``: ``ceil`` of the ratio,
        where a ratio within 1e-7 of a whole number counts as that number (so ``0.3 / 0.1``
        gives 3 bins, and a trailing partial bin is kept). An event within ``1e-7 * dt`` before
        a bin edge counts in the later bin.

        Args:
            dt: Bin width in seconds (``> 0``).
            t_start: Start of the first bin in seconds. Default: `t_start`.
            t_stop: End of the raster in seconds. Default: `t_stop`. Do not combine with
                ``num_timesteps``.
            num_timesteps: Number of bins ``T``.
            channels: Channel ids of the raster's columns, in order, no repeats; ids beyond
                `num_channels` give empty columns. Default: ``range(num_channels)``.
            add_events: Return event counts instead of booleans. Without it, several events
                of one channel in one bin count once, with a ``UserWarning``.

        Returns:
            Shape ``(T, C)``: ``bool`` (``True`` where a bin holds at least one event), or
            ``int64`` counts with ``add_events=True``.
        """
        step = check_dt(dt, self._label)
        start = self.t_start if t_start is None else self._check_time(t_start, "t_start")
        steps = ops.raster_steps(self, start, step, t_stop, num_timesteps)
        ids = self._select_channels(channels, self.num_channels)
        if np.unique(ids).size != ids.size:
            raise ValueError(f"{self._label}: `channels` must not repeat; got {ids.tolist()}.")
        # Shift the window by the same tolerance as the bins, so consecutive rasters split the
        # events exactly the way one long raster would.
        edge = STEP_TOLERANCE * step
        times, event_ids = ops.events_between(self, start - edge, start + steps * step - edge)
        counts = bin_events(times, event_ids, start, step, steps, ids, True)
        if add_events:
            return counts
        if counts.size and counts.max() > 1:
            # Rockpool prints this on stdout; a warning can be filtered, logged or made an error.
            warn_user(
                f"{self._label}: There are channels with multiple events per time step. "
                "Consider using a smaller `dt` or setting `add_events = True`.",
                UserWarning,
            )
        return counts > 0

    @classmethod
    def from_raster(
        cls,
        raster: ArrayLike,
        dt: float = 1.0,
        t_start: float = 0.0,
        t_stop: float | None = None,
        name: str | None = None,
        periodic: bool = False,
        num_channels: int | None = None,
        spikes_at_bin_start: bool = False,
    ) -> TSEvent:
        """Build events from a raster.

        Args:
            raster: Booleans or non-negative whole counts, shape ``(T, C)`` or ``(T,)``.
                A count of ``n`` gives ``n`` events at the same time.
            dt: Bin width in seconds (``> 0``).
            t_start: Start of bin 0 in seconds.
            t_stop: End of the series. Default: ``t_start + T*dt``.
            name: Name of the series.
            periodic: Whether the series repeats.
            num_channels: Number of channels. Default: ``C``; must not be smaller.
            spikes_at_bin_start: Put events at the start of their bin, ``t_start + k*dt``,
                instead of the bin centre, ``t_start + (k + 0.5)*dt``.

        Returns:
            The events, sorted by time then channel.

        Examples:
            >>> ev = TSEvent.from_raster([[1, 0], [0, 1], [1, 1]], dt=0.1)
            >>> ev.times.round(3), ev.channels
            (array([0.05, 0.15, 0.25, 0.25]), array([0, 1, 0, 1]))
        """
        label = f"TSEvent `{name or 'unnamed'}`"
        counts = validate_raster(label, raster)
        step = check_dt(dt, label)
        start = float(t_start)
        check_num_channels(label, num_channels)
        if num_channels is not None and num_channels < counts.shape[1]:
            raise ValueError(
                f"{label}: `num_channels` ({num_channels}) must not be smaller than the number "
                f"of raster columns ({counts.shape[1]})."
            )
        times, ids = raster_events(counts, step, start, spikes_at_bin_start)
        return cls(
            times,
            ids,
            t_start=start,
            t_stop=start + counts.shape[0] * step if t_stop is None else t_stop,
            num_channels=counts.shape[1] if num_channels is None else num_channels,
            periodic=periodic,
            name=name,
        )
