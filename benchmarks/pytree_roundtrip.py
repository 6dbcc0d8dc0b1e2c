"""Pytree round-trip cost of a JaxModule: ``tree_unflatten`` after ``tree_flatten``.

Workload: a user ``JaxModule`` holding 6 ``RateJax(64)`` submodules. Target: ≤ 100 µs for the
unflatten (Rockpool re-runs ``__init__`` and deep-copies: tens of milliseconds).

    python benchmarks/pytree_roundtrip.py [--repeats 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import jax

from shoal.nn.modules import JaxModule, RateJax

N_SUBMODULES = 6
TARGET_US = 100.0


class SixLayers(JaxModule):
    """A chain of six RateJax layers (only the pytree structure matters here)."""

    def __init__(self, width: int = 64) -> None:
        super().__init__(shape=(width, width))
        for index in range(N_SUBMODULES):
            setattr(self, f"layer{index}", RateJax(width))

    def evolve(self, input_data, record=False):
        new_state, records = {}, {}
        for name, layer in self.modules().items():
            input_data, new_state[name], records[name] = layer(input_data, record=record)
        return input_data, new_state, records


def _median_us(function, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        function()
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times) / 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000)
    args = parser.parse_args()

    net = SixLayers()
    leaves, treedef = jax.tree_util.tree_flatten(net)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert repr(rebuilt) == repr(net), "round trip changed the module"

    unflatten = _median_us(lambda: jax.tree_util.tree_unflatten(treedef, leaves), args.repeats)
    flatten = _median_us(lambda: jax.tree_util.tree_flatten(net), args.repeats)
    round_trip = _median_us(
        lambda: jax.tree_util.tree_unflatten(*reversed(jax.tree_util.tree_flatten(net))),
        args.repeats,
    )
    print(f"modules: 1 + {N_SUBMODULES} x RateJax, leaves: {len(leaves)}, repeats: {args.repeats}")
    print(f"tree_unflatten median: {unflatten:.1f} µs (target ≤ {TARGET_US:.0f} µs)")
    print(f"tree_flatten   median: {flatten:.1f} µs")
    print(f"round trip     median: {round_trip:.1f} µs")
    print("PASS" if unflatten <= TARGET_US else "FAIL")


if __name__ == "__main__":
    main()
