"""Value rules for the documented attributes of built-in modules.

A built-in model declares the rule where it registers the attribute
(``Parameter(tau, "taus", ..., constraint=TIME_CONSTANT)``); the module checks concrete values
against it on registration, assignment and ``set_attributes``. Family names play no part: they
are user labels, and a user module's own initial values (e.g. zero time constants as a
placeholder) are trusted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "FINITE",
    "NON_NEGATIVE",
    "SPIKE_LIMIT",
    "THRESHOLD",
    "TIME_CONSTANT",
    "Constraint",
    "is_complex",
]


@dataclass(frozen=True)
class Constraint:
    """A rule that every element of a concrete value must satisfy.

    Attributes:
        expected: What a valid value is, for the error message (``"a time constant > 0"``).
        holds: ``holds(array) -> bool array``, true where an element is valid.
        finite: Whether infinities are refused too (NaN is always refused).
    """

    expected: str
    holds: Callable[[np.ndarray], Any]
    finite: bool = True

    def check(self, where: str, array: np.ndarray) -> None:
        """Raise ``ValueError`` naming ``where`` (``"LIF.tau_mem"``) if ``array`` breaks the rule."""
        if np.any(np.isnan(array)) or (self.finite and not np.all(np.isfinite(array))):
            raise ValueError(f"{where}: expected finite values, got {array}")
        if not np.all(self.holds(array)):
            raise ValueError(f"{where}: expected {self.expected}, got {array}")


def _anything(array: np.ndarray) -> bool:
    return True


def _positive(array: np.ndarray) -> Any:
    return array > 0


def _non_negative(array: np.ndarray) -> Any:
    return array >= 0


FINITE = Constraint("finite values", _anything)
TIME_CONSTANT = Constraint("a time constant > 0 (seconds)", _positive)
THRESHOLD = Constraint(
    "a threshold > 0 (θ = 0 gives NaN or a spike burst; θ < 0 never spikes)", _positive
)
NON_NEGATIVE = Constraint("values >= 0", _non_negative)
# An infinite limit is meaningful (no limit); NaN and negative counts are not.
SPIKE_LIMIT = Constraint("a spike count >= 0", _non_negative, finite=False)


def is_complex(value: Any) -> bool:
    """Whether ``value`` holds complex numbers (NumPy, JAX or Torch, without converting it)."""
    if value is None or isinstance(value, (str, bytes)) or callable(value):
        return False
    dtype = getattr(value, "dtype", None)
    if dtype is not None:
        torch_flag = getattr(dtype, "is_complex", None)  # a torch.dtype says it itself
        if isinstance(torch_flag, bool):
            return torch_flag
        return getattr(dtype, "kind", "") == "c"
    try:
        return bool(np.iscomplexobj(np.asarray(value)))
    except (TypeError, ValueError):
        return False
