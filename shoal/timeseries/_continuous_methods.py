"""Editing, file and plotting methods of `TSContinuous` (a mixin, so each file stays short)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from . import _continuous_edit as edit

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["ContinuousEditing"]


class ContinuousEditing:
    """``__getitem__``, ``clip``, ``resample``, ``merge``, ``append_t``, ``append_c``, files,
    plots."""

    def _self(self) -> TSContinuous:
        return cast("TSContinuous", self)

    def __getitem__(self, key: Any) -> TSContinuous:
        """Index by time, then channel: ``ts[times]`` or ``ts[times, channels]``.

        * times: ``None`` / ``:`` (all), a slice ``a:b`` (the samples in ``[a, b)``, range
          ``[a, b]``; like ``clip(a, b, include_stop=(b is None), sample_limits=False)``), a
          slice with a step ``a:b:s`` (resampled at ``np.arange(a, b, |s|)`` inside
          ``[t_start, t_stop)``, reversed for ``s < 0``), a number or a list of numbers
          (resampled there, in the given order). Numbers are seconds, not positions: use
          ``ts.times[i]`` / ``ts.samples[i]`` for positions.
        * channels: an int, a list, or a slice (negative bounds count from the end; a
          negative step reverses the ascending selection).

        Returns:
            A new `TSContinuous` with 2-D samples. For a given order of times that is not
            ascending, ``t_start``/``t_stop`` are their min/max and sampling uses time order.

        Raises:
            IndexError: For more than two indices or a channel the series does not have.
            TypeError: For a boolean mask as time index.
        """
        from ._indexing import get_item

        return get_item(self._self(), key)

    def clip(
        self,
        t_start: float | None = None,
        t_stop: float | None = None,
        channels: int | Sequence[int] | None = None,
        include_stop: bool = True,
        sample_limits: bool = True,
        inplace: bool = False,
    ) -> TSContinuous:
        """Restrict the series to ``[t_start, t_stop]`` and optionally to some channels.

        Keeps the original samples in ``[t_start, t_stop)`` (and at ``t_stop`` with
        ``include_stop``). With ``sample_limits``, a sample is added at ``t_start`` (and at
        ``t_stop`` with ``include_stop``) by interpolation where none is there. A periodic
        series is unrolled over the window; the result is periodic only if the window is its
        own range. An empty series stays empty with the requested range.

        Args:
            t_start: Start of the window in seconds. Default: `t_start`.
            t_stop: End of the window in seconds. Default: `t_stop` (then ``include_stop``
                is forced on).
            channels: Channel index or indices to keep. Default: all.
            include_stop: Keep a sample exactly at ``t_stop``.
            sample_limits: Add interpolated samples at the window's bounds.
            inplace: Change this object instead of returning a new one.

        Raises:
            ValueError: If ``t_stop < t_start``, or a bound to be sampled lies outside the
                range (see `beyond_range_exception`).
            IndexError: For a channel the series does not have.
        """
        series = self._self()
        new = edit.clip(series, t_start, t_stop, channels, include_stop, sample_limits)
        return series._finish(new, inplace)

    def resample(
        self,
        times: Any,
        channels: int | Sequence[int] | None = None,
        inplace: bool = False,
    ) -> TSContinuous:
        """Replace the samples by the series' values at ``times``.

        Args:
            times: New sample times in seconds, shape ``(N,)``, in any order (kept).
            channels: Channel index or indices to keep. Default: all.
            inplace: Change this object instead of returning a new one.

        Returns:
            A series whose range is ``[min(times), max(times)]`` (unchanged for no times); it
            is periodic only if that is the original range.
        """
        series = self._self()
        return series._finish(edit.resample(series, times, channels), inplace)

    def merge(
        self, other_series: Any, remove_duplicates: bool = True, inplace: bool = False
    ) -> TSContinuous:
        """Merge the samples of other series (same channels) into this one, sorted by time.

        An empty series without channels is neutral: it contributes its range only, and an
        empty ``self`` adopts the others' channel count.

        Args:
            other_series: A series, or a list of them.
            remove_duplicates: Drop a later series' samples at times already present.
            inplace: Change this object instead of returning a new one.

        Returns:
            A series over ``[min t_start, max t_stop]`` of all series.
        """
        series = self._self()
        return series._finish(edit.merge(series, other_series, remove_duplicates), inplace)

    def append_t(
        self, other_series: Any, offset: Any = None, inplace: bool = False
    ) -> TSContinuous:
        """Append series after this one in time.

        Each series is shifted so that its `t_start` falls ``offset`` seconds after the
        previous one's `t_stop`. ``offset=None`` (Rockpool's default) means the **median step
        of the previous series' sample times** (0 when it has fewer than two samples). For
        clocked series, whose `t_stop` is already one step after the last sample, that leaves
        a one-step hole: pass ``offset=0`` there.

        Args:
            other_series: A series, or a list of them (same channels; an empty series without
                channels is neutral).
            offset: ``None``, a number of seconds, or a list with one entry per series.
            inplace: Change this object instead of returning a new one.

        Returns:
            The joined series (not periodic).

        Raises:
            ValueError: For an offset list of the wrong length, different channel counts, or
                an offset that would make the samples interleave.
        """
        series = self._self()
        return series._finish(edit.append_t(series, other_series, offset), inplace)

    def append_c(self, other_series: Any, inplace: bool = False) -> TSContinuous:
        """Append the channels of other series, sampled at **this** series' sample times.

        The other series' samples between this series' sample times are lost; its range
        rules apply (ValueError, or NaN with its ``beyond_range_exception = False``). Times
        and range stay this series'. An empty series without channels adds nothing.

        Args:
            other_series: A series (or a list of them).
            inplace: Change this object instead of returning a new one.
        """
        series = self._self()
        return series._finish(edit.append_c(series, other_series), inplace)

    def to_dict(self, dtype_times: Any = None, dtype_samples: Any = None) -> dict[str, Any]:
        """The arrays ``save`` writes (Rockpool's layout plus shoal's extra keys)."""
        from ._io import continuous_dict

        return continuous_dict(self._self(), dtype_times, dtype_samples)

    def save(
        self,
        path: Any,
        verbose: bool = False,
        dtype_times: Any = None,
        dtype_samples: Any = None,
    ) -> None:
        """Write the series to an uncompressed ``.npz`` file (``.npz`` appended if missing).

        Args:
            path: File name or open binary file.
            verbose: Print where the series was stored.
            dtype_times: Store times with this dtype (e.g. ``"float32"``).
            dtype_samples: Store samples with this dtype.
        """
        from ._io import write

        write(self._self(), path, verbose, self.to_dict(dtype_times, dtype_samples))

    def plot(
        self,
        times: Any = None,
        target: Any = None,
        channels: int | Sequence[int] | None = None,
        stagger: float | None = None,
        skip: int | None = None,
        dt: float | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        """Plot the series with the `plotting_backend` (matplotlib or holoviews).

        Args:
            times: Times in seconds to sample at. Default: the sample times (or ``dt``).
            target: matplotlib ``Axes`` (or a holoviews object) to draw on.
            channels: Channel index or indices to draw. Default: all.
            stagger: Add ``k * stagger`` to the k-th drawn channel.
            skip: Draw every ``skip``-th of the selected channels.
            dt: Sample at ``arange(t_start, t_stop, dt)``.
            *args: Passed on to the drawing call.
            **kwargs: Passed on to the drawing call.

        Returns:
            matplotlib: the list of ``Line2D`` (the ``Axes`` when ``target`` is given);
            holoviews: a ``Curve`` or an ``Overlay``.
        """
        from ._plotting import plot_continuous

        return plot_continuous(
            self._self(), times, target, channels, stagger, skip, dt, *args, **kwargs
        )
