"""Shared fixtures. JAX flags are set here, once; tests needing float64 JAX use ``x64``."""

from __future__ import annotations

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
