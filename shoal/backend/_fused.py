"""The NumPy backend's fast paths: fused compiled loops, and BLAS threads only where they pay.

**Fused loops.** A dynamics module may name, in ``FUSED_SCAN``, a module of
:mod:`shoal.dynamics._fused` whose kernels run its time loop compiled (the same equations as
its ``step``). :func:`fused_simulate` (the whole call from the raw input) and
:func:`fused_scan` (the loop over ``prepare``'s output) use them when numba is installed
(``pip install "shoal[numba]"``) and the switch is on; otherwise, or for a configuration the
kernels do not cover (they return ``None``), the generic route of ``NumpyBackend`` runs.
Why selected here and not by the model classes: the kernel is a property of the *equations*
(``lif.step`` also serves LIFBitshift), and whether it may run is a property of the *backend*
(NumPy arrays, numba present); the models, ``simulate`` and the other backends stay unaware.
numba is imported on the first fused call, never by ``import shoal``.

**BLAS threads** (:mod:`shoal.backend._blas_threads`): one thread around per-step loops
(:func:`single_threaded_blas`); recurrent LIF uses more cores by running blocks of batch rows
on separate workers instead (:mod:`shoal.dynamics._fused.lif_recurrent`). Large one-off
products, such as a ``Linear`` layer's GEMM over all time steps, keep every thread; in a
``Sequential`` a ``Linear`` before LIF or Rate is instead computed block by block inside the
neuron's pass, each block on one thread, the rows shared over the cores
(:func:`fused_projected`).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
from collections.abc import Iterator
from typing import Any

from shoal.backend._blas_threads import single_threaded_blas

__all__ = [
    "fused_kernels",
    "fused_kernels_enabled",
    "fused_projected",
    "fused_scan",
    "fused_simulate",
    "single_threaded_blas",
    "takes_projection",
]

#: Environment switch: ``SHOAL_FUSED=0`` turns the fused kernels off for the whole process.
ENVIRONMENT_SWITCH = "SHOAL_FUSED"

_switch = {"enabled": os.environ.get(ENVIRONMENT_SWITCH, "1") != "0"}
_available: dict[str, bool] = {}


def _installed(module: str) -> bool:
    if module not in _available:
        _available[module] = importlib.util.find_spec(module) is not None
    return _available[module]


def fused_kernels_enabled() -> bool:
    """True when NumPy modules use the fused kernels: numba is installed and the switch is on."""
    return _switch["enabled"] and _installed("numba")


@contextlib.contextmanager
def fused_kernels(enabled: bool) -> Iterator[None]:
    """Turn the fused kernels on or off inside a ``with`` block (e.g. to compare both paths).

    Args:
        enabled: ``False`` runs every NumPy module through the generic loop. ``True`` uses the
            kernels where numba is installed (it never makes numba appear).

    Raises:
        TypeError: ``enabled`` is not a bool.
    """
    with switched(_switch, "shoal.backend.fused_kernels", enabled):
        yield


@contextlib.contextmanager
def switched(switch: dict[str, bool], owner: str, enabled: bool) -> Iterator[None]:
    """``switch["enabled"] = enabled`` inside a ``with`` block, restored after it.

    Raises:
        TypeError: ``enabled`` is not a bool (named as ``owner``'s argument).
    """
    if not isinstance(enabled, bool):
        raise TypeError(f"{owner}: expected enabled to be a bool, got {type(enabled).__name__}")
    previous = switch["enabled"]
    switch["enabled"] = enabled
    try:
        yield
    finally:
        switch["enabled"] = previous


def _kernels(dynamics: Any) -> Any:
    """The fused kernel module ``dynamics`` names, or ``None`` (none named, or switched off)."""
    name = getattr(dynamics, "FUSED_SCAN", None)
    if name is None or not fused_kernels_enabled():
        return None
    return importlib.import_module(name)


def fused_simulate(
    backend: Any, dynamics: Any, config: Any, params: Any, state: Any, inputs: Any, record: bool
) -> tuple[Any, Any, dict[str, Any]] | None:
    """The dynamics' whole ``simulate`` as one fused loop over the raw input, or ``None``.

    Used before ``simulate``'s generic route: the kernel reads the module's batch-major input
    as it is and forms ``prepare``'s per-step products itself, so no ``(T, B, N)`` prepared
    copy, transposition or output pass is made. The kernel module decides (and draws the noise)
    only once it covers the call, so a ``None`` leaves NumPy's generator untouched.

    Returns:
        ``(outputs (B, T, ...), final_state, records (B, T, ...))``, or ``None``.
    """
    kernels = _kernels(dynamics)
    entry = None if kernels is None else getattr(kernels, "simulate", None)
    if entry is None:
        return None
    return entry(backend, dynamics, config, params, state, inputs, record)  # type: ignore[no-any-return]


def fused_scan(
    dynamics: Any, config: Any, consts: Any, state: Any, xs: Any, record: bool
) -> tuple[Any, Any, dict[str, Any]] | None:
    """The dynamics' fused loop over ``prepare``'s output, or ``None`` for the generic loop.

    The route of dynamics whose kernel module has a ``scan`` (ExpSyn; Rate with noise); LIF
    and Rate otherwise run through :func:`fused_simulate`.

    Returns:
        ``(final_state, ys, records)`` as ``NumpyBackend.scan`` returns them, or ``None``.
    """
    kernels = _kernels(dynamics)
    entry = None if kernels is None else getattr(kernels, "scan", None)
    if entry is None:
        return None
    # One BLAS thread here too: after a large product (a Linear layer just before), idle
    # OpenBLAS workers keep spinning on the cores the single-threaded kernel needs.
    with single_threaded_blas():
        return entry(config, consts, state, xs, record)  # type: ignore[no-any-return]


def takes_projection(dynamics: Any) -> bool:
    """Whether :func:`fused_projected` runs ``dynamics`` (its kernels take a ``feed``)."""
    kernels = _kernels(dynamics)
    return kernels is not None and getattr(kernels, "TAKES_FEED", False)


def fused_projected(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    projection: tuple[Any, Any],
) -> tuple[Any, Any, dict[str, Any]] | None:
    """``simulate`` of ``dynamics`` on ``inputs @ weight + bias``, the projection never stored.

    See :mod:`shoal.dynamics._fused.projected`. ``None`` where the kernels do not cover the
    call (then nothing, noise included, was drawn).

    Returns:
        ``(outputs (B, T, ...), final_state, {})``, or ``None``.
    """
    if not takes_projection(dynamics):
        return None
    from shoal.dynamics._fused import projected  # imports numba: only on a fused call

    return projected.simulate(
        backend, _kernels(dynamics), dynamics, config, params, state, inputs, projection
    )
