"""JAX flavours: dispatch, mixing errors, functional updates, pytree, jit and gradients."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from shoal.nn.combinators import (  # noqa: E402
    FFwdStack,
    JaxFFwdStack,
    JaxResidual,
    JaxSequential,
    ModSequential,
    Residual,
    Sequential,
)
from shoal.nn.modules import JaxModule, Linear, LinearJax, Rate, RateJax  # noqa: E402


def spec_net() -> JaxSequential:
    return Sequential(LinearJax((2, 3), weight=0.1 * np.ones((2, 3))), RateJax(3))


# --------------------------------------------------------------------------- dispatch
@pytest.mark.parametrize(
    ("factory", "flavour"),
    [(Sequential, JaxSequential), (Residual, JaxResidual), (FFwdStack, JaxFFwdStack)],
)
@pytest.mark.parametrize("as_mapping", [False, True])
def test_all_jax_modules_give_the_jax_flavour(factory, flavour, as_mapping):
    mods = [RateJax(3), RateJax(3)]
    net = factory(OrderedDict(a=mods[0], b=mods[1])) if as_mapping else factory(*mods)
    assert type(net) is flavour and isinstance(net, JaxModule)
    assert list(net.modules()) == (["a", "b"] if as_mapping else ["0_RateJax", "1_RateJax"])


def test_flavours_importable_from_their_modules():
    from shoal.nn.combinators.ffwd_stack import JaxFFwdStack as stack
    from shoal.nn.combinators.residual import JaxResidual as residual
    from shoal.nn.combinators.sequential import JaxSequential as sequential

    assert (sequential, residual, stack) == (JaxSequential, JaxResidual, JaxFFwdStack)


@pytest.mark.parametrize("factory", [Sequential, Residual, FFwdStack])
@pytest.mark.parametrize("as_mapping", [False, True])
def test_mixing_backends_raises(factory, as_mapping):
    mods = {"0_RateJax": RateJax(3), "1_Rate": Rate(3)}
    args = (OrderedDict(mods),) if as_mapping else tuple(mods.values())
    with pytest.raises(
        ValueError,
        match=r"sub-modules mix backends: JAX modules 0_RateJax \(RateJax\) and NumPy modules "
        r"1_Rate \(Rate\)\. Use one backend for every sub-module",
    ):
        factory(*args)


def test_direct_construction_with_the_wrong_flavour_raises():
    with pytest.raises(ValueError, match=r"cannot add a JAX module 0_RateJax \(RateJax\)"):
        ModSequential(RateJax(3))
    with pytest.raises(ValueError, match=r"cannot add a NumPy module 0_Rate \(Rate\)"):
        JaxSequential(Rate(3))


def test_append_checks_backend_and_leaves_network_unchanged():
    jax_net, numpy_net = spec_net(), Sequential(Linear((2, 3)))
    for net, module, match in [
        (jax_net, Rate(3), r"JaxSequential: cannot add a NumPy module 2_Rate \(Rate\) to a JAX"),
        (numpy_net, RateJax(3), r"cannot add a JAX module 1_RateJax \(RateJax\) to a NumPy"),
    ]:
        before = (net._submodule_names, net.shape)
        with pytest.raises(ValueError, match=match):
            net.append(module)
        assert (net._submodule_names, net.shape) == before


# --------------------------------------------------------------------------- evolve and updates
def test_evolve_shapes_and_records():
    net = spec_net()
    out, state, record = net(np.ones((2, 4, 2)))
    assert out.shape == (2, 4, 3) and record == {}
    out, state, record = net(np.ones((4, 2)))
    assert out.shape == (1, 4, 3) and record == {}
    assert set(state["1_RateJax"]) == {"x", "rng_key"} and state["0_LinearJax"] == {}
    _, _, record = net(np.ones((4, 2)), record=True)
    assert list(record) == ["0_LinearJax", "0_LinearJax_output", "1_RateJax", "1_RateJax_output"]
    assert record["0_LinearJax_output"].shape == (4, 3)
    assert record["1_RateJax_output"].shape == (1, 4, 3)


def test_functional_updates_return_new_modules():
    net = spec_net()
    _, state, _ = net(np.ones((4, 2)))
    updated = net.set_attributes(state)
    assert updated is not net and type(updated) is JaxSequential
    np.testing.assert_array_equal(net[1].x, 0.0)  # the original is untouched
    assert np.all(updated[1].x > 0)
    same = net.set_attributes(net.state())
    np.testing.assert_array_equal(same[1].x, net[1].x)
    reset = updated.reset_state()
    assert reset is not updated and np.all(updated[1].x > 0)
    np.testing.assert_array_equal(reset[1].x, 0.0)
    assert reset._submodule_names == net._submodule_names


def test_jax_residual_spec_example():
    net = Residual(LinearJax((3, 3), weight=np.eye(3)), RateJax(3))
    out, _, _ = net(np.ones((2, 3)))
    assert out.dtype == jnp.float32
    np.testing.assert_allclose(out, [[[1.05] * 3, [1.0975] * 3]], rtol=1e-5)


# --------------------------------------------------------------------------- pytree and jit
def test_pytree_round_trip_keeps_names_and_values():
    net = spec_net().append(RateJax(3), "readout")
    leaves, treedef = jax.tree_util.tree_flatten(net)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(rebuilt) is JaxSequential
    assert rebuilt._submodule_names == ("0_LinearJax", "1_RateJax", "readout")
    assert repr(rebuilt) == repr(net)
    assert rebuilt.readout.name == "readout"
    paths = {jax.tree_util.keystr(path) for path, _ in jax.tree_util.tree_leaves_with_path(net)}
    assert ".readout.tau" in paths and ".0_LinearJax.weight" in paths


def test_jit_equals_eager_and_names_survive():
    net = spec_net().append(RateJax(3), "readout")
    seen = []

    def run(module, x):
        seen.append((module._submodule_names, list(module.modules()), module.shape))
        return module(x, record=True)

    x = np.random.rand(4, 2)
    out, state, record = jax.jit(run)(net, x)
    eager_out, eager_state, eager_record = net(x, record=True)
    expected_names = ("0_LinearJax", "1_RateJax", "readout")
    assert seen[0] == (expected_names, list(expected_names), (2, 3))
    np.testing.assert_allclose(out, eager_out, rtol=1e-6)
    assert list(record) == list(eager_record) and "readout_output" in record
    assert jax.tree_util.tree_structure(state) == jax.tree_util.tree_structure(eager_state)
    returned = jax.jit(lambda module: module)(net)
    assert returned._submodule_names == expected_names and returned.readout.name == "readout"
    np.testing.assert_allclose(jax.jit(lambda n, x: n(x)[0])(returned, x), eager_out, rtol=1e-6)


@pytest.mark.parametrize("factory", [Residual, FFwdStack])
def test_other_flavours_jit_equals_eager(factory):
    net = factory(RateJax(3), RateJax(3))
    x = np.random.rand(2, 3)  # the shape of the residual example: reuses its compiled scan
    np.testing.assert_allclose(jax.jit(lambda n, x: n(x)[0])(net, x), net(x)[0], rtol=1e-6)


# --------------------------------------------------------------------------- gradients
def loss(params, net, x, y):
    net = net.set_attributes(params)
    out, _, _ = net(x)
    return jnp.sum((out - y) ** 2)


def test_spec_gradient_values():
    net = spec_net()
    value, grads = jax.value_and_grad(loss)(
        net.parameters(), net, np.ones((4, 2)), np.ones((1, 4, 3))
    )
    np.testing.assert_allclose(value, 11.437268, rtol=1e-5)
    np.testing.assert_allclose(grads["0_LinearJax"]["weight"], -0.924535, rtol=1e-4)
    np.testing.assert_allclose(grads["1_RateJax"]["tau"], 8.785489, rtol=1e-4)


def test_ffwd_stack_gradients_reach_the_weights():
    net = FFwdStack(RateJax(2), RateJax(3), weight_init_func=np.ones)
    x, y = np.random.rand(4, 2) + 1.0, np.zeros((1, 4, 3))
    grads = jax.jit(jax.grad(loss))(net.parameters(), net, x, y)
    assert set(grads) == {"0_1_weight", "0_RateJax", "1_RateJax"}
    for leaf in jax.tree_util.tree_leaves(grads):
        assert np.all(np.isfinite(leaf))
    assert np.any(grads["0_1_weight"] != 0)
