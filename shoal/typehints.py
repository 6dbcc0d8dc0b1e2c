"""Type aliases used in signatures across shoal."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FloatVector", "P_Callable", "P_float", "P_int", "P_ndarray", "Tree"]

#: Any array-like of floats (NumPy or JAX array, list, scalar).
FloatVector = float | np.ndarray | Any
#: A nested dict of parameters or state, as returned by ``Module.parameters()``.
Tree = dict[str, Any]
P_int = int
P_float = float
P_ndarray = np.ndarray
P_Callable = Any
