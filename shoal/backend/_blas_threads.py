"""BLAS threads on the NumPy backend: one thread around per-step loops, or chosen by timing.

Large one-off products (a ``Linear`` layer's GEMM over all time steps) run with BLAS's own
thread count. Inside a time loop the products are small and many, and threads there can cost
far more than they gain: on a loaded 2-core machine a multi-threaded OpenBLAS product per
step slowed a recurrent run from 0.8 s to 10 s (issue 18), because each product waits for a
worker the scheduler has given to another process. On an idle machine the same threads make
that run ~1.4× faster. Neither the product's size nor ``os.getloadavg()`` (a minute-long
average) tells which case a call is in for sure; timing the steps does, so
:class:`BlasThreadChooser` times a few steps with one thread and with all, runs the faster,
and checks again periodically (a high load average only makes it start with one thread). Everything here needs ``threadpoolctl`` (installed by the ``numba`` extra);
without it BLAS is left as configured.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
from collections import deque
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["BlasThreadChooser", "single_threaded_blas", "threads_keep_the_numbers"]

_blas: dict[str, Any] = {}
# (thread count, product size) -> (time.monotonic(), choice, interval) of the latest call.
_recent: dict[tuple[int, int], tuple[float, int, int]] = {}
# (operand shapes, dtype, layout) -> whether BLAS's thread count leaves the product's bits alone.
_same_numbers: dict[tuple[Any, ...], bool] = {}


def _blas_libraries() -> list[Any]:
    """threadpoolctl's controllers of the loaded BLAS libraries ([] without threadpoolctl)."""
    if "libraries" not in _blas:
        if importlib.util.find_spec("threadpoolctl") is None:
            _blas["libraries"] = []
        else:
            from threadpoolctl import ThreadpoolController

            # Built once: it inspects every loaded shared library (milliseconds).
            controller = ThreadpoolController().select(user_api="blas")
            _blas["libraries"] = list(controller.lib_controllers)
    return _blas["libraries"]  # type: ignore[no-any-return]


def threads_keep_the_numbers(left_shape: tuple[int, ...], right: np.ndarray) -> bool:
    """Whether ``left @ right`` has the same bits with one BLAS thread and with all.

    Not always so: OpenBLAS's float32 product of workload (b)'s shapes (32×512 by 512×512)
    differs in the last bits between one and two threads (float64: the same here). Threads
    chosen by timing would then make a call's numbers depend on the machine's load, so the
    choice is only offered where the bits agree. Checked once per shapes, dtype and layout of
    ``right``, on synthetic operands (two products), and remembered.
    """
    key = (left_shape, right.shape, right.dtype.str, right.strides)
    if key not in _same_numbers:
        libraries = _blas_libraries()
        most = max((library.num_threads for library in libraries), default=1)
        rng = np.random.default_rng(0)
        left = rng.standard_normal(left_shape).astype(right.dtype)
        synthetic = np.empty_like(right)  # the same memory layout (BLAS's transpose flags)
        synthetic[...] = rng.standard_normal(right.shape)
        results = []
        with _threads_restored():
            for count in (1, most):
                for library in libraries:
                    library.set_num_threads(count)
                results.append(left @ synthetic)
        _same_numbers[key] = bool(np.array_equal(results[0], results[1]))
    return _same_numbers[key]


@contextlib.contextmanager
def single_threaded_blas() -> Iterator[None]:
    """BLAS limited to one thread inside the block (a no-op without ``threadpoolctl``)."""
    with _threads_restored() as libraries:
        for library in libraries:
            library.set_num_threads(1)
        yield


@contextlib.contextmanager
def _threads_restored() -> Iterator[list[Any]]:
    libraries = _blas_libraries()
    before = [library.num_threads for library in libraries]
    try:
        yield libraries
    finally:
        for library, count in zip(libraries, before, strict=True):
            library.set_num_threads(count)


