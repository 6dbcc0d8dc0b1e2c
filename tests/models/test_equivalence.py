"""NumPy and JAX backends agree to 1e-10 in float64 on random parameters and inputs.

JAX runs with ``jax_enable_x64`` on and both backends get identical explicit float64
parameters (``w_rec`` included). LIF inputs are strong enough to make neurons spike; any draw
that brings a neuron within 1e-9 of a spike-count boundary is rejected (decisions.md: last-bit
differences in ``exp`` are not bugs). Shapes come from a small set, so JAX compiles few
programs, and hypothesis runs few, derandomised examples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from .registry import catalogue

jax = pytest.importorskip("jax")

TOL = {"rtol": 1e-10, "atol": 1e-10}
FEW = settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

seeds = st.integers(0, 2**32 - 1)
sizes = st.sampled_from([1, 3, 5])
batches = st.sampled_from([1, 2])
steps = st.sampled_from([5, 20])


def _assert_trees_close(numpy_tree: Any, jax_tree: Any) -> None:
    if isinstance(numpy_tree, dict):
        assert isinstance(jax_tree, dict)
        assert numpy_tree.keys() == jax_tree.keys()
        for key in numpy_tree:
            _assert_trees_close(numpy_tree[key], jax_tree[key])
        return
    got = np.asarray(jax_tree)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, numpy_tree, **TOL)


def _run_both(make: Any, x: np.ndarray) -> tuple[Any, Any]:
    """Evolve the NumPy and the (x64) JAX build of ``make``; return both results."""
    numpy_result = make(catalogue("numpy"))(x, record=True)
    with jax.enable_x64(True):
        mod = make(catalogue("jax"))
        jax_result = mod(x, record=True)
        jax_result = jax.tree_util.tree_map(np.asarray, jax_result)
    return numpy_result, jax_result


def _compare(numpy_result: Any, jax_result: Any) -> None:
    (out_n, state_n, record_n), (out_j, state_j, record_j) = numpy_result, jax_result
    _assert_trees_close(out_n, out_j)
    state_j = dict(state_j)
    assert state_j.pop("rng_key").dtype == np.uint32
    _assert_trees_close(state_n, state_j)
    _assert_trees_close(record_n, record_j)


@FEW
@given(
    seed=seeds,
    n=sizes,
    n_batches=batches,
    n_steps=steps,
    has_rec=st.booleans(),
    activation=st.sampled_from(["relu", "tanh", "sigmoid"]),
)
def test_rate(
    seed: int, n: int, n_batches: int, n_steps: int, has_rec: bool, activation: str
) -> None:
    rng = np.random.default_rng(seed)
    params = {
        "tau": rng.uniform(0.005, 0.05, n),
        "bias": rng.uniform(-0.5, 0.5, n),
        "threshold": rng.uniform(-0.2, 0.2, n),
    }
    if has_rec:
        params["w_rec"] = rng.standard_normal((n, n)) / np.sqrt(n)
    x = rng.standard_normal((n_batches, n_steps, n))

    def make(c: Any) -> Any:
        return c.Rate(n, has_rec=has_rec, activation_func=activation, **params)

    _compare(*_run_both(make, x))


def _distance_to_spike_boundary(record: dict, threshold: np.ndarray) -> float:
    """How close any pre-reset ``vmem/θ`` came to a spike-count boundary (an integer ≥ 1)."""
    pre = record["vmem"] / threshold + record["spikes"]
    candidates = pre[pre > 0.5]
    if candidates.size == 0:
        return np.inf
    return float(np.min(np.abs(candidates - np.round(candidates))))


@FEW
@given(
    seed=seeds,
    n=sizes,
    n_syn=st.sampled_from([1, 2]),
    n_batches=batches,
    n_steps=steps,
    has_rec=st.booleans(),
)
def test_lif(seed: int, n: int, n_syn: int, n_batches: int, n_steps: int, has_rec: bool) -> None:
    rng = np.random.default_rng(seed)
    n_in = n * n_syn
    params = {
        "tau_mem": rng.uniform(0.005, 0.05, n),
        "tau_syn": rng.uniform(0.002, 0.05, (n, n_syn)),
        "bias": rng.uniform(-0.2, 0.5, n),
        "threshold": rng.uniform(0.5, 1.5, n),
    }
    if has_rec:
        params["w_rec"] = 0.5 * rng.standard_normal((n, n_in))
    x = rng.uniform(-0.5, 2.0, (n_batches, n_steps, n_in))

    def make(c: Any) -> Any:
        return c.LIF((n_in, n), has_rec=has_rec, **params)

    numpy_result, jax_result = _run_both(make, x)
    assume(_distance_to_spike_boundary(numpy_result[2], params["threshold"]) > 1e-9)
    assert np.sum(numpy_result[0]) > 0, "inputs are chosen to make neurons spike"
    _compare(numpy_result, jax_result)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_exp_syn(seed: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    tau = rng.uniform(0.002, 0.05, n)
    x = (rng.uniform(0.0, 1.0, (n_batches, n_steps, n)) < 0.3).astype(float)
    _compare(*_run_both(lambda c: c.ExpSyn(n, tau=tau), x))


@FEW
@given(seed=seeds, n_in=sizes, n_out=sizes, batched=st.booleans(), has_bias=st.booleans())
def test_linear(seed: int, n_in: int, n_out: int, batched: bool, has_bias: bool) -> None:
    rng = np.random.default_rng(seed)
    weight = rng.standard_normal((n_in, n_out))
    bias = rng.standard_normal(n_out) if has_bias else None
    x = rng.standard_normal((2, 5, n_in) if batched else (5, n_in))
    (out_n, state_n, record_n), (out_j, state_j, record_j) = _run_both(
        lambda c: c.Linear((n_in, n_out), weight=weight, bias=bias), x
    )
    _assert_trees_close(out_n, out_j)
    assert state_n == state_j == record_n == record_j == {}


@pytest.mark.parametrize("function", [np.tanh, np.exp, None], ids=["tanh", "exp", "identity"])
def test_instant(function: Any) -> None:
    x = np.random.default_rng(0).standard_normal((2, 5, 3))
    kwargs = {} if function is None else {"function": function}
    (out_n, _, _), (out_j, _, _) = _run_both(lambda c: c.Instant(3, **kwargs), x)
    _assert_trees_close(out_n, out_j)
