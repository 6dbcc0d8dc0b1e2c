"""Throughput of data-parallel evolution against the number of (forced host) devices.

Each device count runs in its own subprocess with
``XLA_FLAGS=--xla_force_host_platform_device_count=<n>``, evolving a Linear → LIF network on a
batch split over the devices with :func:`shoal.parallel.evolve_sharded` (the input and module are
placed once, outside the timed calls). Prints samples/s, the speed-up over one device and the
parallel efficiency (speed-up / devices).

On a CPU the forced devices share the machine's cores, so the speed-up is capped by the core
count (2x on a 2-core machine); with ``--single-threaded`` each device gets one XLA thread, which
isolates device parallelism from XLA's own intra-op threading.

    .venv/bin/python benchmarks/scaling.py                 # 1, 2, 4 devices
    .venv/bin/python benchmarks/scaling.py --devices 1 2 --batch 64 --steps 500
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def child(args: argparse.Namespace) -> None:
    import jax
    import numpy as np

    from shoal.nn.combinators import Sequential
    from shoal.nn.modules.jax.lif_jax import LIFJax
    from shoal.nn.modules.jax.linear_jax import LinearJax
    from shoal.parallel import data_mesh, evolve_sharded, replicate, shard_batch

    rng = np.random.default_rng(0)
    weight = rng.normal(0.0, 1.0 / np.sqrt(args.n_in), size=(args.n_in, args.n_out))
    mesh = data_mesh()
    net = replicate(
        Sequential(LinearJax((args.n_in, args.n_out), weight=weight), LIFJax(args.n_out)), mesh
    )
    x = shard_batch(
        rng.uniform(0.0, 1.0, size=(args.batch, args.steps, args.n_in)).astype(np.float32), mesh
    )
    jax.block_until_ready(evolve_sharded(net, x, mesh=mesh))  # compile
    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        jax.block_until_ready(evolve_sharded(net, x, mesh=mesh))
        times.append(time.perf_counter() - start)
    best = min(times)
    print(
        json.dumps(
            {
                "devices": jax.device_count(),
                "best_s": best,
                "median_s": statistics.median(times),
                "samples_per_s": args.batch / best,
            }
        )
    )


def run(devices: int, args: argparse.Namespace) -> dict[str, float]:
    flags = [f"--xla_force_host_platform_device_count={devices}"]
    if args.single_threaded:
        flags.append("--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
    env = {**os.environ, "XLA_FLAGS": " ".join(flags), "JAX_PLATFORMS": "cpu"}
    command = [sys.executable, __file__, "--child", *_forwarded(args)]
    result = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{devices} devices failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _forwarded(args: argparse.Namespace) -> list[str]:
    return [
        f"--batch={args.batch}",
        f"--steps={args.steps}",
        f"--n-in={args.n_in}",
        f"--n-out={args.n_out}",
        f"--repeats={args.repeats}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch", type=int, default=32, help="samples (B); divides over 1, 2, 4")
    parser.add_argument("--steps", type=int, default=1000, help="time steps (T)")
    parser.add_argument("--n-in", type=int, default=256)
    parser.add_argument("--n-out", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--single-threaded", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    cores = os.cpu_count()
    print(
        f"Linear {args.n_in}->{args.n_out} + LIF {args.n_out}, B={args.batch}, T={args.steps}, "
        f"float32, {cores} CPU cores, load average {os.getloadavg()[0]:.1f}"
        + (", one XLA thread per device" if args.single_threaded else "")
    )
    print(f"{'devices':>7} {'best ms':>9} {'samples/s':>10} {'speed-up':>9} {'efficiency':>10}")
    baseline = None
    for devices in args.devices:
        result = run(devices, args)
        baseline = baseline or result["samples_per_s"]
        ratio = result["samples_per_s"] / baseline
        print(
            f"{devices:>7} {result['best_s'] * 1e3:>9.1f} {result['samples_per_s']:>10.1f} "
            f"{ratio:>8.2f}x {ratio / devices:>9.0%}"
        )


if __name__ == "__main__":
    main()
