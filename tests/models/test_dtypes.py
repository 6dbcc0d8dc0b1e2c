"""Dtype semantics (decisions.md): NumPy computes in float64; JAX stores and computes in float32
by default and in float64 under x64 with float64 data; a module's dtype never drifts."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .registry import catalogue

jax = pytest.importorskip("jax")

MODELS = {
    "Rate": lambda c, dtype=float: c.Rate(2, tau=np.array([0.02, 0.03], dtype=dtype)),
    "LIF": lambda c, dtype=float: c.LIF(2, tau_mem=np.array([0.02, 0.03], dtype=dtype)),
    "ExpSyn": lambda c, dtype=float: c.ExpSyn(2, tau=np.array([0.02, 0.03], dtype=dtype)),
    "Linear": lambda c, dtype=float: c.Linear((2, 2), weight=np.eye(2, dtype=dtype)),
    "Instant": lambda c, dtype=float: c.Instant(2, function=np.tanh),
}


def _float_leaves(tree: Any) -> list[Any]:
    return [v for v in jax.tree_util.tree_leaves(tree) if np.asarray(v).dtype.kind != "u"]


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(
    "data", [np.ones((4, 2), dtype=int), np.ones((4, 2), dtype=bool), np.ones((4, 2), np.float32)]
)
def test_numpy_outputs_float64(name: str, data: np.ndarray) -> None:
    mod = MODELS[name](catalogue("numpy"))
    for _ in range(2):
        out, new_state, _ = mod(data)
        assert out.dtype == np.float64
        assert all(v.dtype == np.float64 for v in _float_leaves(new_state))
        assert all(v.dtype == np.float64 for v in _float_leaves(mod.state()))


@pytest.mark.parametrize("name", MODELS)
def test_jax_float32_by_default_and_no_drift(name: str) -> None:
    mod = MODELS[name](catalogue("jax"))
    assert all(v.dtype == np.float32 for v in _float_leaves(mod.parameters()))
    for data in (np.ones((4, 2)), np.ones((4, 2), dtype=int), np.ones((4, 2), dtype=bool)):
        out, new_state, record = mod(data, record=True)
        assert out.dtype == np.float32
        assert all(v.dtype == np.float32 for v in _float_leaves((new_state, record)))
        mod = mod.set_attributes(new_state)
        assert all(v.dtype == np.float32 for v in _float_leaves((mod.state(), mod.parameters())))


@pytest.mark.parametrize("name", MODELS)
def test_jax_float64_under_x64_with_float64_data(name: str, x64: None) -> None:
    mod = MODELS[name](catalogue("jax"), np.float64)
    for _ in range(2):
        out, new_state, record = mod(np.ones((4, 2)), record=True)
        assert out.dtype == np.float64
        assert all(v.dtype == np.float64 for v in _float_leaves((new_state, record)))
        mod = mod.set_attributes(new_state)
        assert all(v.dtype == np.float64 for v in _float_leaves((mod.state(), mod.parameters())))
