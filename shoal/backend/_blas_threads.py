"""BLAS threads on the NumPy backend: one thread around per-step loops, or chosen by timing.

Large one-off products (a ``Linear`` layer's GEMM over all time steps) run with BLAS's own
thread count. Inside a time loop the products are small and many, and threads there can cost
far more than they gain: on a loaded 2-core machine a multi-threaded OpenBLAS product per
step slowed a recurrent run from 0.8 s to 10 s (issue 18), because each product waits for a
worker the scheduler has given to another process. On an idle machine the same threads make
that run ~1.4× faster. Neither the product's size nor ``os.getloadavg()`` (a minute-long
average) tells which case a call is in; timing the steps does, so :class:`BlasThreadChooser`
times a few steps with one thread and with all, runs the faster, and checks again
periodically. Everything here needs ``threadpoolctl`` (installed by the ``numba`` extra);
without it BLAS is left as configured.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections import deque
from collections.abc import Iterator
from typing import Any

__all__ = ["BlasThreadChooser", "single_threaded_blas"]

_blas: dict[str, Any] = {}


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

    Schedule: ``PROBE`` timed steps with one thread, then ``PROBE`` with BLAS's configured
    count (the first step after each change is not timed: it wakes or parks the workers); the
    lower median wins. After ``interval`` steps the other count gets ``PROBE`` steps again and
    wins if its median beats the last ``PROBE`` steps of the current one by ``MARGIN``;
    ``interval`` starts at ``RECHECK`` and doubles each time the current count stays (up to
    ``MAX_RECHECK``), so a settled choice costs few probes while a change of load is still
    noticed. Probing the bad count costs ``PROBE + 1`` steps at its speed: under the 12-fold
    trap above, about 6 slow steps per check.

    Args:
        work: Multiply-adds of one step's product. Below ``MIN_WORK`` threads never pay (their
            wake-up costs about what the product does): one thread, no probes.

    Attributes:
        counts: The thread count each step ran with (diagnostics and tests).
    """

    PROBE = 5
    MARGIN = 0.9
    RECHECK = 100
    MAX_RECHECK = 1600
    MIN_WORK = 1 << 20

    def __init__(self, work: int) -> None:
        self._libraries: list[Any] = []
        self._most = 1
        self.counts: list[int] = []
        self._work = work
        self._queue: deque[int] = deque()
        self._samples: dict[int, list[float]] = {}
        self._choice = 1
        self._interval = self.RECHECK
        self._current = 0
        self._timed = False
        self._phase = "explore"
        self._restore: contextlib.ExitStack | None = None

    def __enter__(self) -> BlasThreadChooser:
        self._restore = contextlib.ExitStack()
        self._libraries = self._restore.enter_context(_threads_restored())
        self._most = max((library.num_threads for library in self._libraries), default=1)
        self._set(1)
        if self.adaptive:  # first: both counts, PROBE timed steps each
            self._queue.extend([1] * (self.PROBE + 1) + [self._most] * (self.PROBE + 1))
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._restore is not None
        self._restore.close()

    @property
    def adaptive(self) -> bool:
        """Whether both counts are tried: more than one thread available, and enough work."""
        return self._most > 1 and self._work >= self.MIN_WORK

    def before_step(self) -> None:
        """Set the thread count of the coming step."""
        if not self.adaptive:
            return
        if not self._queue:
            self._plan()
        self._set(self._queue.popleft())

    def after_step(self, seconds: float) -> None:
        """Record the wall time of the step just run."""
        if not self.adaptive:
            return
        self.counts.append(self._current)
        if self._timed:
            samples = self._samples.setdefault(self._current, [])
            samples.append(seconds)
            del samples[: -self.PROBE]  # the latest PROBE steps are compared
        self._timed = True

    def _plan(self) -> None:
        """The steps after the queue ran out: after timing both counts, decide and run the
        choice; after a run, probe the other count."""
        other = self._most if self._choice == 1 else 1
        if self._phase == "run":
            self._phase = "probe"
            self._queue.extend([other] * (self.PROBE + 1))
            return
        probed = self._samples.pop(other, [])
        current = self._samples.get(self._choice, [])
        if probed and current and _median(probed) < self.MARGIN * _median(current):
            self._choice, self._interval = other, self.RECHECK
        elif self._phase == "probe":
            self._interval = min(2 * self._interval, self.MAX_RECHECK)
        self._phase = "run"
        self._queue.extend([self._choice] * self._interval)

    def _set(self, count: int) -> None:
        if count == self._current:
            return
        for library in self._libraries:
            library.set_num_threads(count)
        self._current = count
        self._timed = False


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]
