"""Property tests over every model and combinator of the registry, on both backends.

* batch independence: evolving a batch equals evolving each element alone;
* streaming (B = 1): evolving T steps equals T1 then T2 steps with the state carried over;
* determinism: a fixed seed (NumPy) or ``rng_key`` (JAX) gives the same output, noise included;
* zero input and zero bias: no spikes and pure exponential decay;
* ``Linear`` is linear.

Shapes come from a small set so JAX compiles a handful of programs, not one per example:
``(3, 6)`` and ``(1, 6)`` serve several tests, and only the streaming chunks add their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .registry import BACKENDS, CASE_IDS, CASES, ModelCase, catalogue, host

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

# Noise draws depend on the batch layout and the number of calls, so the batch and streaming
# properties hold for the deterministic models (determinism is tested with noise on).
DETERMINISTIC = [case for case in CASES if "noise" not in case.name]
DETERMINISTIC_IDS = [case.name for case in DETERMINISTIC]
SETTINGS = settings(max_examples=4, deadline=None, derandomize=True)


_JAX_MODULES: dict[str, Any] = {}


def _fresh(case: ModelCase, backend: str) -> Any:
    """A module in its initial state. JAX modules never change when evolved, so one instance
    per case serves every example (a new instance would compile its programs again)."""
    if backend != "jax":  # NumPy and Torch modules mutate when evolved: build a fresh one
        return case.build(backend)
    if case.name not in _JAX_MODULES:
        _JAX_MODULES[case.name] = case.build(backend)
    return _JAX_MODULES[case.name]


def _evolve(module: Any, x: np.ndarray) -> tuple[Any, Any, Any]:
    return module(x)


def _carry(module: Any, new_state: dict) -> Any:
    """NumPy modules keep their state themselves; JAX modules get it applied."""
    return module.set_attributes(new_state)


def _tolerance(backend: str) -> dict[str, float]:
    return {"rtol": 1e-5, "atol": 1e-6} if backend != "numpy" else {"rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", DETERMINISTIC, ids=DETERMINISTIC_IDS)
@SETTINGS
@given(seed=st.integers(0, 2**16))
def test_batch_elements_are_independent(case: ModelCase, backend: str, seed):
    # Three elements (a batch of two showed nothing more): every example then runs the same
    # two compiled JAX programs, (3, 6) and (1, 6), instead of compiling a third for (2, 6).
    n_batches = 3
    x = case.inputs((n_batches, 6), seed=seed)
    together, _, _ = _evolve(_fresh(case, backend), x)
    for b in range(n_batches):
        alone, _, _ = _evolve(_fresh(case, backend), x[b : b + 1])
        np.testing.assert_allclose(host(together)[b], host(alone)[0], **_tolerance(backend))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", DETERMINISTIC, ids=DETERMINISTIC_IDS)
@SETTINGS
@given(split=st.sampled_from([1, 3, 5]), seed=st.integers(0, 2**16))
def test_streaming_in_chunks_equals_one_long_run(case: ModelCase, backend: str, split, seed):
    # After the first step, in the middle, before the last step. Six steps, as in the batch
    # test, so the whole run reuses that test's compiled (1, 6) program.
    x = case.inputs((1, 6), seed=seed)
    whole, _, _ = _evolve(_fresh(case, backend), x)
    module = _fresh(case, backend)
    first, new_state, _ = _evolve(module, x[:, :split])
    module = _carry(module, new_state)
    second, _, _ = _evolve(module, x[:, split:])
    np.testing.assert_allclose(
        np.concatenate([host(first), host(second)], axis=-2),
        host(whole),
        **_tolerance(backend),
    )


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_fixed_seed_or_key_is_deterministic(case: ModelCase, backend: str):
    x = case.inputs((3, 6), seed=3)  # the batch test's shape: its compiled program serves
    runs = []
    for _ in range(2):
        np.random.seed(42)  # NumPy modules draw noise from NumPy's global generator
        runs.append(host(_evolve(case.build(backend), x)[0]))
    np.testing.assert_array_equal(runs[0], runs[1])


# ------------------------------------------------------------------ zero input, zero bias
@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(
    v0=st.floats(0.0, 0.9),
    i0=st.floats(0.0, 0.01),
    tau_mem=st.sampled_from([0.01, 0.02]),
    tau_syn=st.sampled_from([0.005, 0.02]),
)
def test_lif_without_input_decays_exponentially_and_never_spikes(backend, v0, i0, tau_mem, tau_syn):
    lif = catalogue(backend).LIF(2, tau_mem=tau_mem, tau_syn=tau_syn, bias=0.0)
    lif = lif.set_attributes({"vmem": np.full(2, v0), "isyn": np.full((2, 1), i0)})
    n_steps = 12
    out, _, record = lif(np.zeros((n_steps, 2)), record=True)
    alpha, beta = np.exp(-1e-3 / tau_mem), np.exp(-1e-3 / tau_syn)
    t = np.arange(1, n_steps + 1)
    isyn = i0 * beta**t
    # vmem_t = α vmem_{t-1} + isyn_t: the closed form of the sub-threshold linear system.
    vmem = np.zeros(n_steps)
    previous = v0
    for k in range(n_steps):
        previous = alpha * previous + isyn[k]
        vmem[k] = previous
    assert not host(out).any()
    tolerance = _tolerance(backend)
    np.testing.assert_allclose(host(record["isyn"])[0, :, 0, 0], isyn, **tolerance)
    np.testing.assert_allclose(host(record["vmem"])[0, :, 0], vmem, **tolerance)
    if i0 == 0.0:
        np.testing.assert_allclose(host(record["vmem"])[0, :, 0], v0 * alpha**t, **tolerance)


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(x0=st.floats(0.0, 2.0), tau=st.sampled_from([0.01, 0.05]))
def test_rate_without_input_decays_geometrically(backend, x0, tau):
    rate = catalogue(backend).Rate(2, tau=tau, bias=0.0).set_attributes({"x": np.full(2, x0)})
    out, _, _ = rate(np.zeros((10, 2)))
    expected = x0 * (1 - 1e-3 / tau) ** np.arange(1, 11)
    np.testing.assert_allclose(host(out)[0, :, 0], expected, **_tolerance(backend))


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(i0=st.floats(0.0, 2.0), tau=st.sampled_from([0.002, 0.01]))
def test_exp_syn_without_input_decays_exponentially(backend, i0, tau):
    syn = catalogue(backend).ExpSyn(2, tau=tau).set_attributes({"isyn": np.full(2, i0)})
    out, _, _ = syn(np.zeros((10, 2)))
    expected = i0 * np.exp(-1e-3 / tau) ** np.arange(1, 11)
    np.testing.assert_allclose(host(out)[0, :, 0], expected, **_tolerance(backend))


@pytest.mark.parametrize("backend", BACKENDS)
@SETTINGS
@given(
    a=st.floats(-3.0, 3.0),
    b=st.floats(-3.0, 3.0),
    seed=st.integers(0, 2**16),
)
def test_linear_is_linear(backend, a, b, seed):
    rng = np.random.default_rng(seed)
    linear = catalogue(backend).Linear((4, 3), weight=rng.standard_normal((4, 3)))
    x, y = rng.standard_normal((2, 5, 4))
    combined = host(linear(a * x + b * y)[0])
    separate = a * host(linear(x)[0]) + b * host(linear(y)[0])
    np.testing.assert_allclose(combined, separate, rtol=1e-4, atol=1e-4)


def test_jax_arrays_and_numpy_arrays_give_the_same_result():
    case = CASES[0]
    x = case.inputs((2, 5))
    np.testing.assert_array_equal(
        host(case.build("jax")(x)[0]), host(case.build("jax")(jnp.asarray(x))[0])
    )
