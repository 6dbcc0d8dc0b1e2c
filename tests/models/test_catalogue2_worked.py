"""Worked examples of catalogue-2.md §1–§2 (the second catalogue's models), on both backends.

NumPy (float64) matches the printed digits (relative 1e-5). JAX is run twice: in float64
(``jax_enable_x64``), to the same digits, and in its default float32, to float32's precision
after a few steps of cancellation (relative 1e-4).
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from .registry import catalogue

jax = pytest.importorskip("jax")

ATOL = 1e-6  # for entries printed as exact zeros


@pytest.fixture(params=["numpy", "jax64", "jax32"])
def flavour(request: pytest.FixtureRequest) -> Iterator[tuple[Any, float]]:
    """``(catalogue, rtol)``; the JAX float64 run keeps x64 on for the whole test."""
    if request.param == "numpy":
        yield catalogue("numpy"), 1e-5
    elif request.param == "jax64":
        with jax.enable_x64(True):
            yield catalogue("jax"), 1e-5
    else:
        yield catalogue("jax"), 1e-4


def _close(actual: Any, expected: Any, rtol: float) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=ATOL)


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


# ---------------------------------------------------------------------------- ExpSmooth (§2.1)
def _exp_smooth(c: Any, **kwargs: Any) -> Any:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The module ExpSmoothJax is deprecated")
        return c.ExpSmooth(2, **kwargs)


def test_exp_smooth_table(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    xp_tanh = np.tanh  # a ufunc: the JAX flavour swaps in jax.numpy.tanh
    mod = _exp_smooth(c, tau=np.array([0.002, 0.01]), activation_fun=xp_tanh)
    out, state, record = mod([[1, 0], [0, 0], [0, 1], [0, 0]], record=True)
    assert np.shape(out) == (4, 2), "(T, N) in gives (T, N) out, as in Rockpool"
    activation = [[1, 0], [0.606531, 0], [0.367879, 1], [0.22313, 0.904837]]
    _close(record["activation"], activation, rtol)
    _close(out, [[0.761594, 0], [0.54168, 0], [0.352135, 0.761594], [0.219499, 0.718645]], rtol)
    _close(state["activation"], [0.22313, 0.904837], rtol)


def test_exp_smooth_defaults_and_batches() -> None:
    mod = catalogue("numpy").ExpSmooth(3)
    assert mod.tau == 0.1 and mod.dt == 1e-3 and mod.spiking_input and not mod.spiking_output
    out, _, record = mod(np.ones((2, 5, 3)))
    assert out.shape == (2, 5, 3) and record == {}
    np.testing.assert_allclose(out[0, 1], 1 + np.exp(-0.01))


def test_exp_smooth_jax_warns_on_construction_not_import() -> None:
    # A fresh interpreter: the import must be silent even with warnings as errors.
    code = "import shoal.nn.modules as m; m.ExpSmoothJax; m.ExpSmooth(2)"
    subprocess.run([sys.executable, "-W", "error", "-c", code], check=True)
    with pytest.warns(UserWarning, match="ExpSmoothJax is deprecated. Use ExpSynJax instead"):
        catalogue("jax").ExpSmooth(2)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"shape": (2, 3)}, ValueError, r"ExpSmooth: `shape` must have one dimension"),
        ({"shape": 2, "tau": 0.0}, ValueError, r"ExpSmooth.tau: expected a time constant > 0"),
        ({"shape": 2, "activation_fun": 3}, TypeError, r"ExpSmooth: `activation_fun` must be"),
    ],
)
def test_exp_smooth_constructor_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        catalogue("numpy").ExpSmooth(**kwargs)


# ---------------------------------------------------------------------------- Softmax (§2.2)
SOFTMAX_ARGS = {"weight": [[1, -1], [0.5, 0.5], [0, 2]], "bias": [0.1, -0.2], "tau": 0.01}
SOFTMAX_INPUT = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]
SMOOTHED = [
    [0.995321, -1.085805],
    [1.443506, -0.711026],
    [1.396622, 0.985345],
    [2.711456, 0.258191],
]
# Rockpool's outputs (normalised over the whole array); shoal normalises each step (decided).
ROCKPOOL_SOFTMAX = np.array(
    [[0.087742, 0.010949], [0.137357, 0.015928], [0.131066, 0.086871], [0.488105, 0.041983]]
)
ROCKPOOL_LOG_SOFTMAX = np.array(
    [[-2.433359, -4.514485], [-1.985173, -4.139706], [-2.032058, -2.443335], [-0.717224, -3.170489]]
)


def test_softmax_table_renormalised_per_step(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    out, state, record = c.Softmax(**SOFTMAX_ARGS)(SOFTMAX_INPUT, record=True)
    _close(record["smooth"]["isyn"][0], SMOOTHED, rtol)
    smoothed = np.array(SMOOTHED)
    expected = np.exp(smoothed) / np.sum(np.exp(smoothed), axis=1, keepdims=True)
    _close(out[0], expected, rtol)
    # Rockpool's whole-array numbers, renormalised per step (printed to 5 digits: 1e-4).
    _close(out[0], ROCKPOOL_SOFTMAX / ROCKPOOL_SOFTMAX.sum(axis=1, keepdims=True), 1e-4)
    _close(out[0, 0], [0.889, 0.111], 1e-3)  # the spec's printed first row
    _close(np.sum(out, axis=-1), np.ones((1, 4)), rtol)
    assert record["linear"] == {} and state["linear"] == {}
    _close(state["smooth"]["isyn"], SMOOTHED[-1], rtol)


def test_log_softmax_table_renormalised_per_step(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    out, _, _ = c.LogSoftmax(**SOFTMAX_ARGS)(SOFTMAX_INPUT)
    smoothed = np.array(SMOOTHED)
    _close(out[0], smoothed - np.log(np.sum(np.exp(smoothed), axis=1, keepdims=True)), rtol)
    lse = np.log(np.sum(np.exp(ROCKPOOL_LOG_SOFTMAX), axis=1, keepdims=True))
    _close(out[0], ROCKPOOL_LOG_SOFTMAX - lse, rtol)
    softmax, _, _ = c.Softmax(**SOFTMAX_ARGS)(SOFTMAX_INPUT)
    _close(np.exp(out), softmax, rtol)


def test_softmax_does_not_couple_batch_elements() -> None:
    """Rockpool's whole-array normalisation would make batch 0 depend on batch 1."""
    mod = catalogue("numpy").Softmax(**SOFTMAX_ARGS)
    x = np.array([SOFTMAX_INPUT, np.multiply(SOFTMAX_INPUT, 5.0)])
    together = mod(x)[0]
    alone = catalogue("numpy").Softmax(**SOFTMAX_ARGS)(x[:1])[0]
    np.testing.assert_allclose(together[:1], alone, rtol=1e-12)


