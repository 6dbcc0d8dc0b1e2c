"""Recurrent LIF's fused loop over row blocks (issue 18): the generic loop's numbers, bit for bit.

The batch rows are split into blocks, each block's whole time loop on its own worker. The
split is forced here on small calls (``MIN_WORK`` 0, a chosen core count) so that every case
really runs several blocks; outputs, final states and records must equal the generic loop's
(``fused_kernels(False)``) exactly, in float32 and float64, whatever the number of blocks and
whatever the number of workers that ran them.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.backend import _blas_threads, numpy_float_dtype
from shoal.backend._fused import fused_kernels
from shoal.nn.modules import LIF

pytest.importorskip("numba")
# Both need numba.
from shoal.dynamics._fused import lif as fused_lif
from shoal.dynamics._fused import lif_recurrent

_REAL_BUSY = lif_recurrent._busy


@pytest.fixture
def blocks(monkeypatch):
    """Split every call over ``cores`` (set by the test); records the bounds each call used."""
    monkeypatch.setattr(lif_recurrent, "MIN_WORK", 0)
    monkeypatch.setattr(lif_recurrent, "_busy", lambda n_cores: False)  # as on an idle machine
    monkeypatch.setattr(_blas_threads, "_bounds", {})
    used: list[tuple[int, ...]] = []
    real = lif_recurrent.block_bounds

    def recording(*args):
        used.append(real(*args))
        return used[-1]

    monkeypatch.setattr(lif_recurrent, "block_bounds", recording)

    def set_cores(count):
        monkeypatch.setattr(lif_recurrent, "_cores", lambda: count)
        used.clear()
        return used

    return set_cores


def _run(module, x, fused, seed=7):
    """Two calls (the second from the first's state, spikes included), seeded noise."""
    np.random.seed(seed)
    module = module.reset_state()
    with fused_kernels(fused):
        module(x)
        out, state, records = module(x, record=True)
    return [np.array(out), *(np.array(v) for v in state.values()),
            *(np.array(records[k]) for k in sorted(records))]  # fmt: skip


def _assert_identical(fused, generic):
    assert len(fused) == len(generic)
    for a, b in zip(fused, generic, strict=True):
        np.testing.assert_array_equal(a, b)


def _module(dtype, n_in, n_out, **options):
    w_rec = np.random.default_rng(5).normal(0, 0.3, (n_out, n_in)).astype(dtype)
    with numpy_float_dtype(dtype):
        return LIF((n_in, n_out), has_rec=True, w_rec=w_rec, **options)


_CASES = {
    "one synapse": ((16, 16), {}),
    "two synapses": ((32, 16), {}),
    "noise": ((16, 16), {"noise_std": 0.3}),
    "max_spikes 2": ((16, 16), {"max_spikes_per_dt": 2.0}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_batches", [14, 32])  # 14: blocks of unequal size
@pytest.mark.parametrize("name", sorted(_CASES))
def test_blocks_give_the_generic_loops_numbers(name, n_batches, dtype, blocks):
    (n_in, n_out), options = _CASES[name]
    module = _module(dtype, n_in, n_out, **options)
    x = (3 * np.random.default_rng(1).random((n_batches, 20, n_in))).astype(dtype)
    generic = _run(module, x, fused=False)
    for cores in (1, 2, 3):
        used = blocks(cores)
        _assert_identical(_run(module, x, fused=True), generic)
        # One core: one block; more: really split (14 rows in float32: 12 and 2).
        assert (used[0] == (0, n_batches)) is (cores == 1)
    assert generic[0].sum() > 0 and generic[0].max() <= options.get("max_spikes_per_dt", 2**16)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_numbers_do_not_depend_on_the_workers_that_ran_the_blocks(dtype, blocks, monkeypatch):
    # The same blocks, run by two workers or by the calling thread alone (as on a loaded
    # machine, when no helper is scheduled): the same bits.
    module = _module(dtype, 64, 64)
    x = (3 * np.random.default_rng(2).random((24, 30, 64))).astype(dtype)
    used = blocks(2)
    two = _run(module, x, fused=True)
    threads = []
    real_run_rows = lif_recurrent.run_rows

    def caller_only(rows, n_rows, n_threads):
        threads.append(n_threads)
        real_run_rows(rows, n_rows, 1)

    monkeypatch.setattr(lif_recurrent, "run_rows", caller_only)
    alone = _run(module, x, fused=True)
    assert len(used[0]) == 3 and used[0] == used[-1] and threads == [2, 2]
    _assert_identical(alone, two)


@pytest.mark.parametrize("shape", [(1, 20), (32, 1), (1, 1)], ids=["B=1", "T=1", "B=T=1"])
def test_one_row_or_one_step(shape, blocks):
    module = _module(np.float64, 16, 16)
    x = 3 * np.random.default_rng(3).random((*shape, 16))
    generic = _run(module, x, fused=False)
    used = blocks(2)
    _assert_identical(_run(module, x, fused=True), generic)
    assert used[0][-1] == shape[0] and (shape[0] > 1) is (len(used[0]) > 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_workload_b_shapes_on_two_cores(dtype, blocks):
    # (b)'s row and neuron counts (32 x 512), where OpenBLAS's float32 halves would not keep
    # the product's bits: the split taken must, and the spikes (counts up to 2**16) must be
    # the generic loop's exactly.
    module = _module(dtype, 512, 512)
    x = (3 * np.random.default_rng(0).random((32, 8, 512))).astype(dtype)
    generic = _run(module, x, fused=False)
    used = blocks(2)
    _assert_identical(_run(module, x, fused=True), generic)
    assert len(used[0]) == 3 and generic[0].sum() > 0


def test_an_error_in_a_block_reaches_the_caller_and_blas_is_restored(blocks, monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def counts():
        return [
            p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"
        ]

    module = _module(np.float64, 16, 16)
    x = np.ones((8, 5, 16))
    module(x)
    before = counts()
    blocks(2)

    def broken(*args):
        raise FloatingPointError("a block failed")

    monkeypatch.setattr(fused_lif, "_lif_step", broken)
    with pytest.raises(FloatingPointError, match="a block failed"):
        module(x)
    assert counts() == before


@pytest.mark.parametrize("load", [0.0, 3.9, 4.0, 9.0])
def test_a_busy_machine_runs_one_block_with_the_same_numbers(load, blocks, monkeypatch):
    # Two cores: from a load average of 4 (two runnable threads per core) one block; the
    # numbers are the same either way.
    module = _module(np.float32, 64, 64)
    x = (3 * np.random.default_rng(4).random((24, 10, 64))).astype(np.float32)
    generic = _run(module, x, fused=False)
    used = blocks(2)
    monkeypatch.setattr(lif_recurrent, "_busy", _REAL_BUSY)
    monkeypatch.setattr(lif_recurrent.os, "getloadavg", lambda: (load, load, load))
    _assert_identical(_run(module, x, fused=True), generic)
    assert (len(used[0]) == 2) is (load >= 4.0)


def test_no_load_average_counts_as_idle(monkeypatch):
    def missing():
        raise OSError("no load average")

    monkeypatch.setattr(lif_recurrent.os, "getloadavg", missing)
    assert not _REAL_BUSY(2)
