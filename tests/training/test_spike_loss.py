"""Spike losses and metrics against values computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy
spike_loss = pytest.importorskip("shoal.training.spike_loss")


def ce(logits, label):
    """-log softmax(logits)[label], by hand."""
    return -(logits[label] - math.log(sum(math.exp(z) for z in logits)))


def test_spike_count_cross_entropy_by_hand():
    spikes = np.zeros((2, 3, 3), np.float32)
    spikes[0, :, 0] = 1  # counts (3, 0, 0)
    spikes[1, 0, 1] = spikes[1, 2, 2] = 1  # counts (0, 1, 1)
    expected = (ce([3, 0, 0], 0) + ce([0, 1, 1], 2)) / 2
    value = spike_loss.spike_count_cross_entropy(jnp.asarray(spikes), jnp.array([0, 2]))
    assert float(value) == pytest.approx(expected, rel=1e-6)
    scaled = spike_loss.spike_count_cross_entropy(spikes, jnp.array([0, 2]), scale=0.5)
    assert float(scaled) == pytest.approx((ce([1.5, 0, 0], 0) + ce([0, 0.5, 0.5], 2)) / 2, rel=1e-6)
    # lengths: only the first step of sample 1 counts → counts (0, 1, 0).
    masked = spike_loss.spike_count_cross_entropy(
        spikes, jnp.array([0, 2]), lengths=jnp.array([3, 1])
    )
    assert float(masked) == pytest.approx((ce([3, 0, 0], 0) + ce([0, 1, 0], 2)) / 2, rel=1e-6)


def test_one_hot_targets_equal_integer_labels():
    spikes = jnp.asarray(np.random.default_rng(0).integers(0, 2, (4, 5, 3)), jnp.float32)
    labels = jnp.array([0, 2, 1, 1])
    a = spike_loss.spike_count_cross_entropy(spikes, labels)
    b = spike_loss.spike_count_cross_entropy(spikes, jax.nn.one_hot(labels, 3))
    assert float(a) == pytest.approx(float(b), rel=1e-6)


def test_max_membrane_cross_entropy_ignores_padding():
    vmem = jnp.array([[[0.0, 1.0], [2.0, -1.0], [9.0, 9.0]]])  # (1, 3, 2); step 2 is padding
    full = spike_loss.max_membrane_cross_entropy(vmem, jnp.array([1]))
    assert float(full) == pytest.approx(ce([9.0, 9.0], 1), rel=1e-6)
    masked = spike_loss.max_membrane_cross_entropy(vmem, jnp.array([1]), lengths=jnp.array([2]))
    assert float(masked) == pytest.approx(ce([2.0, 1.0], 1), rel=1e-6)


def test_mean_membrane_cross_entropy_and_mean_over_time():
    vmem = jnp.array([[[1.0, 0.0], [3.0, 2.0], [100.0, 0.0]]])
    np.testing.assert_allclose(spike_loss.mean_over_time(vmem, jnp.array([2])), [[2.0, 1.0]])
    value = spike_loss.mean_membrane_cross_entropy(vmem, jnp.array([0]), lengths=jnp.array([2]))
    assert float(value) == pytest.approx(ce([2.0, 1.0], 0), rel=1e-6)
    unmasked = spike_loss.mean_membrane_cross_entropy(vmem, jnp.array([0]))
    assert float(unmasked) == pytest.approx(ce([104 / 3, 2 / 3], 0), rel=1e-5)


def test_firing_rate_penalty_by_hand():
    spikes = np.zeros((1, 10, 3), np.float32)
    spikes[0, :5, 1] = 1  # rates (0, 0.5, 1.0) spikes per step
    spikes[0, :, 2] = 1
    both = spike_loss.firing_rate_penalty(jnp.asarray(spikes), lower=0.1, upper=0.6)
    assert float(both) == pytest.approx((0.1**2 + 0 + 0.4**2) / 3, rel=1e-5)
    upper = spike_loss.firing_rate_penalty(spikes, upper=0.6)
    assert float(upper) == pytest.approx(0.4**2 / 3, rel=1e-5)
    # lengths=[5]: rates over the first 5 steps are (0, 1, 1).
    masked = spike_loss.firing_rate_penalty(spikes, upper=0.6, lengths=jnp.array([5]))
    assert float(masked) == pytest.approx(2 * 0.4**2 / 3, rel=1e-5)
    grad = jax.grad(lambda s: spike_loss.firing_rate_penalty(s, lower=0.1))(jnp.asarray(spikes))
    assert float(grad[0, 0, 0]) < 0  # more spikes from the silent neuron lower the penalty


def test_accuracy():
    logits = jnp.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    assert float(spike_loss.accuracy(logits, jnp.array([1, 0, 0, 0]))) == 0.75


def test_losses_are_jittable():
    f = jax.jit(lambda v, y, n: spike_loss.max_membrane_cross_entropy(v, y, n))
    assert np.isfinite(float(f(jnp.ones((2, 4, 3)), jnp.array([0, 1]), jnp.array([4, 1]))))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: spike_loss.spike_count_cross_entropy(jnp.ones((2, 3)), jnp.array([0, 1])),
            r"spike_count_cross_entropy: expected output \(B, T, C\), got shape \(2, 3\)",
        ),
        (
            lambda: spike_loss.max_membrane_cross_entropy(jnp.ones(3), jnp.array([0])),
            r"max_membrane_cross_entropy: expected output \(B, T, C\), got shape \(3,\)",
        ),
        (
            lambda: spike_loss.mean_membrane_cross_entropy(jnp.ones((1, 1, 1, 1)), jnp.array([0])),
            r"mean_membrane_cross_entropy: expected output \(B, T, C\)",
        ),
        (
            lambda: spike_loss.firing_rate_penalty(jnp.ones((1, 2, 3))),
            "firing_rate_penalty: expected lower or upper",
        ),
    ],
)
def test_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
