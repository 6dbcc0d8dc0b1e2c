"""`JaxModule`: pytree registration, jit/grad, functional updates, rng keys, dtypes."""

from __future__ import annotations

import re

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from shoal.nn.modules import JaxModule, Rate, RateJax  # noqa: E402
from shoal.parameters import Parameter  # noqa: E402


class WeightedRate(JaxModule):
    """A user JaxModule: an input weight then RateJax neurons (a Sequential stand-in)."""

    def __init__(self, shape=(2, 3), weight=None):
        super().__init__(shape=shape)
        self.weight = Parameter(
            weight, "weights", init_func=lambda s: 0.1 * np.ones(s), shape=self.shape
        )
        self.neurons = RateJax(self.shape[-1])

    def evolve(self, input_data, record=False):
        out, state, rec = self.neurons(input_data @ self.weight, record=record)
        return out, {"neurons": state}, ({"neurons": rec} if record else {})


def _leaves_equal(a, b):
    la, ta = jax.tree_util.tree_flatten(a)
    lb, tb = jax.tree_util.tree_flatten(b)
    return ta == tb and all(
        x.dtype == y.dtype and np.array_equal(x, y) for x, y in zip(la, lb, strict=True)
    )


# ---------------------------------------------------------------- pytree
def test_every_subclass_is_registered_at_class_creation():
    class Fresh(JaxModule):
        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    leaves, treedef = jax.tree_util.tree_flatten(Fresh(2))
    assert leaves == []
    assert "Fresh" in str(treedef)


def test_leaves_are_the_arrays_only():
    mod = RateJax(3)
    leaves, treedef = jax.tree_util.tree_flatten(mod)
    # The registered arrays, plus the construction key that reset_state() restores.
    assert len(leaves) == 6
    assert all(isinstance(leaf, jax.Array) for leaf in leaves)
    keyed, _ = jax.tree_util.tree_flatten_with_path(mod)
    names = [jax.tree_util.keystr(path) for path, _ in keyed]
    assert names == [".tau", ".bias", ".threshold", "._initial_rng_key", ".rng_key", ".x"]
    assert "dt" not in str(treedef) or "dt" not in names
    assert mod.w_rec is None
    assert isinstance(mod.dt, float)
    assert callable(mod.act_fn)


def test_recurrent_module_has_w_rec_leaf():
    names = [
        jax.tree_util.keystr(path)
        for path, _ in jax.tree_util.tree_flatten_with_path(RateJax(3, has_rec=True))[0]
    ]
    assert names[0] == ".w_rec"
    assert len(names) == 7


def test_round_trip_preserves_everything_without_init(monkeypatch):
    net = WeightedRate()
    leaves, treedef = jax.tree_util.tree_flatten(net)
    calls = []
    original = WeightedRate.__init__

    def counting_init(self, *args, **kwargs):
        calls.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(WeightedRate, "__init__", counting_init)
    monkeypatch.setattr(RateJax, "__init__", counting_init)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert calls == []
    assert type(rebuilt) is WeightedRate
    assert repr(rebuilt) == repr(net)
    assert rebuilt.neurons.name == "neurons"
    assert rebuilt.neurons.full_name == "RateJax 'neurons'"
    assert rebuilt.neurons._path == "WeightedRate.neurons"
    assert _leaves_equal(rebuilt.parameters(), net.parameters())
    assert _leaves_equal(rebuilt.state(), net.state())
    assert rebuilt.simulation_parameters() == net.simulation_parameters()
    assert rebuilt.neurons.w_rec is None
    # tree_map keeps the structure: a doubled copy, original untouched
    doubled = jax.tree_util.tree_map(lambda a: a * 2, net)
    np.testing.assert_allclose(doubled.weight, 2 * net.weight)
    np.testing.assert_allclose(net.weight, 0.1 * np.ones((2, 3)), rtol=1e-6)


def test_jax_module_rejects_numpy_submodules():
    class Holder(JaxModule):
        def __init__(self):
            super().__init__(3)
            self.child = Rate(3)

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    message = "Holder.child: submodules of a JaxModule must themselves be JaxModules; got a Rate."
    with pytest.raises(ValueError, match=re.escape(message)):
        Holder()


