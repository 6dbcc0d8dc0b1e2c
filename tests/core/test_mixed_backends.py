"""A NumPy parent holding a JAX child (the seed's ``ffwd_net``): every call reaches the child."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from shoal.nn.modules import Module, RateJax  # noqa: E402
from shoal.parameters import Parameter  # noqa: E402


class FfwdNet(Module):
    def __init__(self, shape):
        super().__init__(shape=shape)
        self.w_ffwd = Parameter(shape=self.shape, init_func=np.ones, family="weights")
        self.neurons = RateJax(self.shape[-1])

    def evolve(self, input_data, record=False):
        x = input_data @ self.w_ffwd
        x, state, rec = self.neurons(x, record=record)
        return x, {"neurons": state}, ({"neurons": rec} if record else {})


def test_evolve_and_introspect():
    net = FfwdNet((4, 6))
    out, new_state, rec = net(np.ones((3, 4)), record=True)
    assert out.shape == (1, 3, 6)
    assert isinstance(out, jax.Array)
    assert out.dtype == jnp.float32
    assert set(new_state["neurons"]) == {"x", "rng_key"}
    assert set(rec["neurons"]) == {"rec_input", "x"}
    # the JAX child never mutates on evolve
    np.testing.assert_array_equal(net.neurons.x, np.zeros(6))
    params = net.parameters()
    assert list(params) == ["w_ffwd", "neurons"]
    assert params["w_ffwd"].dtype == np.float64
    assert params["neurons"]["tau"].dtype == jnp.float32
    assert net.parameters("taus") == {"neurons": {"tau": net.neurons.tau}}
    assert list(net.state()["neurons"]) == ["rng_key", "x"]


def test_set_attributes_reaches_the_child():
    net = FfwdNet((4, 6))
    child_before = net.neurons
    _, new_state, _ = net(np.ones((3, 4)))
    result = net.set_attributes(new_state)
    assert result is net
    assert net.neurons is not child_before  # the parent stores the new child
    np.testing.assert_array_equal(net.neurons.x, new_state["neurons"]["x"])
    assert float(net.neurons.x[0]) > 0
    assert net.neurons.name == "neurons"
    assert net.neurons.full_name == "RateJax 'neurons'"
    assert net.neurons.x.dtype == jnp.float32
    net.set_attributes({"w_ffwd": np.zeros((4, 6)), "neurons": {"bias": np.full(6, 0.5)}})
    np.testing.assert_array_equal(net.w_ffwd, np.zeros((4, 6)))
    np.testing.assert_allclose(net.neurons.bias, np.full(6, 0.5))
    assert net.neurons.bias.dtype == jnp.float32


def test_resets_reach_the_child():
    net = FfwdNet((4, 6))
    _, new_state, _ = net(np.ones((3, 4)))
    net.set_attributes(new_state)
    net.set_attributes({"neurons": {"tau": np.full(6, 0.05)}})
    assert net.reset_state() is net
    np.testing.assert_array_equal(net.neurons.x, np.zeros(6))
    np.testing.assert_allclose(net.neurons.tau, np.full(6, 0.05))
    assert net.reset_parameters() is net
    np.testing.assert_allclose(net.neurons.tau, np.full(6, 0.02))
    assert net.neurons.tau.dtype == jnp.float32


def test_repr_of_mixed_network():
    assert repr(FfwdNet((4, 6))) == (
        "FfwdNet with shape (4, 6) {\n    RateJax 'neurons' with shape (6,)\n}"
    )


def test_child_errors_name_the_path():
    net = FfwdNet((4, 6))
    with pytest.raises(ValueError, match=r"FfwdNet\.neurons: Input has wrong neuron dimension"):
        net.neurons(np.ones((3, 4)))