def test_softmax_structure() -> None:
    mod = catalogue("numpy").Softmax((3, 2))
    assert set(mod.parameters()) == {"linear", "smooth"}
    assert set(mod.parameters()["linear"]) == {"weight", "bias"}, "has_bias defaults to True"
    assert mod.smooth.tau == 0.1 and mod.smooth.dt == 1e-3
    state = mod.state()
    assert state["linear"] == {} and list(state["smooth"]) == ["isyn"]
    assert type(catalogue("jax").Softmax((3, 2)).smooth).__name__ == "ExpSynJax"
    assert catalogue("numpy").LogSoftmax(weight=np.ones((4, 3))).shape == (4, 3)


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"{name}: One of `shape` or `weight` parameters must be provided"),
        ({"shape": 3}, r"{name}: `shape` must be \(Nin, N\); got \(3,\)"),
        ({"shape": (3, 2), "tau": 0.0}, r"{name}.smooth.tau: expected a time constant > 0"),
    ],
)
def test_softmax_constructor_errors(name: str, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.format(name=name)):
        getattr(catalogue("numpy"), name)(**kwargs)


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


# ---------------------------------------------------------------------------- UpDown (§4.1)
UPDOWN_INPUT = [[0, 1], [0.23, 1], [0.47, 0.93], [0.52, 0.61], [0.18, 0.66], [0.02, 0.71]]


@pytest.mark.parametrize("repeat", [1, 2])
def test_updown_table(flavour: tuple[Any, float], repeat: int) -> None:
    c, rtol = flavour
    mod = c.UpDown(2, thr_up=0.1, thr_down=0.2, repeat_output=repeat)
    assert mod.shape == (2, 4) and np.shape(mod.thr_up) == (1, 2)
    out, _, record = mod(UPDOWN_INPUT, record=True)
    expected = [[0, 0, 0, 0], [2, 0, 0, 0], [2, 0, 0, 0], [1, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0]]
    _close(out[0], repeat * np.array(expected), rtol)
    analog = [[0, 1], [0, 1], [0.2, 1], [0.4, 1], [0.5, 0.8], [0.3, 0.8]]
    _close(record["analog_value"][0], analog, rtol)


