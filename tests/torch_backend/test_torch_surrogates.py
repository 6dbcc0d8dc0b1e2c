"""Golden values of the Torch surrogate gradients (torch-backend.md §3.1 and §4)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.backend.surrogates import FastSigmoid, PeriodicExponential, Sigmoid, StepPWL  # noqa: E402
from shoal.backend.torch_backend import spike  # noqa: E402
from shoal.nn.modules.torch import LIFTorch  # noqa: E402

VMEM = [-1, 0, 0.25, 0.49, 0.5, 0.75, 0.999, 1.0, 1.5, 1.999, 2.0, 2.5, 3.0, 3.7]
COUNTS = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 3, 3]


def _grads(surrogate, theta=1.0, max_spikes=2.0**16):
    v = torch.tensor(VMEM, requires_grad=True)
    threshold = torch.tensor(theta, requires_grad=True)
    counts = spike(v, threshold, max_spikes, surrogate)
    v_grad, threshold_grad = torch.autograd.grad(counts.sum(), (v, threshold))
    return counts.detach().numpy(), v_grad.numpy(), threshold_grad


@pytest.mark.parametrize(
    ("surrogate", "theta", "expected"),
    [
        (StepPWL(0.5), 1.0, [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (StepPWL(0.25), 1.0, [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (StepPWL(1.0), 1.0, [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        (StepPWL(0.5), 2.0, [0] * 8 + [0.5] * 6),
        (
            PeriodicExponential(0.5),
            1.0,
            [
                0.018316,
                0.135335,
                0.22313,
                0.360595,
                0.367879,
                0.606531,
                0.998002,
                1,
                0.367879,
                0.998002,
                1,
                0.367879,
                1,
                0.548812,
            ],
        ),
        (
            PeriodicExponential(0.5),
            2.0,
            [
                0.001239,
                0.009158,
                0.015099,
                0.024401,
                0.024894,
                0.041042,
                0.067532,
                0.067668,
                0.18394,
                0.499001,
                0.5,
                0.18394,
                0.067668,
                0.274406,
            ],
        ),
    ],
    ids=["pwl", "pwl-w0.25", "pwl-w1", "pwl-theta2", "periodic", "periodic-theta2"],
)
def test_d_spikes_d_vmem_table(surrogate, theta, expected):
    counts, v_grad, _ = _grads(surrogate, theta)
    if theta == 1.0:
        np.testing.assert_array_equal(counts, COUNTS)
    np.testing.assert_allclose(v_grad, expected, rtol=1e-4, atol=2e-6)


def test_step_pwl_threshold_gradient_per_element():
    v = torch.tensor(VMEM)
    threshold = torch.ones(len(VMEM), requires_grad=True)
    (grad,) = torch.autograd.grad(spike(v, threshold, 2.0**16, StepPWL()).sum(), threshold)
    expected = [0, 0, 0, 0, -0.5, -0.75, -0.999, -1, -1.5, -1.999, -2, -2.5, -3, -3.7]
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-6)


def test_spike_cap_keeps_the_step_pwl_gradient():
    counts, v_grad, _ = _grads(StepPWL(), max_spikes=2.0)
    assert counts.tolist()[-4:] == [2, 2, 2, 2]
    assert v_grad.tolist()[-4:] == [1, 1, 1, 1]


@pytest.mark.parametrize("surrogate", [Sigmoid(5.0), FastSigmoid(10.0)])
def test_sigmoid_surrogates_follow_their_formulas(surrogate):
    v = torch.tensor([0.2, 0.9, 1.3], requires_grad=True)
    (grad,) = torch.autograd.grad(spike(v, 1.0, 2.0**16, surrogate).sum(), v)
    x = np.array([0.2, 0.9, 1.3]) - 1.0
    if isinstance(surrogate, Sigmoid):
        s = 1 / (1 + np.exp(-5.0 * x))
        expected = 5.0 * s * (1 - s)
    else:
        expected = 1 / (1 + 10.0 * np.abs(x)) ** 2
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-5)


@pytest.mark.parametrize(
    ("fn", "expected"),
    [
        ("StepPWL", (10.8004, 420.8275, 10.0, -45.361)),
        ("PeriodicExponential", (10.125, 371.2644, 9.328, -41.0263)),
    ],
)
def test_lif_torch_gradient_example(fn, expected):
    """§3.1: LIFTorch(2) on ones(10, 2), loss out.sum() (90 spikes)."""
    surrogate = {"StepPWL": StepPWL, "PeriodicExponential": PeriodicExponential}[fn]
    mod = LIFTorch(2, spike_generation_fn=surrogate)
    out, _, _ = mod(torch.ones(10, 2))
    assert float(out.detach().sum()) == 90.0
    out.sum().backward()
    grads = [mod.tau_mem.grad, mod.tau_syn.grad, mod.bias.grad, mod.threshold.grad]
    for grad, value in zip(grads, expected):
        np.testing.assert_allclose(grad.numpy().ravel(), [value, value], rtol=1e-4)


def test_learning_window_sets_the_step_pwl_window():
    mod = LIFTorch(1, learning_window=0.25)
    assert mod.surrogate == StepPWL(0.25)
    with pytest.raises(ValueError, match=r"LIFTorch.learning_window: expected a value > 0"):
        LIFTorch(1, learning_window=0.0)
