"""Without PyTorch, the catalogue-2 Torch names import and raise an ImportError naming the
extra (``shoal[torch]``); the NumPy flavours of the same models keep working."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# `sys.modules["torch"] = None` makes every `import torch` raise ImportError, as if missing.
SCRIPT = """
import sys
sys.modules["torch"] = None
import numpy as np
import shoal.nn.modules as modules
names = ("UpDownTorch", "TimeStepDropoutTorch", "UnitDropoutTorch", "ExpSmoothTorch",
         "SoftmaxTorch", "LogSoftmaxTorch", "BooleanStateTorch", "LowPass")
for name in names:
    try:
        getattr(modules, name)(2)
    except ImportError as error:
        assert "pip install 'shoal[torch]'" in str(error), error
    else:
        raise AssertionError(name)
assert modules.BooleanState(2)(np.ones((3, 2)))[0].all()
assert modules.UpDown(1)(np.zeros((3, 1)))[0].shape == (1, 3, 2)
print("ok")
"""


def test_catalogue2_torch_names_without_torch_name_the_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
