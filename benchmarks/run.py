"""Side-by-side benchmark runner: shoal and its peers, every library in its own process.

    .venv/bin/python benchmarks/run.py [--quick] [--only a,b] [--libs shoal,rockpool]
        [--variants eager,jit,torch] [--rounds 1] [--no-readme]

For each workload, every (library, variant) runs in a fresh subprocess — shoal's scripts with
shoal's environment (`.venv`), the peers' with `benchmarks/.peer-venv` (made by
`benchmarks/setup_peers.sh`) — alternating A B C … A B C … for `--rounds` rounds, so slow drifts
of the machine hit every library alike. Nothing is pinned: each library uses both cores as it
does by default. The machine's float32 GEMM rate and memory bandwidth are measured in the same
run, before and after. Results go to `benchmarks/RESULTS.md`, `benchmarks/results.png` and the
raw `benchmarks/results.json` (rewritten after every workload, so an interrupted run keeps
what it measured). A full-size run (not `--quick`) writing to `benchmarks/` also regenerates the
performance table in the top-level README.md, between its `bench-table` markers.

Benchmarks are not tests: this never gates CI.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import machine
import readme_table
import report
from workloads import DEFAULT_REPEATS, WORKLOADS

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
SHOAL_PYTHON = REPO / ".venv" / "bin" / "python"
PEER_PYTHON = BENCH_DIR / ".peer-venv" / "bin" / "python"


@dataclasses.dataclass(frozen=True)
class Job:
    library: str
    variant: str
    python: Path
    script: Path


def _jobs(library: str, python: Path, script: str, variants: list[str]) -> list[Job]:
    return [Job(library, variant, python, BENCH_DIR / script) for variant in variants]


JOBS: list[Job] = [
    *_jobs("shoal", SHOAL_PYTHON, "shoal_bench.py", ["eager", "jit", "numpy", "numpy-float32"]),
    *_jobs("shoal", SHOAL_PYTHON, "shoal_bench.py", ["torch", "torch.compile"]),
    *_jobs("rockpool", PEER_PYTHON, "peers/rockpool_bench.py", ["jit", "eager", "numpy"]),
    # Rockpool's LIFTorch eagerly only: under torch.compile dynamo unrolls its T-step loop.
    *_jobs("rockpool", PEER_PYTHON, "peers/rockpool_bench.py", ["torch"]),
    *_jobs("snntorch", PEER_PYTHON, "peers/snntorch_bench.py", ["eager", "torch.compile"]),
    *_jobs("norse", PEER_PYTHON, "peers/norse_bench.py", ["eager", "torch.compile"]),
    *_jobs("spyx", PEER_PYTHON, "peers/spyx_bench.py", ["jit"]),
    *_jobs("numpy-loop", PEER_PYTHON, "peers/numpy_loop_bench.py", ["numpy"]),
]


def repeats_for(workload: str, args: argparse.Namespace) -> int:
    """Timed calls per process; slow variants stop earlier (`workloads.TIME_BUDGET_S`)."""
    if args.repeats:
        return args.repeats
    default = DEFAULT_REPEATS[workload]
    if args.quick:
        return max(1, min(default, 3)) if workload != "f" else 50
    return default


def run_job(job: Job, workload: str, args: argparse.Namespace) -> dict:
    """Run one benchmark process; return its JSON record, or a skip/error record."""
    base = {"library": job.library, "variant": job.variant, "workload": workload}
    if not job.python.exists():
        hint = "make .venv/.installed" if job.python == SHOAL_PYTHON else "setup_peers.sh"
        return {**base, "skip": f"interpreter {job.python.relative_to(REPO)} missing ({hint})"}
    command = [
        str(job.python),
        str(job.script),
        "--workload",
        workload,
        "--variant",
        job.variant,
        "--repeats",
        str(repeats_for(workload, args)),
        "--json",
    ]
    if args.quick:
        command.append("--quick")
    env = {**os.environ, "JAX_PLATFORMS": "cpu"}
    env.pop("PYTHONPATH", None)
    if job.python == SHOAL_PYTHON:
        # Time this checkout's shoal, even when the venv's editable install points at another
        # checkout (a git worktree sharing the venv through a `.venv` symlink).
        env["PYTHONPATH"] = str(REPO)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, env=env, cwd=REPO
        )
    except subprocess.TimeoutExpired:
        return {**base, "error": f"timed out after {args.timeout} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return {**base, "error": f"exit {done.returncode}: " + " | ".join(tail)}


def jobs_for(workload: str, jobs: list[Job]) -> list[Job]:
    """(f) is measured once per JAX library, in its "jit" process; libraries without a "jit"
    variant still run once, to report why they skip."""
    if workload != "f":
        return jobs
    with_jit = {job.library for job in jobs if job.variant == "jit"}
    return [job for job in jobs if job.variant == "jit" or job.library not in with_jit]


def run_workload(workload: str, jobs: list[Job], args: argparse.Namespace) -> list[dict]:
    """Alternate the jobs over rounds; a job that skips or fails is not run again."""
    records: list[dict] = []
    active = list(jobs_for(workload, jobs))
    for round_index in range(args.rounds):
        for job in list(active):
            start = time.perf_counter()
            record = run_job(job, workload, args)
            record["round"] = round_index
            records.append(record)
            status = record.get("skip") or record.get("error")
            if status:
                active.remove(job)
            else:
                times = record["times"]
                status = f"median {sorted(times)[len(times) // 2] * 1e3:.2f} ms"
            wall = time.perf_counter() - start
            print(
                f"  ({workload}) round {round_index + 1}/{args.rounds} "
                f"{job.library}/{job.variant}: {status} [{wall:.1f} s]",
                flush=True,
            )
    return records


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: smaller T, fewer calls and rounds"
    )
    parser.add_argument(
        "--only",
        "--workloads",
        dest="workloads",
        default=",".join(WORKLOADS),
        help="comma-separated subset of " + ",".join(WORKLOADS),
    )
    parser.add_argument(
        "--libs",
        default=",".join(dict.fromkeys(j.library for j in JOBS)),
        help="comma-separated subset of libraries",
    )
    parser.add_argument(
        "--variants",
        default="",
        help="comma-separated variants to run, as names (eager,torch) or library/variant "
        "(rockpool/numpy); default: all",
    )
    parser.add_argument(
        "--no-readme",
        action="store_true",
        help="do not regenerate README.md's performance table (quick runs never do)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="processes per (library, variant), alternated (default 3; quick 2)",
    )
    parser.add_argument(
        "--repeats", type=int, default=None, help="timed calls per process (default: per workload)"
    )
    parser.add_argument("--timeout", type=int, default=1800, help="seconds per process")
    parser.add_argument("--out", type=Path, default=BENCH_DIR, help="where results are written")
    args = parser.parse_args()
    if args.rounds is None:
        args.rounds = 2 if args.quick else 3
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    args.libs = [lib.strip() for lib in args.libs.split(",") if lib.strip()]
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    unknown += [lib for lib in args.libs if lib not in {j.library for j in JOBS}]
    known = {j.variant for j in JOBS} | {f"{j.library}/{j.variant}" for j in JOBS}
    unknown += [v for v in args.variants if v not in known]
    if unknown:
        parser.error(f"unknown workload or library: {', '.join(unknown)}")
    return args


def main() -> None:
    args = parse_args()
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    print("measuring the machine (GEMM rate, memory bandwidth)...", flush=True)
    machine_before = machine.measure_machine()
    jobs = [job for job in JOBS if job.library in args.libs and _selected(job, args.variants)]
    results: dict[str, list[dict]] = {}
    run = {
        "started": started,
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "quick": args.quick,
        "rounds": args.rounds,
        "machine": {"before": machine_before},
        "results": results,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    for workload in args.workloads:
        print(f"workload ({workload}): {WORKLOADS[workload].description}", flush=True)
        results[workload] = run_workload(workload, jobs, args)
        # Kept after every workload: an interrupted run still has what it measured.
        (args.out / "results.json").write_text(json.dumps(run, indent=1))
    run["machine"]["after"] = machine.measure_machine()
    run["finished"] = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    (args.out / "results.json").write_text(json.dumps(run, indent=1))
    markdown = report.write(run, args.out)
    if not (args.quick or args.no_readme) and args.out.resolve() == BENCH_DIR:
        readme = REPO / "README.md"
        if readme_table.update(readme, run):
            print(f"updated the performance table in {readme.relative_to(REPO)}")
    print(markdown)


def _selected(job: Job, variants: list[str]) -> bool:
    return not variants or job.variant in variants or f"{job.library}/{job.variant}" in variants


if __name__ == "__main__":
    main()
