"""``H_LReLU`` and ``sigmoid`` with Rockpool's semantics (catalogue-2 §9, decisions.md)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.backend.surrogates import logistic
from shoal.nn.modules import H_LReLU, sigmoid
from shoal.training.surrogates import logistic as training_logistic

X = np.array([-1.0, 0.0, 0.3, 1.0, 2.5])


def test_h_lrelu_golden_values_constant_below_threshold():
    np.testing.assert_allclose(H_LReLU(X, 0.3), [0.01, 0.01, 0.0, 0.7, 2.2], atol=1e-12)
    np.testing.assert_allclose(
        H_LReLU(X, 0.3, negative_slope=0.2), [0.2, 0.2, 0.0, 0.7, 2.2], atol=1e-12
    )
    # Not negative_slope·(x − θ): far below threshold the value is still the constant.
    assert H_LReLU(np.array([-1e6]), 0.0)[0] == 0.01


def test_h_lrelu_old_keyword_is_refused_loudly():
    with pytest.raises(TypeError, match="slope"):
        H_LReLU(X, 0.3, slope=0.2)


def test_sigmoid_golden_values_and_two_arguments():
    expected = [0.119203, 0.5, 0.645656, 0.880797, 0.993307]
    np.testing.assert_allclose(sigmoid(X, 1.0), expected, rtol=1e-5)
    np.testing.assert_allclose(sigmoid(X, 1.0), logistic(2 * (X + 1 - 1.0)), rtol=1e-12)
    with pytest.raises(TypeError, match="threshold"):
        sigmoid(X)


def test_logistic_lives_with_the_surrogates():
    np.testing.assert_allclose(logistic(np.array([0.0, np.log(3.0)])), [0.5, 0.75], rtol=1e-12)
    assert training_logistic is logistic
    assert logistic(0.0) == 0.5


def test_activations_work_on_jax_arrays_with_gradients():
    jax = pytest.importorskip("jax")
    jnp = jax.numpy
    x = jnp.asarray(X, dtype=jnp.float32)
    np.testing.assert_allclose(H_LReLU(x, 0.3), [0.01, 0.01, 0.0, 0.7, 2.2], atol=1e-6)
    np.testing.assert_allclose(
        sigmoid(x, 1.0), [0.119203, 0.5, 0.645656, 0.880797, 0.993307], rtol=1e-5
    )
    grads = jax.grad(lambda v: jnp.sum(H_LReLU(v, 0.3)))(x)
    np.testing.assert_array_equal(grads, [0, 0, 1, 1, 1])
    np.testing.assert_allclose(logistic(jnp.zeros(2)), [0.5, 0.5])
