"""Multivariate time-series classification data shipped inside registry packages (offline).

JapaneseVowels (speech) and BasicMotions (smartwatch IMU) from the UEA archive ship as ``.ts``
files inside the ``sktime`` wheel (``sktime/datasets/data/<Name>/``; the ``aeon`` wheel has
them too and is used when ``sktime`` is not installed). The files are found with
:func:`importlib.util.find_spec`, without importing either package, and parsed here; nothing
is ever downloaded. Install the files with ``pip install 'shoal[data]'``.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import NamedTuple

import numpy as np

from shoal.datasets._ts_format import read_ts

__all__ = ["SequenceDataset", "load_basic_motions", "load_japanese_vowels", "pad_sequences"]

# Packages that ship the UEA files, in order of preference (sktime needs no numba).
_PROVIDERS = ("sktime", "aeon")
_SPLITS = ("train", "test")


class SequenceDataset(NamedTuple):
    """Variable-length sequences padded into one array.

    Attributes:
        data: ``(B, T_max, C)`` float64 samples; step ``t >= lengths[b]`` holds ``pad_value``.
        lengths: ``(B,)`` int64 number of real time steps per sequence.
        labels: ``(B,)`` int64 class indices into ``class_names``.
        class_names: The class labels as written in the file, in declaration order.
        timeseries: One ``TSContinuous`` per sequence (sample ``k`` at ``k·dt`` seconds) when
            asked for with ``as_timeseries=True``, else ``None``.
    """

    data: np.ndarray
    lengths: np.ndarray
    labels: np.ndarray
    class_names: tuple[str, ...]
    timeseries: list | None = None


def pad_sequences(
    series: list[np.ndarray], pad_value: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Stack ``(T_i, C)`` arrays into ``(B, max T_i, C)``, padding the end with ``pad_value``.

    Returns:
        ``(data, lengths)``: the padded ``(B, T_max, C)`` array and the ``(B,)`` lengths.

    Examples:
        >>> data, lengths = pad_sequences([np.ones((2, 1)), np.ones((3, 1))])
        >>> data[:, :, 0], lengths
        (array([[1., 1., 0.],
               [1., 1., 1.]]), array([2, 3]))
    """
    lengths = np.array([len(s) for s in series], dtype=np.int64)
    channels = series[0].shape[1] if series else 0
    data = np.full((len(series), int(lengths.max(initial=0)), channels), float(pad_value))
    for b, case in enumerate(series):
        data[b, : len(case)] = case
    return data, lengths


def _packaged_folder(name: str, feature: str) -> Path:
    for provider in _PROVIDERS:
        spec = importlib.util.find_spec(provider)
        if spec is not None and spec.submodule_search_locations:
            folder = Path(next(iter(spec.submodule_search_locations))) / "datasets" / "data" / name
            if folder.is_dir():
                return folder
    raise ImportError(
        f"{feature} reads the {name} files shipped in the 'sktime' (or 'aeon') package, which "
        f"is not installed. Install it with: pip install 'shoal[data]'"
    )


def _load(
    name: str,
    feature: str,
    split: str,
    path: str | os.PathLike[str] | None,
    as_timeseries: bool,
    dt: float,
    pad_value: float,
) -> SequenceDataset:
    if split not in _SPLITS:
        raise ValueError(f"{feature}: expected split 'train' or 'test', got {split!r}")
    if not (isinstance(dt, (int, float)) and np.isfinite(dt) and dt > 0):
        raise ValueError(f"{feature}: expected dt a finite number > 0 (seconds), got {dt!r}")
    folder = _packaged_folder(name, feature) if path is None else Path(path)
    file = folder / f"{name}_{split.upper()}.ts"
    if not file.is_file():
        raise FileNotFoundError(
            f"{feature}: expected the file {file}, which does not exist. It ships in the "
            f"'sktime' wheel (pip install 'shoal[data]'), under sktime/datasets/data/{name}/, "
            f"and in the UEA archive (timeseriesclassification.com)"
        )
    contents = read_ts(file)
    data, lengths = pad_sequences(contents.series, pad_value)
    index = {label: k for k, label in enumerate(contents.class_names)}
    labels = np.array([index[label] for label in contents.labels], dtype=np.int64)
    series = None
    if as_timeseries:
        from shoal.timeseries import TSContinuous

        series = [
            TSContinuous(
                np.arange(len(case)) * dt, case, t_stop=len(case) * dt, name=f"{name}[{b}]"
            )
            for b, case in enumerate(contents.series)
        ]
    return SequenceDataset(data, lengths, labels, contents.class_names, series)


def load_japanese_vowels(
    split: str = "train",
    *,
    path: str | os.PathLike[str] | None = None,
    as_timeseries: bool = False,
    dt: float = 1e-3,
    pad_value: float = 0.0,
) -> SequenceDataset:
    """JapaneseVowels: nine male speakers uttering /ae/, 12 LPC cepstrum coefficients per frame.

    270 training and 370 test recordings of 7–29 frames; the class is the speaker (``"1"`` to
    ``"9"``, indices 0–8).

    Args:
        split: ``"train"`` (270 recordings) or ``"test"`` (370).
        path: A folder holding ``JapaneseVowels_TRAIN.ts``/``_TEST.ts``. Default: the files
            shipped in the installed ``sktime`` (or ``aeon``) package.
        as_timeseries: Also return one ``TSContinuous`` per recording (``.timeseries``).
        dt: Time between frames in seconds for the ``TSContinuous`` (default 1 ms).
        pad_value: Value of the padding after each recording's end (default 0).

    Returns:
        A :class:`SequenceDataset`: ``data`` ``(270, 26, 12)`` (train) or ``(370, 29, 12)``
        (test), ``lengths`` and ``labels`` ``(B,)``.

    Raises:
        ImportError: Neither package is installed (install ``shoal[data]``).
        FileNotFoundError: ``path`` lacks the file (the message names it and where to get it).
    """
    return _load(
        "JapaneseVowels", "shoal.datasets.load_japanese_vowels", split, path, as_timeseries, dt,
        pad_value,
    )  # fmt: skip


def load_basic_motions(
    split: str = "train",
    *,
    path: str | os.PathLike[str] | None = None,
    as_timeseries: bool = False,
    dt: float = 0.1,
    pad_value: float = 0.0,
) -> SequenceDataset:
    """BasicMotions: smartwatch accelerometer and gyroscope (6 channels), 4 activities.

    40 training and 40 test recordings of 100 samples (10 s at 10 Hz); classes
    ``("Standing", "Running", "Walking", "Badminton")``.

    Args:
        split: ``"train"`` or ``"test"``.
        path: A folder holding ``BasicMotions_TRAIN.ts``/``_TEST.ts``. Default: the files
            shipped in the installed ``sktime`` (or ``aeon``) package.
        as_timeseries: Also return one ``TSContinuous`` per recording (``.timeseries``).
        dt: Time between samples in seconds (default 0.1 s, the recording's 10 Hz).
        pad_value: Value of any padding (the recordings all have 100 samples).

    Returns:
        A :class:`SequenceDataset`: ``data`` ``(B, 100, 6)``, ``lengths``, ``labels`` ``(B,)``.

    Raises:
        ImportError: Neither package is installed (install ``shoal[data]``).
        FileNotFoundError: ``path`` lacks the file (the message names it and where to get it).
    """
    return _load(
        "BasicMotions", "shoal.datasets.load_basic_motions", split, path, as_timeseries, dt,
        pad_value,
    )  # fmt: skip
