"""The NumPy-only tools never import JAX (``import shoal`` must stay light)."""

from __future__ import annotations

import subprocess
import sys


def test_numpy_tools_do_not_import_jax():
    code = (
        "import sys, numpy as np\n"
        "import shoal.transform, shoal.training\n"
        "from shoal.transform import Dropout, StochasticQuantize, quantize_methods\n"
        "from shoal.training import ctc_loss, jax_debug, train_rr\n"
        "from shoal.nn.modules import Linear, H_LReLU, sigmoid\n"
        "Dropout(Linear((2, 2)))(np.ones((1, 2))); StochasticQuantize(Linear((2, 2)))\n"
        "ctc_loss.ctc_loss_numpy([1], np.log(np.full((2, 2), 0.5)), 2)\n"
        "train_rr.RidgeRegrTrainer(2, 1).fit(np.ones((3, 2)), np.ones((3, 1)))\n"
        "assert 'jax' not in sys.modules, 'jax imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
