"""Batch rows shared out over threads: one work queue for every fused kernel.

Without recurrence the rows of a batch never interact, and the kernels release the GIL
(``nogil``), so a call over ``B`` rows can run as kernel calls over row ranges on several
threads at once, with the same numbers. Used by the NumPy engine's loops
(:func:`split_rows`, up to one thread per core) and by the Torch training loop's kernels
(:func:`run_rows` with Torch's thread count).

Why Python threads and a queue:

- Not numba's ``parallel=True``: its OpenMP/TBB pool would spin and compete with OpenBLAS's and
  Torch's own threads, and follow yet another thread setting. A multi-threaded BLAS waiting for
  a descheduled worker slowed a run 12-fold on a loaded machine (issue 18).
- The calling thread works too, taking small chunks from the same queue as the helpers, and
  waits only for the chunks a helper has actually taken: on a loaded machine a helper may not be
  scheduled for milliseconds, and a fixed split would wait for it (measured: 20% slower than one
  thread at load 6 on 2 cores; with the queue it is never much slower).
- One pool per process: a forked child (a DataLoader worker, multiprocessing) inherits the pool
  object but not its threads, and would wait forever on it.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["MIN_ELEMENTS", "run_rows", "split_rows"]

#: Fewest ``B·T·N`` elements a NumPy-engine call must have to be shared out (about 0.2 ms of
#: kernel time; a hand-off costs ~50 µs).
MIN_ELEMENTS = 1 << 18

#: Chunks per thread: small enough that a late helper leaves little for the caller to wait on.
CHUNKS_PER_THREAD = 4

_pool: dict[str, Any] = {}


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _executor(helpers: int) -> ThreadPoolExecutor:
    """This process's pool, with at least ``helpers`` threads (grown by replacing it)."""
    if _pool.get("pid") != os.getpid() or _pool["size"] < helpers:
        old = _pool.get("executor") if _pool.get("pid") == os.getpid() else None
        if old is not None:
            old.shutdown(wait=False)
        _pool.update(
            executor=ThreadPoolExecutor(helpers, thread_name_prefix="shoal-rows"),
            pid=os.getpid(),
            size=helpers,
        )
    return _pool["executor"]  # type: ignore[no-any-return]


def run_rows(rows: Callable[[int, int], None], n_rows: int, n_threads: int) -> None:
    """``rows(start, stop)`` over chunks covering ``range(n_rows)``, on up to ``n_threads``.

    Args:
        rows: Runs the kernel on rows ``start:stop`` (and only writes those rows).
        n_rows: Batch rows ``B``.
        n_threads: Threads to use, the calling one included.

    Raises:
        The first exception a chunk raised, in the calling thread, once no chunk is running.
    """
    n_threads = max(1, min(n_threads, n_rows))
    if n_threads == 1:
        rows(0, n_rows)
        return
    executor = _executor(n_threads - 1)
    n_chunks = min(n_rows, CHUNKS_PER_THREAD * n_threads)
    bounds = [n_rows * k // n_chunks for k in range(n_chunks + 1)]
    queue = iter(list(itertools.pairwise(bounds)))
    lock = threading.Lock()
    finished = threading.Semaphore(0)
    taken = [0]  # chunks taken by helpers (each releases `finished` when done)
    errors: list[BaseException] = []

    def helper() -> None:
        while True:
            with lock:
                chunk = next(queue, None)
                if chunk is None:
                    return
                taken[0] += 1
            try:
                rows(*chunk)
            except BaseException as error:  # re-raised in the calling thread
                errors.append(error)
            finally:
                finished.release()

    for _ in range(n_threads - 1):
        executor.submit(helper)
    while True:
        with lock:
            chunk = next(queue, None)
        if chunk is None:
            break
        try:
            rows(*chunk)
        except BaseException as error:
            errors.append(error)
            break
    with lock:  # from here no helper takes a chunk: wait for those taken
        for _ in queue:
            pass
        waiting = taken[0]
    for _ in range(waiting):
        finished.acquire()
    if errors:
        raise errors[0]


def split_rows(run: Callable[[slice], None], n_rows: int, elements: int) -> None:
    """``run(rows)`` over slices covering ``range(n_rows)``, on one thread per core when it pays.

    Args:
        run: Runs the kernel on the batch rows of its slice (and only writes those rows).
        n_rows: Batch rows ``B``.
        elements: ``B·T·N``, the call's work; below :data:`MIN_ELEMENTS` it stays on this thread.
    """
    if elements < MIN_ELEMENTS:
        run(slice(0, n_rows))
        return
    run_rows(lambda start, stop: run(slice(start, stop)), n_rows, _cores())
