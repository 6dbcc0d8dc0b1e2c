"""`shoal.parameters`: construction rules, Constant, and reset copies (spec §3)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from shoal.nn.modules import Linear, Rate
from shoal.parameters import (
    Constant,
    Parameter,
    ParameterBase,
    RP_Constant,
    SimulationParameter,
    State,
)


def test_data_or_shape_required():
    with pytest.raises(ValueError, match=re.escape("One of `data` or `shape` must be provided.")):
        Parameter()


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        (2.0, "`shape` must be a list, a tuple or an integer. Instead `shape` was a float."),
        ("3", "`shape` must be a list, a tuple or an integer. Instead `shape` was a str."),
        (
            (2.0,),
            "All elements in a shape tuple must be integers. Instead I found an element of type "
            "float.",
        ),
        ([(2, 1.5)], "Instead I found an element of type float."),
    ],
)
def test_bad_shape_types(shape, message):
    with pytest.raises(TypeError, match=re.escape(message)):
        Parameter(shape=shape, init_func=np.zeros)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [(3, (3,)), ((2, 3), (2, 3)), ([(4,), ()], (4,)), ([5, ()], (5,)), (np.int64(2), (2,))],
)
def test_shape_forms_use_the_first_permitted_shape(shape, expected):
    p = Parameter(shape=shape, init_func=np.zeros)
    assert p.shape == expected
    assert p.data.shape == expected


def test_list_of_permitted_shapes_keeps_matching_data():
    scalar = Parameter(0.1, shape=[(4,), ()])
    assert scalar.shape == ()
    assert scalar.data == 0.1
    vector = Parameter(np.ones(4), shape=[(4,), ()])
    assert vector.shape == (4,)


def test_reshape_on_matching_element_count():
    p = Parameter(np.ones(6), shape=(2, 3))
    assert p.shape == (2, 3)
    assert p.data.shape == (2, 3)
    listed = Parameter([1.0, 2.0, 3.0, 4.0], shape=(2, 2))
    assert np.shape(listed.data) == (2, 2)


@pytest.mark.parametrize(
    ("data", "shape", "expected"),
    [(0.5, (1,), (1,)), ((1.0, 2.0, 3.0, 4.0), (2, 2), (2, 2)), (np.float64(0.5), (1, 1), (1, 1))],
)
def test_reshape_scalars_and_tuples(data, shape, expected):
    p = Parameter(data, shape=shape)
    assert p.shape == expected
    assert np.shape(p.data) == expected


def test_reshape_in_a_module():
    assert Rate(4, tau=np.ones((2, 2))).tau.shape == (4,)


def test_mismatched_shape_message():
    message = (
        "The shape provided for this Parameter does not match the provided initialisation "
        "data.\n    self.shape = [(4,), ()]; data.shape = (3,)"
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        Parameter(np.ones(3), shape=[(4,), ()])


def test_reshape_can_be_refused():
    with pytest.raises(ValueError, match=re.escape("self.shape = [(2, 3)]; data.shape = (6,)")):
        Parameter(np.ones(6), shape=(2, 3), permit_reshape=False)


def test_init_func_must_be_callable():
    message = "The `init_func` for a Parameter must be a callable that accepts a shape tuple."
    with pytest.raises(ValueError, match=re.escape(message)):
        Parameter(shape=3, init_func=3)


def test_no_data_and_no_init_func():
    message = (
        "If concrete initialisation `data` is not provided for a Parameter then `init_func` "
        "must be provided."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        Parameter(shape=3)


def test_family_is_the_second_positional_argument():
    p = Parameter(np.zeros(3), "bias")
    assert p.family == "bias"
    assert State(np.zeros(2), "vmem").family == "vmem"


def test_init_func_called_with_first_shape():
    seen = []

    def init(shape):
        seen.append(shape)
        return np.full(shape, 2.0)

    p = Parameter(shape=[(3,), ()], init_func=init)
    assert seen == [(3,)]
    np.testing.assert_array_equal(p.data, [2.0, 2.0, 2.0])
    assert p.init_func is init


def test_scalars_and_cast_fn():
    assert Parameter(1.0).shape == ()
    cast = Parameter([1, 2], cast_fn=np.asarray)
    assert isinstance(cast.data, np.ndarray)


def test_repr():
    p = Parameter(shape=(3,), init_func=np.zeros)
    assert repr(p) == (
        "Parameter(data=[0. 0. 0.], family=None, init_func=<built-in function zeros>, shape=(3,))"
    )
    assert repr(SimulationParameter(0.001)).startswith("SimulationParameter(data=0.001")


def test_kinds_are_classes():
    for kind in (Parameter, State, SimulationParameter):
        assert issubclass(kind, ParameterBase)
    assert not issubclass(State, Parameter)


# ---------------------------------------------------------------- Constant
def test_constant_keeps_the_type():
    array = Constant(np.array(3.0))
    assert isinstance(array, np.ndarray)
    assert isinstance(array, RP_Constant)
    assert Constant(3.0) + 1 == 4.0
    assert Constant(3) * 2 == 6
    assert list(Constant([1, 2])) == [1, 2]
    assert Constant(array) is array


def test_constant_demotes_to_simulation_parameter():
    for kind in (Parameter, State):
        p = kind(Constant(np.ones(3)), "taus")
        assert type(p) is SimulationParameter
        assert type(p.data) is np.ndarray  # the marker does not leak into the stored value


def test_constant_in_rate_leaves_parameters():
    mod = Rate(2, tau=Constant(0.01))
    assert "tau" not in mod.parameters()
    assert set(mod.parameters()) == {"bias", "threshold"}
    assert mod.simulation_parameters()["tau"] == 0.01
    assert mod.simulation_parameters("taus") == {"tau": 0.01}
    assert mod.parameters("taus") == {}


def test_constant_in_ratejax_leaves_parameters():
    pytest.importorskip("jax")
    from shoal.nn.modules import RateJax

    mod = RateJax(2, tau=Constant(np.array([0.01, 0.02])))
    assert "tau" not in mod.parameters()
    np.testing.assert_allclose(mod.simulation_parameters("taus")["tau"], [0.01, 0.02])
    out, _, _ = mod(np.ones((3, 2)))
    np.testing.assert_allclose(out[0, 0], [0.1, 0.05], rtol=1e-6)


# ---------------------------------------------------------------- reset copies
def test_reset_restores_concrete_data():
    mod = Rate(4, tau=[0.01, 0.02, 0.03, 0.04])
    mod.tau = np.ones(4)
    mod.reset_parameters()
    np.testing.assert_array_equal(mod.tau, [0.01, 0.02, 0.03, 0.04])


def test_reset_restores_a_copy():
    mod = Rate(4, tau=[0.01, 0.02, 0.03, 0.04])
    mod.reset_parameters()
    mod.tau[:] = 3.0
    mod.reset_parameters()
    np.testing.assert_array_equal(mod.tau, [0.01, 0.02, 0.03, 0.04])
    mod.x[:] = 5.0
    mod.reset_state()
    mod.x[:] = 7.0
    mod.reset_state()
    np.testing.assert_array_equal(mod.x, np.zeros(4))


def test_mutating_the_original_data_does_not_change_resets():
    original = np.array([0.01, 0.02, 0.03, 0.04])
    mod = Rate(4, tau=original)
    original[:] = 9.0
    mod.reset_parameters()
    np.testing.assert_array_equal(mod.tau, [0.01, 0.02, 0.03, 0.04])


def test_parameter_init_func_returns_fresh_copies():
    p = Parameter(np.zeros(3))
    first = p.init_func(p.shape)
    first[:] = 1.0
    np.testing.assert_array_equal(p.init_func(p.shape), np.zeros(3))


def test_from_attribute_initialiser_is_resolved_by_the_module_only():
    from shoal.nn.modules.module import FromAttribute

    with pytest.raises(TypeError, match="FromAttribute is resolved by the module, not called"):
        FromAttribute("_initial_rng_key")((2,))


# ---- shoal only: a matrix is never reshaped into a different matrix (Rockpool's silent trap)
def test_a_transposed_matrix_is_refused_not_scrambled():
    with pytest.raises(
        ValueError, match=re.escape("data.shape = (3, 2) (a matrix is not reshaped")
    ):
        Parameter(np.arange(6.0).reshape(3, 2), shape=(2, 3))
    message = "Linear.weight: expected shape (2, 3), got (3, 2) (a matrix is not reshaped into"
    with pytest.raises(ValueError, match=re.escape(message)):
        Linear((2, 3), weight=np.ones((3, 2)))
    # Size-1 axes and flattening still reshape, as in Rockpool.
    assert Parameter(np.ones((1, 6)), shape=(2, 3)).shape == (2, 3)
    assert Parameter(np.ones((2, 1, 3)), shape=(2, 3)).shape == (2, 3)
    assert Parameter(np.ones((2, 3)), shape=(6,)).shape == (6,)


def test_a_constant_list_of_numbers_becomes_an_array_on_every_backend():
    # Kept as a list, it failed at evolve with "'<=' not supported between 'list' and 'float'".
    pytest.importorskip("jax")
    from shoal.nn.modules import LIF, LIFJax

    x = np.ones((1, 5, 2))
    for make in (LIF, LIFJax):
        from_list = make(2, tau_mem=Constant([0.02, 0.03]))
        from_array = make(2, tau_mem=Constant(np.array([0.02, 0.03])))
        assert "tau_mem" in from_list.simulation_parameters()
        np.testing.assert_array_equal(np.asarray(from_list(x)[0]), np.asarray(from_array(x)[0]))
    assert SimulationParameter(Constant(("a", "b"))).data == ("a", "b")  # not numbers: kept
