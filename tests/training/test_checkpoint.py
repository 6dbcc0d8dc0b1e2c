"""``module.save(path)`` / ``module.load(path)``: bit-exact round trips, strict checks, atomic writes."""

from __future__ import annotations

import os

import numpy as np
import pytest

from shoal._errors import UnknownAttributeError
from shoal.nn.combinators import FFwdStack, Residual, Sequential
from shoal.nn.modules import LIF, ExpSyn, Instant, Linear, Rate

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.modules import (  # noqa: E402
    ExpSynJax,
    InstantJax,
    LIFJax,
    LinearJax,
    RateJax,
)

N = 3
BUILDERS = {
    "Rate": lambda: Rate(N),
    "Rate-rec": lambda: Rate(N, has_rec=True),  # NumPy noise comes from np.random
    "LIF": lambda: LIF(N),
    "LIF-rec-2syn": lambda: LIF((2 * N, N), has_rec=True),
    "ExpSyn": lambda: ExpSyn(N),
    "Linear": lambda: Linear((N, N), has_bias=True),
    "Instant": lambda: Instant(N, function=np.tanh),
    "Sequential": lambda: Sequential(Linear((N, N)), LIF(N), Rate(N)),
    "Residual": lambda: Residual(Linear((N, N)), Rate(N)),
    "FFwdStack": lambda: FFwdStack(Rate(N), LIF(N)),
    "RateJax": lambda: RateJax(N),
    "RateJax-rec": lambda: RateJax(N, has_rec=True, noise_std=0.1),
    "LIFJax": lambda: LIFJax(N),
    "LIFJax-rec-2syn": lambda: LIFJax((2 * N, N), has_rec=True, noise_std=0.1),
    "ExpSynJax": lambda: ExpSynJax(N),
    "LinearJax": lambda: LinearJax((N, N), has_bias=True),
    "InstantJax": lambda: InstantJax(N, function=jnp.tanh),
    "JaxSequential": lambda: Sequential(LinearJax((N, N)), LIFJax(N), RateJax(N)),
    "JaxResidual": lambda: Residual(LinearJax((N, N)), RateJax(N)),
    "JaxFFwdStack": lambda: FFwdStack(RateJax(N), LIFJax(N)),
}


def _leaves(module):
    trees = (module.parameters(), module.state(), module.simulation_parameters())
    return [
        leaf
        for tree in trees
        for leaf in jax.tree_util.tree_leaves(tree)
        if isinstance(leaf, (bool, int, float, np.ndarray, jax.Array))
    ]


def _assert_identical(a, b):
    la, lb = _leaves(a), _leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        assert type(x) is type(y) or (hasattr(x, "dtype") and np.asarray(x).dtype == y.dtype)
        np.testing.assert_array_equal(np.asarray(x), np.asarray(y))


def _evolved(module, rng):
    """Perturb every parameter and run the module once so that its state is not the initial one."""
    params = jax.tree_util.tree_map(
        lambda p: np.asarray(p) * rng.uniform(0.5, 1.5, np.shape(p)), module.parameters()
    )
    module = module.set_attributes(params)
    x = rng.uniform(0, 1.5, (5, module.size_in)).astype(np.float32)
    _, new_state, _ = module(x)
    return module.set_attributes(new_state)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_round_trip_is_bit_exact(name, tmp_path):
    rng = np.random.default_rng(1)
    source = _evolved(BUILDERS[name](), rng)
    path = tmp_path / "module.npz"
    source.save(path)
    fresh = BUILDERS[name]()
    loaded = fresh.load(path)
    _assert_identical(source, loaded)
    x = rng.uniform(0, 1.5, (5, source.size_in)).astype(np.float32)  # same shape: no recompile
    np.testing.assert_array_equal(np.asarray(source(x)[0]), np.asarray(loaded(x)[0]))
    if name in ("Rate", "LIF", "ExpSyn", "Linear", "Instant", "Sequential"):
        assert loaded is fresh  # NumPy modules load in place
    if "Jax" in name:
        assert loaded is not fresh  # JAX modules return a new module


def test_jax_load_leaves_the_original_untouched(tmp_path):
    LIFJax(N, bias=np.ones(N)).save(tmp_path / "lif.npz")
    fresh = LIFJax(N)
    loaded = fresh.load(tmp_path / "lif.npz")
    np.testing.assert_array_equal(fresh.bias, 0.0)
    np.testing.assert_array_equal(loaded.bias, 1.0)


def test_what_is_saved(tmp_path):
    path = tmp_path / "lif.npz"
    LIFJax(N, dt=2e-3, rng_key=[1, 2]).save(path)
    with np.load(path, allow_pickle=False) as archive:
        files = set(archive.files)
        assert archive["state/rng_key"].dtype == np.uint32
        assert archive["parameters/tau_mem"].dtype == np.float32
    assert files == {
        "__shoal__",
        "parameters/tau_mem",
        "parameters/tau_syn",
        "parameters/bias",
        "parameters/threshold",
        "simulation/dt",
        "simulation/noise_std",
        "simulation/max_spikes_per_dt",
        "state/rng_key",
        "state/spikes",
        "state/isyn",
        "state/vmem",
    }  # the surrogate (an object) is architecture, not data
    loaded = LIFJax(N).load(path)
    assert loaded.dt == 2e-3 and type(loaded.dt) is float
    np.testing.assert_array_equal(loaded.rng_key, LIFJax(N, rng_key=[1, 2]).rng_key)


