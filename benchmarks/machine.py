"""This machine's float32 GEMM rate and memory bandwidth, and each workload's physical floor.

The floor of a workload is the larger of
  * its unavoidable FLOPs (the input projection, plus the recurrence where there is one) at the
    measured float32 GEMM rate (NumPy's BLAS, all cores), and
  * its unavoidable memory traffic (read the input once, write the output once, and read and
    write the neuron state once per step) at the measured copy bandwidth.
No implementation can beat it; each library's fraction of it (floor / median time) says how
close that library gets.

Run directly to print the figures: `python benchmarks/machine.py`.
"""

from __future__ import annotations

import itertools
import os
import platform
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from workloads import WORKLOADS, Workload

BYTES = 4  # float32


def _median_time(call: Any, repeats: int) -> float:
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def gemm_gflops(n: int = 2048, repeats: int = 7) -> float:
    """Float32 matrix product rate (GFLOP/s) of NumPy's BLAS on square n×n matrices."""
    rng = np.random.default_rng(0)
    a = rng.random((n, n), dtype=np.float32)
    b = rng.random((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    seconds = _median_time(lambda: np.matmul(a, b, out=out), repeats)
    return 2 * n**3 / seconds / 1e9


def copy_bandwidth_gbs(n_bytes: int = 512 * 2**20, repeats: int = 7) -> float:
    """Memory bandwidth (GB/s) of a large array copy on all cores, counting reads and writes.

    Each core copies its own slice in a thread (NumPy releases the GIL while copying).
    """
    src = np.ones(n_bytes // BYTES, dtype=np.float32)
    dst = np.empty_like(src)
    cores = os.cpu_count() or 1
    bounds = np.linspace(0, src.size, cores + 1).astype(int)
    slices = [slice(lo, hi) for lo, hi in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(cores) as pool:

        def copy() -> None:
            list(pool.map(lambda part: np.copyto(dst[part], src[part]), slices))

        seconds = _median_time(copy, repeats)
    return 2 * n_bytes / seconds / 1e9


def blas_info() -> str:
    """Which BLAS (and kernel) NumPy runs, via threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    parts = [
        f"{pool.get('internal_api')} {pool.get('version')} "
        f"{pool.get('architecture')} ({pool.get('num_threads')} threads)"
        for pool in threadpool_info()
        if pool.get("user_api") == "blas"
    ]
    return "; ".join(parts) or "none found"


def workload_flops(wl: Workload, steps: int) -> float:
    """FLOPs of the input projection and of the recurrent product (forward pass)."""
    flops = 0.0
    if wl.projection:
        flops += 2.0 * wl.batch * steps * wl.n_in * wl.n_out
    if wl.recurrent:
        flops += 2.0 * wl.batch * steps * wl.n_out * wl.n_out
    if wl.train:
        flops *= 3  # backward: the gradient w.r.t. the weights and w.r.t. the input
    return flops


def workload_bytes(wl: Workload, steps: int) -> float:
    """Bytes that must move: input read, output written, state read+written every step."""
    states = 2 if wl.neuron == "lif" else 1  # (vmem, isyn) or x
    traffic = wl.batch * steps * (wl.n_in + wl.n_out) * BYTES
    traffic += 2 * states * wl.batch * steps * wl.n_out * BYTES
    if wl.train:
        traffic *= 3
    return traffic


def floors(gflops: float, bandwidth: float, quick: bool = False) -> dict[str, dict[str, Any]]:
    """Per workload: FLOPs, bytes, compute and memory floors (s) and the floor (their max)."""
    result = {}
    for name, wl in WORKLOADS.items():
        if name == "f":
            continue
        steps = wl.steps_for(quick)
        flops = workload_flops(wl, steps)
        traffic = workload_bytes(wl, steps)
        compute_s = flops / (gflops * 1e9)
        memory_s = traffic / (bandwidth * 1e9)
        result[name] = {
            "flops": flops,
            "bytes": traffic,
            "compute_s": compute_s,
            "memory_s": memory_s,
            "floor_s": max(compute_s, memory_s),
            "bound": "compute" if compute_s >= memory_s else "memory",
        }
    return result


def measure_machine() -> dict[str, Any]:
    return {
        "gemm_gflops": gemm_gflops(),
        "bandwidth_gbs": copy_bandwidth_gbs(),
        "cores": os.cpu_count(),
        "cpu": _cpu_name(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "python": platform.python_version(),
        "load_avg_1min": os.getloadavg()[0],
    }


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


if __name__ == "__main__":
    machine = measure_machine()
    for key, value in machine.items():
        print(f"{key}: {value}")
    for name, floor in floors(machine["gemm_gflops"], machine["bandwidth_gbs"]).items():
        print(
            f"({name}) floor {floor['floor_s'] * 1e3:.2f} ms ({floor['bound']}-bound; "
            f"{floor['flops'] / 1e9:.2f} GFLOP, {floor['bytes'] / 1e6:.1f} MB)"
        )
