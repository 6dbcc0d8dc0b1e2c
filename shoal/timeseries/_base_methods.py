"""Methods every time series has that are not about its data: joining, loading, plot backends.

A mixin of `TimeSeries`, kept apart so that ``_base.py`` stays short.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from ._classes import series_class

if TYPE_CHECKING:
    from ._base import TimeSeries

__all__ = ["SeriesFilesAndPlots"]


class SeriesFilesAndPlots:
    """``concatenate_t``, ``load``, ``set_plotting_backend`` and ``plotting_backend``."""

    _plotting_backend: str | None

    @classmethod
    def concatenate_t(
        cls, series: Iterable[TimeSeries] | TimeSeries, offset: Any = None
    ) -> TimeSeries:
        """Join series one after another in time (see the subclasses' ``append_t``).

        Builds an empty series of the first series' class starting at its `t_start` and
        appends them all; ``offset`` is as in ``append_t`` (its first entry applies to the
        first series).

        Args:
            series: A series or a sequence of series of one class.
            offset: ``None`` (the class's default gap), a number of seconds, or one entry per
                series.

        Returns:
            The joined series; an empty one of the calling class for an empty list.
        """
        base = series_class("TimeSeries")
        items = [series] if isinstance(series, base) else list(cast("Iterable[Any]", series))
        if not items:
            return cls()  # type: ignore[return-value]
        first = items[0]
        if not isinstance(first, base):
            raise TypeError(
                f"{cls.__name__}.concatenate_t: `series` must hold TimeSeries objects; "
                f"got {type(first).__name__}."
            )
        start = type(first)(t_start=first.t_start)
        return start.append_t(items, offset=offset)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, path: Any, expected_type: str | None = None) -> TimeSeries:
        """Load a series saved with ``save`` (Rockpool's ``.npz`` layout).

        Args:
            path: A file name or an open binary file.
            expected_type: ``"TSContinuous"`` or ``"TSEvent"``; only when called on
                `TimeSeries` itself (a subclass expects its own type).

        Raises:
            TypeError: If the file holds another type than expected.
        """
        from ._io import load_ts_from_file

        if cls is not series_class("TimeSeries"):
            if expected_type is not None:
                raise TypeError(
                    "Argument `expected_type` can only be provided when calling this method "
                    "from `TimeSeries` class."
                )
            expected_type = cls.__name__
        return load_ts_from_file(path, expected_type=expected_type)

    def set_plotting_backend(self, backend: str | None, verbose: bool = True) -> None:
        """Choose this series' plotting backend; ``None`` follows the global one.

        Args:
            backend: ``"matplotlib"`` (also ``"mpl"``, ``"mp"``, ``"pyplot"``, ``"plt"``),
                ``"holoviews"`` (also ``"holo"``, ``"Holoviews"``, ``"HoloViews"``, ``"hv"``)
                or ``None``.
            verbose: Print the choice.
        """
        from ._backends import resolve_backend

        label = self._label  # type: ignore[attr-defined]
        self._plotting_backend = None if backend is None else resolve_backend(backend)
        if verbose:
            if backend is None:
                print(f"{label}: Using global plotting backend.")
            else:
                print(f"{label}: Plotting backend has been set to {self._plotting_backend}.")

    @property
    def plotting_backend(self) -> str | None:
        """This series' plotting backend, else the global one (`get_global_ts_plotting_backend`)."""
        from ._backends import get_global_ts_plotting_backend

        own = vars(self).get("_plotting_backend")
        return own if own is not None else get_global_ts_plotting_backend()
