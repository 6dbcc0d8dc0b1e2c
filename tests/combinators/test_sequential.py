"""Sequential on NumPy: construction, naming, errors, container protocol, evolve, introspection."""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest

from shoal.nn.combinators import FFwdStack, ModSequential, Residual, Sequential, SequentialBase
from shoal.nn.modules import LIF, ExpSyn, Linear, Rate

FACTORIES = [Sequential, Residual, FFwdStack]
KINDS = {Sequential: "Sequential", Residual: "Residual", FFwdStack: "FFwdStack"}


def lin_rate() -> SequentialBase:
    return Sequential(Linear((2, 3)), Rate(3))


# --------------------------------------------------------------------------- construction
def test_positional_construction_names_shape_and_flavour():
    net = lin_rate()
    assert type(net) is ModSequential
    assert isinstance(net, SequentialBase)
    assert list(net.modules()) == ["0_Linear", "1_Rate"]
    assert net._submodule_names == ("0_Linear", "1_Rate")
    assert getattr(net, "1_Rate").name == "1_Rate"
    assert net.shape == (2, 3)
    assert (net.size_in, net.size_out) == (2, 3)


@pytest.mark.parametrize("mapping", [OrderedDict, dict])
def test_mapping_construction_uses_keys(mapping):
    lin, rate = Linear((2, 3)), Rate(3)
    net = Sequential(mapping([("encode", lin), ("neurons", rate)]))
    assert type(net) is ModSequential
    assert list(net.modules()) == ["encode", "neurons"]
    assert net.encode is lin and net.neurons is rate
    assert net.neurons.full_name == "Rate 'neurons'"


def test_spiking_flags_come_from_the_ends():
    net = Sequential(ExpSyn(2), Linear((2, 3)), LIF(3))
    assert net.spiking_input is True and net.spiking_output is True
    net = Sequential(Linear((2, 3)), Rate(3))
    assert net.spiking_input is False and net.spiking_output is False


def test_empty_sequential():
    net = Sequential()
    assert type(net) is ModSequential
    assert repr(net) == "ModSequential with shape (0, 0)"
    assert len(net) == 0 and list(net) == []
    assert bool(net) is True  # a module, not a container
    x = np.ones((2, 3))
    out, state, record = net(x, record=True)
    assert out is x and state == {} and record == {}


@pytest.mark.parametrize("factory", FACTORIES)
@pytest.mark.parametrize("key", ["shape", "spiking_input", "spiking_output"])
def test_derived_keywords_are_refused(factory, key):
    kind = KINDS[factory]
    with pytest.raises(
        ValueError, match=f"You may not provide a `{key}` argument when building a {kind} module"
    ):
        factory(Rate(3), Rate(3), **{key: 3})


def test_unknown_keyword():
    with pytest.raises(TypeError, match="ModSequential: unexpected keyword argument 'foo'"):
        Sequential(Rate(3), foo=1)
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'foo'.*weight_init_func"):
        FFwdStack(Rate(3), Rate(3), foo=1)


def test_size_mismatch_message():
    with pytest.raises(
        ValueError,
        match=r"^ModSequential: The output of submodule 0 \(Linear\) does not match the input "
        r"shape of submodule 1 \(Rate\): 3 ≠ 4",
    ):
        Sequential(Linear((2, 3)), Rate(4))


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((3,), r"Sequential: argument 0 is a int, not a Module"),
        ((Rate(3), "x"), r"argument 1 is a str, not a Module"),
        (({"a": Rate(3)}, Rate(3)), r"argument 0 is a dict, not a Module"),
        (({1: Rate(3)},), r"sub-module names must be strings, got 1"),
        (({"a": 3},), r"the dict entry 'a' is a int, not a Module"),
    ],
)
def test_bad_arguments(args, match):
    with pytest.raises(TypeError, match=match):
        Sequential(*args)


@pytest.mark.parametrize("name", ["evolve", "shape", "_registry", "append"])
def test_names_clashing_with_attributes(name):
    with pytest.raises(ValueError, match=f"sub-module name '{name}' clashes with an attribute"):
        Sequential({name: Rate(3)})


# --------------------------------------------------------------------------- append
def test_append_default_and_given_names():
    net = lin_rate()
    assert net.append(Rate(3)) is net
    net.append(Linear((3, 1)), "readout")
    assert list(net.modules()) == ["0_Linear", "1_Rate", "2_Rate", "readout"]
    assert net.shape == (2, 1)
    assert net.readout.name == "readout"
    assert net(np.ones((4, 2)))[0].shape == (1, 4, 1)


def test_append_to_empty_sets_shape_and_flags():
    net = Sequential()
    net.append(LIF(3))
    assert net.shape == (3, 3) and net.spiking_output is True
    assert list(net.modules()) == ["0_LIF"]


def snapshot(net: SequentialBase) -> tuple:
    return (net._submodule_names, net.shape, len(net), repr(net), net.spiking_output)


@pytest.mark.parametrize(
    ("module", "name", "error", "match"),
    [
        (
            Rate(3),
            "1_Rate",
            ValueError,
            r'^ModSequential: Submodule "1_Rate" already exists in Sequential network\. '
            r"Cannot append a module with the same name\.",
        ),
        (
            Rate(4),
            None,
            ValueError,
            r"The output of submodule 1 \(Rate\) does not match the input shape of submodule 2 "
            r"\(Rate\): 3 ≠ 4",
        ),
        (Rate(3), "modules", ValueError, r"sub-module name 'modules' clashes"),
        (Rate(3), 7, TypeError, r"a sub-module name must be a string, got 7"),
        (np.ones(3), None, TypeError, r"can only append a Module, got a ndarray"),
    ],
)
def test_failed_append_leaves_network_unchanged(module, name, error, match):
    net = lin_rate()
    before = snapshot(net)
    with pytest.raises(error, match=match):
        net.append(module, name)
    assert snapshot(net) == before


