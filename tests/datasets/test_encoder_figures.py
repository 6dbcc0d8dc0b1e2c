"""``examples/encoders.py`` writes one figure per encoder."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
SCRIPT = Path(__file__).parents[2] / "examples" / "encoders.py"


def test_writes_a_figure_per_encoder(tmp_path):
    main = runpy.run_path(str(SCRIPT))["main"]
    written = main(["--out", str(tmp_path)])
    names = sorted(p.name for p in written)
    assert names == [
        "encoder_delta.png",
        "encoder_latency.png",
        "encoder_rate.png",
        "encoder_threshold_crossing.png",
    ]
    assert all(p.stat().st_size > 10_000 for p in written)
