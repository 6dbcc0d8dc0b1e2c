"""The performance targets of the benchmark issue, checked against one run's medians.

Each target is a ratio between two measured medians of the same run (so machine speed cancels
out); the report lists every target with the measured ratio and whether it is met, or by how
much it falls short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TARGETS", "FloorTarget", "Target", "extra_targets", "target_lines"]


Variant = tuple[str, str]  # (library, variant)


@dataclass(frozen=True)
class Target:
    """The fastest measured of ``ours`` must be ``ratio`` times faster than the fastest measured
    of ``theirs`` in workload ``workload`` (measured = their median / our median).

    A ratio of 0.95 reads "at least as fast, within 5 %"; 1/1.1 reads "at most 1.1× slower".
    Several variants on one side mean "the best of them" (e.g. shoal's NumPy backend in float64
    or float32; the faster of snnTorch and Norse).
    """

    workload: str
    ours: tuple[Variant, ...]
    theirs: tuple[Variant, ...]
    ratio: float
    what: str
    issue: str = ""


@dataclass(frozen=True)
class FloorTarget:
    """The fastest measured of ``ours`` must reach ``fraction`` of the machine's floor."""

    workload: str
    ours: tuple[Variant, ...]
    fraction: float
    what: str
    issue: str = ""


# shoal's NumPy backend: float64 by default; a float32 variant counts where a run measured it.
_NUMPY: tuple[Variant, ...] = (("shoal", "numpy"), ("shoal", "numpy-float32"))
_JAX_EAGER: tuple[Variant, ...] = (("shoal", "eager"),)
_SPYX: tuple[Variant, ...] = (("spyx", "jit"),)
_TORCH_PEERS_EAGER: tuple[Variant, ...] = (("snntorch", "eager"), ("norse", "eager"))
_TORCH_PEERS_COMPILED: tuple[Variant, ...] = (
    ("snntorch", "torch.compile"),
    ("norse", "torch.compile"),
)

TARGETS: list[Target | FloorTarget] = [
    # The first benchmark issue.
    Target("a", _JAX_EAGER, (("rockpool", "jit"),), 6.0, "LIFJax vs Rockpool LIFJax", "#11"),
    Target("a", _NUMPY, (("rockpool", "numpy"),), 50.0, "NumPy LIF vs Rockpool's", "#11"),
    Target("b", _JAX_EAGER, (("rockpool", "jit"),), 3.0, "recurrent LIFJax vs Rockpool", "#11"),
    Target("c", _JAX_EAGER, (("rockpool", "jit"),), 10.0, "RateJax vs Rockpool RateJax", "#11"),
    Target("c", _NUMPY, (("rockpool", "numpy"),), 10.0, "NumPy Rate vs Rockpool's", "#11"),
    Target(
        "d", (("shoal", "jit"),), (("rockpool", "jit"),), 3.0, "training step vs Rockpool", "#11"
    ),
    # Issue 18: JAX ahead of every peer.
    Target("a", _JAX_EAGER, _SPYX, 1.2, "LIFJax vs spyx", "#18"),
    Target("b", _JAX_EAGER, _SPYX, 1.2, "recurrent LIFJax vs spyx", "#18"),
    Target("d", (("shoal", "jit"),), _SPYX, 1.2, "training step vs spyx", "#18"),
    Target("e", _JAX_EAGER, _SPYX, 1.0, "long run (T 100 000) vs spyx", "#18"),
    # Issue 18: records cost only what they store; shoal fastest with records.
    Target(
        "g",
        _JAX_EAGER,
        (("norse", "eager"), ("rockpool", "jit"), ("rockpool", "eager"), ("rockpool", "numpy")),
        1.0,
        "(a) with records vs Norse record_states and Rockpool's records",
        "#18",
    ),
    # Issue 18: the NumPy backend, the CPU default.
    FloorTarget("a", _NUMPY, 0.75, "NumPy LIF at 75% of the machine's floor", "#18"),
    FloorTarget("c", _NUMPY, 0.75, "NumPy Rate at 75% of the machine's floor", "#18"),
    Target("a", _NUMPY, (("numpy-loop", "numpy"),), 1.0, "NumPy LIF vs a NumPy loop", "#18"),
    Target("c", _NUMPY, (("numpy-loop", "numpy"),), 1.0, "NumPy Rate vs a NumPy loop", "#18"),
    Target(
        "b", _NUMPY, (("numpy-loop", "numpy"),), 1 / 1.1, "recurrent NumPy ≤ 1.1× a loop", "#18"
    ),
    Target("e", _NUMPY, _JAX_EAGER, 0.5, "NumPy long run ≤ 2× shoal JAX", "#18"),
    # Issue 15 item 7: the Torch modules faster than snnTorch and Norse.
    *(
        Target(w, (("shoal", "torch"),), _TORCH_PEERS_EAGER, 1.0, what, "#15")
        for w, what in (
            ("a", "LIFTorch eager vs snnTorch and Norse eager"),
            ("b", "recurrent LIFTorch eager vs snnTorch and Norse eager"),
            ("d", "LIFTorch training step vs snnTorch and Norse eager"),
        )
    ),
    *(
        Target(w, (("shoal", "torch.compile"),), _TORCH_PEERS_COMPILED, 1.0, what, "#15")
        for w, what in (
            ("a", "torch.compile'd LIFTorch vs snnTorch and Norse compiled"),
            ("b", "torch.compile'd recurrent LIFTorch vs snnTorch and Norse compiled"),
            ("d", "torch.compile'd training step vs snnTorch and Norse compiled"),
        )
    ),
    Target(
        "a", (("shoal", "torch"),), (("rockpool", "torch"),), 1.0, "LIFTorch vs Rockpool's", "#15"
    ),
]


