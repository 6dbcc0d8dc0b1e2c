"""``shoal.training.torch_loss`` golden values (torch-backend.md §6; a bound of 0 is used)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.modules.torch import LIFTorch  # noqa: E402
from shoal.training import torch_loss  # noqa: E402

D = torch.tensor([-1.0, 0.5, 2.0, 3.0])


@pytest.mark.parametrize(
    ("lower", "upper", "expected"),
    [
        (0, 2, 2 * np.e),  # Rockpool drops the bound 0 (2.71828); shoal applies it
        (-0.5, 2, 4.367),
        (None, 2.5, 1.64872),
        (1, None, 9.03778),
    ],
)
def test_summed_exp_boundary_loss(lower, upper, expected):
    loss = torch_loss.summed_exp_boundary_loss(D, lower, upper)
    np.testing.assert_allclose(float(loss), expected, rtol=1e-4)


def test_parameter_boundary_regularizer_returns_the_module_triple():
    loss, state, record = torch_loss.ParameterBoundaryRegularizer(1, 2.5)(D)
    np.testing.assert_allclose(float(loss), 10.6865, rtol=1e-5)
    assert (state, record) == ({}, {})


def test_make_bounds_and_bounds_cost_with_gradient():
    mod = LIFTorch(2)
    lower, upper = torch_loss.make_bounds(mod.parameters())
    assert lower["bias"] == float("-inf") and upper["tau_syn"] == float("inf")
    lower["tau_mem"] = 0.03
    upper["bias"] = -0.5
    upper["threshold"] = 0.5
    cost = torch_loss.bounds_cost(mod.parameters(), lower, upper)
    np.testing.assert_allclose(float(cost.detach()), 8.61499, rtol=1e-5)
    cost.backward()
    np.testing.assert_allclose(mod.tau_mem.grad.numpy(), [-1.0101, -1.0101], rtol=1e-4)


def test_bounds_cost_names_a_missing_bound():
    mod = LIFTorch(2)
    lower, upper = torch_loss.make_bounds(mod.parameters())
    del lower["bias"]
    with pytest.raises(KeyError, match=r"no bound for 'bias'"):
        torch_loss.bounds_cost(mod.parameters(), lower, upper)
