"""``mismatch_generator`` / ``module_registery`` against catalogue-2 §6.1 (PRNGKey(42))."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIF, LIFJax, Linear, LinearJax, RateJax  # noqa: E402
from shoal.nn.modules.jax.jax_module import JaxModule  # noqa: E402
from shoal.parameters import Parameter, SimulationParameter  # noqa: E402
from shoal.transform import mismatch_generator, module_registery  # noqa: E402
from shoal.utilities.tree_utils import make_prototype_tree  # noqa: E402

KEY = jax.random.PRNGKey(42)
WEIGHT = [[1, 2, 3], [-1, -2, -3]]


class RockpoolLikeLIF(JaxModule):
    """Registers exactly the leaves of Rockpool's ``LIFJax`` registry (catalogue-2 §6.1).

    shoal's feed-forward ``LIFJax`` registers no ``_has_rec``/``w_rec``, so its leaves sit at other
    sorted positions and draw other subkeys; this stand-in checks the key rule on the spec's tree.
    """

    def __init__(self, n):
        super().__init__(shape=(n, n))
        self._has_rec = SimulationParameter(np.array(False))
        self.bias = Parameter(np.zeros(n), "bias")
        self.dt = SimulationParameter(1e-3)
        self.max_spikes_per_dt = SimulationParameter(65536.0)
        self.noise_std = SimulationParameter(0.0)
        self.tau_mem = Parameter(np.array([0.01, 0.02, 0.03]), "taus")
        self.tau_syn = Parameter(np.array(0.005), "taus")
        self.threshold = Parameter(np.array(1.0), "threshold")
        self.w_rec = Parameter(np.zeros((n, n)), "weights")

    def evolve(self, input_data, record=False):
        return input_data, {}, {}


def _shoal_net():
    return Sequential(
        LinearJax((2, 3), weight=WEIGHT),
        LIFJax(3, tau_mem=[0.01, 0.02, 0.03], tau_syn=0.005, threshold=1.0),
    )


def _regenerate(net, family):
    prototype = make_prototype_tree(module_registery(net), net.parameters(family))
    return mismatch_generator(prototype, percent_deviation=0.30, sigma_rule=3.0)(net, KEY)


def test_weights_golden_numbers():
    new = _regenerate(_shoal_net(), "weights")
    np.testing.assert_allclose(
        new["0_LinearJax"]["weight"],
        [[1.060576, 2.159809, 2.727322], [-0.936474, -1.755468, -2.750322]],
        rtol=1e-5,
    )


def test_taus_golden_numbers_on_rockpools_registry_leaves():
    net = Sequential(LinearJax((2, 3), weight=WEIGHT), RockpoolLikeLIF(3))
    registry = module_registery(net)
    assert sorted(registry["1_RockpoolLikeLIF"]) == [
        "_has_rec", "bias", "dt", "max_spikes_per_dt", "noise_std",
        "tau_mem", "tau_syn", "threshold", "w_rec",
    ]  # fmt: skip
    new = _regenerate(net, "taus")
    np.testing.assert_allclose(
        new["1_RockpoolLikeLIF"]["tau_mem"], [0.010289, 0.019981, 0.030458], atol=5e-7
    )
    np.testing.assert_allclose(new["1_RockpoolLikeLIF"]["tau_syn"], 0.005072, atol=5e-7)
    np.testing.assert_array_equal(new["0_LinearJax"]["weight"], np.array(WEIGHT, np.float32))


def test_shoal_lif_follows_the_sorted_leaf_key_rule():
    # Sorted leaves: weight, bias, dt, max_spikes_per_dt, noise_std, tau_mem (5), tau_syn (6), ...
    new = _regenerate(_shoal_net(), "taus")["1_LIFJax"]
    keys = jax.random.split(KEY, 9)[1:]
    tau = jnp.array([0.01, 0.02, 0.03])
    np.testing.assert_allclose(
        new["tau_mem"], tau + 0.1 * jax.random.normal(keys[5], (3,)) * tau, rtol=1e-6
    )
    np.testing.assert_allclose(
        new["tau_syn"], 0.005 * (1 + 0.1 * jax.random.normal(keys[6], ())), rtol=1e-6
    )


def test_registry_holds_parameters_and_numeric_simulation_parameters_not_state():
    registry = module_registery(_shoal_net())["1_LIFJax"]
    assert set(registry) == {
        "tau_mem",
        "tau_syn",
        "bias",
        "threshold",
        "dt",
        "noise_std",
        "max_spikes_per_dt",
    }
    assert all(value.dtype == jnp.float32 for value in registry.values())
    # Non-numeric simulation parameters (an activation function) are skipped, not a TypeError.
    assert set(module_registery(RateJax(2))) >= {"tau", "bias", "threshold", "dt"}


def test_result_sets_evolves_and_keeps_static_configuration_static():
    net = _shoal_net()
    new = _regenerate(net, "taus")
    assert new["1_LIFJax"]["dt"] == 1e-3 and isinstance(new["1_LIFJax"]["dt"], float)
    mismatched = net.set_attributes(new)
    out, _, _ = mismatched(jnp.ones((1, 5, 2)))
    assert out.shape == (1, 5, 3)
    np.testing.assert_array_equal(net[1].tau_mem, np.float32([0.01, 0.02, 0.03]))  # untouched


def test_deterministic_and_jittable():
    net = _shoal_net()
    prototype = make_prototype_tree(module_registery(net), net.parameters("taus"))
    regenerate = mismatch_generator(prototype)
    first = regenerate(net, KEY)["1_LIFJax"]["tau_mem"]
    np.testing.assert_array_equal(first, regenerate(net, KEY)["1_LIFJax"]["tau_mem"])
    np.testing.assert_allclose(
        jax.jit(regenerate)(net, KEY)["1_LIFJax"]["tau_mem"], first, rtol=1e-6
    )
    assert not np.allclose(regenerate(net, jax.random.PRNGKey(0))["1_LIFJax"]["tau_mem"], first)


def test_numpy_modules_get_mismatch_too():
    net = Sequential(Linear((2, 3), weight=WEIGHT), LIF(3))
    new = _regenerate(net, "weights")
    net.set_attributes(new)
    np.testing.assert_allclose(net[0].weight[0], [1.060576, 2.159809, 2.727322], rtol=1e-5)


def test_prototype_of_another_structure_names_both_leaf_lists():
    net = _shoal_net()
    regenerate = mismatch_generator({"1_LIFJax": {"tau_mem": True}})
    with pytest.raises(
        ValueError,
        match=r"regenerate_mismatch\(JaxSequential\): the prototype must have exactly the leaves of module_registery\(mod\): expected \['0_LinearJax/weight', .*got \['1_LIFJax/tau_mem'\]",
    ):
        regenerate(net, KEY)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (
            {"percent_deviation": -0.1},
            ValueError,
            "`percent_deviation` must be finite and >= 0, got -0.1",
        ),
        ({"percent_deviation": float("nan")}, ValueError, "`percent_deviation` must be finite"),
        (
            {"percent_deviation": 30},
            ValueError,
            r"`percent_deviation` is a fraction \(0.30 = 30 %\) and must be <= 1, got 30",
        ),
        ({"sigma_rule": 0.0}, ValueError, "`sigma_rule` must be finite and > 0, got 0.0"),
        ({"sigma_rule": "3"}, TypeError, "`sigma_rule` must be a number, got '3'"),
    ],
)
def test_bad_numbers_are_refused(kwargs, error, message):
    with pytest.raises(error, match=f"mismatch_generator: {message}"):
        mismatch_generator({"w": True}, **kwargs)


def test_prototype_must_hold_booleans():
    with pytest.raises(TypeError, match=r"`prototype` must be a tree of booleans .* got 1.0"):
        mismatch_generator({"w": 1.0})
    with pytest.raises(TypeError, match="got no leaves"):
        mismatch_generator({})
    with pytest.raises(TypeError, match="module_registery: expected a shoal Module, got dict"):
        module_registery({})
