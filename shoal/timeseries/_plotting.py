"""Drawing time series with matplotlib or holoviews (imported only when something is drawn).

matplotlib: without a ``target`` the series is drawn on the current axes and the artists are
returned (``Line2D`` list / ``PathCollection``); with a ``target`` Axes, that Axes is returned.
holoviews: a ``Curve`` (one channel), an ``Overlay`` of curves, or a ``Scatter`` for events.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ._base import TimeSeries
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


def _import_holoviews() -> Any:
    try:
        import holoviews as hv
    except ImportError as error:
        raise RuntimeError(
            'Holoviews is not available. Install it with: pip install "shoal[plot-hv]"'
        ) from error
    return hv


def _backend(series: TimeSeries) -> str:
    backend = series.plotting_backend
    if backend is None:
        raise RuntimeError(
            f"{type(series).__name__}: `{series.name or 'unnamed'}`: No plotting back-end set."
        )
    return backend


def _axes(series: TimeSeries, target: Any, plt: Any) -> Any:
    if target is None:
        return plt.gca()
    from matplotlib.axes import Axes

    if not isinstance(target, Axes):
        raise TypeError(
            f"{type(series).__name__}: `{series.name or 'unnamed'}`: Unrecognized type for "
            "`target`. It must be matplotlib Axes or holoviews Curve or Overlay and the "
            "corresponding backend must be installed in your environment."
        )
    return target


def _continuous_data(
    series: TSContinuous, times: Any, channels: Any, stagger: Any, skip: Any, dt: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """``(times, values, channel ids, raw)``; ``raw`` when the stored samples are drawn."""
    from ._continuous_edit import channel_columns
    from ._continuous_ops import check_dt

    columns = channel_columns(series, channels)
    raw = times is None and dt is None
    if dt is not None and times is None:
        step = check_dt(dt, series._label)
        times = np.arange(series.t_start, series.t_stop, step)
    if raw:
        plot_times, values = series._sorted_samples()
        if plot_times.size and series.t_stop > plot_times[-1]:
            # Draw up to t_stop, so the held or extrapolated end of the series is visible.
            plot_times = np.concatenate([plot_times, [series.t_stop]])
            values = series(plot_times)
    else:
        plot_times = np.atleast_1d(np.asarray(times, dtype=np.float64))
        values = series(plot_times)
    if skip is not None:
        if isinstance(skip, bool) or not isinstance(skip, (int, np.integer)) or skip < 1:
            raise ValueError(f"{series._label}: `skip` must be a positive integer; got {skip!r}.")
        columns = columns[::skip]
    values = values[:, columns]
    if stagger is not None:
        values = values + np.arange(columns.size) * float(stagger)
    return plot_times, values, columns, raw


def plot_continuous(
    series: TSContinuous,
    times: Any,
    target: Any,
    channels: Any,
    stagger: Any,
    skip: Any,
    dt: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """`TSContinuous.plot`."""
    backend = _backend(series)
    plot_times, values, columns, raw = _continuous_data(series, times, channels, stagger, skip, dt)
    if backend == "holoviews":
        return _holoviews_curves(series, plot_times, values, target, **kwargs)
    plt = import_pyplot()
    axes = _axes(series, target, plt)
    axes.set_xlabel("Time (s)")
    axes.set_ylabel(f"Value ({series.units})" if series.units else "Value")
    if series.name and series.name != "unnamed":
        axes.set_title(series.name)
    lines: list[Any] = []
    if plot_times.size and columns.size:
        if raw and series.interp_kind == "previous":
            lines = axes.step(plot_times, values, *args, where="post", **kwargs)
        else:
            lines = axes.plot(plot_times, values, *args, **kwargs)
        if "label" not in kwargs:
            for line, channel in zip(lines, columns):
                name = series.name
                line.set_label(f"{name} [{channel}]" if name else f"channel {channel}")
    return axes if target is not None else list(lines)


def _holoviews_curves(
    series: TSContinuous, times: np.ndarray, values: np.ndarray, target: Any, **kwargs: Any
) -> Any:
    hv = _import_holoviews()
    name = series.name or "unnamed"
    curves = [
        hv.Curve((times, values[:, k]), "Time", "y").options(**kwargs)
        for k in range(values.shape[1])
    ]
    if len(curves) == 1:
        plot = curves[0].relabel(name)
    else:
        plot = hv.Overlay(curves).relabel(group=name)
    return plot if target is None else (target * plot).relabel(group=name)


def plot_events(
    series: TSEvent,
    time_limits: Any,
    target: Any,
    channels: Any,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """`TSEvent.plot`: a raster of ``series`` (time vs channel)."""
    backend = _backend(series)
    if time_limits is None:
        start, stop = series.t_start, series.t_stop
    else:
        if not isinstance(time_limits, (tuple, list)) or len(time_limits) != 2:
            raise TypeError(
                f"{series._label}: `time_limits` must be None or tuple of length 2; "
                f"got {time_limits!r}."
            )
        start = series.t_start if time_limits[0] is None else time_limits[0]
        stop = series.t_stop if time_limits[1] is None else time_limits[1]
    times, ids = series(start, stop, channels=channels)
    if backend == "holoviews":
        hv = _import_holoviews()
        scatter = hv.Scatter((times, ids), "Time", "Channel").relabel(series.name or "unnamed")
        return scatter.options(**kwargs) if kwargs else scatter
    plt = import_pyplot()
    axes = _axes(series, target, plt)
    kwargs.setdefault("marker", "|")
    kwargs.setdefault("label", series.name)
    artist = axes.scatter(times, ids, *args, **kwargs)
    axes.set_xlabel("Time (s)")
    axes.set_ylabel("Channel")
    if series.name and series.name != "unnamed":
        axes.set_title(series.name)
    if stop > start:
        axes.set_xlim(start, stop)
    if series.num_channels:
        axes.set_ylim(-0.5, series.num_channels - 0.5)
    return axes if target is not None else artist
