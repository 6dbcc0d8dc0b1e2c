"""Surrogate gradients: the partials match their formulas, the JAX spike's JVP uses them, and
``LIFJax(surrogate=...)`` differentiates through the chosen one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shoal.backend.surrogates import FastSigmoid, Sigmoid, StepPWL, Surrogate, get_surrogate

from .registry import catalogue

jax = pytest.importorskip("jax")
jnp = jax.numpy

from shoal.backend.jax_backend import spike  # noqa: E402  (needs JAX)

V = np.array([-1.0, 0.2, 0.55, 0.9, 1.0, 1.3, 2.7, 4.1])
THETA = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.8, 1.5, 1.2])


def _smooth(surrogate: Surrogate) -> Any:
    """The smooth function whose derivative each surrogate stands for, as f(v, θ)."""
    if isinstance(surrogate, StepPWL):
        return None
    if isinstance(surrogate, Sigmoid):
        return lambda v, th: 1.0 / (1.0 + np.exp(-surrogate.slope * (v - th)))
    k = surrogate.slope  # type: ignore[attr-defined]
    return lambda v, th: (v - th) / (1.0 + k * np.abs(v - th))


def _expected_partials(surrogate: Surrogate, v: np.ndarray, th: np.ndarray) -> Any:
    if isinstance(surrogate, StepPWL):
        gate = (v >= th - surrogate.window).astype(float)
        return gate / th, -gate * v / th**2
    f = _smooth(surrogate)
    h = 1e-6
    d_v = (f(v + h, th) - f(v - h, th)) / (2 * h)
    d_th = (f(v, th + h) - f(v, th - h)) / (2 * h)
    return d_v, d_th


SURROGATES = [StepPWL(), StepPWL(window=0.2), Sigmoid(), Sigmoid(slope=2.0), FastSigmoid()]
IDS = ["step_pwl", "step_pwl-0.2", "sigmoid", "sigmoid-2", "fast_sigmoid"]


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
@pytest.mark.parametrize("xp", [np, jnp], ids=["numpy", "jax"])
def test_partials_match_formula(surrogate: Surrogate, xp: Any) -> None:
    d_v, d_th = surrogate.partials(xp, xp.asarray(V), xp.asarray(THETA))
    want_v, want_th = _expected_partials(surrogate, V, THETA)
    np.testing.assert_allclose(np.asarray(d_v), want_v, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(d_th), want_th, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
def test_spike_jvp_uses_the_surrogate(surrogate: Surrogate) -> None:
    v, th = jnp.asarray(V), jnp.asarray(THETA)
    v_dot = jnp.asarray(np.linspace(0.5, 2.0, V.size))
    th_dot = jnp.asarray(np.linspace(-1.0, 1.0, V.size))
    primal, tangent = jax.jvp(lambda a, b: spike(a, b, 3.0, surrogate), (v, th), (v_dot, th_dot))
    counts = np.clip(np.floor(V / THETA) * (V >= THETA), 0, 3.0)
    np.testing.assert_array_equal(np.asarray(primal), counts)
    want_v, want_th = _expected_partials(surrogate, V, THETA)
    expected = want_v * np.asarray(v_dot) + want_th * np.asarray(th_dot)
    np.testing.assert_allclose(np.asarray(tangent), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("surrogate", SURROGATES, ids=IDS)
def test_lifjax_gradient_goes_through_the_surrogate(surrogate: Surrogate) -> None:
    """One step: vmem = β·x + bias, spikes = spike(vmem, θ), so d spikes/d bias = d_v."""
    mod = catalogue("jax").LIF(1, surrogate=surrogate, tau_syn=0.01, threshold=1.2)
    x = jnp.asarray([[0.9]])

    def total(params: Any) -> Any:
        return jnp.sum(mod.set_attributes(params)(x)[0])

    grads = jax.grad(total)(mod.parameters())
    vmem = 0.9 * np.exp(-0.1)
    want_v, want_th = _expected_partials(surrogate, np.array([vmem]), np.array([1.2]))
    np.testing.assert_allclose(np.asarray(grads["bias"]), want_v, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(np.asarray(grads["threshold"]), want_th, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("step_pwl", StepPWL()),
        ("STEP_PWL", StepPWL()),
        ("sigmoid", Sigmoid()),
        ("Fast_Sigmoid", FastSigmoid()),
    ],
)
def test_get_surrogate_by_name(name: str, expected: Surrogate) -> None:
    assert get_surrogate(name) == expected
    assert catalogue("numpy").LIF(2, surrogate=name).surrogate == expected


def test_get_surrogate_passes_instances_through() -> None:
    surrogate = Sigmoid(slope=3.0)
    assert get_surrogate(surrogate) is surrogate


def test_surrogates_are_static_values() -> None:
    assert StepPWL() == StepPWL() and hash(StepPWL()) == hash(StepPWL())
    assert Sigmoid(2.0) != Sigmoid(3.0)


@pytest.mark.parametrize("spec", ["step", "sigmod", 3, None])
def test_get_surrogate_rejects_unknown(spec: Any) -> None:
    with pytest.raises(ValueError, match=r"Unknown surrogate .*expected one of \['fast_sigmoid'"):
        get_surrogate(spec)


def test_lif_rejects_unknown_surrogate() -> None:
    with pytest.raises(ValueError, match="Unknown surrogate 'pwl'"):
        catalogue("numpy").LIF(2, surrogate="pwl")


def test_base_surrogate_is_abstract() -> None:
    with pytest.raises(NotImplementedError):
        Surrogate().partials(np, V, THETA)


@pytest.mark.parametrize("threshold", [np.array([1.0, 0.5, 2.0]), np.array([1.0, -0.5, 0.0])])
def test_numpy_and_jax_spike_counts_follow_the_formula(threshold):
    """clip(floor(v/θ)·[v ≥ θ], 0, max) on both backends, non-positive thresholds included."""
    from shoal.backend import NUMPY
    from shoal.backend.jax_backend import JAX

    rng = np.random.default_rng(0)
    v = rng.uniform(-3.0, 5.0, (50, 3))
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.clip(np.nan_to_num(np.floor(v / threshold)) * (v >= threshold), 0, 3)
        got = NUMPY.spike(v, threshold, 3.0)
    np.testing.assert_array_equal(np.nan_to_num(got), expected)
    if np.all(threshold > 0):
        np.testing.assert_array_equal(np.asarray(JAX.spike(v, threshold, 3.0)), expected)
