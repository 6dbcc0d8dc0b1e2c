"""Weight initialisers ``init(shape) -> np.ndarray`` (NumPy's global generator; float64).

JAX modules convert the result to float32 on registration. Seed with ``np.random.seed`` for
reproducible initial weights.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

__all__ = ["filled", "kaiming", "unit_eigs", "xavier", "zeros"]


def kaiming(shape: Any) -> np.ndarray:
    """He/Kaiming uniform: ``U(−√(6/fan_in), +√(6/fan_in))`` with ``fan_in = shape[0]``."""
    bound = np.sqrt(6.0 / shape[0])
    return np.random.uniform(-bound, bound, size=shape)


def xavier(shape: Any) -> np.ndarray:
    """Glorot/Xavier uniform: ``U(±√(6/(fan_in + fan_out)))`` with ``shape = (fan_in, fan_out)``."""
    bound = np.sqrt(6.0 / (shape[0] + shape[-1]))
    return np.random.uniform(-bound, bound, size=shape)


def unit_eigs(shape: Any) -> np.ndarray:
    """Gaussian matrix scaled so its eigenvalues fill about the unit disc: ``randn(*s)/√s[0]``."""
    return np.random.standard_normal(shape) / np.sqrt(shape[0])


def _filled(value: float, shape: Any) -> np.ndarray:
    return np.full(shape, value, dtype=np.float64)


def filled(value: float) -> partial[np.ndarray]:
    """An initialiser that fills with ``value``. Cached, so equal values give the same object."""
    found = _filled_cache.get(value)
    if found is None:
        found = _filled_cache[value] = partial(_filled, value)
    return found


_filled_cache: dict[float, partial[np.ndarray]] = {}
zeros = filled(0.0)
