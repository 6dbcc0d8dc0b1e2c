"""Debug mode: check every module call for NaN/inf and name the module where it first appears.

Off by default (the checks cost a pass over every array). Switch it on globally with
``shoal.debug_mode(True)``, for a block with ``with shoal.debug_mode():``, or for a whole run
with the environment variable ``SHOAL_DEBUG=1``.

Eager calls, NumPy or JAX, check concrete values. Inside ``jax.jit``/``grad``/``vmap`` the
values are abstract: there each module call places an ordered ``jax.debug.callback`` per
input, parameter tree, state and output, which checks the values on the host when the compiled
program runs and raises :class:`NonFiniteError` naming the module path and the parameter
(``JaxSequential.1_LIFJax: NaN or inf in parameters['tau_mem']``). JAX re-raises it from the
jitted call as a ``jax.errors.JaxRuntimeError`` whose message holds that text. Normal runs pay
nothing: without debug mode no callback is traced. The mode is read when a function is traced,
so switch it on before the first call of a jitted function (or call ``jax.clear_caches()``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import partial
from typing import Any

import numpy as np

from shoal.backend import is_tracer
from shoal.backend._inputs import host_array

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
        array = host_array(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "fc" or np.all(np.isfinite(array)):
        return None
    bad = int(np.size(array) - np.count_nonzero(np.isfinite(array)))
    return f"{where} ({bad} non-finite value{'s' if bad != 1 else ''})"


def _traced_floats(value: Any, where: str, out: list[tuple[str, Any]]) -> None:
    """Collect ``(where, tracer)`` for every traced float array in a nested value."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            _traced_floats(item, f"{where}['{key}']", out)
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            _traced_floats(item, f"{where}[{index}]", out)
    elif is_tracer(value) and np.dtype(value.dtype).kind in "fc":
        out.append((where, value))


def _check_on_host(path: str, wheres: tuple[str, ...], *arrays: Any) -> None:
    for where, array in zip(wheres, arrays):
        found = _first_non_finite(host_array(array), where)
        if found is not None:
            raise NonFiniteError(f"{path}: NaN or inf in {found} (debug mode, inside jit)")


def check_finite(path: str, what: str, value: Any) -> None:
    """Raise :class:`NonFiniteError` naming ``path`` if ``value`` holds NaN or inf.

    Concrete values are checked now; traced ones (inside ``jit``/``grad``) by an ordered
    ``jax.debug.callback`` when the program runs.
    """
    found = _first_non_finite(value, what)
    if found is not None:
        raise NonFiniteError(f"{path}: NaN or inf in {found} (debug mode)")
    traced: list[tuple[str, Any]] = []
    _traced_floats(value, what, traced)
    if traced:
        import jax  # only reached with tracers, so JAX is already imported

        wheres = tuple(where for where, _ in traced)
        check = partial(_check_on_host, path, wheres)
        jax.debug.callback(check, *(array for _, array in traced), ordered=True)