# ---------------------------------------------------------------- jit and grad
def test_jit_equals_eager():
    mod = RateJax(3, tau=np.array([0.01, 0.02, 0.05]), bias=0.1)
    x = jnp.asarray(np.random.rand(2, 5, 3), jnp.float32)
    eager, eager_state, _ = mod(x)
    bound, _, _ = jax.jit(mod)(x)
    traced, traced_state, _ = jax.jit(lambda m, x: m(x))(mod, x)
    np.testing.assert_allclose(bound, eager, rtol=1e-6)
    np.testing.assert_allclose(traced, eager, rtol=1e-6)
    np.testing.assert_allclose(traced_state["x"], eager_state["x"], rtol=1e-6)
    np.testing.assert_array_equal(traced_state["rng_key"], eager_state["rng_key"])


def test_feed_forward_stays_feed_forward_under_jit():
    mod = RateJax(3)
    x = 0.5 * jnp.ones((4, 3))
    seen = []

    def run(m, x):
        seen.append(m.w_rec)
        return m(x)[0]

    traced = jax.jit(run)(mod, x)
    assert seen == [None]
    np.testing.assert_allclose(traced[0, 1], [0.04875] * 3, rtol=1e-5)
    np.testing.assert_allclose(traced, mod(x)[0], rtol=1e-6)


def _loss(params, net, x, y):
    net = net.set_attributes(params)
    out, _, _ = net(x)
    return jnp.sum((out - y) ** 2)


def test_value_and_grad_matches_spec():
    net = WeightedRate()
    x, y = jnp.ones((4, 2)), jnp.ones((1, 4, 3))
    loss, grads = jax.value_and_grad(_loss)(net.parameters(), net, x, y)
    np.testing.assert_allclose(loss, 11.437268, rtol=1e-5)
    np.testing.assert_allclose(grads["weight"], np.full((2, 3), -0.924535), rtol=1e-4)
    np.testing.assert_allclose(grads["neurons"]["tau"], np.full(3, 8.785489), rtol=1e-4)
    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(net.parameters())
    jit_loss, jit_grads = jax.jit(jax.value_and_grad(_loss))(net.parameters(), net, x, y)
    np.testing.assert_allclose(jit_loss, loss, rtol=1e-6)
    np.testing.assert_allclose(jit_grads["weight"], grads["weight"], rtol=1e-5)


def test_jitted_training_step_returns_a_module():
    net = WeightedRate()
    x, y = jnp.ones((4, 2)), jnp.ones((1, 4, 3))

    @jax.jit
    def train_step(net):
        grads = jax.grad(_loss)(net.parameters(), net, x, y)
        new = jax.tree_util.tree_map(lambda p, g: p - 1e-3 * g, net.parameters(), grads)
        return net.set_attributes(new)

    stepped = train_step(net)
    assert type(stepped) is WeightedRate
    assert float(_loss(stepped.parameters(), stepped, x, y)) < 11.437268
    np.testing.assert_allclose(net.weight, 0.1 * np.ones((2, 3)), rtol=1e-6)


# ---------------------------------------------------------------- functional updates
def test_functional_updates_return_new_modules(snapshot):
    mod = RateJax(3)
    before = snapshot(mod)
    updated = mod.set_attributes({"tau": np.full(3, 0.05), "x": np.ones(3)})
    assert updated is not mod
    assert snapshot(mod) == before
    np.testing.assert_allclose(updated.tau, np.full(3, 0.05))
    reset = updated.reset_state()
    assert reset is not updated
    np.testing.assert_array_equal(updated.x, np.ones(3))
    np.testing.assert_array_equal(reset.x, np.zeros(3))
    np.testing.assert_array_equal(reset.rng_key, mod.rng_key)
    restored = updated.reset_parameters()
    assert restored is not updated
    np.testing.assert_allclose(updated.tau, np.full(3, 0.05))
    np.testing.assert_allclose(restored.tau, np.full(3, 0.02))
    one = updated._reset_attribute("x")
    assert one is not updated
    np.testing.assert_array_equal(one.x, np.zeros(3))


