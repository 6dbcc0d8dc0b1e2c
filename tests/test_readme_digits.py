"""The README quotes the digits demo's accuracy: the numbers must be the ones the demo prints."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_figures() -> tuple[str, str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(
        r"With seed 0 it reaches (\d+\.\d)% train and (\d+\.\d)% test\s+accuracy \((\d+) held-out",
        text,
    )
    assert found, "the README's digits paragraph no longer states its accuracy"
    return found.group(1), found.group(2), found.group(3)


@pytest.mark.slow
def test_readme_digits_accuracy_is_what_the_demo_prints(tmp_path, capsys):
    pytest.importorskip("optax")
    pytest.importorskip("sklearn")
    pytest.importorskip("tqdm")
    module = runpy.run_path(str(ROOT / "examples" / "train_digits.py"))
    result = module["main"](["--seed", "0", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    train, test, held_out = _readme_figures()
    # The demo's own line, e.g. "train accuracy 0.976, test accuracy 0.942 (450 held-out ...".
    line = re.search(r"train accuracy (\d\.\d+), test accuracy (\d\.\d+) \((\d+) held-out", printed)
    assert line, printed
    assert f"{100 * float(line.group(1)):.1f}" == train
    assert f"{100 * float(line.group(2)):.1f}" == test
    assert line.group(3) == held_out == str(len(result["y_test"]))
