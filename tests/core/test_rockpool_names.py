"""Rockpool's small names (catalogue-2 §9, issue 13 item 3) and a traced ``record`` under jit."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import shoal
from shoal.nn.combinators import FFwdStack, FFwdStackMixin, Sequential, SequentialMixin
from shoal.nn.modules import (
    LIF,
    Linear,
    Rate,
    backend_available,
    missing_backend_shim,
    spike_subtract_threshold,
)


# ---------------------------------------------------------------------------- mixin aliases
def test_mixin_aliases_cover_every_flavour():
    from shoal.nn.combinators.ffwd_stack import FFwdStackMixin as from_ffwd
    from shoal.nn.combinators.sequential import SequentialMixin as from_sequential

    assert from_sequential is SequentialMixin and from_ffwd is FFwdStackMixin
    assert isinstance(Sequential(Rate(2)), SequentialMixin)
    assert isinstance(FFwdStack(Rate(2), Rate(3)), FFwdStackMixin)
    jax_modules = pytest.importorskip("jax") and importlib.import_module("shoal.nn.modules")
    assert isinstance(Sequential(jax_modules.RateJax(2)), SequentialMixin)


# ---------------------------------------------------------------------------- spike functions
def test_spike_subtract_threshold_golden():
    got = spike_subtract_threshold([-3.0, 0.5, 1.0, 2.99, 7.2], 1.0)
    np.testing.assert_array_equal(got, [-0.0, 0.0, 1.0, 2.0, 7.0])
    np.testing.assert_array_equal(
        spike_subtract_threshold([7.2, 100.0], 1.0, max_spikes_per_dt=5), [5.0, 5.0]
    )
    assert spike_subtract_threshold(2.5, 0.5) == 5.0


def test_step_pwl_values_and_surrogate_gradient():
    jax = pytest.importorskip("jax")
    from shoal.nn.modules import step_pwl as exported
    from shoal.nn.modules.jax.lif_jax import step_pwl

    assert exported is step_pwl
    x = jax.numpy.array([0.2, 0.6, 1.0, 2.5, 1e6])
    np.testing.assert_array_equal(step_pwl(x, 1.0), [0.0, 0.0, 1.0, 2.0, 65536.0])
    np.testing.assert_array_equal(step_pwl(x, 1.0, 0.5, 3), [0.0, 0.0, 1.0, 2.0, 3.0])
    # d/dx = [x >= θ − window] / θ; d/dθ = −[x >= θ − window] · x / θ²
    grad_x = jax.vmap(jax.grad(step_pwl), in_axes=(0, None))(x[:4], 2.0)
    np.testing.assert_allclose(grad_x, [0.0, 0.0, 0.0, 0.5])
    assert float(jax.grad(step_pwl)(1.6, 2.0)) == pytest.approx(0.5)
    assert float(jax.grad(step_pwl, argnums=1)(1.6, 2.0)) == pytest.approx(-1.6 / 4)
    # window and max may be traced
    wide = jax.jit(lambda v, w, m: jax.grad(step_pwl)(v, 2.0, w, m))(0.5, 1.6, 10.0)
    assert float(wide) == pytest.approx(0.5)


# ---------------------------------------------------------------------------- backends
def test_backend_available():
    assert backend_available("numpy")
    assert not backend_available("numpy", "no_such_backend_anywhere")
    assert backend_available("jax") == (importlib.util.find_spec("jax") is not None)


def test_missing_backend_shim_message_on_use_and_attribute_read():
    shim = missing_backend_shim("FooJax", "foo")
    message = (
        "Missing the `foo` backend. `FooJax` objects, and others relying on `foo` are not "
        "available."
    )
    with pytest.raises(ModuleNotFoundError) as error:
        shim(3)
    assert str(error.value) == message
    with pytest.raises(ModuleNotFoundError, match="Missing the `foo` backend"):
        shim.some_class_attribute
    assert not isinstance(object(), shim)
    assert shim.__name__ == "FooJax"


def test_list_backends_prints_one_line_per_backend(capsys):
    shoal.list_backends()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Backends available to shoal:"
    assert "numpy: True" in lines
    assert any(line.startswith("torch: ") for line in lines)


def _torch_backend_landed() -> bool:
    return importlib.util.find_spec("shoal.nn.modules.torch") is not None and backend_available(
        "torch"
    )


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("shoal.nn.modules", "LIFTorch"),
        ("shoal.nn.modules", "TorchModule"),
        ("shoal.nn.modules", "UpDownTorch"),
        ("shoal.nn.combinators", "TorchSequential"),
        ("shoal.nn.combinators", "TorchResidual"),
        ("shoal.nn.combinators.ffwd_stack", "TorchFFwdStack"),
    ],
)
def test_torch_placeholders_name_the_extra(package, name):
    if _torch_backend_landed():
        pytest.skip("the Torch backend is installed: the real classes are exported")
    placeholder = getattr(importlib.import_module(package), name)
    with pytest.raises(ImportError, match=rf"`{name}` objects.*pip install 'shoal\[torch\]'"):
        placeholder()


# ---------------------------------------------------------------------------- LIF
def test_lif_simulation_parameters_compare_numerically_across_backends():
    jax_modules = pytest.importorskip("jax") and importlib.import_module("shoal.nn.modules")
    numpy_params = LIF(3).simulation_parameters()
    jax_params = jax_modules.LIFJax(3, surrogate="sigmoid").simulation_parameters()
    assert (
        numpy_params == jax_params == {"dt": 1e-3, "noise_std": 0.0, "max_spikes_per_dt": 65536.0}
    )
    assert jax_modules.LIFJax(3, surrogate="sigmoid").surrogate.slope == 5.0


# ---------------------------------------------------------------------------- traced record
@pytest.mark.parametrize("build", ["rate", "lif", "sequential", "residual"])
def test_jit_of_a_module_with_a_traced_record_gives_full_records(build):
    jax = pytest.importorskip("jax")
    from shoal.nn.combinators import Residual
    from shoal.nn.modules import LIFJax, LinearJax, RateJax

    net = {
        "rate": lambda: RateJax(2),
        "lif": lambda: LIFJax(2),
        "sequential": lambda: Sequential(LinearJax((2, 3)), RateJax(3)),
        "residual": lambda: Residual(LinearJax((2, 2)), LIFJax(2)),
    }[build]()
    x = np.random.default_rng(0).random((1, 10, 2)).astype(np.float32)
    out, _, record = jax.jit(net)(x, record=True)
    eager_out, _, eager_record = net(x, record=True)
    np.testing.assert_allclose(out, eager_out, rtol=1e-6)
    assert jax.tree_util.tree_structure(record) == jax.tree_util.tree_structure(eager_record)
    _, _, positional = jax.jit(net)(x, True)
    assert set(positional) == set(eager_record)
    assert Linear((2, 2))(x)[2] == {}  # NumPy modules are untouched
