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

# --- issue 18 (NumPy half): the NumPy modules built in float32 (opt-in), the precision of the
# floor and of the hand-written loop. run.py's job list must name the variant to measure it.
NUMPY_FLOAT32 = "numpy-float32"


def _bench_numpy_float32(workload: str, repeats: int, quick: bool) -> dict:
    import numpy as np

    from shoal.backend import numpy_float_dtype

    with numpy_float_dtype(np.float32):
        api = rockpool_api.load_api("shoal")
        return rockpool_api.bench(api, "numpy", workload, repeats, quick)


# --- end of the issue-18 block


def versions() -> dict[str, str]:
    found = {}
    for name in ("shoal", "jax", "jaxlib", "optax", "numpy", "torch"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def main() -> None:
    args = parse_args(LIBRARY, (*rockpool_api.VARIANTS, NUMPY_FLOAT32))
    try:
        api = rockpool_api.load_api("shoal")
        error = ""
    except ImportError as exc:
        api, error = None, f"cannot import shoal's modules: {exc}"

    def bench(variant: str) -> dict:
        if api is None:
            raise Skip(error)
        if variant == NUMPY_FLOAT32:
            return _bench_numpy_float32(args.workload, args.repeats, args.quick)
        return rockpool_api.bench(api, variant, args.workload, args.repeats, args.quick)

    run_variants(args, LIBRARY, versions(), bench)


if __name__ == "__main__":
    main()
