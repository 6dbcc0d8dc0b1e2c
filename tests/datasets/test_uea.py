"""The UEA loaders on the files shipped in the sktime wheel and on fabricated .ts files."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from shoal.datasets import load_basic_motions, load_japanese_vowels, pad_sequences, uea
from shoal.datasets._ts_format import read_ts

HAS_FILES = any(importlib.util.find_spec(p) for p in ("sktime", "aeon"))
needs_files = pytest.mark.skipif(not HAS_FILES, reason="needs shoal[data] (sktime)")

HEADER = "#comment\n@problemName JapaneseVowels\n@dimensions 2\n@classLabel true 1 2 3\n@data\n"


def write(tmp_path, name, split, text):
    path = tmp_path / f"{name}_{split}.ts"
    path.write_text(text)
    return tmp_path


@needs_files
def test_japanese_vowels_real_files():
    train = load_japanese_vowels("train")
    test = load_japanese_vowels("test")
    assert train.data.shape == (270, 26, 12) and test.data.shape == (370, 29, 12)
    assert (train.lengths.min(), train.lengths.max()) == (7, 26)
    assert (test.lengths.min(), test.lengths.max()) == (7, 29)
    assert train.class_names == tuple("123456789")
    assert np.bincount(train.labels).tolist() == [30] * 9
    assert np.bincount(test.labels).tolist() == [31, 35, 88, 44, 29, 24, 40, 50, 29]
    # Padding is zeros after each recording's end, and real frames are non-zero there.
    b = int(np.argmin(train.lengths))
    assert np.all(train.data[b, train.lengths[b] :] == 0)
    assert np.all(np.abs(train.data[b, : train.lengths[b], 0]) > 0)
    # The first number of the file: recording 0, frame 0, coefficient 0.
    assert train.data[0, 0, 0] == pytest.approx(1.860936)


@needs_files
def test_basic_motions_real_files_and_timeseries():
    data = load_basic_motions("test", as_timeseries=True)
    assert data.data.shape == (40, 100, 6) and set(data.lengths) == {100}
    assert data.class_names == ("Standing", "Running", "Walking", "Badminton")
    ts = data.timeseries[3]
    assert ts.num_channels == 6 and ts.t_stop == pytest.approx(10.0)
    np.testing.assert_array_equal(ts.samples, data.data[3])
    np.testing.assert_allclose(ts.times[:3], [0.0, 0.1, 0.2])


def test_fabricated_file_variable_lengths_and_timeseries(tmp_path):
    text = HEADER + "1,2,3:4,5,6:2\n7,8:9,10:3\n"
    folder = write(tmp_path, "JapaneseVowels", "TEST", text)
    data = load_japanese_vowels("test", path=folder, as_timeseries=True, dt=0.5, pad_value=-1)
    np.testing.assert_array_equal(data.lengths, [3, 2])
    np.testing.assert_array_equal(data.labels, [1, 2])
    np.testing.assert_array_equal(data.data[0], [[1, 4], [2, 5], [3, 6]])
    np.testing.assert_array_equal(data.data[1], [[7, 9], [8, 10], [-1, -1]])
    assert data.timeseries[1].t_stop == 1.0 and data.timeseries[1].samples.shape == (2, 2)


def test_missing_value_becomes_nan(tmp_path):
    folder = write(tmp_path, "BasicMotions", "TRAIN", HEADER + "1,?:3,4:1\n")
    data = load_basic_motions(path=folder)
    assert np.isnan(data.data[0, 1, 0]) and data.data[0, 1, 1] == 4


def test_missing_file_names_path_and_source(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"JapaneseVowels_TRAIN\.ts.*sktime.*shoal\[data\]"):
        load_japanese_vowels(path=tmp_path)


def test_missing_package_names_the_extra(monkeypatch):
    monkeypatch.setattr(uea, "_PROVIDERS", ("no_such_package_for_shoal",))
    with pytest.raises(
        ImportError, match=r"load_basic_motions.*sktime.*pip install 'shoal\[data\]'"
    ):
        load_basic_motions()


def test_bad_split_and_dt(tmp_path):
    with pytest.raises(
        ValueError, match="load_japanese_vowels: expected split 'train' or 'test', got 'valid'"
    ):
        load_japanese_vowels("valid", path=tmp_path)
    with pytest.raises(ValueError, match="expected dt a finite number > 0"):
        load_japanese_vowels(path=tmp_path, dt=0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER + "1,2:3:1\n",
            r"line 6: expected every dimension .* same length, got lengths \[1, 2\]",
        ),
        (HEADER + "1,x:3,4:1\n", "line 6: expected numbers"),
        (HEADER + "1:2:7\n", r"expected labels among @classLabel \['1', '2', '3'\], got \['7'\]"),
        ("hello\n@data\n", "line 1: expected a '@key value' header line"),
        ("@problemName X\n", "expected an '@data' line"),
        (HEADER + "1:2:1\n1:1\n", r"expected one number of dimensions, got \[1, 2\]"),
    ],
)
def test_malformed_files(tmp_path, text, message):
    path = tmp_path / "bad.ts"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        read_ts(path)


def test_pad_sequences_empty():
    data, lengths = pad_sequences([])
    assert data.shape == (0, 0, 0) and lengths.shape == (0,)


@needs_files
def test_locating_the_files_does_not_import_the_package():
    load_basic_motions()
    assert "sktime" not in sys.modules and "aeon" not in sys.modules


def test_importing_datasets_imports_neither_jax_nor_h5py():
    code = (
        "import sys, shoal.datasets, shoal.training; "
        "assert not {'jax', 'h5py', 'sktime', 'pandas'} & set(sys.modules), sorted(sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
