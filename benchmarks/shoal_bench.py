"""shoal on every workload, called the way users call it: eager `net(x)` and under `jax.jit`.

    python benchmarks/shoal_bench.py --workload a [--variant jit] [--repeats N] [--quick] [--json]

Runs in shoal's own environment (`.venv`). If shoal, or the modules a workload needs, cannot be
imported, each variant is reported as skipped with the import error as the reason.
"""

from __future__ import annotations

import importlib.metadata
from types import SimpleNamespace

import rockpool_api
from workloads import Skip, parse_args, run_variants

LIBRARY = "shoal"


def load_api() -> SimpleNamespace:
    from shoal.nn.combinators import Sequential
    from shoal.nn.modules import LIF, LIFJax, Linear, LinearJax, Rate, RateJax

    return SimpleNamespace(
        LIF=LIF,
        Rate=Rate,
        Linear=Linear,
        LIFJax=LIFJax,
        LinearJax=LinearJax,
        RateJax=RateJax,
        Sequential=Sequential,
    )


def versions() -> dict[str, str]:
    found = {}
    for name in ("shoal", "jax", "jaxlib", "optax", "numpy"):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def main() -> None:
    args = parse_args(LIBRARY, rockpool_api.VARIANTS)
    try:
        api = load_api()
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
