"""Shared by the second catalogue's worked-example tests: the flavour fixture, the comparison.

NumPy (float64) matches the printed digits (relative 1e-5). JAX is run twice: in float64
(``jax_enable_x64``), to the same digits, and in its default float32, to float32's precision
after a few steps of cancellation (relative 1e-4).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from .registry import catalogue

ATOL = 1e-6  # for entries printed as exact zeros


@pytest.fixture(name="flavour", params=["numpy", "jax64", "jax32"])
def flavour_fixture(request: pytest.FixtureRequest) -> Iterator[tuple[Any, float]]:
    """``(catalogue, rtol)``; the JAX float64 run keeps x64 on for the whole test."""
    jax = pytest.importorskip("jax")
    if request.param == "numpy":
        yield catalogue("numpy"), 1e-5
    elif request.param == "jax64":
        with jax.enable_x64(True):
            yield catalogue("jax"), 1e-5
    else:
        yield catalogue("jax"), 1e-4


def close(actual: Any, expected: Any, rtol: float) -> None:
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=ATOL)