def test_nested_functional_updates_leave_original(snapshot):
    net = WeightedRate()
    before = snapshot(net)
    new = net.set_attributes({"neurons": {"x": np.ones(3)}})
    assert snapshot(net) == before
    assert new.neurons is not net.neurons
    np.testing.assert_array_equal(new.neurons.x, np.ones(3))
    assert new.neurons.name == "neurons"
    reset = new.reset_state()
    np.testing.assert_array_equal(reset.neurons.x, np.zeros(3))
    np.testing.assert_array_equal(new.neurons.x, np.ones(3))


def test_failed_set_attributes_leaves_module(snapshot):
    net = WeightedRate()
    before = snapshot(net)
    with pytest.raises(
        KeyError, match=re.escape("'WeightedRate.neurons.tua' (did you mean 'tau'?)")
    ):
        net.set_attributes({"neurons": {"tua": 1.0}})
    with pytest.raises(ValueError, match=re.escape("WeightedRate.weight: expected shape (2, 3)")):
        net.set_attributes({"neurons": {"bias": np.ones(3)}, "weight": np.ones(3)})
    assert snapshot(net) == before


def test_plain_assignment_mutates_that_object():
    mod = RateJax(3)
    mod.tau = np.full(3, 0.05)
    assert isinstance(mod.tau, jax.Array)
    assert mod.tau.dtype == jnp.float32
    with pytest.raises(ValueError, match=re.escape("RateJax.tau: expected shape (3,), got (2,)")):
        mod.tau = np.ones(2)


def test_evolve_never_mutates(snapshot):
    mod = RateJax(3, noise_std=0.1)
    before = snapshot(mod)
    mod(np.ones((2, 4, 3)), record=True)
    assert snapshot(mod) == before


# ---------------------------------------------------------------- rng keys
def test_rng_key_from_seed():
    mod = RateJax(3, rng_key=jnp.array([1, 2], jnp.uint32))
    np.testing.assert_array_equal(mod.rng_key, [629003988, 1317161160])
    assert mod.rng_key.dtype == jnp.uint32


def test_rng_key_validation():
    with pytest.raises(ValueError, match=re.escape("RateJax: `rng_key` must be a JAX PRNG key")):
        RateJax(3, rng_key=jnp.ones(3))
    with pytest.raises(TypeError, match=re.escape("Rate: `rng_key` is only used by JAX modules")):
        Rate(3, rng_key=jnp.array([1, 2], jnp.uint32))


def test_noise_depends_only_on_the_stored_key():
    mod = RateJax(3, noise_std=0.5, rng_key=jnp.array([1, 2], jnp.uint32))
    x = jnp.ones((5, 3))
    first, new_state, _ = mod(x)
    second, _, _ = mod(x)
    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(new_state["rng_key"], mod.rng_key)
    third, _, _ = mod.set_attributes(new_state)(x)
    assert not np.allclose(first, third)
    quiet, _, _ = RateJax(3)(x)
    assert not np.allclose(first, quiet)


# ---------------------------------------------------------------- dtypes
def test_float32_by_default():
    mod = RateJax(3, tau=np.full(3, 0.02, dtype=np.float64))
    assert mod.tau.dtype == jnp.float32
    assert mod.x.dtype == jnp.float32
    out, state, rec = mod(np.ones((4, 3), dtype=np.float64), record=True)
    assert out.dtype == jnp.float32
    assert state["x"].dtype == jnp.float32
    assert rec["x"].dtype == jnp.float32
    mod = mod.set_attributes(state)
    mod = mod.set_attributes({"tau": np.full(3, 0.03, dtype=np.float64), "bias": [1, 2, 3]})
    assert mod.tau.dtype == jnp.float32
    assert mod.bias.dtype == jnp.float32
    out2, state2, _ = mod(np.ones((4, 3), dtype=int))
    assert out2.dtype == jnp.float32
    assert state2["x"].dtype == jnp.float32


def test_float64_kept_under_x64(x64):
    mod = RateJax(3, tau=np.full(3, 0.02), bias=np.zeros(3), threshold=np.zeros(3))
    assert mod.tau.dtype == jnp.float64
    out, state, _ = mod(np.ones((4, 3)))
    assert out.dtype == jnp.float64
    assert state["x"].dtype == jnp.float64
    for _ in range(2):
        mod = mod.set_attributes(state)
        out, state, _ = mod(np.ones((4, 3), dtype=np.float32))
        assert mod.x.dtype == jnp.float64
        assert out.dtype == jnp.float64
    mod = mod.set_attributes({"tau": np.full(3, 0.03, dtype=np.float32)})
    assert mod.tau.dtype == jnp.float64


