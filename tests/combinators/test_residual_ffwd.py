"""Residual and FFwdStack on NumPy."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

from shoal.nn.combinators import (
    FFwdStack,
    FFwdStackBase,
    ModFFwdStack,
    ModResidual,
    Residual,
    ResidualBase,
    Sequential,
)
from shoal.nn.modules import Linear, Rate

# --------------------------------------------------------------------------- Residual


def test_residual_spec_example():
    net = Residual(Linear((3, 3), weight=np.eye(3)), Rate(3))
    assert type(net) is ModResidual and isinstance(net, ResidualBase)
    out, _, _ = net(np.ones((2, 3)))
    np.testing.assert_allclose(out, [[[1.05] * 3, [1.0975] * 3]], rtol=1e-12)


@pytest.mark.parametrize("in_shape", [(4, 3), (2, 4, 3)])
def test_residual_adds_input_with_broadcast(in_shape):
    x = np.random.rand(*in_shape)
    out, state, record = Residual(Rate(3))(x, record=True)
    chain, _, _ = Rate(3)(x)
    assert out.shape == chain.shape == (in_shape if len(in_shape) == 3 else (1, *in_shape))
    np.testing.assert_allclose(out, chain + x, rtol=1e-12)
    assert list(state) == ["0_Rate"]
    # Records hold the sub-module's own output, before the skip connection.
    np.testing.assert_allclose(record["0_Rate_output"], chain, rtol=1e-12)


def test_residual_size_error():
    with pytest.raises(
        ValueError,
        match=r"^ModResidual: `size_in` and `size_out` must be identical for a residual block\. "
        r"Got 2 → 3",
    ):
        Residual(Linear((2, 3)), Rate(3))


def test_residual_builds_through_intermediate_shapes_and_checks_append():
    net = Residual(OrderedDict([("up", Linear((3, 5))), ("down", Linear((5, 3)))]))
    assert net.shape == (3, 3) and list(net.modules()) == ["up", "down"]
    before = (net._submodule_names, net.shape)
    with pytest.raises(ValueError, match="must be identical for a residual block"):
        net.append(Linear((3, 4)))
    assert (net._submodule_names, net.shape) == before
    net.append(Rate(3))
    assert list(net.modules()) == ["up", "down", "2_Rate"]


def test_residual_duplicate_message_names_the_kind():
    net = Residual(Rate(3))
    with pytest.raises(ValueError, match='Submodule "0_Rate" already exists in Residual network'):
        net.append(Rate(3), "0_Rate")


# --------------------------------------------------------------------------- FFwdStack
def test_ffwd_stack_weights_and_evolve():
    w = np.random.rand(2, 3)
    stack = FFwdStack(Rate(2), Rate(3), weight_init_func=lambda shape: w)
    assert type(stack) is ModFFwdStack and isinstance(stack, FFwdStackBase)
    assert stack.shape == (2, 3)
    assert list(stack.modules()) == ["0_Rate", "1_Rate"]
    assert list(stack.parameters("weights")) == ["0_1_weight"]
    assert stack._registry["0_1_weight"].family == "weights"
    np.testing.assert_array_equal(stack.parameters()["0_1_weight"], w)
    x = np.random.rand(5, 2)
    out, state, record = stack(x, record=True)
    reference, _, _ = Sequential(Rate(2), Linear((2, 3), weight=w), Rate(3))(x)
    np.testing.assert_allclose(out, reference, rtol=1e-12)
    assert list(state) == ["0_Rate", "1_Rate"]
    assert list(record) == ["0_Rate", "0_Rate_output", "1_Rate", "1_Rate_output"]
    assert record["0_Rate_output"].shape == (1, 5, 2)


def test_ffwd_stack_default_kaiming_and_append():
    stack = FFwdStack(Rate(4), Rate(3), Rate(2))
    weights = stack.parameters("weights")
    assert {k: v.shape for k, v in weights.items()} == {"0_1_weight": (4, 3), "1_2_weight": (3, 2)}
    assert np.all(np.abs(weights["0_1_weight"]) <= np.sqrt(6 / 4))
    assert np.any(weights["0_1_weight"] != 0)
    stack.append(Rate(5), "readout")
    assert stack.parameters("weights")["2_3_weight"].shape == (2, 5)
    assert stack.shape == (4, 5)
    assert stack(np.ones((3, 4)))[0].shape == (1, 3, 5)
    # reset_parameters re-draws from the initialiser (concrete values only for given data).
    stack.reset_parameters()
    assert stack.parameters("weights")["2_3_weight"].shape == (2, 5)


@pytest.mark.parametrize("count", [0, 1])
def test_ffwd_stack_needs_two_modules(count):
    with pytest.raises(
        ValueError, match=f"^ModFFwdStack: an FFwdStack needs at least two sub-modules.*got {count}"
    ):
        FFwdStack(*[Rate(3)] * count)


def test_ffwd_stack_reserves_weight_names():
    stack = FFwdStack(Rate(2), Rate(3))
    with pytest.raises(ValueError, match="has the form of a weight name"):
        stack.append(Rate(3), "1_2_weight")


def test_failing_initialiser_leaves_the_stack_unchanged():
    calls = []

    def fails_second_time(shape):
        calls.append(shape)
        if len(calls) > 1:
            raise RuntimeError("initialiser failed")
        return np.ones(shape)

    stack = FFwdStack(Rate(2), Rate(3), weight_init_func=fails_second_time)
    before = (stack._submodule_names, stack.shape, set(stack._registry))
    with pytest.raises(RuntimeError, match="initialiser failed"):
        stack.append(Rate(4))
    assert (stack._submodule_names, stack.shape, set(stack._registry)) == before