class BlasThreadChooser:
    """BLAS threads for a loop of per-step products: whichever count runs the steps faster.

    Usage: ``with BlasThreadChooser(work) as threads:``, then per step ``threads.before_step()``,
    the step, and ``threads.after_step(seconds)`` with the step's wall time. The counts BLAS had
    before the block are restored after it.

    One thread is the safe choice; all threads (BLAS's configured count) are a bet that pays
    on an idle machine and loses badly on a loaded one. Under load the loss is in the tail: the
    median multi-threaded step stays fast while one step in ten waits tens of milliseconds
    for a descheduled worker (measured on workload (b): median 221 µs, mean 4.7 ms). So every
    comparison uses mean times, and a multi-threaded run is watched step by step:

    * ``PROBE`` timed steps with one thread, then ``PROBE`` with all (the first step after each
      change is not timed: it wakes or parks the workers); all threads are taken if their mean
      beats one thread's by ``MARGIN``;
    * while all threads run, each step's excess over the one-thread mean is summed (credit
      from fast steps capped at ``GIVE_UP`` one-thread steps); once the sum exceeds
      ``GIVE_UP`` one-thread steps, the bet is lost: back to one thread;
    * after ``interval`` steps the other count is probed again (``PROBE`` steps; one thread's
      mean is refreshed that way too). ``interval`` starts at ``RECHECK`` and doubles each time
      the choice stands or a bet is lost (up to ``MAX_RECHECK``), so a settled machine costs
      few probes and a change of load is still noticed;
    * while probing all threads, one step slower than ``GIVE_UP`` one-thread steps ends the
      probe (under load one such step took 44 ms against 0.26 ms);
    * a machine already busy (1-minute load average at least BLAS's thread count) starts with
      one thread and probes only every ``MAX_RECHECK`` steps;
    * a call within ``MEMORY_S`` seconds of one that settled on one thread (same thread count
      and product size) starts with one thread and that call's interval (at most
      ``2·RECHECK``) instead of probing both counts first: load changes over seconds, and
      repeated calls on a loaded machine then pay no probe up front.

    Args:
        work: Multiply-adds of one step's product. Below ``MIN_WORK`` threads never pay (their
            wake-up costs about what the product does): one thread, no probes.

    Attributes:
        counts: The thread count each step ran with (diagnostics and tests).
    """

    PROBE = 5
    MARGIN = 0.9
    GIVE_UP = 3.0
    RECHECK = 100
    MAX_RECHECK = 1600
    MIN_WORK = 1 << 20
    MEMORY_S = 10.0

    def __init__(self, work: int) -> None:
        self._libraries: list[Any] = []
        self._most = 1
        self.counts: list[int] = []
        self._work = work
        self._queue: deque[int] = deque()
        self._single: deque[float] = deque(maxlen=self.PROBE)  # latest one-thread steps
        self._multi: list[float] = []  # all-thread steps since the last decision
        self._excess = 0.0
        self._choice = 1
        self._phase = "explore"
        self._interval = self.RECHECK
        self._current = 0
        self._timed = False
        self._restore: contextlib.ExitStack | None = None

    def __enter__(self) -> BlasThreadChooser:
        self._restore = contextlib.ExitStack()
        self._libraries = self._restore.enter_context(_threads_restored())
        self._most = max((library.num_threads for library in self._libraries), default=1)
        self._set(1)
        if not self.adaptive:
            return self
        if _load() >= self._most:
            # Busy already (every core has work, this process's included): threads would
            # wait for descheduled workers. One thread, with rare probes for long runs.
            self._interval = self.MAX_RECHECK
            self._choose(1, longer=False)
            return self
        recent = _recent.get(self._key)
        if recent is not None and recent[1] == 1 and time.monotonic() - recent[0] < self.MEMORY_S:
            # One thread won a moment ago (the previous call): start with it, probe later.
            # (A remembered all-threads choice still starts with both counts: the bet needs a
            # fresh one-thread reference to be watched against.)
            # Its interval, but at most 2·RECHECK: a machine that became idle since is noticed
            # within a few hundred steps, not a whole call later.
            self._interval = min(recent[2], 2 * self.RECHECK)
            self._choose(1, longer=False)
        else:  # first: both counts, PROBE timed steps each
            self._queue.extend([1] * (self.PROBE + 1) + [self._most] * (self.PROBE + 1))
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._restore is not None
        self._restore.close()
        if self.adaptive and self._phase != "explore":
            _recent[self._key] = (time.monotonic(), self._choice, self._interval)

    @property
    def _key(self) -> tuple[int, int]:
        """What a remembered decision applies to: the thread count and the product's size."""
        return self._most, self._work.bit_length()

    @property
    def adaptive(self) -> bool:
        """Whether both counts are tried: more than one thread available, and enough work."""
        return self._most > 1 and self._work >= self.MIN_WORK

    def before_step(self) -> None:
        """Set the thread count of the coming step."""
        if not self.adaptive:
            return
        if not self._queue:
            self._decide()
        self._set(self._queue.popleft())

    def after_step(self, seconds: float) -> None:
        """Record the wall time of the step just run."""
        if not self.adaptive:
            return
        self.counts.append(self._current)
        timed, self._timed = self._timed, True
        if self._current == 1:
            if timed:
                self._single.append(seconds)
            return
        # Probing all threads: one step far slower than one thread's is verdict enough
        # (under load a single such step cost 44 ms against 0.26 ms; measured on (b)).
        probing = self._phase != "run" and self._single
        if probing and seconds > self.GIVE_UP * _mean(self._single):
            self._choose(1, longer=True)
            return
        if not timed:
            return
        self._multi.append(seconds)
        if self._choice == self._most and self._single:
            # Credit from fast steps is capped, so a change of load is caught within a few
            # steps however long the bet has been paying.
            limit = self.GIVE_UP * _mean(self._single)
            self._excess = max(self._excess + seconds - _mean(self._single), -limit)
            if self._excess > limit:  # the bet is lost
                self._choose(1, longer=True)

    def _decide(self) -> None:
        """The queue ran out: after a run, probe the other count; after a probe, choose."""
        if self._phase == "run":
            self._phase = "probe"
            other = self._most if self._choice == 1 else 1
            if other == self._most:
                self._multi = []  # the probe's own samples (one thread's are in _single)
            self._queue.extend([other] * (self.PROBE + 1))
            return
        multi = _mean(self._multi) if self._multi else float("inf")
        single = _mean(self._single) if self._single else float("inf")
        if self._choice == 1:
            taken = self._most if multi < self.MARGIN * single else 1
        else:
            taken = 1 if single < self.MARGIN * multi else self._most
        # A choice that stands after a probe is checked less often.
        self._choose(taken, longer=self._phase == "probe" and taken == self._choice)

    def _choose(self, count: int, longer: bool) -> None:
        """Run ``count`` for the next interval (doubled first if ``longer``)."""
        if longer:
            self._interval = min(2 * self._interval, self.MAX_RECHECK)
        self._choice, self._phase = count, "run"
        self._multi, self._excess = [], 0.0
        self._queue.clear()
        self._queue.extend([count] * self._interval)

    def _set(self, count: int) -> None:
        if count == self._current:
            return
        for library in self._libraries:
            library.set_num_threads(count)
        self._current = count
        self._timed = False


def _load() -> float:
    """The 1-minute load average (0 where the system does not report one)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def _mean(values: Any) -> float:
    return sum(values) / len(values)
