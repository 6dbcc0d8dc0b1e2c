"""The speech demo: the README shows the number the demo prints, and the demo writes its files.

One full, seeded run of ``examples/train_japanese_vowels.py`` (about 10 s of CPU time): the
README's ``JapaneseVowels test accuracy`` line must be the line this run prints, so the README
can never drift from the code.
"""

from __future__ import annotations

import importlib.util
import json
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "train_japanese_vowels.py"
LINE = re.compile(r"^ *(JapaneseVowels test accuracy: \d+\.\d%)$", re.M)


@pytest.mark.slow
def test_readme_number_is_the_one_the_demo_prints(tmp_path, capsys):
    pytest.importorskip("optax")
    pytest.importorskip("matplotlib")
    if not any(importlib.util.find_spec(p) for p in ("sktime", "aeon")):
        pytest.skip("needs shoal[data] (sktime)")
    main = runpy.run_path(str(SCRIPT))["main"]
    result = main(["--out", str(tmp_path), "--seed", "0"])
    printed = LINE.findall(capsys.readouterr().out)
    assert printed == [f"JapaneseVowels test accuracy: {100 * result['test_accuracy']:.1f}%"]
    readme_lines = LINE.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert readme_lines == printed, (
        "update the README's JapaneseVowels line to what the demo prints"
    )
    summary = json.loads((tmp_path / "japanese_vowels_results.json").read_text())
    assert summary["test_accuracy"] == result["test_accuracy"] and summary["seed"] == 0
    for name in ("jv_training.png", "jv_confusion.png", "jv_input.png", "jv_output.png"):
        assert (tmp_path / name).stat().st_size > 10_000
