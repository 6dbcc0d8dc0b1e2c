"""BLAS thread choice on the NumPy backend (issue 18): one thread, or whichever count is faster.

The chooser is driven here with invented step times, on stand-in BLAS libraries, so each test
says exactly which count must run which step; one test checks the real library is restored.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.backend import _blas_threads
from shoal.backend._blas_threads import BlasThreadChooser
from shoal.nn.modules import LIF


class _FakeBlas:
    def __init__(self, num_threads):
        self.num_threads = num_threads
        self.history = []

    def set_num_threads(self, count):
        self.num_threads = count
        self.history.append(count)


@pytest.fixture
def fake_blas(monkeypatch):
    library = _FakeBlas(4)
    monkeypatch.setattr(_blas_threads, "_blas", {"libraries": [library]})
    monkeypatch.setattr(_blas_threads, "_recent", {})  # no decision of an earlier test
    monkeypatch.setattr(_blas_threads, "_load", lambda: 0.0)  # an idle machine
    return library


_WORK = BlasThreadChooser.MIN_WORK


def _run(steps, seconds_for, work=_WORK):
    """Run ``steps`` steps; ``seconds_for(step, count)`` is each step's invented wall time."""
    libraries = _blas_threads._blas["libraries"]
    with BlasThreadChooser(work) as chooser:
        for t in range(steps):
            chooser.before_step()
            chooser.after_step(seconds_for(t, libraries[0].num_threads if libraries else 1))
    return chooser


def test_the_faster_count_is_chosen_and_the_old_one_restored(fake_blas):
    probe = BlasThreadChooser.PROBE + 1
    chooser = _run(400, lambda t, n: 1.0 if n == 4 else 3.0)  # all threads 3x faster
    assert chooser.counts[:probe] == [1] * probe
    assert chooser.counts[probe : 2 * probe] == [4] * probe
    after = chooser.counts[2 * probe :]
    assert after.count(4) / len(after) > 0.95  # then mostly all threads, with rare probes
    assert fake_blas.num_threads == 4  # as before the block


def test_one_thread_wins_when_threads_are_slower(fake_blas):
    chooser = _run(400, lambda t, n: 10.0 if n == 4 else 1.0)  # the loaded-machine trap
    # Each probe of all threads ends at its first step (10x one thread's): the first
    # comparison, then one probe 200 steps later (each lost probe doubles the interval).
    assert chooser.counts.count(4) == 2
    assert chooser.counts[-50:] == [1] * 50


def test_a_change_of_load_ends_the_bet_at_once(fake_blas):
    # All threads win first; from step 150 they are 10x slower (another process arrived).
    chooser = _run(600, lambda t, n: (1.0 if t < 150 else 10.0) if n == 4 else 2.0)
    late = chooser.counts[150:]
    assert late[:2] == [4, 4] and late[2:].count(4) == 1  # ended in 2 steps; one probe since


def test_a_fast_median_with_a_slow_tail_loses(fake_blas):
    # The loaded-machine pattern measured on workload (b): most multi-threaded steps are fast,
    # one in ten waits for a descheduled worker. The mean decides, and the watchdog stops it.
    def seconds(t, n):
        if n == 1:
            return 1.0
        return 50.0 if t % 10 == 9 else 0.5

    chooser = _run(1000, seconds)
    total = sum(seconds(t, n) for t, n in enumerate(chooser.counts))
    assert chooser.counts.count(4) < 60
    assert total < 1.2 * 1000  # within 20% of always one thread


def test_a_call_right_after_one_that_chose_one_thread_starts_with_it(fake_blas):
    slow_threads = lambda t, n: 10.0 if n == 4 else 1.0  # noqa: E731
    _run(300, slow_threads)
    second = _run(600, slow_threads)
    assert second.counts[:200] == [1] * 200  # no probe of all threads up front
    assert 4 in second.counts  # but still probed later


def test_a_call_after_one_that_chose_all_threads_probes_both_again(fake_blas):
    fast_threads = lambda t, n: 1.0 if n == 4 else 3.0  # noqa: E731
    _run(300, fast_threads)
    second = _run(300, fast_threads)
    probe = BlasThreadChooser.PROBE + 1
    assert second.counts[: 2 * probe] == [1] * probe + [4] * probe


