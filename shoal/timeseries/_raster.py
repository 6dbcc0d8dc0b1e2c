"""Conversion between event lists and rasters (arrays of time bins x channels)."""

from __future__ import annotations

import numpy as np

from ._base import STEP_TOLERANCE

__all__ = ["bin_events", "validate_raster", "raster_events"]


def bin_events(
    times: np.ndarray,
    ids: np.ndarray,
    t_start: float,
    dt: float,
    num_steps: int,
    channels: np.ndarray,
    add_events: bool,
) -> np.ndarray:
    """Count events per time bin and channel.

    Bin ``k`` covers ``[t_start + k*dt, t_start + (k+1)*dt)``. An event within
    ``STEP_TOLERANCE * dt`` before a bin edge counts in the later bin, so event times built as
    ``t_start + k*dt`` land in bin ``k`` despite rounding.

    Args:
        times: Event times in seconds, shape ``(E,)``, inside the raster's window.
        ids: Channel of each event, shape ``(E,)``.
        t_start: Start of bin 0 in seconds.
        dt: Bin width in seconds.
        num_steps: Number of bins ``T``.
        channels: Channel ids of the raster's columns, shape ``(C,)``, no repeats.
        add_events: Return counts (``int64``) instead of booleans.

    Returns:
        Raster of shape ``(T, C)``: ``bool`` (any event in the bin) or ``int64`` counts.
    """
    lookup = np.full(max(int(ids.max(initial=-1)), int(channels.max(initial=-1))) + 1, -1)
    lookup[channels] = np.arange(channels.size)
    columns = lookup[ids] if ids.size else np.zeros(0, dtype=int)
    wanted = columns >= 0
    bins = np.floor((times[wanted] - t_start) / dt + STEP_TOLERANCE).astype(np.int64)
    bins = np.clip(bins, 0, max(num_steps - 1, 0))
    counts = np.bincount(
        bins * channels.size + columns[wanted], minlength=num_steps * channels.size
    ).reshape(num_steps, channels.size)
    return counts.astype(np.int64) if add_events else counts > 0


def validate_raster(label: str, raster: object) -> np.ndarray:
    """Return ``raster`` as non-negative ``int64`` counts of shape ``(T, C)``, or raise."""
    array = np.asarray(raster)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise ValueError(
            f"{label}: `raster` must have shape (T,) or (T, C); got an array of shape "
            f"{array.shape}."
        )
    if array.dtype == np.bool_:
        return array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{label}: `raster` must hold booleans or counts; got dtype {array.dtype}.")
    if array.size and not (np.isfinite(array).all() and (array == np.round(array)).all()):
        raise ValueError(
            f"{label}: `raster` must hold whole event counts; got non-integer values such as "
            f"{array[array != np.round(array)][:3].tolist()}."
        )
    if (array < 0).any():
        raise ValueError(
            f"{label}: `raster` must hold non-negative event counts; got values such as "
            f"{array[array < 0][:3].tolist()}."
        )
    return array.astype(np.int64)


def raster_events(
    counts: np.ndarray, dt: float, t_start: float, spikes_at_bin_start: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Events described by a count raster.

    Args:
        counts: Event counts, shape ``(T, C)``.
        dt: Bin width in seconds.
        t_start: Start of bin 0 in seconds.
        spikes_at_bin_start: Place events at ``t_start + k*dt`` instead of the bin centre
            ``t_start + (k + 0.5)*dt``.

    Returns:
        ``(times, channels)``, each shape ``(E,)``, sorted by time then channel; a count of
        ``n`` gives ``n`` events at the same time.
    """
    steps, channels = np.nonzero(counts)
    repeats = counts[steps, channels]
    position = steps if spikes_at_bin_start else steps + 0.5
    times = t_start + np.repeat(position, repeats) * dt
    return times, np.repeat(channels, repeats)
