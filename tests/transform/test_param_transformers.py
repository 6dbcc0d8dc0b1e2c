"""``StochasticQuantize``, parameter ``Dropout`` and their mixin (catalogue-2 §6.3 + decisions)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear
from shoal.transform import Dropout, StochasticQuantize
from shoal.transform.dropout import ModDropout
from shoal.transform.quantize import ModStochasticQuantize

WEIGHT = [[0.3, 1.7, -0.4], [2.5, -1.2, 0.05]]


def test_numpy_stochastic_quantize_golden_example():
    np.random.seed(0)
    mod = StochasticQuantize(Linear((2, 3), weight=WEIGHT))
    assert isinstance(mod, ModStochasticQuantize)
    np.testing.assert_array_equal(
        mod.transformed_parameters()["module"]["weight"], [[0, 1, -1], [2, -1, 0]]
    )


def test_wrapper_shape_names_and_repr():
    inner = Linear((2, 3), weight=WEIGHT, spiking_input=True)
    mod = Dropout(inner, families="weights", transform_params=0.2)
    assert mod.module is inner and inner.name == "module"
    assert mod.shape == (2, 3) and mod.spiking_input and not mod.spiking_output
    assert mod.families == ["weights"] and mod.transform_params == [0.2]
    assert repr(mod) == "ModDropout with shape (2, 3) {\n    Linear 'module' with shape (2, 3)\n}"
    assert Dropout(Linear((2, 3))).families == [None] and Dropout(
        Linear((2, 3))
    ).transform_params == [0.5]


def test_numpy_evolve_uses_transformed_parameters_and_restores_the_originals():
    mod = StochasticQuantize(Linear((2, 3), weight=WEIGHT))
    np.random.seed(3)
    expected = np.ones((1, 2)) @ mod.transformed_parameters()["module"]["weight"]
    np.random.seed(3)
    out, state, record = mod(np.ones((1, 2)))
    np.testing.assert_array_equal(out, expected)
    assert state == {"module": {}} and record == {}
    np.testing.assert_array_equal(mod.module.weight, WEIGHT)
    assert mod(np.ones((1, 2)), record=True)[2] == {"module": {}}


def test_failed_evolve_leaves_the_parameters_as_they_were():
    mod = Dropout(Linear((2, 3), weight=WEIGHT), transform_params=0.9)
    with pytest.raises(ValueError, match="Input has wrong neuron dimension"):
        mod(np.ones((1, 5)))
    np.testing.assert_array_equal(mod.module.weight, WEIGHT)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.9, 1.0])
def test_numpy_dropout_drops_with_probability_p(p):
    mod = Dropout(Linear((100, 100)), transform_params=p)
    dropped = np.mean(mod.transformed_parameters()["module"]["weight"] == 0)
    assert dropped == pytest.approx(p, abs=0.03)  # Rockpool's NumPy flavour: 1 - p


def test_families_select_what_is_transformed_each_with_its_own_parameter():
    net = Sequential(Linear((3, 3)), LIF(3))
    mod = Dropout(net, families=["weights", "taus"], transform_params=[1.0, 0.0])
    new = mod.transformed_parameters()["module"]
    assert np.all(new["0_Linear"]["weight"] == 0)
    np.testing.assert_array_equal(new["1_LIF"]["tau_mem"], net[1].tau_mem)
    np.testing.assert_array_equal(new["1_LIF"]["threshold"], net[1].threshold)


@pytest.mark.parametrize(
    ("factory", "kwargs", "error", "message"),
    [
        (
            Dropout,
            {"families": "weight"},
            ValueError,
            r"ModDropout: family 'weight' selects no parameter of ModSequential; its families are \['bias', 'taus', 'threshold', 'weights'\]",
        ),
        (
            Dropout,
            {"families": ["weights", "taus"], "transform_params": [0.1]},
            ValueError,
            r"ModDropout: expected one transform parameter per family \(2: \['weights', 'taus'\]\), got 1: \[0.1\]",
        ),
        (
            Dropout,
            {"transform_params": 1.5},
            ValueError,
            r"ModDropout: the drop probability must be in \[0, 1\], got 1.5",
        ),
        (
            Dropout,
            {"transform_params": "half"},
            TypeError,
            r"ModDropout: the drop probability must be a number, got 'half'",
        ),
        (
            StochasticQuantize,
            {"transform_params": 0.5},
            ValueError,
            r"ModStochasticQuantize: stochastic rounding takes no transform_params, got 0.5",
        ),
        (
            StochasticQuantize,
            {"rng_key": 0},
            TypeError,
            r"ModStochasticQuantize: `rng_key` is only used by JAX modules",
        ),
    ],
)
def test_bad_arguments_are_refused(factory, kwargs, error, message):
    with pytest.raises(error, match=message):
        factory(Sequential(Linear((3, 3)), LIF(3)), **kwargs)


def test_only_modules_can_be_wrapped():
    with pytest.raises(TypeError, match="ModDropout: expected a shoal Module to wrap, got dict"):
        Dropout({"weight": np.ones(3)})


class TestJax:
    jax = pytest.importorskip("jax")

    def _linear(self, shape=(2, 3), **kwargs):
        from shoal.nn.modules import LinearJax

        return LinearJax(shape, **kwargs)

    def test_jax_flavours_are_chosen_and_carry_a_split_key(self):
        jax = self.jax
        key = jax.random.PRNGKey(0)
        mod = StochasticQuantize(self._linear(weight=WEIGHT), rng_key=key)
        assert type(mod).__name__ == "JaxStochasticQuantize"
        np.testing.assert_array_equal(mod.rng_key, jax.random.split(key)[1])
        assert type(Dropout(self._linear(), rng_key=key)).__name__ == "JaxDropout"

    def test_jax_evolve_really_uses_the_transformed_parameters(self):
        jax = self.jax
        mod = Dropout(self._linear((50, 4)), transform_params=0.5, rng_key=jax.random.PRNGKey(1))
        x = np.ones((1, 50), np.float32)
        transformed = mod.transformed_parameters()["module"]["weight"]
        out, state, _ = mod(x)
        np.testing.assert_allclose(out, x @ np.asarray(transformed), rtol=1e-5, atol=1e-6)
        assert not np.allclose(out, x @ np.asarray(mod.module.weight))  # Rockpool's JAX trap
        # The key advances: the next call draws another mask; the module itself is unchanged.
        out2, _, _ = mod.set_attributes(state)(x)
        assert not np.allclose(out, out2)
        np.testing.assert_array_equal(mod(x)[0], out)

    def test_jax_stochastic_rounding_is_unbiased_and_on_the_integer_grid(self):
        jax = self.jax
        mod = StochasticQuantize(
            self._linear((200, 200), weight=np.full((200, 200), 0.25)),
            rng_key=jax.random.PRNGKey(2),
        )
        values = np.asarray(mod.transformed_parameters()["module"]["weight"])
        assert set(np.unique(values)) == {0.0, 1.0}
        assert np.mean(values) == pytest.approx(0.25, abs=0.01)

    @pytest.mark.parametrize("p", [0.1, 0.9])
    def test_jax_dropout_drops_with_probability_p(self, p):
        mod = Dropout(
            self._linear((100, 100)), transform_params=p, rng_key=self.jax.random.PRNGKey(3)
        )
        dropped = np.mean(np.asarray(mod.transformed_parameters()["module"]["weight"]) == 0)
        assert dropped == pytest.approx(p, abs=0.03)  # Rockpool's JAX flavour agrees

    def test_jit_and_grad_through_the_wrapper(self):
        jax = self.jax
        mod = Dropout(
            self._linear((4, 2), weight=np.ones((4, 2))),
            transform_params=0.5,
            rng_key=jax.random.PRNGKey(4),
        )
        x = np.ones((1, 4), np.float32)

        def loss(params, mod):
            out, _, _ = mod.set_attributes(params)(x)
            return (out**2).sum()

        grads = jax.jit(jax.grad(loss))(mod.parameters(), mod)["module"]["weight"]
        mask = np.asarray(mod.transformed_parameters()["module"]["weight"]) != 0
        assert np.all(np.asarray(grads)[~mask] == 0) and np.all(np.asarray(grads)[mask] != 0)
        np.testing.assert_allclose(jax.jit(lambda m: m(x)[0])(mod), mod(x)[0], rtol=1e-6)


def test_numpy_dropout_is_module_dropout_class():
    assert isinstance(Dropout(Linear((2, 2))), ModDropout)
