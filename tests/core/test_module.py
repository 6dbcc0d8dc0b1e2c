"""`Module`: registration, properties, traversal, set_attributes, resets, batching, repr."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from shoal._errors import EulerStabilityWarning, UnknownAttributeError, UnknownKeywordError
from shoal.nn.modules import Module, Rate
from shoal.parameters import Parameter, State


class Net(Module):
    """Two-level NumPy network: a weight, a Rate child and an empty child."""

    def __init__(self, shape=(3, 3)):
        super().__init__(shape=shape)
        self.w = Parameter(shape=self.shape, init_func=lambda s: np.full(s, 0.5), family="weights")
        self.v = State(shape=(self.shape[-1],), init_func=np.zeros)
        self.neurons = Rate(self.shape[-1])
        self.empty = Empty()

    def evolve(self, input_data, record=False):
        out, state, rec = self.neurons(np.asarray(input_data) @ self.w, record=record)
        return out, {"neurons": state}, {"neurons": rec} if record else {}


class Empty(Module):
    def __init__(self):
        super().__init__(shape=2)

    def evolve(self, input_data, record=False):
        return input_data, {}, {}


# ---------------------------------------------------------------- construction
def test_abstract_module_cannot_be_instantiated():
    with pytest.raises(TypeError, match="abstract"):
        Module(3)


def test_assigning_before_super_init():
    class Early(Module):
        def __init__(self):
            self.w = Parameter(np.zeros(3))
            super().__init__(3)

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    with pytest.raises(NotImplementedError, match=re.escape("You must call `super().__init__()`")):
        Early()


def test_unknown_constructor_keyword():
    with pytest.raises(
        UnknownKeywordError, match="Rate: unexpected keyword argument 'tua'"
    ) as info:
        Rate(3, tua=0.1)
    assert isinstance(info.value, TypeError)
    assert "did you mean 'tau'?" in str(info.value)


def test_unknown_keyword_through_kwargs_forwarding():
    class Fwd(Module):
        def __init__(self, shape, **kwargs):
            super().__init__(shape, **kwargs)

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    with pytest.raises(
        TypeError, match=r"Fwd: unexpected keyword argument 'spiking_inptu'"
    ) as info:
        Fwd(3, spiking_inptu=True)
    assert "did you mean 'spiking_input'?" in str(info.value)
    assert Fwd(3, spiking_input=True).spiking_input is True


@pytest.mark.parametrize(
    ("shape", "expected"), [(3, (3,)), ([2, 3], (2, 3)), (np.array([2, 3]), (2, 3)), (None, ())]
)
def test_shape_normalisation(shape, expected):
    mod = Empty.__new__(Empty)
    Module.__init__(mod, shape)
    assert mod.shape == expected
    assert all(type(e) is int for e in mod.shape)


def test_shape_must_be_integers():
    mod = Empty.__new__(Empty)
    with pytest.raises(TypeError, match=r"Empty: `shape` must contain integers, got 2.5"):
        Module.__init__(mod, (2.5,))


def test_properties():
    net = Net((4, 3))
    assert net.class_name == "Net"
    assert net.name is None
    assert net.full_name == "Net"
    assert net.neurons.name == "neurons"
    assert net.neurons.full_name == "Rate 'neurons'"
    assert net.size_in == 4
    assert net.size_out == 3
    assert net.spiking_input is False
    assert net.spiking_output is False
    assert Rate(4).full_name == "Rate"
    with pytest.warns(DeprecationWarning, match=re.escape("The `size` property is deprecated")):
        assert net.size == 3


def test_repr_nesting():
    net = Net((4, 3))
    assert repr(net) == (
        "Net with shape (4, 3) {\n"
        "    Rate 'neurons' with shape (3,)\n"
        "    Empty 'empty' with shape (2,)\n"
        "}"
    )
    assert repr(Rate(4)) == "Rate with shape (4,)"
    assert str(Rate(4)) == "Rate with shape (4,)"


def test_repr_nests_three_levels():
    class Outer(Module):
        def __init__(self):
            super().__init__(shape=(3, 3))
            self.inner = Net()

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    assert repr(Outer()) == (
        "Outer with shape (3, 3) {\n"
        "    Net 'inner' with shape (3, 3) {\n"
        "        Rate 'neurons' with shape (3,)\n"
        "        Empty 'empty' with shape (2,)\n"
        "    }\n"
        "}"
    )


# ---------------------------------------------------------------- registration
def test_registration_stores_the_raw_value():
    net = Net()
    assert type(net.w) is np.ndarray
    assert net.w.dtype == np.float64
    assert list(net._registry) == ["w", "v"]
    assert list(net.modules()) == ["neurons", "empty"]


def test_reregistering_after_init():
    net = Net()
    before = net.w.copy()
    message = 'Net: Cannot assign a new Parameter or State to an existing attribute "w".'
    with pytest.raises(ValueError, match=re.escape(message)):
        net.w = Parameter(np.ones((3, 3)))
    np.testing.assert_array_equal(net.w, before)


def test_plain_assignment_shape_check(snapshot):
    mod = Rate(4)
    before = snapshot(mod)
    with pytest.raises(ValueError, match=re.escape("Rate.tau: expected shape (4,), got (3,)")):
        mod.tau = np.ones(3)
    with pytest.raises(ValueError, match=re.escape("Rate.tau: expected shape (4,), got ()")):
        mod.tau = 0.5
    assert snapshot(mod) == before


def test_plain_assignment_in_a_child_names_the_path(snapshot):
    net = Net()
    before = snapshot(net)
    with pytest.raises(
        ValueError, match=re.escape("Net.neurons.bias: expected shape (3,), got (2,)")
    ):
        net.neurons.bias = np.ones(2)
    assert snapshot(net) == before


def test_plain_assignment_accepts_matching_values():
    mod = Rate(4)
    mod.tau = [0.1, 0.2, 0.3, 0.4]
    assert type(mod.tau) is np.ndarray
    np.testing.assert_array_equal(mod.tau, [0.1, 0.2, 0.3, 0.4])
    mod.bias = np.ones(4, dtype=np.float32)
    assert mod.bias.dtype == np.float64
    with pytest.raises(ValueError, match=r"Rate\.bias: expected a value of shape \(4,\), got None"):
        mod.bias = None  # None where an array belongs would fail later, at evolve


def test_new_registered_attribute_after_init():
    mod = Rate(2)
    mod.extra = Parameter(np.ones(2), "weights")
    assert "extra" in mod.parameters()
    assert mod.parameters("weights") == {"extra": mod.extra}
    mod.plain = 3
    assert "plain" not in mod.parameters()


def test_del_attribute():
    net = Net()
    del net.v
    del net.empty
    assert "v" not in net.state()
    assert list(net.modules()) == ["neurons"]
    assert not hasattr(net, "v")
    net.v = 5  # a plain attribute again, not registered
    assert "v" not in net.state()


def test_replacing_a_submodule_with_a_plain_value_unregisters_it():
    net = Net()
    net.empty = None
    assert list(net.modules()) == ["neurons"]


def test_a_name_lives_in_one_registry():
    mod = Rate(2)
    mod.tau = Rate(2)  # a parameter replaced by a submodule
    assert list(mod.parameters()) == ["bias", "threshold", "tau"]
    assert mod.parameters("taus") == {"tau": {"tau": mod.tau.tau}}  # the child's own tau
    assert list(mod.modules()) == ["tau"]
    mod.tau = Parameter(np.full(2, 0.05), "taus")  # and back
    assert mod.modules() == {}
    np.testing.assert_array_equal(mod.parameters("taus")["tau"], [0.05, 0.05])
    assert repr(mod) == "Rate with shape (2,)"


# ---------------------------------------------------------------- values
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tau": np.array([0.02, np.nan])}, "Rate.tau: expected finite values"),
        ({"tau": np.inf}, "Rate.tau: expected finite values"),
        ({"tau": 0.0}, "Rate.tau: expected a time constant > 0"),
        ({"tau": np.array([0.02, -1.0])}, "Rate.tau: expected a time constant > 0"),
        ({"dt": 0.0}, "Rate.dt: expected a time constant > 0"),
        ({"dt": -1e-3}, "Rate.dt: expected a time constant > 0"),
        ({"dt": float("nan")}, "Rate.dt: expected finite values"),
        ({"bias": np.array([np.nan, 0.0])}, "Rate.bias: expected finite values"),
        ({"threshold": -np.inf}, "Rate.threshold: expected finite values"),
    ],
)
def test_bad_values_at_construction(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Rate(2, **kwargs)


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"tau": np.array([0.02, 0.0])}, "Rate.tau: expected a time constant > 0"),
        ({"tau": np.array([0.02, np.nan])}, "Rate.tau: expected finite values"),
        ({"dt": 0.0}, "Rate.dt: expected a time constant > 0"),
        ({"bias": np.array([np.inf, 0.0])}, "Rate.bias: expected finite values"),
    ],
)
def test_bad_values_in_assignment_and_set_attributes(update, message, snapshot):
    mod = Rate(2)
    before = snapshot(mod)
    with pytest.raises(ValueError, match=re.escape(message)):
        mod.set_attributes(update)
    assert snapshot(mod) == before
    ((key, value),) = update.items()
    with pytest.raises(ValueError, match=re.escape(message)):
        setattr(mod, key, value)
    assert snapshot(mod) == before


def test_bad_value_in_a_child_names_the_path(snapshot):
    net = Net()
    before = snapshot(net)
    with pytest.raises(
        ValueError, match=re.escape("Net.neurons.tau: expected a time constant > 0")
    ):
        net.set_attributes({"neurons": {"tau": np.array([0.1, -0.1, 0.1])}})
    assert snapshot(net) == before


def test_euler_stability_warning():
    with pytest.warns(EulerStabilityWarning, match=re.escape("Rate: dt/tau = 10 > 1")) as caught:
        Rate(2, tau=1e-4)
    assert caught[0].filename == __file__  # attributed to the user's line, not shoal internals
    mod = Rate(2)
    with pytest.warns(EulerStabilityWarning, match="unstable"):
        mod.dt = 0.1
    with pytest.warns(EulerStabilityWarning) as caught:
        mod.set_attributes({"tau": np.array([0.02, 0.01])})
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Rate(2, tau=1e-3)  # dt/tau == 1 is stable
        Rate(2, tau=0.02, dt=0.01)


# ---------------------------------------------------------------- traversal
def test_parameters_state_simulation_parameters():
    net = Net()
    params = net.parameters()
    assert list(params) == ["w", "neurons", "empty"]
    assert list(params["neurons"]) == ["tau", "bias", "threshold"]
    assert params["empty"] == {}
    assert params["w"] is net.w  # live values, not copies
    state = net.state()
    assert list(state) == ["v", "neurons", "empty"]
    assert list(state["neurons"]) == ["x"]
    sim = net.simulation_parameters()
    assert sim == {
        "neurons": {"dt": 1e-3, "noise_std": 0.0, "act_fn": net.neurons.act_fn},
        "empty": {},
    }


def test_family_filters():
    net = Net()
    assert list(net.parameters("weights")) == ["w"]
    assert net.parameters("taus") == {"neurons": {"tau": net.neurons.tau}}
    both = net.parameters(["taus", "weights"])
    assert set(both) == {"w", "neurons"}
    assert set(both["neurons"]) == {"tau"}
    assert net.parameters(("bias", "thresholds"))["neurons"].keys() == {"bias", "threshold"}
    assert net.state("x") == {}  # a family, not a name
    assert net.parameters("nothing") == {}
    # families compare by value, not identity
    assert net.parameters("".join(["ta", "us"])) == net.parameters("taus")


def test_attributes_named():
    net = Net()
    assert net.attributes_named("tau") == {"neurons": {"tau": net.neurons.tau}}
    found = net.attributes_named(["w", "dt", "x"])
    assert list(found) == ["w", "neurons"]
    assert set(found["neurons"]) == {"dt", "x"}
    assert net.attributes_named(("nothing",)) == {}


def test_modules_is_an_ordered_dict():
    net = Net()
    modules = net.modules()
    assert isinstance(modules, dict)
    assert list(modules) == ["neurons", "empty"]
    assert modules["neurons"] is net.neurons
    assert Rate(2).modules() == {}


# ---------------------------------------------------------------- set_attributes
def test_set_attributes_returns_self_and_sets_nested():
    net = Net()
    result = net.set_attributes({"w": np.ones((3, 3)), "neurons": {"bias": np.full(3, 0.5)}})
    assert result is net
    np.testing.assert_array_equal(net.w, np.ones((3, 3)))
    np.testing.assert_array_equal(net.neurons.bias, np.full(3, 0.5))


def test_set_attributes_round_trip_and_simulation_parameters():
    net = Net()
    net.set_attributes(net.parameters())
    net.set_attributes(net.state())
    net.set_attributes({"neurons": {"dt": 0.01}})
    assert net.neurons.dt == 0.01


def test_set_attributes_unknown_keys(snapshot):
    net = Net()
    before = snapshot(net)
    with pytest.raises(UnknownAttributeError, match="set_attributes got unknown keys") as info:
        net.set_attributes({"w": np.ones((3, 3)), "neurons": {"tua": 1.0}, "vv": 1})
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert "'Net.neurons.tua' (did you mean 'tau'?)" in message
    assert "'Net.vv' (did you mean 'v'?)" in message
    assert snapshot(net) == before


def test_set_attributes_is_all_or_nothing(snapshot):
    net = Net()
    before = snapshot(net)
    with pytest.raises(
        ValueError, match=re.escape("Net.neurons.tau: expected shape (3,), got (2,)")
    ):
        net.set_attributes(
            {"w": np.ones((3, 3)), "neurons": {"bias": np.ones(3), "tau": np.ones(2)}}
        )
    assert snapshot(net) == before


@pytest.mark.parametrize("bad", [None, [1, 2], "tau"])
def test_set_attributes_needs_a_dict(bad, snapshot):
    net = Net()
    before = snapshot(net)
    with pytest.raises(TypeError, match="Net: set_attributes expects a nested dict"):
        net.set_attributes(bad)
    with pytest.raises(
        TypeError, match=re.escape("Net.neurons: set_attributes expects a nested dict")
    ):
        net.set_attributes({"neurons": 3})
    assert snapshot(net) == before


# ---------------------------------------------------------------- reset
def test_reset_state_and_parameters():
    net = Net()
    net.set_attributes({"v": np.ones(3), "w": np.zeros((3, 3)), "neurons": {"x": np.ones(3)}})
    net.neurons.tau = np.ones(3)
    assert net.reset_state() is net
    np.testing.assert_array_equal(net.v, np.zeros(3))
    np.testing.assert_array_equal(net.neurons.x, np.zeros(3))
    np.testing.assert_array_equal(net.w, np.zeros((3, 3)))  # parameters untouched
    assert net.reset_parameters() is net
    np.testing.assert_array_equal(net.w, np.full((3, 3), 0.5))
    np.testing.assert_array_equal(net.neurons.tau, np.full(3, 0.02))


def test_reset_attribute():
    mod = Rate(2)
    mod.x = np.ones(2)
    mod._reset_attribute("x")
    np.testing.assert_array_equal(mod.x, np.zeros(2))
    with pytest.raises(UnknownAttributeError, match=re.escape("Rate: 'xx' is not a registered")):
        mod._reset_attribute("xx")
    with pytest.raises(KeyError, match="did you mean 'x'"):
        mod._reset_attribute("xx")


# ---------------------------------------------------------------- auto-batching
def test_auto_batch_shapes():
    mod = Rate(4)
    data, (state,) = mod._auto_batch(np.ones((5, 1)), (np.zeros(4),))
    assert data.shape == (1, 5, 4)
    assert state.shape == (1, 4)
    data, _ = mod._auto_batch(np.ones((5, 4)))
    assert data.shape == (1, 5, 4)
    data, (state,) = mod._auto_batch(np.ones((2, 5, 1)), (np.zeros(4),))
    assert data.shape == (2, 5, 4)
    assert state.shape == (2, 4)
    _, (target,) = mod._auto_batch(np.ones((3, 5, 4)), (np.zeros(4),), [(2, 4)])
    assert target.shape == (3, 2, 4)


def test_auto_batch_casts_ints_bools_and_lists():
    mod = Rate(2)
    for data in (np.ones((3, 2), dtype=int), np.ones((3, 2), dtype=bool), [[1, 0], [0, 1]]):
        batched, _ = mod._auto_batch(data)
        assert batched.dtype == np.float64
        out, _, _ = mod(data)
        assert out.dtype == np.float64


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (np.ones((5, 3)), ValueError, "Rate: Input has wrong neuron dimension. It is 3, must be 4"),
        (np.ones((2, 5, 3)), ValueError, "Input has wrong neuron dimension. It is 3, must be 4"),
        (
            np.ones(()),
            ValueError,
            "Rate: expected input of shape (T, 4) or (B, T, 4), got shape ()",
        ),
        (np.ones((1, 1, 1, 4)), ValueError, "got shape (1, 1, 1, 4) (4-d)"),
        (np.ones((0, 4)), ValueError, "Rate: input has no time steps (T = 0)"),
        ("abc", TypeError, "Rate: expected numeric input (bool, int or float)"),
        (np.array([object(), object()]), TypeError, "Rate: expected numeric input"),
        ([[1.0, 2.0], [3.0]], ValueError, "Rate: input could not be converted to an array"),
    ],
)
def test_auto_batch_rejections(data, error, message, snapshot):
    mod = Rate(4)
    before = snapshot(mod)
    with pytest.raises(error, match=re.escape(message)):
        mod(data)
    assert snapshot(mod) == before


def test_wrong_channel_count_in_a_child_names_the_path():
    net = Net((4, 3))
    with pytest.raises(
        ValueError, match=re.escape("Net.neurons: Input has wrong neuron dimension")
    ):
        net.neurons(np.ones((2, 4)))
