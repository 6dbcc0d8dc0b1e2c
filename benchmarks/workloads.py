"""Shared workload definitions, input generation and measurement helpers for the benchmarks.

Every benchmark script (shoal's and each peer's) imports this file, so all libraries see the same
sizes, seeds, inputs and the same way of timing and of measuring memory. It depends on NumPy and
the standard library only, so it runs in shoal's environment and in the peer environment alike.

A script prints one JSON line per (library, variant) it measured; `benchmarks/run.py` collects
them.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

DT = 1e-3
TAU_MEM = 20e-3
TAU_SYN = 10e-3
THRESHOLD = 1.0
P_SPIKE = 0.05
SEED = 2024


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmark workload. Sizes follow the issue; `quick_*` shrink it for smoke runs."""

    name: str
    description: str
    neuron: str  # "lif" or "rate"
    batch: int
    steps: int
    n_in: int
    n_out: int
    recurrent: bool = False
    projection: bool = True  # a Linear(n_in→n_out) before the neurons
    train: bool = False
    record: bool = False
    quick_steps: int = 0

    def steps_for(self, quick: bool) -> int:
        return self.quick_steps if quick and self.quick_steps else self.steps


WORKLOADS: dict[str, Workload] = {
    "a": Workload(
        "a", "Linear(256→512) + LIF(512), B=32, T=1000", "lif", 32, 1000, 256, 512, quick_steps=100
    ),
    "b": Workload(
        "b",
        "(a) with recurrent w_rec 512×512",
        "lif",
        32,
        1000,
        256,
        512,
        recurrent=True,
        quick_steps=100,
    ),
    "c": Workload(
        "c",
        "Linear(256→512) + Rate(512), B=32, T=1000",
        "rate",
        32,
        1000,
        256,
        512,
        quick_steps=100,
    ),
    "c-rec": Workload(
        "c-rec",
        "(c) with recurrent w_rec 512×512",
        "rate",
        32,
        1000,
        256,
        512,
        recurrent=True,
        quick_steps=100,
    ),
    "d": Workload(
        "d",
        "one training step of (a), T=200 (forward + surrogate backward + Adam)",
        "lif",
        32,
        200,
        256,
        512,
        train=True,
        quick_steps=50,
    ),
    "e": Workload(
        "e",
        "LIF(512) alone, long run, B=1, T=100 000, record=False",
        "lif",
        1,
        100_000,
        512,
        512,
        projection=False,
        quick_steps=10_000,
    ),
    "g": Workload(
        "g",
        "(a) with record=True: every state of every step recorded",
        "lif",
        32,
        1000,
        256,
        512,
        record=True,
        quick_steps=100,
    ),
    "f": Workload(
        "f",
        "pytree flatten+unflatten of a 6-module JAX net; first call of (a)",
        "lif",
        32,
        1000,
        256,
        512,
        quick_steps=100,
    ),
}

# Default timed calls per process; the runner launches several processes per variant.
DEFAULT_REPEATS = {"a": 5, "b": 5, "c": 5, "c-rec": 5, "d": 5, "e": 2, "g": 5, "f": 200}


def decay(tau: float) -> float:
    """Per-step decay factor exp(-dt / tau) of an exponential synapse or membrane."""
    return math.exp(-DT / tau)


def make_input(wl: Workload, quick: bool = False, dtype: Any = np.float32) -> np.ndarray:
    """Bernoulli(p=0.05) input spikes, shape (B, T, n_in), batch-major as Rockpool expects."""
    rng = np.random.default_rng(SEED)
    shape = (wl.batch, wl.steps_for(quick), wl.n_in)
    return (rng.random(shape, dtype=np.float32) < P_SPIKE).astype(dtype)


def make_weights(wl: Workload) -> dict[str, np.ndarray]:
    """Weights shared by the hand-written loops: w_in (n_in, n_out) and w_rec (n_out, n_out)."""
    rng = np.random.default_rng(SEED + 1)
    w_in = rng.normal(0.0, 1.0 / math.sqrt(wl.n_in * P_SPIKE), (wl.n_in, wl.n_out))
    w_rec = rng.normal(0.0, 0.5 / math.sqrt(wl.n_out), (wl.n_out, wl.n_out))
    return {"w_in": w_in.astype(np.float32), "w_rec": w_rec.astype(np.float32)}


def make_target(wl: Workload, quick: bool = False) -> np.ndarray:
    """Regression target for the training workload, shape (B, T, n_out)."""
    rng = np.random.default_rng(SEED + 2)
    shape = (wl.batch, wl.steps_for(quick), wl.n_out)
    return (rng.random(shape, dtype=np.float32) < P_SPIKE).astype(np.float32)


# ----------------------------------------------------------------------------- memory


def _proc_status_kib(*keys: str) -> dict[str, int]:
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in keys:
                values[key] = int(rest.split()[0])
    return values


