"""Matplotlib drawing for time series. matplotlib is imported only when something is drawn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .continuous import TSContinuous
    from .event import TSEvent

__all__ = ["import_pyplot", "plot_continuous", "plot_events"]


def import_pyplot() -> Any:
    """Return ``matplotlib.pyplot``, or raise an ImportError naming the extra to install."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "Plotting a time series needs matplotlib, which is not installed: "
            "pip install shoal[plot]"
        ) from error
    return plt


def _series_label(name: str | None, channel: int) -> str:
    return f"{name} [{channel}]" if name else f"channel {channel}"


def plot_continuous(
    series: TSContinuous,
    times: Any,
    target: Any,
    channels: np.ndarray,
    **kwargs: Any,
) -> list[Any]:
    """Draw ``series`` on ``target`` (default: current axes); return one line per channel."""
    plt = import_pyplot()
    axes = target if target is not None else plt.gca()
    axes.set_xlabel("Time (s)")
    axes.set_ylabel(f"Value ({series.units})" if series.units else "Value")
    if series.isempty() or channels.size == 0:
        return []
    if times is not None:
        plot_times = np.atleast_1d(np.asarray(times, dtype=np.float64))
        lines = axes.plot(plot_times, series(plot_times)[:, channels], **kwargs)
    else:
        # Draw up to t_stop, so the held or extrapolated end of the series is visible.
        plot_times = series.times
        if series.t_stop > plot_times[-1]:
            plot_times = np.concatenate([plot_times, [series.t_stop]])
        values = series(plot_times)[:, channels]
        if series.interp_kind == "previous":
            lines = axes.step(plot_times, values, where="post", **kwargs)
        else:
            lines = axes.plot(plot_times, values, **kwargs)
    if "label" not in kwargs:
        for line, channel in zip(lines, channels):
            line.set_label(_series_label(series.name, int(channel)))
    return list(lines)


def plot_events(
    series: TSEvent,
    time_limits: tuple[float, float] | None,
    target: Any,
    channels: Any,
    **kwargs: Any,
) -> Any:
    """Draw a raster of ``series`` (time vs channel); return the ``PathCollection``."""
    plt = import_pyplot()
    axes = target if target is not None else plt.gca()
    start, stop = time_limits if time_limits is not None else (series.t_start, series.t_stop)
    times, ids = series(start, stop, channels=channels)
    kwargs.setdefault("marker", "|")
    kwargs.setdefault("label", series.name)
    artist = axes.scatter(times, ids, **kwargs)
    axes.set_xlabel("Time (s)")
    axes.set_ylabel("Channel")
    if stop > start:
        axes.set_xlim(start, stop)
    if series.num_channels:
        axes.set_ylim(-0.5, series.num_channels - 0.5)
    return artist
