"""aLIF, LIFNeuron, LIFBitshift: Torch agrees with NumPy (float64) and with JAX (float32).

In float64 a ``.double()`` Torch module given float64 tensors equals NumPy to 1e-10 (draws
within 1e-9 of a spike-count boundary are rejected, as in ``tests/models/test_equivalence.py``).
In float32 the spikes equal JAX's and the states agree to 1e-5 (before the fused multiply-adds
and the one-rounding ``dt/τ`` of ``shoal/dynamics/_multiply_add.py``/``_guards.py``: 2.9e-5). They are
not bit-identical: XLA's float32 ``exp`` differs from torch's in the last bit for ~2% of ``τ``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.models.registry import catalogue, plain
from tests.models.test_equivalence import FEW, _distance_to_spike_boundary

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")

seeds = st.integers(0, 2**32 - 1)
sizes = st.sampled_from([1, 3])
batches = st.sampled_from([1, 2])
steps = st.sampled_from([5, 20])


def _params(name: str, rng: np.random.Generator, n: int, n_syn: int, has_rec: bool) -> dict:
    params = {
        "tau_mem": rng.uniform(0.005, 0.05, n),
        "bias": rng.uniform(-0.2, 0.3, n),
        "threshold": rng.uniform(0.5, 1.5, n),
    }
    if name == "LIFNeuron":
        return params
    params["tau_syn"] = rng.uniform(0.002, 0.05, (n, n_syn))
    if name == "aLIF":
        params["tau_ahp"] = rng.uniform(0.005, 0.05, n)
        params["w_ahp"] = rng.uniform(-1.0, 0.2, n)
    if has_rec:
        params["w_rec"] = 0.5 * rng.standard_normal((n, n * n_syn))
    return params


def _build(c: Any, name: str, n: int, n_syn: int, has_rec: bool, params: dict) -> Any:
    if name == "LIFNeuron":
        return c.LIFNeuron(n, **params)
    return getattr(c, name)((n * n_syn, n), has_rec=has_rec, **params)


def _torch_run(name: str, shape: tuple, params: dict, x: np.ndarray, dtype: Any) -> Any:
    tensors = {key: torch.tensor(value, dtype=dtype) for key, value in params.items()}
    mod = _build(catalogue("torch"), name, *shape, tensors).to(dtype)
    return plain(mod(torch.tensor(x, dtype=dtype), record=True))


def _assert_trees(expected: Any, actual: Any, **tolerance: Any) -> None:
    if isinstance(expected, dict):
        assert set(expected) - {"rng_key"} == set(actual), "keys differ"
        for key in actual:
            _assert_trees(expected[key], actual[key], **tolerance)
        return
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), **tolerance)


CASES = [("aLIF", 1, False), ("aLIF", 2, True), ("LIFNeuron", 1, False), ("LIFBitshift", 1, True)]


@pytest.mark.parametrize(("name", "n_syn", "has_rec"), CASES)
@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_float64_torch_equals_numpy(
    name: str, n_syn: int, has_rec: bool, seed: int, n: int, n_batches: int, n_steps: int
) -> None:
    rng = np.random.default_rng(seed)
    params = _params(name, rng, n, n_syn, has_rec)
    x = rng.uniform(-0.5, 2.0, (n_batches, n_steps, n * n_syn))
    expected = _build(catalogue("numpy"), name, n, n_syn, has_rec, params)(x, record=True)
    assume(_distance_to_spike_boundary(expected[2], params["threshold"]) > 1e-9)
    actual = _torch_run(name, (n, n_syn, has_rec), params, x, torch.float64)
    assert actual[0].dtype == np.float64
    for want, got in zip(expected, actual):
        _assert_trees(want, got, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(("name", "n_syn", "has_rec"), CASES)
@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_float32_torch_agrees_with_jax(
    name: str, n_syn: int, has_rec: bool, seed: int, n: int, n_batches: int, n_steps: int
) -> None:
    rng = np.random.default_rng(seed)
    params = _params(name, rng, n, n_syn, has_rec)
    params = {key: value.astype(np.float32) for key, value in params.items()}
    x = rng.uniform(-0.5, 2.0, (n_batches, n_steps, n * n_syn)).astype(np.float32)
    expected = _build(catalogue("jax"), name, n, n_syn, has_rec, params)(x, record=True)
    expected = jax.tree_util.tree_map(np.asarray, expected)
    # Last-bit differences must not change a spike count: keep away from the boundaries.
    assume(_distance_to_spike_boundary(expected[2], params["threshold"]) > 1e-4)
    actual = _torch_run(name, (n, n_syn, has_rec), params, x, torch.float32)
    np.testing.assert_array_equal(actual[0], expected[0])
    for want, got in zip(expected, actual):
        _assert_trees(want, got, rtol=1e-5, atol=1e-5)
