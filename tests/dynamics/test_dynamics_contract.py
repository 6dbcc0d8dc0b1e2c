"""Every model's dynamics module provides the whole Dynamics protocol; the docs name real files."""

import re
from pathlib import Path

import pytest

from shoal.dynamics import exp_syn, lif, rate
from shoal.dynamics._protocol import Dynamics

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("dynamics", [lif, rate, exp_syn], ids=lambda d: d.__name__)
def test_dynamics_modules_implement_the_protocol(dynamics):
    members = {name for name in vars(Dynamics) if not name.startswith("_")}
    members |= set(Dynamics.__annotations__)
    missing = sorted(name for name in members if not hasattr(dynamics, name))
    assert missing == []
    assert all(isinstance(name, str) for name in dynamics.STATE_NAMES)


def test_the_architecture_notes_name_files_that_exist():
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"\b(shoal/[\w/]+(?:\.py|/))", text))
    assert len(paths) > 15
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []
