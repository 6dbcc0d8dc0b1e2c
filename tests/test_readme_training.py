"""The README's training example: the same code as ``examples/train_readme.py``, and it learns."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "train_readme.py"


def _readme_training_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Training") :]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def _script_example() -> str:
    text = SCRIPT.read_text(encoding="utf-8")
    start = text.index("# --- README training example: start ---\n")
    end = text.index("# --- README training example: end ---")
    return text[start:end].split("\n", 1)[1]


def test_script_runs_the_readme_code_verbatim():
    assert _script_example() == _readme_training_block()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_readme_example_learns_and_writes_the_figure(tmp_path, monkeypatch, capsys):
    pytest.importorskip("optax")
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)  # the script changes directory; this restores it
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), str(tmp_path / "out")])
    namespace = runpy.run_path(str(SCRIPT), run_name="__main__")
    losses = namespace["losses"]
    # Seeded: the same numbers every run. It learns: from ~31 to well below the 0.5 of a
    # silent output, and the trained output follows the sine.
    assert losses[0] > 10 and losses[-1] < 0.05
    assert (tmp_path / "out" / "readme_training.png").stat().st_size > 10_000
    # 0.02 with LIF's JAX training loop (shoal.backend.jax_fused_grad, the default): its
    # gradients sum in their own order, float32 rounding that 300 Adam steps amplify; the
    # generic loop's autodiff (SHOAL_JAX_FUSED_GRAD=0) ends at 0.0312.
    assert "final loss 0.02" in capsys.readouterr().out