def test_float32_module_under_x64_stays_float32(x64):
    mod = RateJax(3, tau=np.full(3, 0.02, dtype=np.float32))
    _, state, _ = mod(np.ones((4, 3)))
    assert mod.tau.dtype == jnp.float32
    assert state["x"].dtype == mod.x.dtype
    assert mod.set_attributes(state).x.dtype == mod.x.dtype


def test_user_subclass_with_jit_and_grad():
    net = WeightedRate(weight=0.2 * np.ones((2, 3)))
    x = jnp.ones((2, 4, 2))
    eager, _, rec = net(x, record=True)
    assert set(rec["neurons"]) == {"rec_input", "x"}
    jitted, _, _ = jax.jit(lambda n, x: n(x))(net, x)
    np.testing.assert_allclose(jitted, eager, rtol=1e-6)
    grads = jax.grad(lambda p: jnp.sum(net.set_attributes(p)(x)[0]))(net.parameters())
    assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree_util.tree_leaves(grads))
    assert float(jnp.abs(grads["weight"]).sum()) > 0


def test_round_trip_benchmark_scale():
    class Big(JaxModule):
        def __init__(self):
            super().__init__(shape=3)
            for i in range(6):
                setattr(self, f"r{i}", RateJax(3))

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    big = Big()
    leaves, treedef = jax.tree_util.tree_flatten(big)
    assert len(leaves) == 36  # 6 modules × (5 registered arrays + the initial rng key)
    rebuilt = jax.tree_util.tree_unflatten(treedef, leaves)
    assert list(rebuilt.modules()) == [f"r{i}" for i in range(6)]


def test_functional_updates_do_not_retrace():
    traces = []

    @jax.jit
    def run(m, x):
        traces.append(1)
        return m(x)

    mod = RateJax(3)
    x = 0.5 * jnp.ones((4, 3))
    _, state, _ = run(mod, x)
    mod = mod.set_attributes(state)
    run(mod, x)
    run(mod.reset_state(), x)
    run(mod.reset_parameters(), x)
    run(jax.tree_util.tree_map(lambda a: a, mod), x)
    assert len(traces) == 1


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (
            np.ones((5, 3)),
            ValueError,
            "RateJax: Input has wrong neuron dimension. It is 3, must be 4",
        ),
        (np.ones(()), ValueError, "RateJax: expected input of shape (T, 4) or (B, T, 4)"),
        (jnp.ones((1, 1, 1, 4)), ValueError, "got shape (1, 1, 1, 4) (4-d)"),
        (jnp.ones((0, 4)), ValueError, "RateJax: input has no time steps (T = 0)"),
        ("abc", TypeError, "RateJax: expected numeric input"),
    ],
)
def test_jax_input_rejections(data, error, message):
    with pytest.raises(error, match=re.escape(message)):
        RateJax(4)(data)


def test_jax_input_casts():
    mod = RateJax(2)
    for data in (np.ones((3, 2), dtype=int), jnp.ones((3, 2), dtype=bool), [[1, 0], [0, 1]]):
        out, _, _ = mod(data)
        assert out.dtype == jnp.float32
        assert out.shape[0] == 1
    with pytest.raises(ValueError, match=r"RateJax: got 1-D input of shape \(3,\)"):
        mod(jnp.ones(3))  # (T,) or (N,)? refused rather than guessed


def test_reset_state_under_jit_restores_each_modules_own_key():
    # The construction key is a leaf, not static data: one compiled program serves both
    # modules, and each gets its own key back.
    reset_key = jax.jit(lambda m: m.reset_state().rng_key)
    first, second = RateJax(3, noise_std=0.1), RateJax(3, noise_std=0.1)
    _, new_state, _ = first(np.ones((4, 3)))
    advanced = first.set_attributes(new_state)
    assert not np.array_equal(advanced.rng_key, first.rng_key)
    np.testing.assert_array_equal(reset_key(advanced), first.rng_key)
    np.testing.assert_array_equal(reset_key(second), second.rng_key)
    assert reset_key._cache_size() == 1
