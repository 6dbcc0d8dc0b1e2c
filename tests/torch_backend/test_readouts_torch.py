"""``ExpSmoothTorch``, ``SoftmaxTorch``, ``LogSoftmaxTorch``: catalogue-2.md §2 worked examples
on Torch (float32, and float64 equal to the NumPy flavours), records, gradients, errors."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.modules import ExpSmooth, LogSoftmax, Softmax  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    ExpSmoothTorch,
    ExpSynTorch,
    LinearTorch,
    LogSoftmaxTorch,
    SoftmaxTorch,
)

X_SMOOTH = [[1, 0], [0, 0], [0, 1], [0, 0]]
ACTIVATION = [[1, 0], [0.606531, 0], [0.367879, 1], [0.22313, 0.904837]]
TANH_OUT = [[0.761594, 0], [0.54168, 0], [0.352135, 0.761594], [0.219499, 0.718645]]

SOFTMAX_ARGS: dict[str, Any] = {"weight": [[1, -1], [0.5, 0.5], [0, 2]], "bias": [0.1, -0.2]}
SOFTMAX_INPUT = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]
SMOOTHED = np.array(
    [[0.995321, -1.085805], [1.443506, -0.711026], [1.396622, 0.985345], [2.711456, 0.258191]]
)


def _close(actual: Any, expected: Any, rtol: float = 1e-5) -> None:
    np.testing.assert_allclose(actual.detach().numpy(), np.asarray(expected), rtol=rtol, atol=1e-6)


def _as64(tree: dict[str, Any]) -> dict[str, Any]:
    """Float64 tensors (kept as float64 by Torch modules) for a float64 build."""
    return {key: torch.tensor(value, dtype=torch.float64) for key, value in tree.items()}


# ---------------------------------------------------------------------------- ExpSmoothTorch
@pytest.mark.parametrize("function", [torch.tanh, np.tanh], ids=["torch.tanh", "np.tanh"])
def test_exp_smooth_worked_example(function: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # shoal's Torch flavour is not Rockpool's deprecated name
        mod = ExpSmoothTorch(2, tau=np.array([0.002, 0.01]), activation_fun=function)
    out, state, record = mod(X_SMOOTH, record=True)
    assert out.shape == (1, 4, 2), "the Torch rule: (T, N) gains a batch axis"
    _close(out[0], TANH_OUT)
    _close(record["activation"][0], ACTIVATION)
    _close(state["activation"], [0.22313, 0.904837])
    assert torch.equal(mod.activation, state["activation"]), "the state is kept"


def test_exp_smooth_float64_equals_numpy_and_streams() -> None:
    x = np.random.default_rng(2).uniform(size=(2, 30, 3))
    tau = [0.002, 0.01, 0.05]
    reference = ExpSmooth(3, tau=tau, activation_fun=np.tanh)
    # `.double()` converts the state too (float64 data alone makes float64 parameters only).
    mod = ExpSmoothTorch(3, tau=torch.tensor(tau, dtype=torch.float64), activation_fun=np.tanh)
    mod = mod.double()
    expected = reference(x, record=True)
    out, state, record = mod(torch.tensor(x), record=True)
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), expected[0], rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(state["activation"].numpy(), expected[1]["activation"])
    recorded = record["activation"].detach().numpy()
    np.testing.assert_allclose(recorded, expected[2]["activation"], rtol=1e-10, atol=1e-10)
    mod.reset_state()  # calls continue from the kept state (of batch element 0)
    first = mod(torch.tensor(x[:1, :10]))[0]
    second = mod(torch.tensor(x[:1, 10:]))[0]
    streamed = torch.cat([first, second], dim=1).detach().numpy()
    np.testing.assert_allclose(streamed, expected[0][:1], rtol=1e-10, atol=1e-10)


def test_exp_smooth_gradient_reaches_tau() -> None:
    mod = ExpSmoothTorch(2, tau=[0.01, 0.02])
    mod(torch.ones(1, 5, 2))[0].sum().backward()
    assert mod.tau.grad is not None and torch.all(mod.tau.grad > 0), "longer τ, larger sum"


def test_exp_smooth_errors_name_the_torch_class() -> None:
    with pytest.raises(ValueError, match=r"ExpSmoothTorch.tau: expected a time constant > 0"):
        ExpSmoothTorch(2, tau=0.0)
    with pytest.raises(ValueError, match=r"ExpSmoothTorch: `shape` must have one dimension"):
        ExpSmoothTorch((2, 3))


# ---------------------------------------------------------------------------- SoftmaxTorch
def test_softmax_worked_example_renormalised_per_step() -> None:
    mod = SoftmaxTorch(**SOFTMAX_ARGS, tau=0.01)
    assert isinstance(mod.linear, LinearTorch) and isinstance(mod.smooth, ExpSynTorch)
    out, state, record = mod(SOFTMAX_INPUT, record=True)
    expected = np.exp(SMOOTHED) / np.exp(SMOOTHED).sum(axis=1, keepdims=True)
    _close(out[0], expected)
    _close(out[0, 0], [0.889, 0.111], 1e-3)  # the spec's printed first row
    _close(state["smooth"]["isyn"], SMOOTHED[-1])
    assert record == {"linear": {}, "smooth": {}}, "smooth is an ExpSynTorch: records nothing"
    assert state["linear"] == {}


def test_log_softmax_worked_example() -> None:
    out = LogSoftmaxTorch(**SOFTMAX_ARGS, tau=0.01)(SOFTMAX_INPUT)[0]
    lse = np.log(np.exp(SMOOTHED).sum(axis=1, keepdims=True))
    _close(out[0], SMOOTHED - lse)


@pytest.mark.parametrize(
    ("torch_class", "numpy_class"), [(SoftmaxTorch, Softmax), (LogSoftmaxTorch, LogSoftmax)]
)
def test_float64_equals_numpy_flavour(torch_class: Any, numpy_class: Any) -> None:
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 25, 3))
    args = {"weight": rng.standard_normal((3, 4)), "bias": rng.standard_normal(4), "tau": 0.02}
    expected = numpy_class(**args)(x)[0]
    out = torch_class(**_as64(args)).double()(torch.tensor(x))[0]
    assert out.dtype == torch.float64
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-10, atol=1e-10)


def test_softmax_gradients_reach_every_parameter_and_sum_to_zero_over_outputs() -> None:
    mod = SoftmaxTorch((3, 2), tau=[0.01, 0.05])
    out = mod(torch.rand(2, 6, 3))[0]
    np.testing.assert_allclose(out.detach().sum(-1).numpy(), np.ones((2, 6)), rtol=1e-6)
    out[..., 0].sum().backward()
    for tensor in mod.parameters().astorch():
        assert tensor.grad is not None and torch.any(tensor.grad != 0)


def test_softmax_does_not_couple_batch_elements() -> None:
    x = torch.tensor(
        np.array([SOFTMAX_INPUT, np.multiply(SOFTMAX_INPUT, 5.0)]), dtype=torch.float32
    )
    together = SoftmaxTorch(**SOFTMAX_ARGS)(x)[0]
    alone = SoftmaxTorch(**SOFTMAX_ARGS)(x[:1])[0]
    assert torch.allclose(together[:1], alone, rtol=1e-6)


@pytest.mark.parametrize("cls", [SoftmaxTorch, LogSoftmaxTorch])
def test_softmax_errors_name_the_torch_class_and_submodule(cls: Any) -> None:
    name = cls.__name__
    with pytest.raises(ValueError, match=rf"{name}.smooth.tau: expected a time constant > 0"):
        cls((3, 2), tau=0.0)
    with pytest.raises(ValueError, match=rf"{name}: One of `shape` or `weight`"):
        cls()