def rss_bytes() -> int:
    """Current resident set size of this process."""
    return _proc_status_kib("VmRSS")["VmRSS"] * 1024


class PeakRss:
    """Peak RSS over a block of code.

    Linux lets a process reset its RSS high-water mark (`echo 5 > /proc/self/clear_refs`), which
    measures the peak exactly and costs nothing while the timed code runs. Where that is refused,
    a background thread samples RSS every millisecond instead (it sleeps between samples, so it
    only briefly takes the GIL).
    """

    def __init__(self) -> None:
        self.before = 0
        self.peak = 0
        self.process_peak = 0
        self.method = ""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> PeakRss:
        gc.collect()
        self.process_peak = _proc_status_kib("VmHWM")["VmHWM"] * 1024
        self.before = rss_bytes()
        try:
            with open("/proc/self/clear_refs", "w") as clear:
                clear.write("5")
            self.method = "VmHWM reset"
        except OSError:
            self.method = "sampling thread (1 ms)"
            self.peak = self.before
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(1e-3)

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self.peak = max(self.peak, rss_bytes())
        else:
            self.peak = _proc_status_kib("VmHWM")["VmHWM"] * 1024
        self.process_peak = max(self.process_peak, self.peak)


# ----------------------------------------------------------------------------- timing


# Seconds of timed calls after which a process stops early (at least one call is timed), so
# that variants costing a minute per call do not hold the run for many minutes.
TIME_BUDGET_S = 60.0


def measure(
    call: Callable[[], Any],
    repeats: int,
    sync: Callable[[Any], Any] = lambda out: out,
) -> dict[str, Any]:
    """Time one first call (compilation, caches) and then up to `repeats` calls under PeakRss.

    `sync` blocks until the result is computed (e.g. `jax.block_until_ready`). Timed calls stop
    early once first call + timed calls exceed TIME_BUDGET_S.
    """
    start = time.perf_counter()
    sync(call())
    first = time.perf_counter() - start
    times: list[float] = []
    with PeakRss() as mem:
        for _ in range(repeats):
            start = time.perf_counter()
            out = sync(call())
            times.append(time.perf_counter() - start)
            del out
            if first + sum(times) > TIME_BUDGET_S:
                break
    return {
        "times": times,
        "first_call_s": first,
        "compile_s": max(first - float(np.median(times)), 0.0),
        "rss_before": mem.before,
        "rss_peak_during": mem.peak,
        "rss_delta": mem.peak - mem.before,
        "rss_process_peak": mem.process_peak,
        "memory_method": mem.method,
    }


# ----------------------------------------------------------------------------- CLI and output


def parse_args(library: str, variants: Iterable[str]) -> argparse.Namespace:
    variants = list(variants)
    parser = argparse.ArgumentParser(description=f"{library} benchmarks")
    parser.add_argument("--workload", required=True, choices=sorted(WORKLOADS))
    parser.add_argument(
        "--variant",
        choices=variants,
        default=None,
        help="measure one variant only (default: all of them)",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed calls per variant (default: per workload)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller T for smoke runs")
    parser.add_argument("--json", action="store_true", help="print JSON lines only")
    args = parser.parse_args()
    args.variants = [args.variant] if args.variant else variants
    if args.repeats is None:
        args.repeats = DEFAULT_REPEATS[args.workload]
    return args


def emit(args: argparse.Namespace, library: str, variant: str, **fields: Any) -> None:
    """Print one result line: JSON with --json, else a short human-readable summary."""
    wl = WORKLOADS[args.workload]
    record = {
        "library": library,
        "variant": variant,
        "workload": wl.name,
        "steps": wl.steps_for(args.quick),
        "batch": wl.batch,
        "python": sys.version.split()[0],
        "pid": os.getpid(),
        **fields,
    }
    if args.json:
        print(json.dumps(record), flush=True)
        return
    if "skip" in record:
        print(f"{library}/{variant} {wl.name}: skipped: {record['skip']}", flush=True)
        return
    median = float(np.median(record["times"]))
    print(
        f"{library}/{variant} {wl.name}: median {median * 1e3:.2f} ms, "
        f"first call {record['first_call_s']:.3f} s, "
        f"peak RSS +{record['rss_delta'] / 2**20:.1f} MiB "
        f"(process {record['rss_process_peak'] / 2**20:.0f} MiB)",
        flush=True,
    )


def run_variants(
    args: argparse.Namespace,
    library: str,
    versions: dict[str, str],
    bench: Callable[[str], dict[str, Any]],
) -> None:
    """Run `bench(variant)` for each requested variant and emit its result.

    `bench` returns the dict from `measure` (plus extra fields) or raises `Skip`.
    """
    for variant in args.variants:
        try:
            result = bench(variant)
        except Skip as skip:
            emit(args, library, variant, skip=str(skip), versions=versions)
            continue
        emit(args, library, variant, versions=versions, **result)


class Skip(Exception):
    """Raised by a benchmark that cannot run a (workload, variant); the message says why."""
