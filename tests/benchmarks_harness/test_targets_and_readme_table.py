"""The benchmark harness's report logic (no timing): Targets rows and the README table."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import readme_table
import targets


def _row(library, variant, median, **extra):
    return {"library": library, "variant": variant, "median": median, **extra}


def _line(lines, text):
    return next(line for line in lines if text in line)


def test_a_side_of_several_variants_counts_its_fastest_and_names_it():
    rows = [
        _row("shoal", "torch", 0.5),
        _row("snntorch", "eager", 0.6),
        _row("norse", "eager", 0.4),
    ]
    lines = targets.target_lines({"a": rows}, [])
    line = _line(lines, "LIFTorch eager vs snnTorch and Norse eager")
    # Norse (0.4 s) is the faster peer: 0.4 / 0.5 = 0.8×, short by 20 %.
    assert "shoal torch vs norse eager" in line
    assert "| 0.80× | short by 20% |" in line


def test_floor_targets_use_the_best_numpy_variant():
    rows = [_row("shoal", "numpy", 0.2), _row("shoal", "numpy-float32", 0.06)]
    floors = {"a": {"floor_s": 0.05}}
    line = _line(targets.target_lines({"a": rows}, [], floors), "75% of the machine's floor")
    assert "(shoal numpy-float32)" in line and "| 83% | met |" in line


def test_unmeasured_targets_say_so():
    line = _line(targets.target_lines({"e": []}, []), "long run (T 100 000) vs spyx")
    assert "not measured" in line


def test_compile_and_memory_targets_compare_with_spyx():
    rows = [
        _row("shoal", "jit", 0.2, compile_s=0.3, rss_delta=10),
        _row("shoal", "eager", 0.2, compile_s=0.5, rss_delta=100),
        _row("spyx", "jit", 0.2, compile_s=0.4, rss_delta=50),
    ]
    extra = dict((what, verdict) for what, _, verdict in targets.extra_targets({"a": rows}))
    assert extra["(a) compile time (first call − median) ≤ spyx's"] == "met"
    assert extra["(a) peak RSS growth ≤ spyx's"] == "short"


def _run():
    record = {"times": [0.1, 0.2, 0.3], "compile_s": 0.1, "first_call_s": 0.3}
    record |= {"rss_delta": 1, "rss_process_peak": 2}
    return {
        "started": "2026-12-04 20:00:00 UTC",
        "command": "run.py --only a --rounds 1",
        "results": {"a": [{"library": "shoal", "variant": "eager", **record}]},
    }


def test_the_readme_table_is_replaced_between_its_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{readme_table.START}\nold table\n{readme_table.END}\noutro\n")
    assert readme_table.update(readme, _run())
    text = readme.read_text()
    assert text.startswith("intro\n") and text.endswith("outro\n")
    assert "old table" not in text
    assert "| (a) Linear(256→512) + LIF(512), B=32, T=1000 | 200.0 ms | — |" in text


def test_a_readme_without_markers_is_left_alone(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("no table here\n")
    assert not readme_table.update(readme, _run())
    assert readme.read_text() == "no table here\n"


@pytest.mark.parametrize("target", targets.TARGETS, ids=lambda t: f"{t.workload}-{t.what}")
def test_every_target_names_a_workload_and_an_issue(target):
    assert target.issue.startswith("#")
    assert target.workload in readme_table.WORKLOADS
