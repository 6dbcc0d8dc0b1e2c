"""Each loss against its documented formula, written out independently in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.training import jax_loss  # noqa: E402

RNG = np.random.default_rng(0)
PARAMS = {
    "a": {"w": RNG.normal(size=(3, 4)).astype(np.float32)},
    "b": {"tau": np.array([0.0, 1e-3, 0.5], np.float32), "c": {"x": np.float32(2.0)}},
}


def _leaves():
    return [PARAMS["a"]["w"], PARAMS["b"]["tau"], np.atleast_1d(PARAMS["b"]["c"]["x"])]


def test_mse_and_sse():
    y, t = RNG.normal(size=(2, 5, 3)), RNG.normal(size=(2, 5, 3))
    assert float(jax_loss.mse(y, t)) == pytest.approx(np.sum((y - t) ** 2) / y.size, rel=1e-6)
    assert float(jax_loss.sse(y, t)) == pytest.approx(np.sum((y - t) ** 2), rel=1e-6)


def test_l0_norm_approx_formula():
    sigma = 1e-4
    expected = np.mean([np.mean(np.arctan(w.astype(np.float64) ** 2 / sigma)) for w in _leaves()])
    assert float(jax_loss.l0_norm_approx(PARAMS)) == pytest.approx(expected, rel=1e-5)


def test_l0_norm_approx_counts_non_zero_weights():
    # Half the weights non-zero (and large) -> (pi/2) * 1/2.
    params = {"w": jnp.array([0.0, 0.0, 3.0, -3.0])}
    assert float(jax_loss.l0_norm_approx(params)) == pytest.approx(np.pi / 4, rel=1e-4)
    # A wider sigma treats small weights as zero.
    assert float(jax_loss.l0_norm_approx({"w": jnp.array([1e-3])}, sigma=1.0)) < 1e-5


def test_l2sqr_norm_formula():
    expected = np.mean([np.mean(w.astype(np.float64) ** 2) for w in _leaves()])
    assert float(jax_loss.l2sqr_norm(PARAMS)) == pytest.approx(expected, rel=1e-5)


def test_norms_reject_empty_trees():
    with pytest.raises(ValueError, match="at least one parameter array"):
        jax_loss.l2sqr_norm({"a": {}})


def test_make_bounds_mirrors_structure_with_infinities():
    lower, upper = jax_loss.make_bounds(PARAMS)
    assert lower == {"a": {"w": -np.inf}, "b": {"tau": -np.inf, "c": {"x": -np.inf}}}
    assert upper == {"a": {"w": np.inf}, "b": {"tau": np.inf, "c": {"x": np.inf}}}
    assert float(jax_loss.bounds_cost(PARAMS, lower, upper)) == 0.0


def test_bounds_cost_formula():
    lower, upper = jax_loss.make_bounds(PARAMS)
    lower["b"]["tau"] = np.array([0.1, 0.0, 0.0])  # first element 0.1 below
    upper["b"]["tau"] = 0.2  # third element 0.3 above
    upper["a"]["w"] = 0.0
    w = PARAMS["a"]["w"].astype(np.float64)
    expected = (np.exp(0.1) - 1) + (np.exp(0.3) - 1) + np.sum(np.exp(np.maximum(w, 0.0)) - 1.0)
    assert float(jax_loss.bounds_cost(PARAMS, lower, upper)) == pytest.approx(expected, rel=1e-5)


def test_bounds_cost_gradient_pushes_back_inside():
    params = {"tau": jnp.array([0.005, 0.02, 0.5])}
    lower, upper = jax_loss.make_bounds(params)
    lower["tau"], upper["tau"] = 0.01, 0.1
    grads = jax.grad(jax_loss.bounds_cost)(params, lower, upper)["tau"]
    np.testing.assert_allclose(grads, [-np.exp(0.005), 0.0, np.exp(0.4)], rtol=1e-5)


def test_softmax_cross_entropy_formula():
    logits = RNG.normal(size=(6, 4))
    labels = np.array([0, 1, 2, 3, 0, 1])
    log_p = logits - np.log(np.sum(np.exp(logits), axis=-1, keepdims=True))
    expected = -np.mean(log_p[np.arange(6), labels])
    assert float(jax_loss.softmax_cross_entropy(logits, labels)) == pytest.approx(expected, 1e-5)
    one_hot = np.eye(4)[labels]
    assert float(jax_loss.softmax_cross_entropy(logits, one_hot)) == pytest.approx(expected, 1e-5)


def test_losses_jit_and_differentiate():
    f = jax.jit(lambda p: jax_loss.l2sqr_norm(p) + jax_loss.l0_norm_approx(p))
    grads = jax.grad(f)({"w": jnp.array([0.5, -1.0])})
    assert np.all(np.isfinite(np.asarray(grads["w"])))
