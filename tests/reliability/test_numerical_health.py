"""Long runs stay correct: float32 JAX tracks float64 NumPy over 100 000 steps.

Documented tolerances (README, "Errors and guarantees"):

* Rate and sub-threshold LIF: float32 JAX stays within 1e-4 relative (of the signal's peak) of
  float64 NumPy at every step of a 100 000-step run; both are stable linear filters, so float32
  rounding errors do not accumulate.
* Spiking LIF: exact spike times may part after a near-tie at the threshold, so the comparison
  is on totals: spike counts agree within 1% (per neuron and overall).
* A module's dtype never drifts across calls; ``record=False`` memory does not grow with the
  number of variables a model could record.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import LIF, ExpSyn, Rate

jax = pytest.importorskip("jax")
from shoal.nn.modules import ExpSynJax, LIFJax, RateJax  # noqa: E402

N_STEPS = 100_000
N = 8


def _slow_input(seed: int, scale: float) -> np.ndarray:
    """A smooth, non-negative drive: slow sinusoids plus a little noise, (1, T, N)."""
    rng = np.random.default_rng(seed)
    t = np.arange(N_STEPS)[:, None] * 1e-3
    phases = rng.uniform(0, 2 * np.pi, N)
    drive = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t + phases) + 0.05 * rng.random((N_STEPS, N))
    return scale * drive[None]


def _relative_error(reference: np.ndarray, other: np.ndarray) -> float:
    return float(np.max(np.abs(reference - other)) / np.max(np.abs(reference)))


@pytest.mark.slow
def test_rate_float32_jax_tracks_float64_numpy_over_100k_steps():
    x = _slow_input(0, 1.0)
    tau = np.linspace(0.01, 0.05, N)
    reference, _, _ = Rate(N, tau=tau, bias=0.1)(x)
    candidate, _, _ = RateJax(N, tau=tau, bias=0.1)(x.astype(np.float32))
    assert candidate.dtype == np.float32
    assert _relative_error(reference, np.asarray(candidate)) < 1e-4


@pytest.mark.slow
def test_subthreshold_lif_float32_jax_tracks_float64_numpy_over_100k_steps():
    x = _slow_input(1, 0.003)  # peak vmem ~ 0.45: never reaches the threshold of 1
    kwargs = {"tau_mem": np.linspace(0.01, 0.03, N), "tau_syn": 0.005}
    _, _, reference = LIF(N, **kwargs)(x, record=True)
    _, _, candidate = LIFJax(N, **kwargs)(x.astype(np.float32), record=True)
    assert not reference["spikes"].any() and not np.asarray(candidate["spikes"]).any()
    assert _relative_error(reference["vmem"], np.asarray(candidate["vmem"])) < 1e-4
    assert _relative_error(reference["isyn"], np.asarray(candidate["isyn"])) < 1e-4


@pytest.mark.slow
def test_spiking_lif_spike_counts_agree_over_100k_steps():
    x = _slow_input(2, 0.08)
    kwargs = {"tau_mem": np.linspace(0.01, 0.03, N), "tau_syn": 0.005}
    reference, _, _ = LIF(N, **kwargs)(x)
    candidate, _, _ = LIFJax(N, **kwargs)(x.astype(np.float32))
    counts64 = reference[0].sum(axis=0)
    counts32 = np.asarray(candidate)[0].sum(axis=0)
    assert counts64.min() > 1000  # every neuron spikes a lot
    np.testing.assert_allclose(counts32, counts64, rtol=0.01)
    assert abs(counts32.sum() - counts64.sum()) <= 0.01 * counts64.sum()


@pytest.mark.slow
def test_exp_syn_float32_jax_tracks_float64_numpy_over_100k_steps():
    x = _slow_input(3, 1.0)
    reference, _, _ = ExpSyn(N, tau=0.01)(x)
    candidate, _, _ = ExpSynJax(N, tau=0.01)(x.astype(np.float32))
    assert _relative_error(reference, np.asarray(candidate)) < 1e-4


@pytest.mark.parametrize("cls", [RateJax, LIFJax, ExpSynJax])
def test_jax_state_dtype_never_drifts(cls):
    module = cls(3)
    dtypes = {k: v.dtype for k, v in module.state().items()}
    for x in (np.ones((4, 3)), np.ones((4, 3), dtype=np.float32), np.ones((4, 3), dtype=int)):
        out, new_state, _ = module(x)
        module = module.set_attributes(new_state)
        assert out.dtype == np.float32
        assert {k: v.dtype for k, v in module.state().items()} == dtypes


@pytest.mark.parametrize("cls", [Rate, LIF, ExpSyn])
def test_numpy_state_dtype_never_drifts(cls):
    module = cls(3)
    for x in (np.ones((4, 3), dtype=np.float32), np.ones((4, 3), dtype=bool)):
        out, _, _ = module(x)
        assert out.dtype == np.float64
        assert all(v.dtype == np.float64 for v in module.state().values())


def test_record_false_memory_does_not_grow_with_recordable_variables(peak_bytes):
    # LIF can record four (B, T, N) arrays and Rate two; without records both need the same
    # working memory per output value.
    x = np.random.rand(1, 5000, 16)
    lif_peak = peak_bytes(lambda: LIF(16)(x, record=False))
    rate_peak = peak_bytes(lambda: Rate(16)(x, record=False))
    lif_recording = peak_bytes(lambda: LIF(16)(x, record=True))
    assert lif_peak < 1.5 * rate_peak
    assert lif_recording > lif_peak + 3 * x.nbytes
