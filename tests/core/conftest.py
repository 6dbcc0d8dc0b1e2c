"""Helpers shared by the core tests: bit-identical snapshots of a module's attributes."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest


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
