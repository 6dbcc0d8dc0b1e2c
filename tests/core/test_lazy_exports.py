"""Packages with lazily imported attributes: each listed name resolves, unknown ones fail."""

from __future__ import annotations

import importlib

import pytest

from shoal.backend._lazy import lazy_attribute

PACKAGES = ("shoal", "shoal.transform", "shoal.training")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_in_all_resolves(package):
    pytest.importorskip("jax")  # some exports are JAX tools
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, name


@pytest.mark.parametrize("package", PACKAGES)
def test_an_unknown_name_raises_attribute_error_naming_the_package(package):
    module = importlib.import_module(package)
    with pytest.raises(AttributeError, match=rf"^module '{package}' has no attribute 'nope'$"):
        module.nope
    assert not hasattr(module, "nope")


def test_lazy_attribute_imports_exports_and_submodules():
    exports = {"lcm": "math"}
    assert (
        lazy_attribute("shoal.training", "lcm", exports, ()) is importlib.import_module("math").lcm
    )
    submodule = lazy_attribute("shoal.training", "jax_loss", {}, ("jax_loss",))
    assert submodule is importlib.import_module("shoal.training.jax_loss")
    with pytest.raises(AttributeError, match=r"^module 'pkg' has no attribute 'lcm'$"):
        lazy_attribute("pkg", "lcm", {}, ("jax_loss",))


def test_submodules_resolve_to_the_same_objects_as_a_plain_import():
    import shoal
    import shoal.transform

    assert shoal.timeseries is importlib.import_module("shoal.timeseries")
    assert shoal.transform.quantize_methods is importlib.import_module(
        "shoal.transform.quantize_methods"
    )
    assert shoal.training.spike_loss is importlib.import_module("shoal.training.spike_loss")
