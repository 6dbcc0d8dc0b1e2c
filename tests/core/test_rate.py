"""`Rate`/`RateJax` numerics: the spec §4.1 worked example, NumPy-vs-JAX equivalence, records."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shoal.nn.modules import Rate

INPUT = np.array([[1.0, 0.5], [0.0, 2.0], [0.5, 0.0], [0.0, 0.0]])
PARAMS = {"tau": [0.01, 0.05], "bias": [0.1, 0.0], "threshold": [0.0, 0.2]}
OUTPUTS = np.array([[0.11, 0.0], [0.109, 0.0], [0.1581, 0.0], [0.15229, 0.0]])
XS = np.array([[0.11, 0.01], [0.109, 0.0498], [0.1581, 0.048804], [0.15229, 0.047828]])
REC = {"has_rec": True, "w_rec": [[0.0, 0.5], [-0.5, 0.0]], "tau": 0.01}
REC_OUTPUTS = np.array([[0.1, 0.05], [0.0875, 0.25], [0.11625, 0.229375], [0.093156, 0.21225]])
REC_INPUT = np.array([[0.0, 0.0], [-0.025, 0.05], [-0.125, 0.04375], [-0.114687, 0.058125]])
LAST_ROWS = {"tanh": [0.06652, 0.111222], "sigmoid": [0.53326, 0.555611]}


def _rate_jax():
    pytest.importorskip("jax")
    from shoal.nn.modules import RateJax

    return RateJax


def reference_rate(inputs, tau, bias, threshold, w_rec=None, dt=1e-3, act=None):
    """A direct transcription of the spec's update (one batch, float64)."""
    act = act or (lambda v, th: np.maximum(v - th, 0.0))
    x = np.zeros(inputs.shape[-1])
    outs, xs, recs = [], [], []
    for u in inputs:
        rec = act(x, threshold) @ w_rec if w_rec is not None else np.zeros_like(x)
        x = x + dt / np.asarray(tau) * (-x + u + bias + rec)
        outs.append(act(x, threshold))
        xs.append(x)
        recs.append(rec)
    return np.array(outs), np.array(xs), np.array(recs)


@pytest.fixture(params=["numpy", "jax"])
def backend(request):
    if request.param == "numpy":
        return Rate, 1e-6
    return _rate_jax(), 1e-5


def test_worked_example(backend):
    cls, rtol = backend
    mod = cls(2, **PARAMS)
    out, new_state, rec = mod(INPUT, record=True)
    assert out.shape == (1, 4, 2)
    # the spec's table is printed to ~6 digits: match it to 1e-5 (decisions.md) ...
    np.testing.assert_allclose(out[0], OUTPUTS, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(rec["x"][0], XS, rtol=1e-5)
    np.testing.assert_allclose(new_state["x"], XS[-1], rtol=1e-5)
    np.testing.assert_array_equal(rec["rec_input"], np.zeros((1, 4, 2)))
    # ... and the exact update to the backend's precision
    ref_out, ref_x, _ = reference_rate(INPUT, **{k: np.array(v) for k, v in PARAMS.items()})
    np.testing.assert_allclose(out[0], ref_out, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(rec["x"][0], ref_x, rtol=rtol)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "T", "Sig"])
def test_activation_last_rows(backend, activation):
    cls, _ = backend
    # the spec's tanh/sigmoid rows are for the default parameters (tau 20 ms, bias 0, threshold 0)
    out, _, _ = cls(2, activation_func=activation)(INPUT)
    expected = LAST_ROWS["tanh" if activation.lower().startswith("t") else "sigmoid"]
    np.testing.assert_allclose(out[0, -1], expected, rtol=1e-5)


def test_recurrent_example(backend):
    cls, rtol = backend
    out, _, rec = cls(2, **REC)(INPUT, record=True)
    np.testing.assert_allclose(out[0], REC_OUTPUTS, rtol=1e-5, atol=1e-12)
    np.testing.assert_allclose(rec["rec_input"][0], REC_INPUT, rtol=1e-5, atol=1e-7)
    ref_out, _, ref_rec = reference_rate(
        INPUT, 0.01, np.zeros(2), np.zeros(2), w_rec=np.array(REC["w_rec"])
    )
    np.testing.assert_allclose(out[0], ref_out, rtol=rtol, atol=1e-12)
    np.testing.assert_allclose(rec["rec_input"][0], ref_rec, rtol=rtol, atol=1e-9)


def test_record_false_gives_empty_dict(backend):
    cls, _ = backend
    for kwargs in ({}, REC):
        _, _, rec = cls(2, **kwargs)(INPUT)
        assert rec == {}


def test_record_shapes(backend):
    cls, _ = backend
    _, _, rec = cls(3)(np.ones((2, 5, 3)), record=True)
    assert set(rec) == {"rec_input", "x"}
    assert all(value.shape == (2, 5, 3) for value in rec.values())


