"""Batch rows split over the machine's cores: each part of a kernel call on its own thread.

Without recurrence the rows of a batch never interact, and the kernels release the GIL
(``nogil``), so a call over ``B`` rows can run as a few calls over row ranges at once, with
the same numbers. Python threads rather than numba's ``parallel=True``: a busy core then
simply runs its part later (a blocking join, nothing spins), where a multi-threaded BLAS
waiting for a descheduled worker slowed a run 12-fold (issue 18), and numba needs no
threading layer. Small calls stay on the calling thread (a hand-off costs ~50 µs).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["MIN_ELEMENTS", "split_rows"]

#: Fewest ``B·T·N`` elements a call must have to be split (about 0.2 ms of kernel time).
MIN_ELEMENTS = 1 << 18

_pool: dict[str, Any] = {}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _executor() -> ThreadPoolExecutor:
    """This process's pool. A forked child (a data-loader worker) gets its own: the parent's
    threads do not exist there, and a task submitted to their pool would never run."""
    if _pool.get("pid") != os.getpid():
        _pool["executor"] = ThreadPoolExecutor(max_workers=max(_cores() - 1, 1))
        _pool["pid"] = os.getpid()
    return _pool["executor"]  # type: ignore[no-any-return]


def split_rows(run: Callable[[slice], None], n_rows: int, elements: int) -> None:
    """``run(rows)`` over ``slice(0, n_rows)``, split into one range per core when it pays.

    Args:
        run: Runs the kernel on the batch rows of its slice (and only writes those rows).
        n_rows: Batch rows ``B``.
        elements: ``B·T·N``, the call's work.
    """
    parts = min(_cores(), n_rows)
    if parts < 2 or elements < MIN_ELEMENTS:
        run(slice(0, n_rows))
        return
    executor = _executor()
    bounds = [n_rows * k // parts for k in range(parts + 1)]
    futures = [executor.submit(run, slice(bounds[k], bounds[k + 1])) for k in range(1, parts)]
    run(slice(bounds[0], bounds[1]))  # the first range on this thread
    for future in futures:
        future.result()
