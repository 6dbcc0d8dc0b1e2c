"""The typed Backend interface and the backend registry."""

import re

import numpy as np
import pytest

from shoal.backend import NUMPY, Backend, backend_names, get_backend
from shoal.backend._interface import Backend as BackendProtocol
from shoal.backend.numpy_backend import NumpyBackend


def _protocol_members():
    return {name for name in vars(BackendProtocol) if not name.startswith("_")}


def test_the_registry_lists_numpy_and_jax():
    assert backend_names()[:2] == ("numpy", "jax")
    assert get_backend("numpy") is NUMPY


def test_an_unknown_backend_name_is_refused_with_the_known_ones():
    with pytest.raises(KeyError, match=re.escape("no backend named 'tensorflow'; registered")):
        get_backend("tensorflow")


def test_numpy_implements_every_member_of_the_interface():
    assert isinstance(NUMPY, Backend)
    for member in _protocol_members():
        assert hasattr(NUMPY, member), member


def test_jax_implements_the_interface_without_inheriting_from_numpy():
    pytest.importorskip("jax")
    jax_backend = get_backend("jax")
    assert isinstance(jax_backend, Backend)
    assert not isinstance(jax_backend, NumpyBackend)
    assert type(jax_backend).__mro__[1:] == (object,)
    for member in _protocol_members():
        assert hasattr(jax_backend, member), member


def test_modules_take_their_dtype_policy_from_the_backend():
    pytest.importorskip("jax")
    from shoal.nn.modules import Rate, RateJax

    assert Rate(2)._backend is NUMPY and Rate(2).tau.dtype == np.float64
    assert RateJax(2)._backend is get_backend("jax")
    assert RateJax(2, tau=np.full(2, 0.03)).tau.dtype == np.float32
    assert NUMPY.coerce([1, 2], None, static=False).dtype == np.float64
    assert NUMPY.coerce(0.001, None, static=True) == 0.001  # dt stays a Python float


def test_combinators_pick_their_flavour_from_the_backend_registry():
    pytest.importorskip("jax")
    from shoal.nn.combinators import JaxSequential, ModSequential, Sequential
    from shoal.nn.combinators._common import _FLAVOURS
    from shoal.nn.modules import Rate, RateJax

    assert type(Sequential(RateJax(2))) is JaxSequential
    assert type(Sequential(Rate(2))) is ModSequential
    assert set(_FLAVOURS) >= {("Sequential", name) for name in ("numpy", "jax")}


def test_no_jax_final_class_sets_evolve_is_traceable_itself():
    pytest.importorskip("jax")
    from shoal.nn.modules import ExpSynJax, LIFJax, LinearJax, RateJax

    for cls in (ExpSynJax, LIFJax, LinearJax, RateJax):
        assert "_evolve_is_traceable" not in cls.__dict__
        assert cls._evolve_is_traceable


def test_the_old_compile_flag_name_is_refused_naming_the_new_one():
    # A model written against the old name would silently lose its compiled calls.
    pytest.importorskip("jax")
    from shoal.nn.modules import RateJax

    with pytest.raises(TypeError, match=r"Old._compile_calls: expected `_evolve_is_traceable`"):

        class Old(RateJax):
            _compile_calls = True


def test_a_new_backend_adds_combinator_flavours_by_registering_classes(monkeypatch):
    # The registry holds classes keyed on the backend name: no class-name strings, no
    # per-class module paths; a third backend registers its own.
    from shoal.nn.combinators import Sequential, _common
    from shoal.nn.combinators.sequential import SequentialBase
    from shoal.nn.modules import Rate

    class FakeBackendRate(Rate):
        _backend = type("FakeBackend", (NumpyBackend,), {"name": "fake", "label": "Fake"})()

    class FakeSequential(SequentialBase):
        _backend = FakeBackendRate._backend

    monkeypatch.setattr(_common, "_FLAVOURS", dict(_common._FLAVOURS))
    _common.register_flavour("Sequential", "fake", FakeSequential)
    assert type(Sequential(FakeBackendRate(2))) is FakeSequential
    assert all(isinstance(found, type) for found in _common._FLAVOURS.values())
