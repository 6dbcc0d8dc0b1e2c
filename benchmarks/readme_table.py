"""The README's performance table, generated from one run's results (`run.py` calls `update`).

The table sits in the top-level README.md between two markers::

    <!-- bench-table:start -->
    ...
    <!-- bench-table:end -->

and everything between them is replaced, so the README only ever quotes numbers a committed
run measured. Regenerate it from a saved run without re-measuring::

    .venv/bin/python benchmarks/readme_table.py benchmarks/results.json README.md
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import report
from workloads import WORKLOADS

START = "<!-- bench-table:start -->"
END = "<!-- bench-table:end -->"

# (column heading, variants in order of preference: the first one measured is shown).
_COLUMNS: list[tuple[str, list[tuple[str, str]]]] = [
    ("shoal JAX (eager `net(x)`)", [("shoal", "eager")]),
    ("shoal NumPy (float64 unless noted)", [("shoal", "numpy-float32"), ("shoal", "numpy")]),
    ("shoal Torch (eager)", [("shoal", "torch")]),
    ("Rockpool jit", [("rockpool", "jit")]),
    ("spyx", [("spyx", "jit")]),
    ("snnTorch / Norse (best)", [("snntorch", "*"), ("norse", "*")]),
]


def _median(rows: list[dict], library: str, variant: str) -> tuple[float, str] | None:
    """The row's median, or for variant "*" the fastest variant of the library."""
    found = [
        (row["median"], row["variant"])
        for row in rows
        if row["library"] == library and "median" in row and variant in ("*", row["variant"])
    ]
    return min(found) if found else None


def _cell(rows: list[dict], choices: list[tuple[str, str]]) -> str:
    if choices[-1][1] == "*":  # best over several libraries
        found = [m for library, _ in choices if (m := _median(rows, library, "*"))]
        if not found:
            return "—"
        best = min(found)
        library = next(lib for lib, _ in choices if _median(rows, lib, "*") == best)
        return f"{report._seconds(best[0])} ({library} {best[1]})"
    for library, variant in choices:
        found = _median(rows, library, variant)
        if found:
            note = " (float32)" if variant == "numpy-float32" else ""
            return report._seconds(found[0]) + note
    return "—"


def table(run: dict) -> list[str]:
    """Markdown lines of the performance table for ``run`` (as ``run.py`` saves it)."""
    summary = {name: report.summarise(records) for name, records in run["results"].items()}
    lines = [
        f"From the run of {run['started']} (`{run['command']}`; 2 cores, float32 unless "
        "noted; medians of every timed call; full tables and the Targets table in "
        "`benchmarks/RESULTS.md`):",
        "",
        "| workload | " + " | ".join(heading for heading, _ in _COLUMNS) + " |",
        "|---|" + "---:|" * len(_COLUMNS),
    ]
    for name, rows in summary.items():
        if name == "f":
            continue
        cells = " | ".join(_cell(rows, choices) for _, choices in _COLUMNS)
        lines.append(f"| ({name}) {WORKLOADS[name].description} | {cells} |")
    pytree = summary.get("f", [])
    shoal = next((r for r in pytree if r["library"] == "shoal" and "median" in r), None)
    if shoal:
        lines += [
            "",
            f"(f) pytree flatten + unflatten of 6 modules: {report._seconds(shoal['median'])}; "
            f"compile time of (a): {report._seconds(shoal.get('compile_a_s', 0.0))}.",
        ]
    return lines


def update(readme: Path, run: dict) -> bool:
    """Replace the marked table in ``readme``; False (and no change) without the markers."""
    text = readme.read_text()
    if START not in text or END not in text:
        return False
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(head + START + "\n" + "\n".join(table(run)) + "\n" + END + tail)
    return True


if __name__ == "__main__":
    results_path, readme_path = (Path(arg) for arg in sys.argv[1:3])
    if not update(readme_path, json.loads(results_path.read_text())):
        sys.exit(f"{readme_path}: no {START} / {END} markers")
