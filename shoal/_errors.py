"""Exception types and message helpers shared by the whole package.

Every exception subclasses the matching built-in (``ValueError``, ``TypeError``, ``KeyError``)
so that code written against Rockpool's behaviour keeps catching what it caught before.
"""

from __future__ import annotations

import difflib
import os
import sys
import warnings
from collections.abc import Iterable

__all__ = [
    "DeviceMismatchError",
    "EulerStabilityWarning",
    "UnknownAttributeError",
    "UnknownKeywordError",
    "did_you_mean",
    "format_shape",
    "warn_user",
]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class UnknownAttributeError(KeyError):
    """A key that names no registered attribute or submodule (e.g. in ``set_attributes``)."""

    def __str__(self) -> str:
        # KeyError quotes its argument with repr(); a readable message matters more here.
        return str(self.args[0]) if self.args else ""


class UnknownKeywordError(TypeError):
    """A constructor was given a keyword argument it does not accept."""


class DeviceMismatchError(ValueError, RuntimeError):
    """Input that cannot reach the module's device (Torch); torch itself raises RuntimeError."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for a close match among ``candidates``, else ``""``."""
    matches = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{matches[0]}'?)" if matches else ""


def format_shape(shape: object) -> str:
    """Format a shape tuple the way NumPy prints it: ``(4,)``, ``(2, 3)``, ``()``."""
    return str(tuple(shape)) if isinstance(shape, (tuple, list)) else str(shape)


class EulerStabilityWarning(RuntimeWarning):
    """A time step too large for a forward-Euler update (``dt/τ > 1``)."""


def warn_user(message: str, category: type[Warning]) -> None:
    """Issue a warning attributed to the first caller outside the shoal package.

    A fixed ``stacklevel`` would point into shoal's internals whenever the call path differs
    (constructor, assignment, ``set_attributes``).
    """
    frame = sys._getframe(0)
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(message, category, stacklevel=level)
