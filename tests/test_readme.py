"""The README's Python examples run as written (in order, in one namespace)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
# Blocks that need a cluster are shown, not run.
_NOT_RUN = ("jax.distributed.initialize",)


def _python_blocks() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    return [b for b in blocks if not any(marker in b for marker in _NOT_RUN)]


def test_readme_has_examples():
    assert len(_python_blocks()) >= 8


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_readme_examples_run(tmp_path, monkeypatch):
    pytest.importorskip("optax")
    pytest.importorskip("nir")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)  # the examples write files (trained.npz, net.nir)
    namespace: dict = {"__name__": "readme"}
    for index, block in enumerate(_python_blocks()):
        try:
            exec(compile(block, f"README.md block {index}", "exec"), namespace)
        except Exception as error:  # pragma: no cover - the message is the point
            raise AssertionError(f"README block {index} failed:\n{block}") from error