def test_trained_network_reloads_bit_identically(tmp_path):
    optax = pytest.importorskip("optax")
    from shoal.training import jax_loss, make_train_step

    rng = np.random.default_rng(0)

    def build():
        return Sequential(LinearJax((4, 5)), LIFJax(5, surrogate="fast_sigmoid"), LinearJax((5, 2)))

    net = build()
    x = jnp.asarray(rng.uniform(0, 1, (4, 10, 4)).astype(np.float32))
    y = jnp.asarray(rng.uniform(0, 1, (4, 10, 2)).astype(np.float32))

    def loss(params, net, x, y):
        return jax_loss.mse(net.set_attributes(params)(x)[0], y)

    optimiser = optax.adam(1e-2)
    params, step = net.parameters("weights"), make_train_step(loss, optimiser)
    opt_state = optimiser.init(params)
    for _ in range(3):
        params, opt_state, _ = step(params, opt_state, net, x, y)
    net = net.set_attributes(params)
    net.save(tmp_path / "net.npz")
    loaded = build().load(tmp_path / "net.npz")
    np.testing.assert_array_equal(np.asarray(net(x)[0]), np.asarray(loaded(x)[0]))
    _assert_identical(net, loaded)


def test_missing_and_unexpected_keys_are_listed(tmp_path):
    path = tmp_path / "rate.npz"
    Rate(N).save(path)
    with pytest.raises(UnknownAttributeError) as info:
        LIF(N).load(path)
    message = str(info.value)
    assert message.startswith(f"LIF.load('{path}'): the checkpoint (saved from a Rate) does not")
    assert "Missing keys: ['parameters/tau_mem', 'parameters/tau_syn'," in message
    assert "Unexpected keys: ['parameters/tau', 'state/x']" in message
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError, match=r"Missing keys: \['parameters/w_rec'\]"):
        Rate(N, has_rec=True).load(path)


def test_shape_mismatch_names_the_entry_and_changes_nothing(tmp_path):
    path = tmp_path / "net.npz"
    Sequential(Linear((2, 3)), Rate(3)).save(path)
    target = Sequential(Linear((2, 4)), Rate(4))
    before = np.array(target[0].weight)
    with pytest.raises(
        ValueError,
        match=r"checkpoint entry 'parameters/0_Linear.weight' has shape \(2, 3\), but the "
        r"module expects \(2, 4\)",
    ):
        target.load(path)
    np.testing.assert_array_equal(target[0].weight, before)


def test_dtype_kind_mismatch_is_reported(tmp_path):
    path = tmp_path / "bad.npz"
    LIFJax(N, rng_key=[0, 1]).save(path)
    with np.load(path) as archive:
        arrays = dict(archive)
    arrays["state/rng_key"] = arrays["state/rng_key"].astype(np.float32)
    np.savez(path, **arrays)
    with pytest.raises(
        ValueError, match=r"'state/rng_key' has dtype float32, but the module holds uint32"
    ):
        LIFJax(N).load(path)


def test_missing_file_and_non_checkpoint_files(tmp_path):
    with pytest.raises(FileNotFoundError):
        Rate(N).load(tmp_path / "nope.npz")
    np.savez(tmp_path / "plain.npz", x=np.zeros(2))
    with pytest.raises(
        ValueError, match=r"plain.npz: not a shoal checkpoint \(no '__shoal__' entry\)"
    ):
        Rate(N).load(tmp_path / "plain.npz")


def test_crash_during_save_leaves_no_partial_file(tmp_path, monkeypatch):
    path = tmp_path / "rate.npz"
    Rate(N, tau=np.full(N, 0.05)).save(path)
    original = path.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(RuntimeError, match="disk on fire"):
        Rate(N).save(path)
    assert path.read_bytes() == original
    with pytest.raises(RuntimeError):
        Rate(N).save(tmp_path / "new.npz")
    assert sorted(os.listdir(tmp_path)) == ["rate.npz"]  # no temporary files left behind
    monkeypatch.undo()
    np.testing.assert_array_equal(Rate(N).load(path).tau, 0.05)


def test_path_is_used_as_given(tmp_path):
    path = tmp_path / "checkpoint.bin"
    Rate(N).save(str(path))
    assert os.listdir(tmp_path) == ["checkpoint.bin"]
    Rate(N).load(str(path))


def test_load_refuses_an_unknown_checkpoint_format(tmp_path):
    import json

    from shoal.nn.modules import Rate

    path = tmp_path / "future.npz"
    Rate(2).save(path)
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays["__shoal__"] = np.asarray(json.dumps({"format": 99, "class": "Rate"}))
    np.savez(path, **arrays)
    module = Rate(2)
    with pytest.raises(ValueError, match=r"checkpoint format 99 is not supported .*reads format 1"):
        module.load(path)
