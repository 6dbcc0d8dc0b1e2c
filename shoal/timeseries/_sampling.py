"""Sampling a `TSContinuous` at arbitrary times: range checks, NaN mode and interpolation.

Rules (``timeseries-compat.md`` §3.3):

* A non-periodic series may be sampled in ``[t_start, t_stop]``; between the range ends and
  the first / last sample, ``fill_value`` applies. A periodic series is sampled modulo its
  period at any time.
* With ``approx_limit_times`` (default), a time at most ``min(1e-9, 1e-6 * duration)`` s outside
  the range is moved onto the range end, silently.
* Other times outside the range raise a ValueError, or, with ``beyond_range_exception=False``,
  give NaN rows and one UserWarning per call.
* A series with no samples and no channels is a neutral element: ``(N, 0)``, no range check.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import _format_values
from ._interpolate import interpolate

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["outside_range", "sample", "sample_with_mask"]


def _query(series: TSContinuous, times: Any) -> np.ndarray:
    query = np.asarray(times)
    if query.dtype == np.bool_:
        raise TypeError(
            f"{series._label}: the requested times must be numbers of seconds, not booleans."
        )
    try:
        query = query.astype(np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{series._label}: the requested times must be numbers of seconds; got {times!r}."
        ) from None
    if query.ndim > 1:
        raise ValueError(
            f"{series._label}: the requested times must be a scalar or 1-D; "
            f"got an array of shape {query.shape}."
        )
    query = np.atleast_1d(query)
    if np.isnan(query).any():
        raise ValueError(f"{series._label}: the requested time points contain NaN.")
    if series.periodic and not np.isfinite(query).all():
        raise ValueError(f"{series._label}: the requested time points must be finite.")
    return query


def outside_range(series: TSContinuous, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(query snapped onto the range ends within tolerance, mask of times outside)``."""
    if series.periodic:
        bad = ~np.isfinite(query)
        return query, bad
    if series.isempty():
        # No samples: nothing can be sampled (the 0-channel case is handled by the caller).
        return query, np.ones(query.shape, dtype=bool)
    tolerance = min(1e-9, 1e-6 * series.duration) if series.approx_limit_times else 0.0
    start, stop = series.t_start, series.t_stop
    bad = (query < start - tolerance) | (query > stop + tolerance)
    return np.clip(query, start, stop), bad


def sample_with_mask(series: TSContinuous, times: Any) -> tuple[np.ndarray, np.ndarray]:
    """Sample ``series`` at ``times``; also return the mask of rows that were out of range.

    Returns:
        ``(values (N, C), outside (N,))``. Rows outside are NaN (only possible with
        ``beyond_range_exception=False``).

    Raises:
        ValueError: For times out of range with ``beyond_range_exception=True``.
    """
    query = _query(series, times)
    if series.isempty() and series.num_channels == 0:
        return np.zeros((query.size, 0)), np.zeros(query.size, dtype=bool)
    snapped, bad = outside_range(series, query)
    if bad.any():
        first = (
            f"{series._label}: Some of the requested time points are beyond the first and last "
            f"time points of this series and cannot be sampled"
        )
        where = f"(range [{series.t_start!r}, {series.t_stop!r}] s; offending times: " + (
            f"{_format_values(query[bad])})."
        )
        if series.beyond_range_exception:
            raise ValueError(
                f"{first} {where}\nIf you think that this is due to rounding errors, try "
                "setting the `approx_limit_times` attribute to `True`.\nIf you want to sample "
                "at these time points anyway, you can set the `beyond_range_exception` "
                "attribute of this time series to `False` and will receive `NaN` as values."
            )
        warnings.warn(
            f"{first} {where} Will return `NaN` for these time points. To raise a ValueError "
            "in situations like this, set the `beyond_range_exception` attribute of this time "
            "series to `True`.",
            UserWarning,
            stacklevel=4,
        )
    values = np.full((query.size, series.num_channels), np.nan)
    good = ~bad
    if good.any() and not series.isempty():
        values = values.astype(np.result_type(series.samples.dtype, np.float32))
        inside = series._wrap_periodic(snapped[good])
        times, samples = series._sorted_samples()
        values[good] = interpolate(times, samples, inside, series.interp_kind, series.fill_value)
    return values, bad


def sample(series: TSContinuous, times: Any) -> np.ndarray:
    """Values of ``series`` at ``times``, shape ``(N, C)``; see the module docstring."""
    return sample_with_mask(series, times)[0]
