"""Training may move any parameter anywhere: the dynamics stay finite (issue 12, part A).

Inside ``jit``/``grad`` nothing is validated, so an optimiser can push a time constant through
zero or a threshold to zero. Decays must stay in [0, 1], outputs and gradients finite, and valid
values keep their exact numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.dynamics._guards import euler_rate, exp_decay, firing_threshold

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.modules import ExpSynJax, LIFJax, RateJax  # noqa: E402

BAD_TAUS = [0.0, -0.01, 1e-30, -1e-30, float("inf"), 1e-4]
DT = 1e-3


@pytest.mark.parametrize("tau", BAD_TAUS)
def test_decays_stay_in_unit_interval(tau):
    for xp in (np, jnp):
        decay = float(exp_decay(xp, DT, xp.asarray(tau)))
        rate = float(euler_rate(xp, DT, xp.asarray(tau)))
        assert 0.0 <= decay <= 1.0
        assert 0.0 <= rate <= 1.0


def test_valid_values_are_exact():
    taus = np.array([2e-6, 1e-3, 0.02, 3.0])
    np.testing.assert_array_equal(exp_decay(np, DT, taus), np.exp(-DT / taus))
    np.testing.assert_array_equal(euler_rate(np, DT, taus[1:]), DT / taus[1:])
    np.testing.assert_array_equal(firing_threshold(np, taus), taus)


def test_nan_time_constant_is_not_hidden():
    assert np.isnan(exp_decay(np, DT, np.array(np.nan)))
    assert np.isnan(euler_rate(np, DT, np.array(np.nan)))


@jax.jit
def _compiled_loss_and_grads(module, params, x):
    def loss(p):
        out, _, _ = module.set_attributes(p)(x)
        return jnp.sum(out**2), out

    return jax.value_and_grad(loss, has_aux=True)(params)


def _loss_and_grads(module, params, x):
    # The module is an argument, not a closed-over constant: the cases of one model differ
    # only in values, so they share one compiled program instead of compiling one each.
    (value, out), grads = _compiled_loss_and_grads(module, params, x)
    return value, out, grads


def _all_finite(tree):
    return all(bool(jnp.all(jnp.isfinite(leaf))) for leaf in jax.tree_util.tree_leaves(tree))


X = np.abs(np.random.default_rng(0).normal(size=(2, 20, 3))).astype(np.float32) * 5


@pytest.mark.parametrize("tau", BAD_TAUS)
@pytest.mark.parametrize("name", ["tau_mem", "tau_syn"])
def test_lif_time_constant_anywhere_stays_finite_under_jit_and_grad(name, tau):
    lif = LIFJax(3, bias=np.full(3, 0.5, np.float32))
    params = lif.parameters()
    params[name] = jnp.full_like(params[name], tau)
    value, out, grads = _loss_and_grads(lif, params, X)
    assert _all_finite((value, out, grads)), (name, tau, grads)


@pytest.mark.parametrize("tau", BAD_TAUS)
@pytest.mark.parametrize("cls", [RateJax, ExpSynJax])
def test_rate_and_synapse_time_constant_anywhere_stays_finite(cls, tau):
    module = cls(3)
    params = module.parameters()
    params["tau"] = jnp.full_like(params["tau"], tau)
    value, out, grads = _loss_and_grads(module, params, X)
    assert _all_finite((value, out, grads)), (cls, tau, grads)


def test_recurrent_rate_with_negative_tau_stays_bounded():
    rate = RateJax(3, has_rec=True, w_rec=np.eye(3, dtype=np.float32) * 0.5)
    params = rate.parameters()
    params["tau"] = jnp.full(3, -0.01)
    value, out, grads = _loss_and_grads(rate, params, np.ones((1, 500, 3), np.float32))
    assert _all_finite((value, out, grads))
    # α = 1: x jumps to its target u + H(x)·w_rec = 1 + 0.5 x, whose fixed point is 2.
    np.testing.assert_allclose(out[0, -1], 2.0, rtol=1e-5)


@pytest.mark.parametrize("threshold", [0.0, -1.0, -0.0, 1e-30])
@pytest.mark.parametrize("surrogate", ["step_pwl", "sigmoid", "fast_sigmoid"])
def test_lif_threshold_at_or_below_zero_gives_finite_spikes_and_grads(threshold, surrogate):
    lif = LIFJax(3, surrogate=surrogate, max_spikes_per_dt=2.0**16)
    params = lif.parameters()
    params["threshold"] = jnp.full(3, threshold)
    value, out, grads = _loss_and_grads(lif, params, X)
    assert _all_finite(out)
    if threshold <= 0:  # a disabled neuron: no spikes, no NaN, zero gradients
        assert _all_finite((value, grads)), (threshold, surrogate, grads)
        assert float(jnp.sum(out)) == 0.0
    # A tiny positive θ is valid: 65536 spikes per step; its surrogate gradient (∝ 1/θ²) may
    # overflow, which is why the training path keeps thresholds away from 0 (clip_to_valid).


def test_default_lif_gradients_unchanged_by_the_guards():
    # The guards' `where`s must not alter the gradient of valid values.
    lif = LIFJax(3, bias=np.full(3, 0.5, np.float32))
    params = lif.parameters()

    def unguarded(p):
        alpha = jnp.exp(-DT / p["tau_mem"])
        beta = jnp.exp(-DT / p["tau_syn"])
        return jnp.sum(alpha) + jnp.sum(beta)

    def guarded(p):
        return jnp.sum(exp_decay(jnp, DT, p["tau_mem"])) + jnp.sum(exp_decay(jnp, DT, p["tau_syn"]))

    g_plain = jax.grad(unguarded)(params)
    g_guard = jax.grad(guarded)(params)
    for key in ("tau_mem", "tau_syn"):
        np.testing.assert_array_equal(g_plain[key], g_guard[key])


# ---------------------------------------------------------------- bugs from differential testing
def test_relu_gradient_at_the_threshold_is_zero():
    rate = RateJax(2)

    def loss(p):
        out, _, _ = rate.set_attributes(p)(np.zeros((1, 3, 2), np.float32))
        return jnp.sum(out)

    grads = jax.grad(loss)(rate.parameters())
    np.testing.assert_array_equal(grads["threshold"], [0.0, 0.0])


def test_numpy_and_jax_relu_are_one_definition():
    from shoal.nn.modules.activations import H_ReLU

    x = np.array([-1.0, 0.0, 0.5, np.nan])
    np.testing.assert_array_equal(H_ReLU(x, 0.0), [0.0, 0.0, 0.5, np.nan])
    np.testing.assert_array_equal(H_ReLU(jnp.asarray(x), 0.0), [0.0, 0.0, 0.5, np.nan])
    assert float(jax.grad(lambda v: H_ReLU(v, 0.0))(0.0)) == 0.0


@pytest.mark.parametrize("value", [jnp.array(2.0), np.array(2.0), np.float32(2.0), 2])
def test_array_for_static_max_spikes_works(value):
    lif = LIFJax(1).set_attributes({"max_spikes_per_dt": value})
    assert lif.max_spikes_per_dt == 2.0 and isinstance(lif.max_spikes_per_dt, float)
    out, _, _ = lif(np.full((1, 3, 1), 10.0, np.float32))
    assert float(out.max()) == 2.0


def test_array_for_static_max_spikes_works_in_numpy_lif_too():
    from shoal.nn.modules import LIF

    lif = LIF(1)
    lif.set_attributes({"max_spikes_per_dt": np.array(2.0)})
    out, _, _ = lif(np.full((1, 3, 1), 10.0))
    assert float(out.max()) == 2.0


@pytest.mark.parametrize("dtype", [np.float16, jnp.bfloat16, np.int32])
def test_jax_modules_store_and_compute_in_float32(dtype):
    rate = RateJax(2, tau=np.array([0.02, 0.03]).astype(dtype) if dtype != np.int32 else [1, 2])
    assert rate.tau.dtype == jnp.float32
    out, _, _ = rate(np.ones((1, 3, 2), np.float32))
    assert out.dtype == jnp.float32
    rate = rate.set_attributes({"bias": jnp.ones(2, dtype)})
    assert rate.bias.dtype == jnp.float32
