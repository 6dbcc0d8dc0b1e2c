"""shoal on every workload, called the way users call it: eager `net(x)` and under `jax.jit`,
the NumPy modules, and the Torch modules (eager and `torch.compile`).

    python benchmarks/shoal_bench.py --workload a [--variant jit] [--repeats N] [--quick] [--json]

Runs in shoal's own environment (`.venv`). If shoal, or the modules a workload needs, cannot be
imported, each variant is reported as skipped with the import error as the reason.
"""

from __future__ import annotations

import importlib.metadata

import rockpool_api
from workloads import Skip, parse_args, run_variants

LIBRARY = "shoal"


def versions() -> dict[str, str]:
    found = {}
    for name in ("shoal", "jax", "jaxlib", "optax", "numpy", "torch"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def main() -> None:
    args = parse_args(LIBRARY, rockpool_api.VARIANTS)
    try:
        api = rockpool_api.load_api("shoal")
        error = ""
    except ImportError as exc:
        api, error = None, f"cannot import shoal's modules: {exc}"

    def bench(variant: str) -> dict:
        if api is None:
            raise Skip(error)
        return rockpool_api.bench(api, variant, args.workload, args.repeats, args.quick)

    run_variants(args, LIBRARY, versions(), bench)


if __name__ == "__main__":
    main()
