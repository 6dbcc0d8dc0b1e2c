"""Spike encoders: shapes, rates and spike timing as documented, NumPy and JAX alike."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.datasets import encoders
from shoal.datasets.encoders import delta, latency, rate, threshold_crossing, to_events

jax = pytest.importorskip("jax")
jnp = jax.numpy


def test_rate_bernoulli_shape_rate_and_seed():
    x = np.array([[0.0, 0.5, 1.0]])
    spikes = rate(x, n_steps=4000, max_rate=200.0, dt=1e-3, seed=1)
    assert spikes.shape == (1, 4000, 3) and spikes.dtype == np.float32
    assert set(np.unique(spikes)) <= {0.0, 1.0}
    # Expected spikes per step: x · 200 Hz · 1 ms; the standard error over 4000 steps is < 0.01.
    np.testing.assert_allclose(spikes.mean(axis=(0, 1)), [0.0, 0.1, 0.2], atol=0.02)
    np.testing.assert_array_equal(spikes, rate(x, n_steps=4000, max_rate=200.0, seed=1))
    assert not np.array_equal(spikes, rate(x, n_steps=4000, max_rate=200.0, seed=2))


def test_rate_poisson_counts_and_time_varying_input():
    x = np.full((2, 3000, 2), 1.0)
    x[:, :, 1] = 0.25
    counts = rate(x, max_rate=2000.0, method="poisson", seed=0)  # mean 2 and 0.5 per step
    assert counts.shape == (2, 3000, 2) and counts.max() > 1
    np.testing.assert_allclose(counts.mean(axis=(0, 1)), [2.0, 0.5], rtol=0.05)


def test_rate_jax_key_is_deterministic_and_jittable():
    key = jax.random.PRNGKey(0)
    x = jnp.full((2, 5), 0.5)
    spikes = jax.jit(lambda x, k: rate(x, 2000, max_rate=100.0, seed=k))(x, key)
    assert isinstance(spikes, jax.Array) and spikes.shape == (2, 2000, 5)
    np.testing.assert_array_equal(spikes, rate(x, 2000, max_rate=100.0, seed=key))
    assert float(spikes.mean()) == pytest.approx(0.05, abs=0.01)


def test_rate_poisson_jax():
    key = jax.random.PRNGKey(3)
    counts = rate(np.ones((1, 4)), 500, max_rate=1500.0, method="poisson", seed=key)
    assert isinstance(counts, jax.Array) and float(counts.mean()) == pytest.approx(1.5, rel=0.1)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: rate(np.array([[1.5]]), 3),
            ValueError,
            r"rate: expected intensities in \[0, 1\], got values in \[1.5, 1.5\]",
        ),
        (
            lambda: rate(np.ones((1, 2)), 3, max_rate=2000.0),
            ValueError,
            r"max_rate·dt <= 1 for Bernoulli spikes .* got 2",
        ),
        (
            lambda: rate(np.ones((1, 2)), 3, method="gauss"),
            ValueError,
            "expected method 'bernoulli' or 'poisson', got 'gauss'",
        ),
        (lambda: rate(np.ones((1, 2)), 0), ValueError, "expected n_steps an integer >= 1, got 0"),
        (lambda: rate(np.ones(3)), ValueError, r"expected time-varying input .* got shape \(3,\)"),
        (
            lambda: rate(np.ones((1, 2)), 3, max_rate=float("nan")),
            ValueError,
            r"expected max_rate \(Hz\) > 0, got nan",
        ),
        (
            lambda: rate(jnp.ones((1, 2)), 3, seed=0),
            TypeError,
            "expected a JAX PRNG key as seed for JAX input",
        ),
        (
            lambda: rate(np.array([[np.nan]]), 3),
            ValueError,
            "rate: expected finite input, got NaN or inf",
        ),
        (
            lambda: latency(np.float64(0.5), 3),
            ValueError,
            r"latency: expected input with at least 1 axes .* got shape \(\)",
        ),
        (
            lambda: delta(np.ones(4), 0.1),
            ValueError,
            r"delta: expected input with at least 2 axes \(\(T, N\) or batched\), got shape \(4,\)",
        ),
        (
            lambda: delta(np.ones((4, 1)), -0.1),
            ValueError,
            "delta: expected threshold > 0, got -0.1",
        ),
        (
            lambda: threshold_crossing(np.ones((4, 1)), []),
            ValueError,
            r"expected levels a non-empty 1-D array of finite numbers, got \[\]",
        ),
        (
            lambda: to_events(np.ones(3)),
            ValueError,
            r"to_events: expected a raster \(T, N\) or \(B, T, N\), got shape \(3,\)",
        ),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_latency_timing():
    x = np.array([[1.0, 0.75, 0.5, 0.0, 0.1]])
    spikes = latency(x, n_steps=9, threshold=0.2)
    assert spikes.shape == (1, 9, 5)
    steps = [np.flatnonzero(spikes[0, :, n]).tolist() for n in range(5)]
    # step = round((1 - x)(T - 1)): 0, 2, 4; channels at or below the threshold stay silent.
    assert steps == [[0], [2], [4], [], []]
    np.testing.assert_array_equal(latency(jnp.asarray(x), 9, threshold=0.2), spikes)
    assert latency(np.array([0.0, 1.0]), 3).shape == (3, 2)


def test_delta_reconstructs_the_signal_within_one_threshold():
    t = np.linspace(0, 1, 200)
    x = np.stack([np.sin(2 * np.pi * 2 * t), t**2], axis=-1)[None]  # (1, 200, 2)
    theta = 0.05
    spikes = delta(x, theta)
    assert spikes.shape == (1, 200, 4) and not spikes[0, 0].any()
    ups, downs = spikes[0, :, :2], spikes[0, :, 2:]
    rebuilt = x[0, 0] + theta * np.cumsum(ups - downs, axis=0)
    assert np.max(np.abs(rebuilt - x[0])) < theta + 1e-6  # float32 spikes, exact multiples
    assert downs[:, 1].sum() == 0  # t² never falls
    np.testing.assert_array_equal(delta(jnp.asarray(x, jnp.float32), theta), spikes)


def test_delta_counts_several_thresholds_in_one_step():
    spikes = delta(np.array([[0.0], [0.35], [0.35], [-0.1]]), threshold=0.1)
    np.testing.assert_array_equal(spikes[:, 0], [0, 3, 0, 0])  # 0.35 = 3 thresholds (+0.05)
    np.testing.assert_array_equal(spikes[:, 1], [0, 0, 0, 4])  # from 0.3 down to -0.1


def test_threshold_crossing_levels_and_channel_order():
    x = np.array([[0.0, 1.0], [0.6, 1.0], [1.2, 0.4], [0.3, 0.4]])  # (T=4, N=2)
    spikes = threshold_crossing(x, [0.5, 1.0])
    assert spikes.shape == (4, 8)
    up, down = spikes[:, :4], spikes[:, 4:]
    # channel n·L + l: signal 0 crosses 0.5 up at t=1, 1.0 up at t=2, both down at t=3.
    np.testing.assert_array_equal(up[:, 0], [0, 1, 0, 0])
    np.testing.assert_array_equal(up[:, 1], [0, 0, 1, 0])
    np.testing.assert_array_equal(down[:, 0], [0, 0, 0, 1])
    np.testing.assert_array_equal(down[:, 1], [0, 0, 0, 1])
    # signal 1 falls through 1.0 and 0.5 at t=2 (it starts at 1.0, so never "crosses up").
    np.testing.assert_array_equal(down[:, 2:].sum(0), [1, 1])
    assert up[:, 2:].sum() == 0
    np.testing.assert_array_equal(threshold_crossing(jnp.asarray(x[None]), [0.5, 1.0])[0], spikes)


def test_to_events_round_trips_the_raster():
    raster = delta(np.array([[[0.0], [0.35], [0.0]]]), 0.1)  # counts > 1
    events = to_events(raster, dt=0.01)
    assert isinstance(events, list) and len(events) == 1
    series = events[0]
    assert series.num_channels == 2 and series.t_stop == pytest.approx(0.03)
    np.testing.assert_allclose(series.times, [0.01] * 3 + [0.02] * 3)
    np.testing.assert_array_equal(series.raster(dt=0.01, add_events=True), raster[0])
    assert encoders.to_events(raster[0]).num_channels == 2
