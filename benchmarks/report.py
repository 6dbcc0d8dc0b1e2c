"""Turn the runner's raw records into `RESULTS.md` (tables) and `results.png` (bar chart)."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

import machine
import targets
from workloads import WORKLOADS

MIB = 2**20


def summarise(records: list[dict]) -> list[dict]:
    """One row per (library, variant): pooled timed calls over all rounds."""
    rows: dict[tuple[str, str], dict] = {}
    for record in records:
        key = (record["library"], record["variant"])
        row = rows.setdefault(key, {"library": key[0], "variant": key[1], "records": []})
        row["records"].append(record)
    summary = []
    for row in rows.values():
        measured = [r for r in row["records"] if "times" in r]
        if not measured:
            first = row["records"][0]
            row["status"] = first.get("skip") or first.get("error") or "no result"
            row["failed"] = "error" in first
            summary.append(row)
            continue
        times = [t for r in measured for t in r["times"]]
        row.update(
            median=statistics.median(times),
            low=min(times),
            high=max(times),
            calls=len(times),
            processes=len(measured),
            compile_s=statistics.median(r["compile_s"] for r in measured),
            first_call_s=statistics.median(r["first_call_s"] for r in measured),
            rss_delta=max(r["rss_delta"] for r in measured),
            rss_process_peak=max(r["rss_process_peak"] for r in measured),
            versions=measured[0].get("versions", {}),
            memory_method=measured[0].get("memory_method", ""),
        )
        for extra in ("first_call_a_s", "compile_a_s"):
            if extra in measured[0]:
                row[extra] = statistics.median(r[extra] for r in measured)
        if "n_leaves" in measured[0]:
            row["n_leaves"] = measured[0]["n_leaves"]
        summary.append(row)
    return summary


def _seconds(value: float) -> str:
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.1f} ms"
    return f"{value * 1e6:.1f} µs"


def _ratio(value: float, reference: float | None) -> str:
    return f"{value / reference:.2f}×" if reference else "–"


def _reference(rows: list[dict], variant: str) -> float | None:
    for row in rows:
        if row["library"] == "shoal" and row["variant"] == variant and "median" in row:
            return row["median"]
    return None


def _heading(name: str, quick: bool) -> str:
    wl = WORKLOADS[name]
    heading = f"## ({name}) {wl.description}"
    if quick and wl.steps_for(quick) != wl.steps:
        heading += f" — quick run: T = {wl.steps_for(quick)}"
    return heading


def _workload_table(name: str, rows: list[dict], floor: dict | None, quick: bool) -> list[str]:
    wl = WORKLOADS[name]
    lines = [_heading(name, quick), ""]
    in_out = wl.batch * wl.steps_for(quick) * (wl.n_in + wl.n_out) * machine.BYTES
    lines += [f"Input + output arrays: {in_out / MIB:.1f} MiB (float32).", ""]
    if floor:
        compute = (
            f"{floor['flops'] / 1e9:.2f} GFLOP → {_seconds(floor['compute_s'])}"
            if floor["flops"]
            else "no matrix product"
        )
        lines.append(
            f"Floor: **{_seconds(floor['floor_s'])}** ({floor['bound']}-bound: {compute}, "
            f"{floor['bytes'] / 1e6:.0f} MB of traffic → {_seconds(floor['memory_s'])})."
        )
        lines.append("")
    eager, jit = _reference(rows, "eager"), _reference(rows, "jit")
    lines += [
        "| library | variant | median | min–max | compile | peak RSS Δ | process peak "
        "| ÷ shoal eager | ÷ shoal jit | of floor | calls |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    measured = sorted((r for r in rows if "median" in r), key=lambda r: r["median"])
    for row in measured:
        fraction = f"{floor['floor_s'] / row['median']:.0%}" if floor else "–"
        lines.append(
            f"| {row['library']} | {row['variant']} | {_seconds(row['median'])} "
            f"| {_seconds(row['low'])}–{_seconds(row['high'])} | {_seconds(row['compile_s'])} "
            f"| {row['rss_delta'] / MIB:.1f} MiB | {row['rss_process_peak'] / MIB:.0f} MiB "
            f"| {_ratio(row['median'], eager)} | {_ratio(row['median'], jit)} "
            f"| {fraction} | {row['calls']} ({row['processes']} proc.) |"
        )
    lines.append("")
    for row in rows:
        if "median" not in row:
            kind = "failed" if row.get("failed") else "skipped"
            lines.append(f"- {row['library']} / {row['variant']} {kind}: {row['status']}")
    lines.append("")
    return lines


def _pytree_table(rows: list[dict], quick: bool) -> list[str]:
    lines = [
        _heading("f", quick),
        "",
        "| library | flatten+unflatten median | min–max | leaves | first call of jitted (a) "
        "| of which compile | calls |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in sorted((r for r in rows if "median" in r), key=lambda r: r["median"]):
        lines.append(
            f"| {row['library']} | {_seconds(row['median'])} "
            f"| {_seconds(row['low'])}–{_seconds(row['high'])} | {row.get('n_leaves', '–')} "
            f"| {_seconds(row.get('first_call_a_s', 0.0))} "
            f"| {_seconds(row.get('compile_a_s', 0.0))} | {row['calls']} |"
        )
    lines.append("")
    for row in rows:
        if "median" not in row and row["variant"] == "jit":
            lines.append(f"- {row['library']} skipped: {row['status']}")
    lines.append("")
    return lines


def _machine_lines(run: dict, gflops: float, bandwidth: float) -> list[str]:
    before, after = run["machine"]["before"], run["machine"]["after"]
    load = max(before.get("load_avg_1min", 0.0), after.get("load_avg_1min", 0.0))
    busy = load > 1.5 * (before["cores"] or 1)
    return [
        f"- Run {run['started']} → {run['finished']}: `{run['command']}`"
        + (" (**quick smoke run: reduced T, not representative**)" if run["quick"] else ""),
        f"- 1-minute load average: {before.get('load_avg_1min', 0.0):.2f} before, "
        f"{after.get('load_avg_1min', 0.0):.2f} after"
        + (" (**other work was running: timings are unreliable**)" if busy else ""),
        f"- CPU: {before['cpu']}, {before['cores']} cores; Python {before['python']}; "
        f"BLAS: {before['blas']}",
        f"- float32 GEMM (NumPy, all cores): {before['gemm_gflops']:.1f} GFLOP/s before, "
        f"{after['gemm_gflops']:.1f} after; floors use {gflops:.1f}",
        f"- memory bandwidth (copy, all cores, read+write): {before['bandwidth_gbs']:.1f} GB/s "
        f"before, {after['bandwidth_gbs']:.1f} after; floors use {bandwidth:.1f}",
        f"- {run['rounds']} processes per (library, variant), run alternately; medians and "
        "min–max pool every timed call of every process",
        "- compile = first call minus the median call (median over processes); peak RSS Δ = "
        "highest RSS during the timed calls minus RSS just before them (max over processes); "
        "process peak = the process's highest RSS, imports and compilation included",
        "- ÷ shoal = this median / shoal's median (above 1: slower than shoal); "
        "of floor = floor / this median",
        "",
    ]


def _versions(summary: dict[str, list[dict]]) -> list[str]:
    found: dict[str, dict] = {}
    for rows in summary.values():
        for row in rows:
            if row.get("versions"):
                found.setdefault(row["library"], row["versions"])
    if not found:
        return []
    line = "; ".join(
        f"{lib}: " + ", ".join(f"{k} {v}" for k, v in versions.items())
        for lib, versions in found.items()
    )
    return [f"Versions — {line}", ""]


def write(run: dict, out: Path) -> str:
    """Write RESULTS.md and results.png into `out`; return the markdown."""
    before, after = run["machine"]["before"], run["machine"]["after"]
    gflops = max(before["gemm_gflops"], after["gemm_gflops"])
    bandwidth = max(before["bandwidth_gbs"], after["bandwidth_gbs"])
    floors = machine.floors(gflops, bandwidth, quick=run["quick"])
    summary = {name: summarise(records) for name, records in run["results"].items()}
    lines = [
        "# shoal benchmarks, side by side",
        "",
        "Written by `benchmarks/run.py`; "
        "every number below was measured in the run described here.",
        "",
    ]
    lines += _machine_lines(run, gflops, bandwidth)
    lines += _versions(summary)
    lines += targets.target_lines(summary, targets.extra_targets(summary), floors)
    for name, rows in summary.items():
        if name == "f":
            lines += _pytree_table(rows, run["quick"])
        else:
            lines += _workload_table(name, rows, floors[name], run["quick"])
    lines.append("![time per call, log scale](results.png)")
    markdown = "\n".join(lines) + "\n"
    (out / "RESULTS.md").write_text(markdown)
    _chart(summary, floors, out / "results.png")
    return markdown


def _chart(summary: dict[str, list[dict]], floors: dict[str, Any], path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no chart written")
        return
    panels = [(name, [r for r in rows if "median" in r]) for name, rows in summary.items()]
    panels = [(name, rows) for name, rows in panels if rows]
    if not panels:
        return
    height = sum(0.35 * len(rows) + 1.0 for _, rows in panels)
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(9, height),
        squeeze=False,
        gridspec_kw={"height_ratios": [len(rows) + 2 for _, rows in panels]},
    )
    for axis, (name, rows) in zip(axes[:, 0], panels):
        rows = sorted(rows, key=lambda r: r["median"], reverse=True)
        labels = [f"{r['library']} / {r['variant']}" for r in rows]
        medians = [r["median"] for r in rows]
        errors = [
            [m - r["low"] for m, r in zip(medians, rows)],
            [r["high"] - m for m, r in zip(medians, rows)],
        ]
        colours = ["tab:orange" if r["library"] == "shoal" else "tab:blue" for r in rows]
        axis.barh(labels, medians, xerr=errors, color=colours, capsize=2)
        axis.set_xscale("log")
        title = f"({name}) {WORKLOADS[name].description}"
        if name in floors:
            axis.axvline(floors[name]["floor_s"], color="black", linestyle="--", linewidth=1)
            title += f" — dashed: floor {_seconds(floors[name]['floor_s'])}"
        else:
            title += " — pytree round trip"
        axis.set_title(title, fontsize=9)
        axis.set_xlabel("seconds per call (median, min–max)", fontsize=8)
        axis.tick_params(labelsize=8)
    # Colours carry meaning: say which, once, on the first panel.
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    axes[0, 0].legend(
        handles=[
            Patch(color="tab:orange", label="shoal"),
            Patch(color="tab:blue", label="peers"),
            Line2D([], [], color="black", linestyle="--", label="hardware floor"),
        ],
        loc="upper right",
        fontsize=8,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
