"""Spiking Heidelberg Digits (SHD) and Spiking Speech Commands (SSC) from local HDF5 files.

Both data sets (Cramer et al., 2020) come as HDF5 files with one entry per recording:
``spikes/times`` (variable-length float arrays, seconds), ``spikes/units`` (variable-length
integer arrays, the cochlea channel 0–699 of each spike) and ``labels`` (integers). shoal never
downloads them: fetch ``shd_train.h5``/``shd_test.h5`` (or ``ssc_*.h5``) yourself from the
Zenke lab's data page (https://zenkelab.org/datasets/) and pass the path. Reading needs
``h5py`` (``pip install 'shoal[data]'``).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from shoal.backend._lazy import require

__all__ = ["SpikeDataset", "load_shd", "load_ssc"]

N_UNITS = 700  # cochlea channels in both SHD and SSC
_SOURCE = "the Zenke lab's data page, https://zenkelab.org/datasets/ (shoal never downloads)"


class SpikeDataset(NamedTuple):
    """Spike recordings binned into rasters.

    Attributes:
        rasters: ``(B, T, N)`` spike counts per bin (``uint8``; ``int32`` if a bin holds more
            than 255 spikes). Bin ``k`` covers ``[k·dt, (k+1)·dt)``.
        labels: ``(B,)`` int64 class labels.
        dt: Bin width in seconds.
        events: One ``TSEvent`` per recording (times in seconds, channels = units, range
            ``[0, T·dt)``) when asked for with ``as_events=True``, else ``None``.
    """

    rasters: np.ndarray
    labels: np.ndarray
    dt: float
    events: list | None = None


def _read(path: Path, feature: str, indices: Any) -> tuple[list, list, np.ndarray]:
    h5py = require("h5py", "data", feature)
    with h5py.File(path, "r") as handle:
        missing = [k for k in ("spikes/times", "spikes/units", "labels") if k not in handle]
        if missing:
            raise ValueError(
                f"{feature}: expected the datasets 'spikes/times', 'spikes/units' and 'labels' "
                f"in {path}, got none for {missing}"
            )
        n = len(handle["labels"])
        chosen = np.arange(n) if indices is None else np.asarray(indices, dtype=np.int64)
        if chosen.ndim != 1 or (chosen.size and (chosen.min() < -n or chosen.max() >= n)):
            raise IndexError(
                f"{feature}: expected indices a 1-D array of recordings in [0, {n}), "
                f"got {np.asarray(indices).tolist() if chosen.size < 20 else chosen.shape}"
            )
        times = [np.asarray(handle["spikes/times"][i], dtype=np.float64) for i in chosen]
        units = [np.asarray(handle["spikes/units"][i], dtype=np.int64) for i in chosen]
        labels = np.asarray(handle["labels"][...], dtype=np.int64)[chosen]
    return times, units, labels


def _load(
    path: str | os.PathLike[str],
    feature: str,
    dt: float,
    t_stop: float | None,
    n_units: int,
    as_events: bool,
    indices: Any,
) -> SpikeDataset:
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(
            f"{feature}: expected the HDF5 file {file}, which does not exist. Download it from "
            f"{_SOURCE}"
        )
    if not (isinstance(dt, (int, float)) and math.isfinite(dt) and dt > 0):
        raise ValueError(f"{feature}: expected dt a finite number > 0 (seconds), got {dt!r}")
    if t_stop is not None and not (isinstance(t_stop, (int, float)) and t_stop > 0):
        raise ValueError(
            f"{feature}: expected t_stop a number > 0 (seconds) or None, got {t_stop!r}"
        )
    times, units, labels = _read(file, feature, indices)
    for b, (t, u) in enumerate(zip(times, units)):
        if t.shape != u.shape or (t.size and (t.min() < 0 or not np.all(np.isfinite(t)))):
            raise ValueError(
                f"{feature}: recording {b} of {file}: expected as many finite times >= 0 as "
                f"units, got {t.size} times and {u.size} units"
            )
        if u.size and (u.min() < 0 or u.max() >= n_units):
            raise ValueError(
                f"{feature}: recording {b} of {file}: expected units in [0, {n_units}), got "
                f"unit {int(u.max()) if u.max() >= n_units else int(u.min())}"
            )
    last = max((float(t.max()) for t in times if t.size), default=0.0)
    n_steps = math.ceil(t_stop / dt) if t_stop is not None else int(last // dt) + 1
    # uint8 keeps a full SHD split in memory (8 bytes per bin would need 8× as much); counts
    # are made per recording and the whole array widens only if a bin ever exceeds 255.
    rasters = np.zeros((len(times), n_steps, n_units), dtype=np.uint8)
    for b, (t, u) in enumerate(zip(times, units)):
        step = np.floor(t / dt).astype(np.int64)
        keep = step < n_steps  # spikes after t_stop are dropped, as documented
        flat = np.bincount(step[keep] * n_units + u[keep], minlength=n_steps * n_units)
        if flat.max(initial=0) > np.iinfo(rasters.dtype).max:
            rasters = rasters.astype(np.int32)
        rasters[b] = flat.reshape(n_steps, n_units)
    events = None
    if as_events:
        from shoal.timeseries import TSEvent

        end = n_steps * dt
        events = [
            TSEvent(t[t < end], u[t < end], t_start=0.0, t_stop=end, num_channels=n_units)
            for t, u in zip(times, units)
        ]
    return SpikeDataset(rasters, labels, float(dt), events)


def load_shd(
    path: str | os.PathLike[str],
    *,
    dt: float = 1e-3,
    t_stop: float | None = None,
    n_units: int = N_UNITS,
    as_events: bool = False,
    indices: Any = None,
) -> SpikeDataset:
    """Load a Spiking Heidelberg Digits file (``shd_train.h5`` or ``shd_test.h5``).

    20 classes (digits 0–9 in English and German), 700 input channels, recordings up to about
    1.4 s. The full training file binned at 1 ms is about 8156 × 1400 × 700 bytes (8 GB): pass
    ``indices`` or a coarser ``dt`` to load less.

    Args:
        path: Path of the local HDF5 file.
        dt: Bin width in seconds (default 1 ms).
        t_stop: Length of every raster in seconds (``ceil(t_stop/dt)`` bins); spikes at or
            after it are dropped. Default: just long enough for the latest spike loaded, so
            give it explicitly to get the same ``T`` for training and test sets.
        n_units: Number of input channels ``N`` (default 700).
        as_events: Also return one ``TSEvent`` per recording (``.events``).
        indices: Which recordings to load (default all), e.g. ``range(1000)``.

    Returns:
        A :class:`SpikeDataset`: ``rasters`` ``(B, T, N)`` and ``labels`` ``(B,)``.

    Raises:
        FileNotFoundError: No file at ``path`` (the message says where to get it).
        ImportError: ``h5py`` is not installed (install ``shoal[data]``).
        ValueError: A file without the SHD layout, or spikes outside ``[0, n_units)``.
    """
    return _load(path, "shoal.datasets.load_shd", dt, t_stop, n_units, as_events, indices)


def load_ssc(
    path: str | os.PathLike[str],
    *,
    dt: float = 1e-3,
    t_stop: float | None = None,
    n_units: int = N_UNITS,
    as_events: bool = False,
    indices: Any = None,
) -> SpikeDataset:
    """Load a Spiking Speech Commands file (``ssc_train.h5``, ``ssc_valid.h5``, ``ssc_test.h5``).

    35 classes (spoken commands), 700 input channels, recordings up to about 1 s; the same
    layout and arguments as :func:`load_shd`.
    """
    return _load(path, "shoal.datasets.load_ssc", dt, t_stop, n_units, as_events, indices)
