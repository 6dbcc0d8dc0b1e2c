"""The two float32 roundings that set Torch apart from NumPy and XLA (shoal/dynamics/_multiply_add.py)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.backend.torch_backend import XP  # noqa: E402
from shoal.dynamics._guards import euler_rate, exp_decay  # noqa: E402
from shoal.dynamics._multiply_add import multiply_add, subtract_product  # noqa: E402

RNG = np.random.default_rng(0)
TAU = RNG.uniform(0.0011, 0.2, 20_000).astype(np.float32)


def test_dt_over_tau_is_one_correctly_rounded_division():
    """``1e-3 / tensor`` in torch is ``1e-3 · (1/τ)``: a quarter of these would differ."""
    expected = np.float32(1e-3) / TAU
    assert np.mean((1e-3 / torch.tensor(TAU)).numpy() != expected) > 0.1, "torch's own rule"
    np.testing.assert_array_equal(euler_rate(XP, 1e-3, torch.tensor(TAU)).numpy(), expected)
    decay = exp_decay(XP, 1e-3, torch.tensor(TAU)).numpy()
    np.testing.assert_array_equal(decay, torch.exp(torch.tensor(-expected)).numpy())


def test_multiply_add_rounds_once_on_torch():
    a, b, c = (RNG.standard_normal((3, 17)).astype(np.float32) for _ in range(3))
    once = (a.astype(np.float64) * b + c).astype(np.float32)
    once_minus = (c.astype(np.float64) - a.astype(np.float64) * b).astype(np.float32)
    ta, tb, tc = (torch.tensor(v) for v in (a, b, c))
    assert np.mean(a * b + c != once) > 0.05, "rounding twice differs"
    np.testing.assert_array_equal(multiply_add(XP, ta, tb, tc).numpy(), once)
    np.testing.assert_array_equal(subtract_product(XP, tc, ta, tb).numpy(), once_minus)
    # NumPy computes as written (float64 numbers unchanged).
    np.testing.assert_array_equal(multiply_add(np, a, b, c), a * b + c)
    np.testing.assert_array_equal(subtract_product(np, c, a, b), c - a * b)
