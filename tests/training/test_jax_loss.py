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
    leaves = [w.astype(np.float64) for w in _leaves()]
    expected = np.mean([np.mean(w**4 / (w**4 + sigma)) for w in leaves])
    assert float(jax_loss.l0_norm_approx(PARAMS)) == pytest.approx(expected, rel=1e-5)


def test_l0_norm_approx_golden_numbers():
    # catalogue-2 §7.2: Rockpool's formula (shoal's former arctan version gave 1.04383).
    params = {"w": jnp.array([0.0, 0.1, 1.0])}
    assert float(jax_loss.l0_norm_approx(params)) == pytest.approx(0.499967, rel=1e-5)
    assert float(jax_loss.l0_norm_approx(params, sigma=1e-2)) == pytest.approx(0.333333, rel=1e-5)


def test_l0_norm_approx_counts_non_zero_weights():
    params = {"w": jnp.array([0.0, 0.0, 3.0, -3.0])}
    assert float(jax_loss.l0_norm_approx(params)) == pytest.approx(0.5, rel=1e-4)
    # A wider sigma treats small weights as zero.
    assert float(jax_loss.l0_norm_approx({"w": jnp.array([1e-3])}, sigma=1.0)) < 1e-5


def test_l2sqr_norm_formula():
    expected = np.mean([np.mean(w.astype(np.float64) ** 2) for w in _leaves()])
    assert float(jax_loss.l2sqr_norm(PARAMS)) == pytest.approx(expected, rel=1e-5)


def test_norms_ignore_nans_as_rockpool_does():
    assert float(jax_loss.l2sqr_norm({"w": jnp.array([np.nan, 1.0])})) == 1.0
    params = {"w": jnp.array([np.nan, 1.0]), "v": jnp.array([np.nan])}
    assert float(jax_loss.l2sqr_norm(params)) == 1.0
    assert float(jax_loss.l0_norm_approx({"w": jnp.array([np.nan, 0.0])})) == 0.0


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
    # Each violating element costs exp(violation) (>= 1); elements inside cost nothing.
    expected = np.exp(0.1) + np.exp(0.3) + np.sum(np.exp(w[w > 0]))
    assert float(jax_loss.bounds_cost(PARAMS, lower, upper)) == pytest.approx(expected, rel=1e-5)


def test_bounds_cost_and_clip_golden_numbers():
    params = {"a": jnp.array([0.01, 0.03]), "b": {"c": jnp.array([-2.0, 0.5, 5.0])}}
    lower = {"a": 0.02, "b": {"c": -1.0}}
    upper = {"a": np.inf, "b": {"c": jnp.array([10.0, 0.4, 4.0])}}
    # catalogue-2 §7.2: 7.55178 = e^0.01 + e^1 + e^0.1 + e^1 (shoal's former formula: 3.55178)
    assert float(jax_loss.bounds_cost(params, lower, upper)) == pytest.approx(7.55178, rel=1e-5)
    clipped = jax_loss.bounds_clip(params, lower, upper)
    np.testing.assert_allclose(clipped["a"], [0.02, 0.03], rtol=1e-6)
    np.testing.assert_allclose(clipped["b"]["c"], [-1.0, 0.4, 4.0], rtol=1e-6)
    np.testing.assert_array_equal(params["b"]["c"], [-2.0, 0.5, 5.0])  # input untouched


def test_bounds_cost_edges_nan_and_huge_bounds():
    params = {"w": jnp.array([1.0, np.nan, 3.0])}
    # At the bound: free; a NaN parameter is ignored; bounds beyond 2^31 are clipped there.
    assert float(jax_loss.bounds_cost(params, {"w": 1.0}, {"w": 3.0})) == 0.0
    assert float(jax_loss.bounds_cost(params, {"w": -1e300}, {"w": 1e300})) == 0.0
    grads = jax.grad(jax_loss.bounds_cost)({"w": jnp.array([1.0, 2.0])}, {"w": -np.inf}, {"w": 1.5})
    np.testing.assert_allclose(grads["w"], [0.0, np.exp(0.5)], rtol=1e-6)


def test_bounds_of_another_structure_are_refused():
    with pytest.raises(
        ValueError,
        match=r"bounds_clip: `upper` must have the structure of `params` \(build both bounds with make_bounds\(params\)\)",
    ):
        jax_loss.bounds_clip({"w": 1.0, "v": 2.0}, {"w": 0.0, "v": 0.0}, {"w": 1.0})
    with pytest.raises(
        ValueError, match="bounds_cost: `lower` must have the structure of `params`"
    ):
        jax_loss.bounds_cost({"w": 1.0}, {"x": 0.0}, {"w": 1.0})


def test_softmax_and_logsoftmax_golden_numbers():
    x = jnp.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    # Normalised over the whole array (Rockpool's convention).
    expected = [[0.081894, 0.22261, 0.605116], [0.030127, 0.030127, 0.030127]]
    np.testing.assert_allclose(jax_loss.softmax(x), expected, rtol=1e-5)
    np.testing.assert_allclose(
        jax_loss.softmax(jnp.array([1.0, 2.0, 3.0]), 2.0), [0.186324, 0.307196, 0.50648], rtol=1e-5
    )
    np.testing.assert_allclose(
        jax_loss.logsoftmax(jnp.array([1.0, 2.0, 3.0])), [-2.40761, -1.40761, -0.407606], rtol=1e-5
    )
    np.testing.assert_allclose(
        jax_loss.logsoftmax(jnp.array([1.0, 2.0, 3.0]), temperature=0.5),
        [-4.14293, -2.14293, -0.142932],
        rtol=1e-5,
    )


def test_ctc_loss_jax_is_re_exported():
    from shoal.training.ctc_loss import ctc_loss_jax

    assert jax_loss.ctc_loss_jax is ctc_loss_jax


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