def test_duplicate_readout_name():
    net = lin_rate().append(Rate(3), "readout")
    with pytest.raises(ValueError, match='Submodule "readout" already exists'):
        net.append(Rate(3), "readout")


# --------------------------------------------------------------------------- container protocol
def test_indexing_len_and_iteration():
    lin, rate = Linear((2, 3)), Rate(3)
    net = Sequential(lin, rate)
    assert net[0] is lin and net[-1] is rate and net[-2] is lin
    assert net["1_Rate"] is rate and net[np.int64(1)] is rate
    assert len(net) == 2
    assert list(net) == [lin, rate]


@pytest.mark.parametrize(
    ("key", "error", "match"),
    [
        (2, IndexError, r"ModSequential: sub-module index 2 is out of range; it has 2 sub-modules"),
        (-3, IndexError, r"index -3 is out of range"),
        ("1_rate", KeyError, r"no sub-module named '1_rate' \(did you mean '1_Rate'\?\)"),
        ("zzz", KeyError, r"Sub-modules: 0_Linear \(Linear\), 1_Rate \(Rate\)"),
        (1.0, TypeError, r"indexed by position \(int\) or name \(str\), got float"),
    ],
)
def test_bad_index(key, error, match):
    with pytest.raises(error, match=match):
        lin_rate()[key]


# --------------------------------------------------------------------------- evolve
@pytest.mark.parametrize(
    ("in_shape", "out_shape", "linear_out"),
    [((4, 2), (1, 4, 3), (4, 3)), ((5, 4, 2), (5, 4, 3), (5, 4, 3))],
)
def test_evolve_shapes_and_records(in_shape, out_shape, linear_out):
    net = lin_rate()
    out, state, record = net(np.random.rand(*in_shape))
    assert out.shape == out_shape
    assert record == {}
    assert list(state) == ["0_Linear", "1_Rate"]
    assert state["0_Linear"] == {} and state["1_Rate"]["x"].shape == (3,)
    out, _, record = net(np.random.rand(*in_shape), record=True)
    assert list(record) == ["0_Linear", "0_Linear_output", "1_Rate", "1_Rate_output"]
    assert record["0_Linear_output"].shape == linear_out
    assert record["1_Rate_output"].shape == out_shape
    assert record["1_Rate_output"] is out
    assert set(record["1_Rate"]) == {"rec_input", "x"}


def test_evolve_equals_manual_chain():
    w = np.random.rand(2, 3)
    x = np.random.rand(6, 2)
    out, _, _ = Sequential(Linear((2, 3), weight=w), Rate(3))(x)
    expected, _, _ = Rate(3)(x @ w)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_child_errors_carry_the_path():
    with pytest.raises(
        ValueError, match=r"ModSequential\.0_Rate: Input has wrong neuron dimension\. It is 2"
    ):
        Sequential(Rate(3))(np.ones((4, 2)))


# --------------------------------------------------------------------------- introspection
def test_parameters_and_state_nested_by_name():
    net = lin_rate()
    params = net.parameters()
    assert list(params) == ["0_Linear", "1_Rate"]
    assert list(params["0_Linear"]) == ["weight"]
    assert set(params["1_Rate"]) == {"tau", "bias", "threshold"}
    assert net.parameters("taus") == {"1_Rate": {"tau": net[1].tau}}
    assert list(net.parameters("weights")) == ["0_Linear"]
    state = net.state()
    assert state["0_Linear"] == {} and list(state["1_Rate"]) == ["x"]
    assert net.simulation_parameters()["1_Rate"]["dt"] == 1e-3


def test_set_attributes_and_reset_state_reach_children():
    net = lin_rate()
    net(np.ones((4, 2)))
    evolved = net[1].x.copy()
    assert np.any(evolved != 0)
    assert net.set_attributes(net.state()) is net
    np.testing.assert_array_equal(net[1].x, evolved)
    net.set_attributes({"1_Rate": {"tau": np.full(3, 0.05)}})
    np.testing.assert_array_equal(net[1].tau, 0.05)
    assert net.reset_state() is net
    np.testing.assert_array_equal(net[1].x, 0.0)
    with pytest.raises(KeyError, match=r"ModSequential\.1_Rate\.tua"):
        net.set_attributes({"1_Rate": {"tua": 1.0}})


def test_repr_nests_children():
    inner = Sequential(Linear((2, 3)), Rate(3))
    net = Sequential(OrderedDict([("block", inner), ("out", Rate(3))]))
    assert repr(net) == (
        "ModSequential with shape (2, 3) {\n"
        "    ModSequential 'block' with shape (2, 3) {\n"
        "        Linear '0_Linear' with shape (2, 3)\n"
        "        Rate '1_Rate' with shape (3,)\n"
        "    }\n"
        "    Rate 'out' with shape (3,)\n"
        "}"
    )
    with pytest.raises(ValueError, match=r"ModSequential\.block\.1_Rate: Input has wrong"):
        inner[1](np.ones((2, 4)))


def test_import_does_not_import_jax():
    code = (
        "import sys; from shoal.nn.combinators import Sequential, FFwdStack, Residual;"
        "from shoal.nn.modules import Rate; Sequential(Rate(3)); Residual(Rate(3));"
        "FFwdStack(Rate(3), Rate(2)); assert 'jax' not in sys.modules, 'jax imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
