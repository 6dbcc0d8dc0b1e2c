"""Worked examples of catalogue-2.md §2 and §4.1 (ExpSmooth, Softmax, UpDown), on both backends.

Shared fixture and tolerances: ``_catalogue2.py``.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest

from ._catalogue2 import close as _close
from ._catalogue2 import flavour_fixture  # noqa: F401 - the `flavour` fixture
from .registry import catalogue

jax = pytest.importorskip("jax")


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


def test_updown_threshold_of_the_wrong_type_names_the_attribute() -> None:
    with pytest.raises(TypeError, match=r"UpDown.thr_down: expected a number or an array"):
        catalogue("numpy").UpDown(2, thr_down="a")
