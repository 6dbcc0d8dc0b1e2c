"""``examples/train_torch.py`` runs and Adam over ``parameters().astorch()`` lowers the loss."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_torch.py"


def test_training_lowers_the_loss_and_trains_every_parameter(capsys):
    example = runpy.run_path(str(SCRIPT))
    before = [p.detach().clone() for p in example["make_network"](0).parameters().astorch()]
    result = example["main"](["--steps", "12", "--seed", "0"])
    losses = result["losses"]
    assert losses[-1] < 0.5 * losses[0]
    assert "Torch training: loss" in capsys.readouterr().out
    after = result["net"].parameters()
    # Every parameter moved: the optimiser holds the module's own nn.Parameters.
    for old, new in zip(before, after.astorch()):
        assert not torch.equal(old, new)
