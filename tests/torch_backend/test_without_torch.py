"""Without PyTorch, the Torch names import and raise an ImportError naming ``shoal[torch]``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# `sys.modules["torch"] = None` makes every `import torch` raise ImportError, as if missing.
SCRIPT = """
import sys
sys.modules["torch"] = None
import shoal.nn.modules as modules
import shoal.nn.combinators as combinators
from shoal.backend import get_backend
for name, owner in (("LIFTorch", modules), ("TorchModule", modules),
                    ("TorchSequential", combinators)):
    try:
        getattr(owner, name)()
    except ImportError as error:
        assert "pip install 'shoal[torch]'" in str(error), error
    else:
        raise AssertionError(name)
try:
    get_backend("torch")
except ImportError as error:
    assert "shoal[torch]" in str(error), error
else:
    raise AssertionError("get_backend")
print("ok")
"""


def test_torch_names_without_torch_name_the_extra():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
