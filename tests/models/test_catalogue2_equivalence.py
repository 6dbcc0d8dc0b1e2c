"""Second-catalogue models: NumPy and JAX (x64) agree to 1e-10 (see test_equivalence.py)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from .test_equivalence import FEW, _compare, _distance_to_spike_boundary, _run_both

pytest.importorskip("jax")

seeds = st.integers(0, 2**32 - 1)
sizes = st.sampled_from([1, 3, 5])
batches = st.sampled_from([1, 2])
steps = st.sampled_from([5, 20])


@FEW
@given(
    seed=seeds,
    n=sizes,
    n_syn=st.sampled_from([1, 2]),
    n_batches=batches,
    n_steps=steps,
    has_rec=st.booleans(),
)
def test_alif(seed: int, n: int, n_syn: int, n_batches: int, n_steps: int, has_rec: bool) -> None:
    rng = np.random.default_rng(seed)
    n_in = n * n_syn
    params = {
        "tau_mem": rng.uniform(0.005, 0.05, n),
        "tau_syn": rng.uniform(0.002, 0.05, (n, n_syn)),
        "tau_ahp": rng.uniform(0.005, 0.05, n),
        "w_ahp": rng.uniform(-1.0, 0.2, n),
        "bias": rng.uniform(-0.2, 0.5, n),
        "threshold": rng.uniform(0.5, 1.5, n),
    }
    if has_rec:
        params["w_rec"] = 0.5 * rng.standard_normal((n, n_in))
    x = rng.uniform(-0.5, 2.0, (n_batches, n_steps, n_in))

    def make(c: Any) -> Any:
        return c.aLIF((n_in, n), has_rec=has_rec, **params)

    numpy_result, jax_result = _run_both(make, x)
    assume(_distance_to_spike_boundary(numpy_result[2], params["threshold"]) > 1e-9)
    assert np.sum(numpy_result[0]) > 0, "inputs are chosen to make neurons spike"
    _compare(numpy_result, jax_result)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_lif_neuron(seed: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    params = {
        "tau_mem": rng.uniform(0.005, 0.05, n),
        "bias": rng.uniform(-0.2, 0.3, n),
        "threshold": rng.uniform(0.5, 1.5, n),
    }
    x = rng.uniform(-0.5, 1.5, (n_batches, n_steps, n))
    numpy_result, jax_result = _run_both(lambda c: c.LIFNeuron(n, **params), x)
    assume(_distance_to_spike_boundary(numpy_result[2], params["threshold"]) > 1e-9)
    assert np.sum(numpy_result[0]) > 0, "inputs are chosen to make neurons spike"
    _compare(numpy_result, jax_result)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_exp_smooth(seed: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    tau = rng.uniform(0.002, 0.05, n)
    x = rng.standard_normal((n_batches, n_steps, n))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The module ExpSmoothJax is deprecated")
        (out_n, state_n, rec_n), (out_j, state_j, rec_j) = _run_both(
            lambda c: c.ExpSmooth(n, tau=tau, activation_fun=np.tanh), x
        )
    for numpy_value, jax_value in [
        (out_n, out_j),
        (state_n["activation"], state_j["activation"]),
        (rec_n["activation"], rec_j["activation"]),
    ]:
        assert jax_value.dtype == np.float64
        np.testing.assert_allclose(jax_value, numpy_value, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
@FEW
@given(seed=seeds, n_in=sizes, n=st.sampled_from([2, 3]), n_batches=batches, n_steps=steps)
def test_softmax(name: str, seed: int, n_in: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    params = {
        "weight": rng.standard_normal((n_in, n)),
        "bias": rng.standard_normal(n),
        "tau": rng.uniform(0.002, 0.05, n),
    }
    x = rng.standard_normal((n_batches, n_steps, n_in))
    (out_n, state_n, rec_n), (out_j, state_j, rec_j) = _run_both(
        lambda c: getattr(c, name)(**params), x
    )
    state_j["smooth"].pop("rng_key")
    for numpy_value, jax_value in [
        (out_n, out_j),
        (state_n["smooth"]["isyn"], state_j["smooth"]["isyn"]),
        (rec_n["smooth"]["isyn"], rec_j["smooth"]["isyn"]),
    ]:
        assert jax_value.dtype == np.float64
        np.testing.assert_allclose(jax_value, numpy_value, rtol=1e-10, atol=1e-10)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps, has_rec=st.booleans())
def test_lif_bitshift(seed: int, n: int, n_batches: int, n_steps: int, has_rec: bool) -> None:
    rng = np.random.default_rng(seed)
    params = {
        "tau_mem": rng.uniform(0.0005, 0.05, n),
        "tau_syn": rng.uniform(0.0005, 0.05, (n, 1)),
        "bias": rng.uniform(-0.2, 0.5, n),
        "threshold": rng.uniform(0.5, 1.5, n),
    }
    if has_rec:
        params["w_rec"] = 0.5 * rng.standard_normal((n, n))
    x = rng.uniform(-0.5, 2.0, (n_batches, n_steps, n))

    def make(c: Any) -> Any:
        return c.LIFBitshift(n, has_rec=has_rec, **params)

    numpy_result, jax_result = _run_both(make, x)
    assume(_distance_to_spike_boundary(numpy_result[2], params["threshold"]) > 1e-9)
    _compare(numpy_result, jax_result)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps, n_ref=st.sampled_from([0, 2]))
def test_updown(seed: int, n: int, n_batches: int, n_steps: int, n_ref: int) -> None:
    rng = np.random.default_rng(seed)
    thr_up, thr_down = rng.uniform(0.05, 0.3, n), rng.uniform(0.05, 0.3, n)
    x = np.cumsum(rng.standard_normal((n_batches, n_steps, n)) * 0.2, axis=1)

    def make(c: Any) -> Any:
        return c.UpDown(n, thr_up=thr_up, thr_down=thr_down, n_ref_steps=n_ref)

    numpy_result, jax_result = _run_both(make, x)
    for numpy_value, jax_value in [
        (numpy_result[0], jax_result[0]),
        (numpy_result[2]["analog_value"], jax_result[2]["analog_value"]),
    ]:
        np.testing.assert_allclose(jax_value, numpy_value, rtol=1e-10, atol=1e-10)
