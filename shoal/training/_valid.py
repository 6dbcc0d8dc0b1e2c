"""Project trained parameters back into the range where the models are exact.

An optimiser moves every leaf by about its learning rate per step, whatever the leaf's units:
with ``optax.adam(1e-2)`` a 20 ms time constant goes below zero in two steps. The dynamics stay
finite whatever happens (see :mod:`shoal.dynamics._guards`), but a time constant at or below
zero is not a neuron any more, and an eager call then refuses it. :func:`clip_to_valid` is the
projection that keeps training in range; :func:`~shoal.training.make_train_step` applies it
after every update by default.
"""

from __future__ import annotations

import importlib
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np

from shoal.nn.modules.module import Module

__all__ = ["MIN_THRESHOLD", "MIN_TAU_STEPS", "clip_to_valid"]

# Smallest time constant, in time steps dt. Below one step a neuron cannot resolve time: Rate's
# Euler step dt/τ is capped at 1 there, and an LIF synapse multiplies its input by
# exp(−dt/τ_syn), which vanishes (e⁻¹⁰ at 0.1·dt), cutting the input and its gradient off.
MIN_TAU_STEPS = 1.0
# Smallest LIF threshold: surrogate gradients scale with 1/θ and 1/θ², which overflow near 0.
MIN_THRESHOLD = 1e-3


def _lower_bounds(module: Module) -> dict[str, Any]:
    """``{attribute: lower bound}`` for a built-in model's constrained parameters."""
    from shoal.nn.modules._simulated import SimulatedModule
    from shoal.nn.modules.lif import LIFBase

    if not isinstance(module, SimulatedModule):
        return {}  # user modules' families are their own labels: no bounds are implied
    bounds: dict[str, Any] = {}
    for name, record in module._registry.items():
        if record.family == "taus":
            bounds[name] = MIN_TAU_STEPS * module.__dict__["dt"]
        elif record.family == "threshold" and isinstance(module, LIFBase):
            bounds[name] = MIN_THRESHOLD
    return bounds


def _maximum(value: Any, bound: Any) -> Any:
    if isinstance(value, (np.ndarray, numbers.Number)):
        return np.maximum(np.asarray(value), bound)
    return importlib.import_module("jax.numpy").maximum(value, bound)


def clip_to_valid(net: Module, params: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``params`` with every time constant and LIF threshold raised into its valid range.

    Bounds come from the modules the parameters belong to: family ``"taus"`` of the built-in
    models is kept ≥ their ``dt`` (one time step: below it Rate's Euler step is capped and an
    LIF synapse passes almost nothing), an LIF ``"threshold"`` ≥ ``1e-3``. Everything
    else (weights, biases, user modules' parameters, keys ``net`` does not know) passes
    through unchanged, so values already in range are returned bit-identical. Works on
    concrete arrays and inside ``jax.jit``.

    Args:
        net: The module the parameters belong to (its structure and ``dt`` give the bounds).
        params: A nested dict such as ``net.parameters()`` or a family subset of it.

    Returns:
        A new nested dict of the same structure.

    Examples:
        >>> from shoal.nn.modules import LIF
        >>> clip_to_valid(LIF(2), {"tau_mem": np.array([-0.01, 0.02])})["tau_mem"]
        array([0.001, 0.02 ])
    """
    bounds = _lower_bounds(net)
    submodules = net.modules()
    out: dict[str, Any] = {}
    for key, value in params.items():
        if key in submodules and isinstance(value, Mapping):
            out[key] = clip_to_valid(submodules[key], value)
        elif key in bounds and value is not None:
            out[key] = _maximum(value, bounds[key])
        else:
            out[key] = value
    return out
