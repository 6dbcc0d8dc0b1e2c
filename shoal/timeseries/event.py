"""`TSEvent`: discrete events (e.g. spikes), each a time and a channel."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from . import _event_ops as ops
from ._base import STEP_TOLERANCE, TimeSeries, keep_axis
from ._continuous_ops import check_dt, check_num_channels
from ._raster import bin_events, raster_events, validate_raster

__all__ = ["TSEvent"]

ArrayLike = Any  # anything `np.asarray` accepts


class TSEvent(TimeSeries):
    """Events on numbered channels: times ``(E,)`` in seconds and channel ids ``(E,)``.

    Events are stored sorted by time (a stable sort, so events at the same time keep their
    order). The series covers ``[t_start, t_stop)``; every event lies before `t_stop`.

    Args:
        times: Event times in seconds, shape ``(E,)``, finite; any order.
        channels: Channel id of each event, shape ``(E,)``, non-negative integers; a single
            integer applies to every event. Default: channel 0 for every event.
        t_start: Start in seconds. Default: the first event time (0 with no events).
        t_stop: End in seconds, strictly greater than every event time. Required when
            ``times`` holds events; default ``t_start`` for an empty series.
        num_channels: Number of channels. Default: largest channel id + 1 (0 with no events).
        periodic: If ``True`` the events repeat with period ``t_stop - t_start``.
        name: Name shown in ``repr`` and error messages.

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
        t_start: float | None = None,
        t_stop: float | None = None,
        num_channels: int | None = None,
        periodic: bool = False,
        name: str | None = None,
    ) -> None:
        self._name = name if isinstance(name, str) else None
        event_times = self._validate_times(times)
        ids = ops.validate_channels(self._label, channels, event_times.size)
        order = np.argsort(event_times, kind="stable")
        event_times, ids = event_times[order], ids[order]
        if event_times.size:
            self._check_t_stop(t_stop, float(event_times[-1]))
        super().__init__(event_times, periodic=periodic, t_start=t_start, t_stop=t_stop, name=name)
        self._channels = ids
        check_num_channels(self._label, num_channels)
        self._num_channels = self._resolve_num_channels(num_channels)

    # -- validation ---------------------------------------------------------------------------

    def _order_times(self, times: np.ndarray) -> np.ndarray:
        # Events are a set: they are sorted (with their channels) rather than rejected.
        return times

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
        """Channel id of each event, shape ``(E,)``, ``int64``."""
        return self._channels

    @property
    def num_channels(self) -> int:
        """Number of channels (at least the largest channel id + 1)."""
        return self._num_channels

    @num_channels.setter
    def num_channels(self, value: int) -> None:
        check_num_channels(self._label, value)
        self._num_channels = self._resolve_num_channels(value)

    def __repr__(self) -> str:
        return (
            f"{self._periodic_word()} `TSEvent` object `{self.name or 'unnamed'}` from "
            f"t={self.t_start} to {self.t_stop}. Channels: {self.num_channels}. "
            f"Events: {self.times.size}"
        )

    # -- selecting events ---------------------------------------------------------------------

    def __call__(
        self,
        t_start: float,
        t_stop: float | None = None,
        channels: int | Sequence[int] | None = None,
        include_t_stop: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Events in ``[t_start, t_stop)`` (``[t_start, t_stop]`` with ``include_t_stop``).

        A periodic series repeats its events over the whole window; for a non-periodic one,
        a window beyond the series simply holds no events.

        Args:
            t_start: Start of the window in seconds.
            t_stop: End of the window in seconds. Default: `t_stop`.
            channels: Channel id or ids to keep. Default: all.
            include_t_stop: Also return events exactly at ``t_stop``.

        Returns:
            ``(times, channels)``, each of shape ``(E,)``, sorted by time.
        """
        start = self._check_time(t_start, "t_start")
        stop = self.t_stop if t_stop is None else self._check_time(t_stop, "t_stop")
        times, ids = ops.events_between(self, start, stop, include_t_stop)
        if channels is not None:
            keep = np.isin(ids, self._select_channels(channels, self.num_channels))
            times, ids = times[keep], ids[keep]
        return times, ids

    def __getitem__(self, index: Any) -> TSEvent:
        """Select events by index (integer, slice, mask or index array); the range is kept."""
        key = keep_axis(index)
        try:
            times, ids = self.times[key], self.channels[key]
        except IndexError as error:
            raise IndexError(
                f"{self._label}: invalid index {index!r} for {self.times.size} events ({error})."
            ) from None
        return self._with_events(times, ids)

    def _with_events(self, times: np.ndarray, ids: np.ndarray, **overrides: Any) -> TSEvent:
        settings: dict[str, Any] = {
            "t_start": self.t_start,
            "t_stop": self.t_stop,
            "num_channels": self.num_channels,
            "periodic": self.periodic,
            "name": self.name,
        }
        settings.update(overrides)
        return TSEvent(times, ids, **settings)

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
            add_events: Return event counts instead of booleans.

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
        return bin_events(times, event_ids, start, step, steps, ids, add_events)

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

    # -- new series from this one -------------------------------------------------------------

    def clip(
        self,
        t_start: float | None = None,
        t_stop: float | None = None,
        channels: int | Sequence[int] | None = None,
        remap_channels: bool = False,
        inplace: bool = False,
    ) -> TSEvent:
        """Keep the events in ``[t_start, t_stop)``, optionally only on some channels.

        Args:
            t_start: Start of the window in seconds. Default: `t_start`.
            t_stop: End of the window in seconds. Default: `t_stop`.
            channels: Channel id or ids to keep. Default: all.
            remap_channels: Renumber the kept channels ``0 .. len(channels)-1`` in the order
                given (`num_channels` becomes ``len(channels)``).
            inplace: Change this object instead of returning a new one.

        Returns:
            Events over the window (a periodic series is unrolled; the result is not periodic).
        """
        return self._finish(ops.clip(self, t_start, t_stop, channels, remap_channels), inplace)

    def append_t(
        self, other: TSEvent | Iterable[TSEvent], offset: float = 0.0, inplace: bool = False
    ) -> TSEvent:
        """Append series after this one in time.

        ``other`` is shifted so that its `t_start` falls ``offset`` seconds after this series'
        `t_stop`. The result has ``max`` of the channel counts and is not periodic.
        """
        return self._finish(ops.append_t(self, other, offset), inplace)

    def append_c(self, other: TSEvent | Iterable[TSEvent], inplace: bool = False) -> TSEvent:
        """Stack the channels of other series after this one's (ids shifted by `num_channels`).

        The result spans the union of the time ranges.
        """
        return self._finish(ops.append_c(self, other), inplace)

    def merge(
        self,
        other: TSEvent | Iterable[TSEvent],
        remove_duplicates: bool = False,
        inplace: bool = False,
    ) -> TSEvent:
        """Merge the events of other series into this one, on the same channel ids.

        Args:
            other: A series or several.
            remove_duplicates: Keep one event per identical ``(time, channel)`` pair.
            inplace: Change this object instead of returning a new one.

        Returns:
            Events spanning the union of the time ranges.
        """
        return self._finish(ops.merge(self, other, remove_duplicates), inplace)

    # -- plotting -----------------------------------------------------------------------------

    def plot(
        self,
        time_limits: tuple[float, float] | None = None,
        target: Any = None,
        channels: int | Sequence[int] | None = None,
        **kwargs: Any,
    ) -> Any:
        """Draw a raster plot (time in seconds vs channel) with matplotlib.

        Args:
            time_limits: ``(start, stop)`` window in seconds. Default: the series' range.
            target: A matplotlib ``Axes`` to draw on. Default: the current axes.
            channels: Channel id or ids to draw. Default: all.
            **kwargs: Passed on to ``Axes.scatter`` (default marker ``"|"``).

        Returns:
            The ``PathCollection`` drawn.

        Raises:
            ImportError: If matplotlib is not installed (``pip install shoal[plot]``).
        """
        from ._plotting import plot_events

        return plot_events(self, time_limits, target, channels, **kwargs)
