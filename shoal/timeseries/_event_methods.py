"""Editing, file and plotting methods of `TSEvent` (a mixin, so each file stays short)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from . import _event_ops as ops

if TYPE_CHECKING:
    from .event import TSEvent

__all__ = ["EventEditing"]


class EventEditing:
    """``clip``, ``remap_channels``, ``merge``, ``append_t``, ``append_c``, files, plots."""

    def _self(self) -> TSEvent:
        return cast("TSEvent", self)

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
            remap_channels: Renumber channels from 0: with ``channels``, each requested
                channel becomes its rank in the sorted request (`num_channels` = number of
                requested channels); without, the ids present become ``0 .. k-1`` in
                increasing order (`num_channels` = k).
            inplace: Change this object instead of returning a new one.

        Returns:
            Events over the window (a periodic series is unrolled; the result is periodic only
            if the window is its own range).

        Raises:
            ValueError: If ``t_stop < t_start``.
            IndexError: For a channel outside ``[0, num_channels)``.
        """
        series = self._self()
        new = ops.clip(series, t_start, t_stop, channels, remap_channels)
        return series._finish(new, inplace)

    def remap_channels(self, channel_map: Any, inplace: bool = False) -> TSEvent:
        """Move channel ``i`` to ``channel_map[i]``.

        Args:
            channel_map: New id of each channel, shape ``(num_channels,)``, non-negative.
            inplace: Change this object instead of returning a new one.

        Returns:
            The remapped series; `num_channels` grows to hold the largest new id.
        """
        series = self._self()
        return series._finish(ops.remap(series, channel_map), inplace)

    def merge(
        self,
        other_series: Any,
        delay: Any = 0,
        remove_duplicates: bool = False,
        inplace: bool = False,
    ) -> TSEvent:
        """Merge the events of other series into this one, on the same channel ids.

        Args:
            other_series: A series or a list of them.
            delay: Shift in seconds applied to the other series first: one number, or a list
                with one entry per series.
            remove_duplicates: Keep one event per identical ``(time, channel)`` pair.
            inplace: Change this object instead of returning a new one.

        Returns:
            Events sorted by time (stably) over ``[min t_start, max t_stop]`` of all series,
            empty ones included.
        """
        series = self._self()
        return series._finish(ops.merge(series, other_series, delay, remove_duplicates), inplace)

    def append_t(
        self,
        other_series: Any,
        offset: Any = None,
        remove_duplicates: bool = False,
        inplace: bool = False,
    ) -> TSEvent:
        """Append series after this one in time.

        Each series is shifted so that its `t_start` falls ``offset`` seconds after the
        previous one's `t_stop`. The result has the largest channel count and is not periodic.

        Args:
            other_series: A series or a list of them.
            offset: Gap in seconds (``None`` means 0), or one entry per series.
            remove_duplicates: Keep one event per identical ``(time, channel)`` pair.
            inplace: Change this object instead of returning a new one.
        """
        series = self._self()
        new = ops.append_t(series, other_series, offset, remove_duplicates)
        return series._finish(new, inplace)

    def append_c(self, other_series: Any, inplace: bool = False) -> TSEvent:
        """Stack the channels of other series after this one's (ids shifted by `num_channels`).

        The result spans the union of the time ranges.
        """
        series = self._self()
        return series._finish(ops.append_c(series, other_series), inplace)

    def to_dict(self, dtype_times: Any = None, dtype_channels: Any = None) -> dict[str, Any]:
        """The arrays ``save`` writes (Rockpool's layout)."""
        from ._io import event_dict

        return event_dict(self._self(), dtype_times, dtype_channels)

    def save(
        self,
        path: Any,
        verbose: bool = False,
        dtype_times: Any = None,
        dtype_channels: Any = None,
    ) -> None:
        """Write the series to an uncompressed ``.npz`` file (``.npz`` appended if missing).

        Args:
            path: File name or open binary file.
            verbose: Print where the series was stored.
            dtype_times: Store times with this dtype (e.g. ``"float32"``).
            dtype_channels: Store channel ids with this integer dtype (must hold
                `num_channels`).
        """
        from ._io import write

        write(self._self(), path, verbose, self.to_dict(dtype_times, dtype_channels))

    def plot(
        self,
        time_limits: tuple[float, float] | None = None,
        target: Any = None,
        channels: int | Sequence[int] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Draw a raster plot (time in seconds vs channel) with the `plotting_backend`.

        Args:
            time_limits: ``(start, stop)`` window in seconds (``None`` entries: the series'
                own). Default: the series' range.
            target: A matplotlib ``Axes`` to draw on. Default: the current axes.
            channels: Channel id or ids to draw. Default: all.
            *args: Passed on to ``Axes.scatter``.
            **kwargs: Passed on to ``Axes.scatter`` (default marker ``"|"``).

        Returns:
            matplotlib: the ``PathCollection`` (the ``Axes`` when ``target`` is given);
            holoviews: a ``Scatter``.

        Raises:
            ImportError: If matplotlib is not installed (``pip install shoal[plot]``).
        """
        from ._plotting import plot_events

        return plot_events(self._self(), time_limits, target, channels, *args, **kwargs)
