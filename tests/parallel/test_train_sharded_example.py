"""``examples/train_sharded.py`` (the README's scale-out script) runs and learns on 2 devices."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_sharded.py"


def test_train_sharded_runs_on_two_forced_devices_and_learns():
    pytest.importorskip("optax")
    # A fresh process: the device count is fixed when JAX starts.
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(SCRIPT.parents[1]), env.get("PYTHONPATH")])
    )
    env.pop("COORDINATOR", None)
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--steps", "120", "--batch", "7"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert "devices: 2" in run.stdout
    losses = [float(v) for v in re.findall(r"loss (\d+\.\d+)", run.stdout)]
    final = float(re.search(r"final MSE on this process's batch: (\d+\.\d+)", run.stdout)[1])
    # A silent readout scores 0.5 (the mean square of a sine); learning must beat it clearly.
    assert losses[0] == pytest.approx(0.5, abs=0.01)
    assert final < 0.35, run.stdout