def _median(rows: list[dict], key: Variant) -> float | None:
    row = _row(rows, key)
    return float(row["median"]) if row else None


def _best(rows: list[dict], keys: tuple[Variant, ...]) -> tuple[float, Variant] | None:
    """The lowest median among ``keys`` measured in ``rows``, and whose it is."""
    found = [(m, key) for key in keys if (m := _median(rows, key)) is not None]
    return min(found) if found else None


def _names(keys: tuple[Variant, ...]) -> str:
    return " / ".join(f"{library} {variant}" for library, variant in keys)


def _verdict(measured: float, required: float) -> str:
    if measured >= required:
        return "met"
    return f"short by {100 * (1 - measured / required):.0f}%"


def target_lines(
    summary: dict[str, list[dict]],
    extra: list[tuple[str, str, str]],
    floors: dict[str, dict] | None = None,
) -> list[str]:
    """Markdown lines: one row per target whose workload this run measured, then ``extra``.

    ``extra`` holds pre-formatted ``(target, measured, verdict)`` rows for targets that are
    not ratios of medians (compile time, pytree round trip, memory). ``floors`` are the
    machine floors per workload (``machine.floors``), for the floor targets.
    """
    lines = [
        "## Targets",
        "",
        "Each target is a ratio of two medians of this run (machine speed cancels out); where a "
        "side lists several variants, the fastest measured one counts.",
        "",
        "| issue | workload | target | required | measured | verdict |",
        "|---|---|---|---:|---:|---|",
    ]
    for target in TARGETS:
        rows = summary.get(target.workload)
        if rows is None:
            continue
        lines.append(_target_row(target, rows, (floors or {}).get(target.workload)))
    for what, measured, verdict in extra:
        lines.append(f"| #18 | | {what} | | {measured} | {verdict} |")
    lines += [
        "",
        "Why targets fall short, with the component timings behind it: `benchmarks/README.md`, "
        "section *Where shoal's time goes*.",
        "",
    ]
    return lines


def _target_row(target: Target | FloorTarget, rows: list[dict], floor: dict | None) -> str:
    head = f"| {target.issue} | ({target.workload}) | {target.what}"
    ours = _best(rows, target.ours)
    if isinstance(target, FloorTarget):
        required = f"≥ {target.fraction:.0%} of floor"
        if ours is None or floor is None:
            return f"{head} ({_names(target.ours)}) | {required} | – | not measured |"
        fraction = floor["floor_s"] / ours[0]
        return (
            f"{head} ({ours[1][0]} {ours[1][1]}) | {required} | {fraction:.0%} "
            f"| {_verdict(fraction, target.fraction)} |"
        )
    theirs = _best(rows, target.theirs)
    required = f"≥ {target.ratio:.2g}×"
    if ours is None or theirs is None:
        return (
            f"{head} ({_names(target.ours)} vs {_names(target.theirs)}) | {required} | – "
            "| not measured |"
        )
    measured = theirs[0] / ours[0]
    return (
        f"{head} ({ours[1][0]} {ours[1][1]} vs {theirs[1][0]} {theirs[1][1]}) | {required} "
        f"| {measured:.2f}× | {_verdict(measured, target.ratio)} |"
    )


def extra_targets(summary: dict[str, list[dict]]) -> list[tuple[str, str, str]]:
    """Targets that are not ratios of medians: pytree round trip, compile time, memory."""
    rows: list[tuple[str, str, str]] = []
    pytree = summary.get("f", [])
    ours, theirs = _median(pytree, ("shoal", "jit")), _median(pytree, ("rockpool", "jit"))
    if ours and theirs:
        ratio = theirs / ours
        rows.append(
            (
                "(f) pytree round trip ≥ 100× faster than Rockpool's",
                f"{ratio:.0f}×",
                "met" if ratio >= 100 else "short",
            )
        )
    compile_a = _row(pytree, ("shoal", "jit")).get("compile_a_s")
    if compile_a is not None:
        rows.append(
            (
                "(f) compile time of (a) below 0.5 s",
                f"{compile_a:.2f} s",
                "met" if compile_a < 0.5 else "short",
            )
        )
    a_rows = summary.get("a", [])
    # Compile time like for like (both under jax.jit); memory as users call shoal (eager).
    rows += _at_most(a_rows, "jit", "compile_s", "(a) compile time (first call − median) ≤ spyx's")
    rows += _at_most(a_rows, "eager", "rss_delta", "(a) peak RSS growth ≤ spyx's")
    ours_peak = _row(a_rows, ("shoal", "eager")).get("rss_delta")
    theirs_peak = _row(a_rows, ("rockpool", "jit")).get("rss_delta")
    if ours_peak and theirs_peak:
        fraction = ours_peak / theirs_peak
        rows.append(
            (
                "(a) peak memory (RSS Δ) under half of Rockpool LIFJax's",
                f"{fraction:.2f} of it",
                "met" if fraction < 0.5 else "short",
            )
        )
    return rows


def _at_most(rows: list[dict], variant: str, field: str, what: str) -> list[tuple[str, str, str]]:
    """shoal ``variant``'s ``field`` at most spyx jit's: measured as spyx's / shoal's (≥ 1 meets)."""
    ours = _row(rows, ("shoal", variant)).get(field)
    theirs = _row(rows, ("spyx", "jit")).get(field)
    if ours is None or theirs is None:
        return []
    if ours <= 0:
        return [(what, "shoal's is 0", "met")]
    ratio = theirs / ours
    return [(what, f"{ratio:.2f}× (spyx's / shoal's)", "met" if ratio >= 1 else "short")]


def _row(rows: list[dict], key: Variant) -> dict[str, Any]:
    for row in rows:
        if (row["library"], row["variant"]) == key and "median" in row:
            return row
    return {}
