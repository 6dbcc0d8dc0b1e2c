"""BLAS threads on the NumPy backend (issue 18): one thread in loops, row blocks that keep bits.

:func:`row_blocks` is checked against the real BLAS: every split it offers must give the whole
product's bits on data other than its own synthetic check; one test says which split this BLAS
allows for workload (b)'s float32 shapes (halves, or multiples of its kernel's row width).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from shoal.backend import _blas_threads
from shoal.backend._blas_threads import row_blocks
from shoal.nn.modules import LIF


@pytest.fixture(autouse=True)
def _fresh_bounds(monkeypatch):
    monkeypatch.setattr(_blas_threads, "_bounds", {})  # no choice remembered from another test


def _blocks_product(left, right, bounds):
    with _blas_threads.single_threaded_blas():
        return np.concatenate([left[a:b] @ right for a, b in itertools.pairwise(bounds)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_rows", [1, 2, 5, 7, 13, 16, 32, 33, 64])
@pytest.mark.parametrize("n_blocks", [2, 3, 4])
def test_every_split_offered_keeps_the_bits_of_the_whole_product(dtype, n_rows, n_blocks):
    rng = np.random.default_rng(n_rows)
    right = rng.normal(0, 0.05, (96, 80)).astype(dtype)
    left = np.floor(3 * rng.random((n_rows, 96))).astype(dtype)  # spike counts, as in LIF
    bounds = row_blocks(n_rows, right, n_blocks)
    assert bounds[0] == 0 and bounds[-1] == n_rows
    assert all(a < b for a, b in itertools.pairwise(bounds))
    assert len(bounds) - 1 <= n_blocks
    with _blas_threads.single_threaded_blas():
        whole = left @ right
    np.testing.assert_array_equal(_blocks_product(left, right, bounds), whole)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_halves_are_taken_exactly_when_they_keep_the_bits(dtype):
    # Workload (b)'s shapes. OpenBLAS's float32 Haswell kernel does not keep the bits of a
    # 32-row product in 16-row halves (it takes rows 12 at a time); float64 does. Whichever
    # this BLAS does, halves are offered if and only if they keep the bits.
    rng = np.random.default_rng(0)
    right = rng.normal(0, 0.05, (512, 512)).astype(dtype)
    left = rng.normal(0, 1, (32, 512)).astype(dtype)
    with _blas_threads.single_threaded_blas():
        halves_keep = np.array_equal(left @ right, _blocks_product(left, right, (0, 16, 32)))
    bounds = row_blocks(32, right, 2)
    assert (bounds == (0, 16, 32)) is halves_keep
    assert len(bounds) == 3  # some split is found either way (12 rows and 20 on Haswell)


def test_no_split_when_none_keeps_the_bits(monkeypatch):
    monkeypatch.setattr(_blas_threads.np, "array_equal", lambda *arrays: False)
    assert row_blocks(32, np.ones((8, 8)), 2) == (0, 32)


def test_the_check_is_made_once_per_shape_dtype_and_layout(monkeypatch):
    right = np.ones((8, 6))
    first = row_blocks(10, right, 2)

    def no_check(*args):
        raise AssertionError("checked again")

    monkeypatch.setattr(_blas_threads.np.random, "default_rng", no_check)
    assert row_blocks(10, right, 2) == first  # remembered
    with pytest.raises(AssertionError, match="checked again"):
        row_blocks(10, np.ones((6, 8)).T, 2)  # another layout: checked again


def test_a_recurrent_lif_call_leaves_blas_threads_as_they_were():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    pytest.importorskip("numba")

    def counts():
        info = threadpoolctl.threadpool_info()
        return {p["filepath"]: p["num_threads"] for p in info if p["user_api"] == "blas"}

    module = LIF(256, has_rec=True)
    x = np.random.default_rng(0).random((32, 30, 256))
    module(x)  # loads numba (and whatever BLAS it brings) first
    before = counts()
    module(x)  # 32 x 256 by 256 x 256, 30 steps: split into row blocks on one BLAS thread
    assert counts() == before


class _FakeBlas:
    def __init__(self, num_threads):
        self.num_threads = num_threads

    def set_num_threads(self, count):
        self.num_threads = count


def test_one_thread_inside_the_block_and_the_old_count_after(monkeypatch):
    library = _FakeBlas(4)
    monkeypatch.setattr(_blas_threads, "_blas", {"libraries": [library]})
    with pytest.raises(RuntimeError, match="inside"), _blas_threads.single_threaded_blas():
        assert library.num_threads == 1
        raise RuntimeError("inside")
    assert library.num_threads == 4  # restored after an error too