def test_a_busy_machine_starts_with_one_thread_and_probes_rarely(fake_blas, monkeypatch):
    monkeypatch.setattr(_blas_threads, "_load", lambda: 4.0)  # 4 cores' worth of work
    chooser = _run(1000, lambda t, n: 1.0 if n == 4 else 2.0)  # threads would even win
    assert chooser.counts == [1] * 1000  # the first probe is MAX_RECHECK steps away


def test_the_first_step_after_a_change_is_not_timed(fake_blas):
    # A slower first step at each change (workers waking) must not decide anything.
    last = [None]

    def seconds(t, n):
        first = last[0] != n
        last[0] = n
        return 2.5 if first else (1.0 if n == 4 else 2.0)

    chooser = _run(100, seconds)
    assert chooser.counts[-10:] == [4] * 10


def test_a_small_product_runs_on_one_thread_without_probes(fake_blas):
    chooser = _run(50, lambda t, n: 1.0, work=_WORK - 1)
    assert not chooser.adaptive and chooser.counts == []
    assert fake_blas.history == [1, 4]  # one thread inside, restored after


def test_one_configured_thread_is_never_raised(fake_blas):
    fake_blas.num_threads = 1
    chooser = _run(50, lambda t, n: 1.0)
    assert not chooser.adaptive and set(fake_blas.history) <= {1}


def test_without_threadpoolctl_nothing_is_touched(monkeypatch):
    monkeypatch.setattr(_blas_threads, "_blas", {"libraries": []})
    chooser = _run(20, lambda t, n: 1.0)
    assert not chooser.adaptive


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
    # 32 x 256 by 256 x 256: above MIN_WORK, so the chooser probes both counts.
    module(x)
    assert counts() == before


def test_the_same_numbers_check_is_made_once_per_shape(fake_blas, monkeypatch):
    monkeypatch.setattr(_blas_threads, "_same_numbers", {})
    right = np.ones((6, 5), np.float32)
    # The stand-in BLAS ignores its thread count: the same bits, so threads are offered.
    assert _blas_threads.threads_keep_the_numbers((3, 6), right)
    assert fake_blas.history == [1, 4, 4]  # one product each way, then restored
    assert _blas_threads.threads_keep_the_numbers((3, 6), right)
    assert fake_blas.history == [1, 4, 4]  # remembered
    _blas_threads.threads_keep_the_numbers((3, 6), np.ones((5, 6), np.float32).T)
    assert len(fake_blas.history) == 6  # another layout: checked again


@pytest.mark.parametrize("same", [True, False])
def test_recurrent_lif_offers_threads_only_where_they_keep_the_numbers(
    same, fake_blas, monkeypatch
):
    pytest.importorskip("numba")
    from shoal.dynamics._fused import lif as fused_lif

    monkeypatch.setattr(fused_lif, "threads_keep_the_numbers", lambda *args: same)
    LIF(256, has_rec=True)(np.random.default_rng(0).random((32, 20, 256)))
    assert (4 in fake_blas.history[1:-1]) is same  # all threads tried in the call, or never


def test_float32_recurrent_numbers_do_not_depend_on_the_load(monkeypatch):
    # OpenBLAS's float32 product of these shapes changes bits with its thread count: the
    # fused route must give the one-thread generic loop's numbers even when it probes threads.
    pytest.importorskip("numba")
    from shoal.backend import fused_kernels, numpy_float_dtype

    monkeypatch.setattr(_blas_threads, "_load", lambda: 0.0)  # probe as on an idle machine
    monkeypatch.setattr(_blas_threads, "_recent", {})
    with numpy_float_dtype(np.float32):
        module = LIF(512, has_rec=True)
    x = 3 * np.random.default_rng(0).random((32, 25, 512), dtype=np.float32)
    with fused_kernels(False):
        generic = module.reset_state()(x)[0]
    fused = module.reset_state()(x)[0]
    np.testing.assert_array_equal(fused, generic)
    assert generic.sum() > 0