def test_updown_refractory_table(flavour: tuple[Any, float]) -> None:
    c, rtol = flavour
    out, _, record = c.UpDown(2, thr_up=0.1, thr_down=0.2, n_ref_steps=2)(UPDOWN_INPUT, record=True)
    expected = [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]]
    _close(out[0], expected, rtol)
    analog = [[0, 1], [0, 1], [0.23, 1], [0.47, 1], [0.47, 0.61], [0.18, 0.66]]
    _close(record["analog_value"][0], analog, rtol)


def test_updown_torch_backend_examples(flavour: tuple[Any, float]) -> None:
    """torch-backend.md §5.5's first example (one channel)."""
    c, rtol = flavour
    out, _, record = c.UpDown(1, thr_up=0.1, thr_down=0.2)(
        [[0], [0.35], [0.1], [-0.5]], record=True
    )
    _close(out[0], [[0, 0], [3, 0], [0, 1], [0, 3]], rtol)
    _close(record["analog_value"][0, :, 0], [0, 0, 0.3, 0.1], rtol)


def test_updown_torch_refractory_example_in_float32() -> None:
    """torch-backend.md §5.5, measured in float32: there ``0.6 − 0.5 ≥ 0.1`` (one event at
    t = 3), while in float64 ``0.6 − 0.5 = 0.0999…`` (none). Only the float32 flavour can
    reproduce it; the float64 count is the float64-correct one."""
    mod = catalogue("jax").UpDown(1, thr_up=0.1, thr_down=0.1, n_ref_steps=2, repeat_output=3)
    out, _, record = mod(np.array([[0, 0.35, 0.5, 0.6, 0.9, 0.9]]).T, record=True)
    _close(out[0, :, 0], [0, 3, 0, 3, 0, 0], 1e-6)
    _close(out[0, :, 1], np.zeros(6), 1e-6)
    _close(record["analog_value"][0, :, 0], [0, 0, 0.35, 0.5, 0.6, 0.9], 1e-6)
    out64 = catalogue("numpy").UpDown(1, thr_up=0.1, thr_down=0.1, n_ref_steps=2)(
        np.array([[0, 0.35, 0.5, 0.6, 0.9, 0.9]]).T
    )[0]
    _close(out64[0, :, 0], [0, 1, 0, 0, 1, 0], 1e-12)


def test_updown_trap_fixes() -> None:
    """A vector thr_down is honoured, inputs are untouched, calls stream, dt is registered."""
    c = catalogue("numpy")
    mod = c.UpDown(2, thr_up=[0.1, 0.2], thr_down=[0.3, 0.4], n_ref_steps=1)
    np.testing.assert_array_equal(mod.thr_down, [[0.3, 0.4]])
    x = np.array(UPDOWN_INPUT)
    before = x.copy()
    whole = mod(x)[0]
    np.testing.assert_array_equal(x, before)
    down = c.UpDown(1, thr_up=1.0, thr_down=0.3)([[0.0], [-0.65]])[0]
    np.testing.assert_array_equal(down[0, :, 1], [0, 2]), "thr_down, not thr_up, sets the count"
    streamed = c.UpDown(2, thr_up=[0.1, 0.2], thr_down=[0.3, 0.4], n_ref_steps=1)
    first = streamed(x[:3])[0]
    second = streamed(x[3:])[0]
    np.testing.assert_array_equal(np.concatenate([first, second], axis=1), whole)
    assert mod.dt == 1e-3 and "dt" in mod.simulation_parameters()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"shape": (2, 4)}, r"UpDown: `shape` must be a one-element tuple `\(Nin,\)`"),
        ({}, r"UpDown: `shape` must be a one-element tuple"),
        ({"shape": 2, "thr_up": 0.0}, r"UpDown.thr_up: expected a threshold > 0"),
        ({"shape": 2, "thr_down": [0.1] * 3}, r"UpDown.thr_down: expected shape \(1, 2\)"),
        ({"shape": 2, "n_ref_steps": -1}, r"UpDown.n_ref_steps: expected an integer >= 0"),
        ({"shape": 2, "repeat_output": 0.5}, r"UpDown.repeat_output: expected an integer >= 1"),
    ],
)
def test_updown_constructor_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        catalogue("numpy").UpDown(**kwargs)
