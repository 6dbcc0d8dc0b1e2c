"""Rockpool 3.1.0 on every workload: jitted `LIFJax` networks, eager JAX, the NumPy `LIF`, and
`LIFTorch` (eager and `torch.compile`).

    python benchmarks/peers/rockpool_bench.py --workload a [--variant numpy] [--repeats N] [--json]

The code is shared with shoal's benchmark (`benchmarks/rockpool_api.py`): shoal re-implements
Rockpool's API, so both run literally the same calls.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import rockpool_api
from workloads import parse_args, run_variants

LIBRARY = "rockpool"


def main() -> None:
    args = parse_args(LIBRARY, rockpool_api.VARIANTS)
    versions = {
        name: importlib.metadata.version(name) for name in ("rockpool", "jax", "numpy", "torch")
    }
    api = rockpool_api.load_api("rockpool")

    def bench(variant: str) -> dict:
        return rockpool_api.bench(api, variant, args.workload, args.repeats, args.quick)

    run_variants(args, LIBRARY, versions, bench)


if __name__ == "__main__":
    main()
