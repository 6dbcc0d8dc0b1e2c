"""The performance targets of the benchmark issue, checked against one run's medians.

Each target is a ratio between two measured medians of the same run (so machine speed cancels
out); the report lists every target with the measured ratio and whether it is met, or by how
much it falls short.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["TARGETS", "Target", "extra_targets", "target_lines"]


@dataclass(frozen=True)
class Target:
    """``ours`` must be at least ``ratio`` times faster than ``theirs`` in workload ``workload``.

    A ratio of 0.95 reads "at least as fast, within 5 %". Variants are (library, variant) pairs.
    """

    workload: str
    ours: tuple[str, str]
    theirs: tuple[str, str]
    ratio: float
    what: str


TARGETS = [
    Target("a", ("shoal", "eager"), ("rockpool", "jit"), 6.0, "LIFJax vs Rockpool LIFJax"),
    Target("a", ("shoal", "eager"), ("spyx", "jit"), 0.95, "LIFJax at least as fast as spyx"),
    Target("a", ("shoal", "numpy"), ("rockpool", "numpy"), 50.0, "NumPy LIF vs Rockpool's"),
    Target("b", ("shoal", "eager"), ("rockpool", "jit"), 3.0, "recurrent LIFJax vs Rockpool"),
    Target("b", ("shoal", "eager"), ("spyx", "jit"), 0.95, "recurrent LIFJax vs spyx"),
    Target("c", ("shoal", "eager"), ("rockpool", "jit"), 10.0, "RateJax vs Rockpool RateJax"),
    Target("c", ("shoal", "numpy"), ("rockpool", "numpy"), 10.0, "NumPy Rate vs Rockpool's"),
    Target("d", ("shoal", "jit"), ("rockpool", "jit"), 3.0, "training step vs Rockpool"),
]


def _median(rows: list[dict], key: tuple[str, str]) -> float | None:
    for row in rows:
        if (row["library"], row["variant"]) == key and "median" in row:
            return float(row["median"])
    return None


def target_lines(summary: dict[str, list[dict]], extra: list[tuple[str, str, str]]) -> list[str]:
    """Markdown lines: one row per target measured in this run, then ``extra`` rows.

    ``extra`` holds pre-formatted ``(target, measured, verdict)`` rows for targets that are
    not ratios of medians (compile time, pytree round trip, memory).
    """
    lines = [
        "## Targets",
        "",
        "| workload | target | required | measured | verdict |",
        "|---|---|---:|---:|---|",
    ]
    for target in TARGETS:
        rows = summary.get(target.workload)
        if rows is None:
            continue
        ours, theirs = _median(rows, target.ours), _median(rows, target.theirs)
        if ours is None or theirs is None:
            lines.append(
                f"| ({target.workload}) | {target.what} | ≥ {target.ratio:g}× | – | not measured |"
            )
            continue
        measured = theirs / ours
        verdict = (
            "met"
            if measured >= target.ratio
            else f"short by {100 * (1 - measured / target.ratio):.0f}%"
        )
        lines.append(
            f"| ({target.workload}) | {target.what} ({target.ours[0]} {target.ours[1]} vs "
            f"{target.theirs[0]} {target.theirs[1]}) | ≥ {target.ratio:g}× "
            f"| {measured:.2f}× | {verdict} |"
        )
    for what, measured, verdict in extra:
        lines.append(f"| | {what} | | {measured} | {verdict} |")
    lines += [
        "",
        "Why targets fall short, with the component timings behind it: `benchmarks/README.md`, "
        "section *Where shoal's time goes*.",
        "",
    ]
    return lines


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


def _row(rows: list[dict], key: tuple[str, str]) -> dict[str, Any]:
    for row in rows:
        if (row["library"], row["variant"]) == key and "median" in row:
            return row
    return {}
