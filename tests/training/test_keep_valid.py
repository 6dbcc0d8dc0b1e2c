"""Training every parameter keeps time constants valid; an out-of-range one is named.

The issue's scenario: ``Sequential(LinearJax((8, 16)), LIFJax(16), LinearJax((16, 2)))`` with
``optax.adam(1e-2)`` over ``net.parameters()`` drove the time constants below zero within two
steps, NaN everywhere by step 5, and the first error blamed ``0_LinearJax.weight``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("optax")
import jax
import jax.numpy as jnp
import optax

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, ExpSynJax, LIFJax, LinearJax, Rate, RateJax
from shoal.training import clip_to_valid, jax_loss, make_train_step

TAU_ERROR = r"JaxSequential\.1_LIFJax\.tau_(mem|syn): expected a time constant > 0 \(seconds\)"


def _task():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 50, 8)).astype(np.float32)
    y = rng.normal(size=(4, 50, 2)).astype(np.float32)
    return jnp.asarray(x), jnp.asarray(y)


def _loss(params, net, x, y):
    out, _, _ = net.set_attributes(params)(x)
    return jax_loss.mse(out, y)


def _train(keep_valid, steps=50):
    net = Sequential(LinearJax((8, 16)), LIFJax(16), LinearJax((16, 2)))
    optimiser = optax.adam(1e-2)
    params = net.parameters()
    opt_state = optimiser.init(params)
    step = make_train_step(_loss, optimiser, keep_valid=keep_valid)
    x, y = _task()
    values = []
    for _ in range(steps):
        params, opt_state, value = step(params, opt_state, net, x, y)
        values.append(float(value))
    return net, params, values, x


def _finite(tree):
    return all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(tree))


def test_issue_scenario_stays_finite_and_keeps_taus_positive():
    net, params, values, x = _train(keep_valid=True)
    assert _finite(params) and np.all(np.isfinite(values))
    lif = params["1_LIFJax"]
    dt = net[1].dt
    for name in ("tau_mem", "tau_syn"):
        assert float(jnp.min(lif[name])) >= np.float32(dt)
    assert values[-1] < values[0]
    trained = net.set_attributes(params)  # eager: validated, and it passes
    out, _, _ = trained(x)
    assert np.all(np.isfinite(out))


def test_without_projection_the_dynamics_stay_finite_and_the_tau_is_named():
    net, params, values, x = _train(keep_valid=False)
    # The guarded decays keep everything finite even though taus went negative...
    assert _finite(params) and np.all(np.isfinite(values))
    assert float(jnp.min(params["1_LIFJax"]["tau_mem"])) <= 0
    # ...and the eager errors name the time constant, not a downstream weight.
    with pytest.raises(ValueError, match=TAU_ERROR):
        net.set_attributes(params)
    updated = jax.jit(lambda n, p: n.set_attributes(p))(net, params)  # unchecked under jit
    with pytest.raises(ValueError, match=r"(?s)" + TAU_ERROR + r".*clip_to_valid"):
        updated(x)


def test_keep_valid_can_name_a_closed_over_module():
    net = Sequential(LinearJax((8, 16)), LIFJax(16), LinearJax((16, 2)))
    x, y = _task()
    step = make_train_step(lambda p, x, y: _loss(p, net, x, y), optax.adam(1e-1), keep_valid=net)
    params = net.parameters()
    opt_state = optax.adam(1e-1).init(params)
    for _ in range(5):
        params, opt_state, _ = step(params, opt_state, x, y)
    assert float(jnp.min(params["1_LIFJax"]["tau_syn"])) > 0


def test_projection_leaves_in_range_values_and_other_leaves_untouched():
    net = Sequential(LinearJax((2, 3)), LIFJax(3), LinearJax((3, 1)))
    params = net.parameters()
    assert jax.tree_util.tree_all(
        jax.tree_util.tree_map(
            lambda a, b: bool(jnp.array_equal(a, b)), clip_to_valid(net, params), params
        )
    )
    params["1_LIFJax"]["tau_mem"] = jnp.array([-1.0, 0.0, 0.5])
    params["1_LIFJax"]["threshold"] = jnp.array([-1.0, 0.0, 2.0])
    params["0_LinearJax"]["weight"] = -params["0_LinearJax"]["weight"]
    clipped = clip_to_valid(net, params)
    np.testing.assert_allclose(clipped["1_LIFJax"]["tau_mem"], [1e-3, 1e-3, 0.5], rtol=1e-6)
    np.testing.assert_allclose(clipped["1_LIFJax"]["threshold"], [1e-3, 1e-3, 2.0], rtol=1e-6)
    assert jnp.array_equal(clipped["0_LinearJax"]["weight"], params["0_LinearJax"]["weight"])


def test_bounds_follow_each_model_and_dt():
    rate = RateJax(2, dt=1e-4)
    clipped = clip_to_valid(
        rate, {"tau": jnp.array([-1.0, 1.0]), "threshold": jnp.array([-5.0, 0])}
    )
    np.testing.assert_allclose(clipped["tau"], [1e-4, 1.0])  # tau >= its own dt
    np.testing.assert_array_equal(clipped["threshold"], [-5.0, 0.0])  # any rate threshold
    clipped = clip_to_valid(ExpSynJax(1, dt=1e-3), {"tau": jnp.array([0.0])})
    np.testing.assert_allclose(clipped["tau"], [1e-3])


def test_numpy_module_edited_in_place_names_the_time_constant():
    lif = LIF(2)
    lif.tau_syn[...] = -0.01  # in-place edits bypass assignment checks
    with pytest.raises(ValueError, match=re.escape("LIF.tau_syn: expected a time constant > 0")):
        lif(np.zeros((3, 2)))
    rate = Rate(2)
    rate.tau[0] = 0.0
    with pytest.raises(ValueError, match=r"^Rate\.tau: expected a time constant > 0"):
        rate(np.zeros((3, 2)))


def test_eager_jax_module_with_bad_tau_from_a_tree_map_is_refused():
    lif = jax.tree_util.tree_map(lambda v: -v if v.dtype == jnp.float32 else v, LIFJax(2))
    with pytest.raises(ValueError, match=r"^LIFJax\.tau_mem: expected a time constant > 0"):
        lif(np.zeros((3, 2), np.float32))
