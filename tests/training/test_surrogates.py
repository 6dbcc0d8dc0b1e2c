"""A LIFJax's gradient follows the chosen surrogate's formula (not finite differences)."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.modules import LIF, LIFJax  # noqa: E402
from shoal.training import surrogates  # noqa: E402
from shoal.training.surrogates import FastSigmoid, Sigmoid, StepPWL  # noqa: E402

THETA = 1.2
# Membrane potentials below, near and above threshold (reached through the bias, one step).
V = np.array([0.1, 0.75, 1.0, 1.19, 1.2, 1.5, 2.6], np.float32)


def _step_pwl(v, theta, window=0.5):
    gate = (v >= theta - window).astype(float)
    return gate / theta, -gate * v / theta**2


def _sigmoid(v, theta, k=5.0):
    s = 1.0 / (1.0 + np.exp(-k * (v - theta)))
    return k * s * (1 - s), -k * s * (1 - s)


def _fast_sigmoid(v, theta, k=10.0):
    d = 1.0 / (1.0 + k * np.abs(v - theta)) ** 2
    return d, -d


CASES = [
    ("step_pwl", _step_pwl),
    ("sigmoid", _sigmoid),
    ("fast_sigmoid", _fast_sigmoid),
    (StepPWL(window=1.0), lambda v, t: _step_pwl(v, t, 1.0)),
    (FastSigmoid(slope=25.0), lambda v, t: _fast_sigmoid(v, t, 25.0)),
]


def _spike_gradients(surrogate):
    """d(spikes)/d(bias) and d(spikes)/d(threshold) after one step with vmem = bias = V."""
    mod = LIFJax(len(V), surrogate=surrogate, threshold=np.full(len(V), THETA), rng_key=[0, 1])

    def total_spikes(params):
        out, _, _ = mod.set_attributes(params)(jnp.zeros((1, 1, len(V))))
        return jnp.sum(out)

    params = {"bias": jnp.asarray(V), "threshold": mod.threshold}
    grads = jax.jit(jax.grad(total_spikes))(params)
    return np.asarray(grads["bias"]), np.asarray(grads["threshold"])


@pytest.mark.parametrize(("surrogate", "formula"), CASES, ids=lambda c: str(c)[:20])
def test_lif_gradient_follows_surrogate_formula(surrogate, formula):
    d_v, d_theta = _spike_gradients(surrogate)
    expected_v, expected_theta = formula(V.astype(np.float64), THETA)
    np.testing.assert_allclose(d_v, expected_v, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(d_theta, expected_theta, rtol=1e-4, atol=1e-6)


def test_surrogate_changes_gradients_not_outputs():
    x = np.random.default_rng(0).uniform(0, 0.5, (2, 20, 3)).astype(np.float32)
    outputs = [LIFJax(3, surrogate=s, rng_key=[0, 1])(x)[0] for s in ("step_pwl", "sigmoid")]
    np.testing.assert_array_equal(outputs[0], outputs[1])
    grads = [_spike_gradients(s)[0] for s in ("step_pwl", "sigmoid")]
    assert not np.allclose(grads[0], grads[1])


def test_default_is_rockpool_step_pwl():
    assert LIFJax(2).surrogate == StepPWL(window=0.5)
    assert surrogates.get_surrogate("Fast_Sigmoid") == FastSigmoid()
    assert LIF(2, surrogate="sigmoid").surrogate == Sigmoid()  # accepted (unused) on NumPy


def test_unknown_surrogate_name_is_reported():
    with pytest.raises(ValueError, match=r"Unknown surrogate 'tanh': expected one of"):
        LIFJax(2, surrogate="tanh")


def test_training_surrogates_is_an_alias_of_the_backend_module():
    from shoal.backend import surrogates as backend_surrogates

    assert surrogates.__all__ == backend_surrogates.__all__
    assert "get_surrogate" in surrogates.__all__
    for name in backend_surrogates.__all__:
        assert getattr(surrogates, name) is getattr(backend_surrogates, name), name
