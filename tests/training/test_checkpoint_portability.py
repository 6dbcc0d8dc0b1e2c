"""Checkpoints load where it is safe: broadcastable shapes, across backends, without backend-only
state; everything else stays strict (issue 12)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from shoal._errors import UnknownAttributeError
from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear, Rate, _checkpoint

jax = pytest.importorskip("jax")

from shoal.nn.modules import LIFJax, LinearJax, RateJax  # noqa: E402

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _rewrite(path: Path, rename: dict[str, str]) -> None:
    """Rename entries of a saved checkpoint (to fake one written by another backend)."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    for old, new in rename.items():
        arrays = {key.replace(old, new): value for key, value in arrays.items()}
    np.savez(path, **arrays)


@pytest.mark.parametrize("flavour", [LIF, LIFJax], ids=["LIF", "LIFJax"])
def test_scalar_time_constants_load_into_a_default_module(flavour, tmp_path):
    flavour(5, tau_mem=0.03, threshold=2.0).save(tmp_path / "lif.npz")
    loaded = flavour(5).load(tmp_path / "lif.npz")
    np.testing.assert_allclose(np.asarray(loaded.tau_mem), np.full(5, 0.03), rtol=1e-7)
    np.testing.assert_array_equal(np.asarray(loaded.threshold), np.full(5, 2.0))
    assert loaded.tau_mem.shape == (5,)


def test_broadcast_values_are_writable_copies(tmp_path):
    LIF(3, tau_mem=0.03).save(tmp_path / "lif.npz")
    loaded = LIF(3).load(tmp_path / "lif.npz")
    loaded.tau_mem[0] = 0.05  # a read-only broadcast view would refuse this
    np.testing.assert_array_equal(loaded.tau_mem, [0.05, 0.03, 0.03])


def test_the_digits_demo_checkpoint_loads_into_a_default_network(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("optax")
    pytest.importorskip("tqdm")
    spec = importlib.util.spec_from_file_location("train_digits", EXAMPLES / "train_digits.py")
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    trained = demo.build_network(seed=0)
    trained.save(tmp_path / "digits_net.npz")
    hidden = demo.N_HIDDEN
    default = Sequential(
        LinearJax((64, hidden)), LIFJax(hidden), LinearJax((hidden, 10)), LIFJax(10)
    ).load(tmp_path / "digits_net.npz")
    np.testing.assert_array_equal(default[0].weight, trained[0].weight)
    np.testing.assert_array_equal(default[1].tau_syn, np.full((hidden, 1), demo.TAU_SYN, "f4"))
    assert default[3].max_spikes_per_dt == 1


def test_a_shape_that_does_not_broadcast_is_refused(tmp_path):
    LIF(3).save(tmp_path / "lif.npz")
    module = LIF(3, tau_mem=0.03)  # holds a scalar: a (3,) entry cannot fit
    with pytest.raises(
        ValueError, match=r"'parameters/tau_mem' has shape \(3,\), but the module expects \(\)"
    ):
        module.load(tmp_path / "lif.npz")
    assert module.tau_mem == 0.03


def _jax_net() -> object:
    return Sequential(LinearJax((2, 4), has_bias=True), LIFJax(4, tau_mem=0.03, bias=0.1))


def _numpy_net() -> object:
    return Sequential(Linear((2, 4), has_bias=True), LIF(4))


def test_a_jax_checkpoint_loads_into_numpy_modules_and_back(tmp_path):
    trained = _jax_net()
    trained.save(tmp_path / "jax.npz")
    on_numpy = _numpy_net().load(tmp_path / "jax.npz")
    np.testing.assert_array_equal(on_numpy[0].weight, np.asarray(trained[0].weight))
    np.testing.assert_array_equal(on_numpy[1].bias, np.full(4, np.float32(0.1)))
    x = np.random.default_rng(0).uniform(0, 2, (20, 2))
    np.testing.assert_allclose(on_numpy(x)[0], np.asarray(trained(x)[0]), atol=1e-5)

    on_numpy.save(tmp_path / "numpy.npz")
    back = Sequential(LinearJax((2, 4), has_bias=True), LIFJax(4)).load(tmp_path / "numpy.npz")
    np.testing.assert_array_equal(back[0].weight, trained[0].weight)
    np.testing.assert_array_equal(back[1].tau_mem, trained[1].tau_mem)
    # rng_key is JAX-only: the NumPy checkpoint has none, so the module keeps its own.
    assert back[1].rng_key.dtype == np.uint32


def test_nested_combinators_load_across_backends(tmp_path):
    Sequential(Sequential(LinearJax((2, 3)), RateJax(3)), LinearJax((3, 1))).save(tmp_path / "n")
    loaded = Sequential(Sequential(Linear((2, 3)), Rate(3)), Linear((3, 1))).load(tmp_path / "n")
    assert loaded.modules().keys() == {"0_ModSequential", "1_Linear"}


def test_across_backends_everything_else_stays_strict(tmp_path):
    _jax_net().save(tmp_path / "jax.npz")
    module = Sequential(Linear((2, 4)), LIF(4))  # no bias in the Linear
    before = np.array(module[0].weight)
    with pytest.raises(UnknownAttributeError) as info:
        module.load(tmp_path / "jax.npz")
    message = str(info.value)
    assert "Missing keys: none" in message
    assert "Unexpected keys: ['parameters/0_LinearJax.bias']" in message
    assert "rng_key" not in message
    np.testing.assert_array_equal(module[0].weight, before)
    with pytest.raises(
        UnknownAttributeError,
        match=r"Missing keys: \['parameters/1_Rate.bias', 'parameters/1_Rate.tau'",
    ):
        Sequential(Linear((2, 4), has_bias=True), Rate(4)).load(tmp_path / "jax.npz")


def test_a_new_backend_only_registers_its_affixes(tmp_path, monkeypatch):
    # "Foo" stands for a backend still to come (the Torch affixes are registered already).
    path = tmp_path / "foo.npz"
    _numpy_net().save(path)
    _rewrite(path, {"0_Linear.": "0_LinearFoo.", "1_LIF.": "1_LIFFoo."})
    with pytest.raises(UnknownAttributeError, match="0_LinearFoo"):
        _jax_net().load(path)
    monkeypatch.setattr(_checkpoint, "_FLAVOUR_SUFFIXES", set(_checkpoint._FLAVOUR_SUFFIXES))
    monkeypatch.setattr(_checkpoint, "_FLAVOUR_PREFIXES", set(_checkpoint._FLAVOUR_PREFIXES))
    _checkpoint.register_flavour_affixes(suffix="Foo", prefix="Foo")
    loaded = Sequential(LinearJax((2, 4), has_bias=True), LIFJax(4)).load(path)
    assert loaded[1].tau_mem.shape == (4,)


def test_torch_names_load_without_registration(tmp_path):
    path = tmp_path / "torch.npz"
    _numpy_net().save(path)
    _rewrite(path, {"0_Linear.": "0_LinearTorch.", "1_LIF.": "1_LIFTorch."})
    loaded = Sequential(LinearJax((2, 4), has_bias=True), LIFJax(4)).load(path)
    assert loaded[1].tau_mem.shape == (4,)


def test_user_names_are_compared_as_given(tmp_path):
    from collections import OrderedDict

    Sequential(OrderedDict(inputJax=LinearJax((2, 3)))).save(tmp_path / "n.npz")
    with pytest.raises(UnknownAttributeError, match=r"Missing keys: \['parameters/input.weight'"):
        Sequential(OrderedDict(input=Linear((2, 3)))).load(tmp_path / "n.npz")
