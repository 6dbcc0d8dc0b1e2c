"""Debug mode: check every module call for NaN/inf and name the module where it first appears.

Off by default (the checks cost a pass over every array). Switch it on globally with
``shoal.debug_mode(True)``, for a block with ``with shoal.debug_mode():``, or for a whole run
with the environment variable ``SHOAL_DEBUG=1``.

Checks run on concrete values: every eager call, NumPy or JAX (JAX modules run compiled inside
but return concrete arrays). Inside a user's ``jax.jit`` the values are abstract and are not
checked; use JAX's own ``jax.config.update("jax_debug_nans", True)`` there.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from shoal.backend import is_tracer

__all__ = ["NonFiniteError", "check_finite", "debug_enabled", "debug_mode"]

_state = {"enabled": os.environ.get("SHOAL_DEBUG", "").strip() not in ("", "0", "false")}


class NonFiniteError(FloatingPointError, ValueError):
    """A NaN or inf appeared in a module's input, output or state (debug mode)."""


def debug_enabled() -> bool:
    """Whether debug mode is on."""
    return _state["enabled"]


class debug_mode:
    """Switch debug mode on (or off): ``debug_mode(True)``, or ``with debug_mode(): ...``.

    Called, it sets the mode and remembers the previous one; used as a context manager, it
    restores the previous mode on exit.
    """

    def __init__(self, enabled: bool = True) -> None:
        self._previous = _state["enabled"]
        _state["enabled"] = bool(enabled)

    def __enter__(self) -> debug_mode:
        return self

    def __exit__(self, *exc: object) -> None:
        _state["enabled"] = self._previous


def _first_non_finite(value: Any, where: str) -> str | None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            found = _first_non_finite(item, f"{where}['{key}']")
            if found is not None:
                return found
        return None
    if isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            found = _first_non_finite(item, f"{where}[{index}]")
            if found is not None:
                return found
        return None
    if value is None or is_tracer(value) or callable(value):
        return None
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "fc" or np.all(np.isfinite(array)):
        return None
    bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
    return f"{where} ({bad} non-finite value{'s' if bad != 1 else ''})"


def check_finite(path: str, what: str, value: Any) -> None:
    """Raise :class:`NonFiniteError` naming ``path`` if ``value`` holds NaN or inf."""
    found = _first_non_finite(value, what)
    if found is not None:
        raise NonFiniteError(f"{path}: NaN or inf in {found} (debug mode)")
