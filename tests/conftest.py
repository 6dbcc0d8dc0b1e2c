"""Shared fixtures. JAX flags are set here, once; tests needing float64 JAX use ``x64``.

``snapshot`` gives bit-identical snapshots of a module's attributes, for the "a failed call
leaves the module unchanged" checks.
"""

from __future__ import annotations

import copy
import tracemalloc
from typing import Any

import numpy as np
import pytest


@pytest.fixture
def x64():
    """Run a test with ``jax_enable_x64`` on (for NumPy-vs-JAX 1e-10 equivalence)."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        yield


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(1234)


def _freeze(tree: Any) -> Any:
    """A deep, NumPy-only copy of a nested dict of attribute values (callables kept by identity)."""
    if isinstance(tree, dict):
        return {key: _freeze(value) for key, value in tree.items()}
    if callable(tree):
        return tree
    if hasattr(tree, "dtype") or isinstance(tree, (list, tuple, float, int)):
        array = np.array(tree, copy=True)
        return (array.dtype, array.shape, array.tobytes(), type(tree).__name__)
    return copy.deepcopy(tree)


def snapshot_of(module: Any) -> Any:
    """Everything a failed call must leave untouched: every registered value, names, shape."""
    return (
        _freeze(module.parameters()),
        _freeze(module.state()),
        _freeze(module.simulation_parameters()),
        module.shape,
        module.name,
        repr(module),
    )


@pytest.fixture
def snapshot():
    return snapshot_of


def _peak_python_bytes(fn: Any) -> int:
    """Peak bytes allocated through Python's allocator (NumPy arrays included) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def peak_bytes():
    return _peak_python_bytes