def test_numpy_new_state_is_batch_zero_and_mutates():
    mod = Rate(2)
    data = np.stack([INPUT, 2 * INPUT])
    _, new_state, _ = mod(data, record=True)
    assert set(new_state) == {"x"}
    np.testing.assert_allclose(new_state["x"], Rate(2)(INPUT, record=True)[2]["x"][0, -1])
    np.testing.assert_array_equal(mod.x, new_state["x"])
    assert mod.x.dtype == np.float64
    # a second call continues from the stored state
    out2, _, _ = mod(INPUT)
    fresh, _, _ = Rate(2)(INPUT)
    assert not np.allclose(out2, fresh)


def test_jax_new_state_does_not_mutate():
    cls = _rate_jax()
    mod = cls(2, **PARAMS)
    _, new_state, _ = mod(np.stack([INPUT, 2 * INPUT]))
    assert set(new_state) == {"x", "rng_key"}
    np.testing.assert_allclose(new_state["x"], XS[-1], rtol=1e-5)
    np.testing.assert_array_equal(mod.x, np.zeros(2))


def test_numpy_noise_free_evolve_draws_no_random_numbers():
    mod = Rate(3)
    np.random.seed(7)
    before = np.random.get_state()
    mod(np.ones((4, 3)), record=True)
    Rate(3, has_rec=True, w_rec=np.eye(3))(np.ones((4, 3)))
    after = np.random.get_state()
    assert before[0] == after[0]
    np.testing.assert_array_equal(before[1], after[1])
    assert before[2:] == after[2:]


def test_numpy_noise_uses_numpy_random():
    np.random.seed(3)
    first, _, _ = Rate(3, noise_std=0.5)(np.ones((4, 3)))
    np.random.seed(3)
    second, _, _ = Rate(3, noise_std=0.5)(np.ones((4, 3)))
    quiet, _, _ = Rate(3)(np.ones((4, 3)))
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, quiet)


def test_no_tau_clipping(backend):
    cls, rtol = backend
    out, _, _ = cls(1, tau=1e-3)(np.ones((2, 1)))
    np.testing.assert_allclose(out[0, :, 0], [1.0, 1.0], rtol=rtol)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (4, 3)}, "Rate module must have `size_out` == `size_in`"),
        ({"shape": 2, "w_rec": np.eye(2)}, "`w_rec` may not be provided if `has_rec` is False"),
        (
            {"shape": 2, "activation_func": "elu"},
            'If `activation_func` is provided as a string argument, it must be one of ["ReLU", '
            '"sigmoid", "tanh"]',
        ),
        ({"shape": 2, "activation_func": 3}, "Argument `activation_func` must be a string or"),
        ({"shape": None}, "`shape` must be given"),
    ],
)
def test_constructor_errors(backend, kwargs, message):
    cls, _ = backend
    with pytest.raises(ValueError, match=re.escape(f"{cls.__name__}: {message}")):
        cls(**kwargs)


def test_square_shape_is_not_recurrent(backend):
    cls, _ = backend
    mod = cls((3, 3))
    assert mod.w_rec is None
    assert "w_rec" not in mod.parameters()
    assert cls(3, has_rec=True).parameters("weights")["w_rec"].shape == (3, 3)


# ---------------------------------------------------------------- NumPy == JAX in float64
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 2**16),
    shape=st.sampled_from([(1, 3, 2), (2, 5, 3)]),
    has_rec=st.booleans(),
    activation=st.sampled_from(["relu", "tanh"]),
)
def test_numpy_equals_jax_float64(x64, seed, shape, has_rec, activation):
    cls = _rate_jax()
    rng = np.random.default_rng(seed)
    n = shape[-1]
    kwargs = {
        "tau": rng.uniform(0.005, 0.1, n),
        "bias": rng.normal(0, 0.5, n),
        "threshold": rng.normal(0, 0.2, n),
        "activation_func": activation,
    }
    if has_rec:
        kwargs.update(has_rec=True, w_rec=rng.normal(0, 1, (n, n)))
    data = rng.normal(0, 1, shape)
    numpy_mod, jax_mod = Rate(n, **kwargs), cls(n, **kwargs)
    assert jax_mod.tau.dtype == np.float64
    for _ in range(2):  # the second call starts from the committed / applied state
        out_np, state_np, rec_np = numpy_mod(data, record=True)
        out_jax, state_jax, rec_jax = jax_mod(data, record=True)
        jax_mod = jax_mod.set_attributes(state_jax)
        np.testing.assert_allclose(out_np, out_jax, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(state_np["x"], state_jax["x"], rtol=1e-10, atol=1e-12)
        for key in ("x", "rec_input"):
            np.testing.assert_allclose(rec_np[key], rec_jax[key], rtol=1e-10, atol=1e-12)
