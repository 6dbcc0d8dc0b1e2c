"""Worked examples of catalogue-2.md §1 (aLIF, LIFNeuron, LIFBitshift), on both backends.

Shared fixture and tolerances: ``_catalogue2.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from ._catalogue2 import close as _close
from ._catalogue2 import flavour_fixture  # noqa: F401 - the `flavour` fixture
from .registry import catalogue

jax = pytest.importorskip("jax")

# ---------------------------------------------------------------------------- aLIF (§1.1)
ALIF_INPUT = [[1.5, 0], [1.5, 0], [0, 3], [0, 0], [0.5, 0.5], [0, 0]]


def _alif(c: Any, **kwargs: Any) -> Any:
    return c.aLIF(
        2,
        tau_mem=[0.02, 0.01],
        tau_syn=0.005,
        tau_ahp=[0.01, 0.03],
        w_ahp=[-0.5, -0.2],
        bias=[0, 0.1],
        threshold=1.0,
        **kwargs,
    )


def test_alif_table(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    mod = _alif(c)
    assert np.ndim(mod.tau_syn) == 0, "a scalar tau_syn is kept 0-d"
    out, state, record = mod(ALIF_INPUT, record=True)
    _close(out[0], [[1, 0], [1, 0], [1, 2], [1, 2], [0, 1], [0, 1]], rtol)
    _close(record["spikes"][0], out[0], rtol)
    vmem = [
        [0.228096, 0.1],
        [0.998129, 0.190484],
        [0.916363, 0.728549],
        [0.136689, 0.383292],
        [0.197848, 0.741528],
        [0.108769, 0.524528],
    ]
    isyn = [
        [1.228096, 0],
        [2.233576, 0],
        [1.828698, 2.456192],
        [1.497211, 2.01096],
        [1.635178, 2.0558],
        [1.338771, 1.683147],
    ]
    iahp = [
        [0, 0],
        [-0.452419, 0],
        [-0.861784, 0],
        [-1.232193, -0.386886],
        [-1.567353, -0.761089],
        [-1.4182, -0.929581],
    ]
    _close(record["vmem"][0], vmem, rtol)
    _close(record["isyn"][0, :, :, 0], isyn, rtol)
    _close(record["iahp"][0], iahp, rtol)
    _close(record["irec"][0], np.zeros((6, 2, 1)), rtol)
    _close(state["vmem"], [0.108769, 0.524528], rtol)
    _close(state["isyn"], [[1.338771], [1.683147]], rtol)
    _close(state["spikes"], [0, 1], rtol)
    _close(state["iahp"], [-1.4182, -0.929581], rtol)


def test_alif_streams_across_calls(flavour: tuple[Any, float]) -> None:
    """The ahp current and the last spikes carry over: two halves equal one run."""
    c, rtol = flavour
    whole = _alif(c)(ALIF_INPUT, record=True)[2]
    mod = _alif(c)
    _, state, first = mod(ALIF_INPUT[:3], record=True)
    _, _, second = mod.set_attributes(state)(ALIF_INPUT[3:], record=True)
    _close(np.concatenate([first["iahp"], second["iahp"]], axis=1), whole["iahp"], rtol)
    _close(np.concatenate([first["vmem"], second["vmem"]], axis=1), whole["vmem"], rtol)


def test_alif_without_ahp_is_lif(flavour: tuple[Any, float]) -> None:
    c, _ = flavour
    kwargs = {"tau_mem": [0.02, 0.01], "tau_syn": 0.005, "bias": [0, 0.1], "has_rec": True}
    w_rec = [[0.0, 0.4], [-0.3, 0.0]]
    alif = c.aLIF(2, w_ahp=0.0, w_rec=w_rec, **kwargs)(ALIF_INPUT, record=True)
    lif = c.LIF(2, w_rec=w_rec, **kwargs)(ALIF_INPUT, record=True)
    _close(alif[0], lif[0], 1e-12)
    for key in lif[2]:
        _close(alif[2][key], lif[2][key], 1e-12)


def test_alif_registration() -> None:
    mod = catalogue("numpy").aLIF(2, has_rec=True)
    assert list(mod.parameters()) == [
        "w_rec",
        "tau_mem",
        "tau_syn",
        "bias",
        "threshold",
        "w_ahp",
        "tau_ahp",
    ]
    assert set(mod.parameters("weights")) == {"w_rec", "w_ahp"}
    assert set(mod.parameters("taus")) == {"tau_mem", "tau_syn", "tau_ahp"}
    assert set(mod.parameters("thresholds")) == {"threshold"}
    np.testing.assert_array_equal(mod.w_ahp, [-0.9, -0.9])
    np.testing.assert_array_equal(mod.tau_ahp, [0.02, 0.02])
    assert list(mod.state()) == ["vmem", "isyn", "spikes", "iahp"]
    assert mod.spiking_input and mod.spiking_output
    assert catalogue("numpy").aLIF(2, w_ahp_init_func=np.zeros).w_ahp.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (5, 2)}, r"aLIF: .*Nin = 5 is not a multiple of Nout = 2"),
        ({"shape": (2, 2, 2)}, r"aLIF: `shape` must be a one- or two-element tuple"),
        ({"shape": 2, "w_ahp": [1.0, 2.0, 3.0]}, r"aLIF.w_ahp: expected shape \(2,\) or \(\)"),
        ({"shape": 2, "tau_ahp": [0.01] * 3}, r"aLIF.tau_ahp: expected shape \(2,\) or \(1,\)"),
        ({"shape": 2, "tau_ahp": [0.01, 0.0]}, r"aLIF.tau_ahp: expected a time constant > 0"),
        ({"shape": 2, "w_ahp": [np.nan, 0.0]}, r"aLIF.w_ahp: expected finite values"),
        ({"shape": 2, "w_rec": np.zeros((2, 2))}, r"aLIF: `w_rec` may not be provided"),
    ],
)
def test_alif_constructor_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalogue("numpy").aLIF(**kwargs)


# ---------------------------------------------------------------------------- LIFNeuron (§1.2)
def test_lif_neuron_table(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    mod = c.LIFNeuron(2, tau_mem=[0.02, 0.005], threshold=[1.0, 0.8], bias=[0.05, 0.0])
    x = [[0.6, 0.2], [0.6, 0.2], [0, 1.5], [0, 0], [0.9, 0]]
    out, state, record = mod(x, record=True)
    _close(out[0], [[0, 0], [1, 0], [0, 2], [0, 0], [1, 0]], rtol)
    vmem = [
        [0.65, 0.2],
        [0.268299, 0.363746],
        [0.305214, 0.19781],
        [0.340329, 0.161953],
        [0.273731, 0.132596],
    ]
    _close(record["vmem"][0], vmem, rtol)
    _close(record["spikes"][0], out[0], rtol)
    assert set(state) - {"rng_key"} == {"vmem"}
    _close(state["vmem"], vmem[-1], rtol)


def test_lif_neuron_registration() -> None:
    mod = catalogue("numpy").LIFNeuron(3)
    assert list(mod.parameters()) == ["tau_mem", "threshold", "bias"]
    assert np.ndim(mod.bias) == 0 and mod.bias == 0.0, "the default bias is the scalar 0"
    assert set(mod.parameters("thresholds")) == {"threshold"}
    assert mod.n_neurons == 3 and mod.shape == (3,)
    assert not mod.spiking_input and mod.spiking_output


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (4, 2)}, r"LIFNeuron: `shape` must have only one dimension .*got \(4, 2\)"),
        ({}, r"LIFNeuron: `shape` must be given"),
        ({"shape": 2, "tau_mem": [0.01] * 3}, r"LIFNeuron.tau_mem: expected shape \(2,\) or \(\)"),
        ({"shape": 2, "threshold": 0.0}, r"LIFNeuron.threshold: expected a threshold > 0"),
        ({"shape": 2, "noise_std": -1.0}, r"LIFNeuron.noise_std: expected values >= 0"),
    ],
)
def test_lif_neuron_constructor_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalogue("numpy").LIFNeuron(**kwargs)


# ---------------------------------------------------------------------------- LIFBitshift (§1.3)
TAUS_MS = [0.5, 1, 1.4, 1.5, 2, 2.9, 3, 5, 10, 20, 50, 100]
STORED_MS = [0, 0, 0, 1.4427, 1.4427, 3.47606, 3.47606, 3.47606, 7.48888, 15.4946, 63.4987, 127.499]
ALPHAS = [0, 0, 0, 0.5, 0.5, 0.75, 0.75, 0.75, 0.875, 0.9375, 0.984375, 0.992188]


def test_lif_bitshift_rounding_table(flavour: tuple[Any, float]) -> None:
    from shoal.dynamics.lif_bitshift import bitshift_decay

    c, rtol = flavour
    mod = c.LIFBitshift(12, tau_mem=np.array(TAUS_MS) * 1e-3)
    _close(np.asarray(mod.tau_mem) * 1e3, STORED_MS, rtol)
    _close(bitshift_decay(np, 1e-3, np.asarray(mod.tau_mem, np.float64)), ALPHAS, 1e-5)
    _close(bitshift_decay(np, 1e-3, np.array(TAUS_MS) * 1e-3), ALPHAS, 1e-5)
    # Rewriting is idempotent: the stored τ rounds to the same shift.
    _close(c.LIFBitshift(12, tau_mem=mod.tau_mem).tau_mem, mod.tau_mem, 1e-6)


def test_lif_bitshift_table(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    mod = c.LIFBitshift(2, tau_mem=[0.02, 0.005], tau_syn=[0.004, 0.05], bias=[0, 0.1])
    _close(mod.tau_mem, [0.0154946, 0.00347606], rtol)
    _close(mod.tau_syn, [[0.00347606], [0.0634987]], rtol)
    out, _, record = mod([[0.6, 0], [0.6, 0], [0, 3], [0, 0], [0, 0]], record=True)
    _close(out[0], [[0, 0], [1, 0], [0, 3], [1, 3], [0, 3]], rtol)
    vmem = [
        [0.45, 0.1],
        [0.209375, 0.175],
        [0.786914, 0.184375],
        [0.180701, 0.145264],
        [0.501634, 0.0705086],
    ]
    isyn = [
        [0.45, 0],
        [0.7875, 0],
        [0.590625, 2.953125],
        [0.442969, 2.906982],
        [0.332227, 2.861561],
    ]
    _close(record["vmem"][0], vmem, rtol)
    _close(record["isyn"][0, :, :, 0], isyn, rtol)


def test_lif_bitshift_clamps_at_31(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    out, _, _ = c.LIFBitshift(1, tau_syn=2e-3, tau_mem=1e-2)([[100], [0]])
    _close(out[0, :, 0], [31, 31], rtol)


def test_lif_bitshift_no_gradient_reaches_the_time_constants() -> None:
    mod = catalogue("jax").LIFBitshift(2, tau_mem=[0.02, 0.005], bias=0.01)
    x = 0.05 * jax.numpy.ones((6, 2))  # below threshold: vmem depends smoothly on everything

    def loss(params: Any) -> Any:
        return jax.numpy.sum(mod.set_attributes(params)(x, record=True)[2]["vmem"])

    grads = jax.grad(loss)(mod.parameters())
    assert np.all(np.asarray(grads["tau_mem"]) == 0) and np.all(np.asarray(grads["tau_syn"]) == 0)
    assert np.any(np.asarray(grads["bias"]) != 0)


def test_lif_bitshift_families_and_errors() -> None:
    mod = catalogue("numpy").LIFBitshift(2)
    assert set(mod.parameters("thresholds")) == {"threshold"}
    assert mod.max_spikes_per_dt == 31.0 and mod.spiking_input
    assert catalogue("numpy").LIFBitshift(2, tau_mem=0.0).tau_mem == 0.0, "a zero shift is valid"
    with pytest.raises(ValueError, match=r"LIFBitshift.tau_mem: expected values >= 0"):
        catalogue("numpy").LIFBitshift(2, tau_mem=[-0.01, 0.02])
    with pytest.raises(ValueError, match=r"LIFBitshift.tau_syn: expected finite values"):
        catalogue("numpy").LIFBitshift(2, tau_syn=np.inf)
