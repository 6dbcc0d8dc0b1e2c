"""The module catalogue: base classes, neuron models, helpers.

NumPy classes are imported eagerly; JAX classes (``RateJax``, ``JaxModule``...) are imported on
first access, so ``import shoal.nn.modules`` never imports JAX. Asking for a JAX class without
JAX installed raises an ``ImportError`` that names the extra to install (``shoal[jax]``).
Torch classes (``LIFTorch``, ``TorchModule``...) resolve to shoal's Torch backend when it is
installed, and otherwise to placeholders that raise an ``ImportError`` naming ``shoal[torch]``
when used (see :mod:`shoal.nn.modules._backends`).
"""

from __future__ import annotations

import importlib
from typing import Any

from shoal.backend import require_jax
from shoal.nn.modules._backends import (
    TORCH_MODULE_NAMES,
    backend_available,
    list_backends,
    missing_backend_shim,
    resolve_backend_name,
)
from shoal.nn.modules._spikes import spike_subtract_threshold
from shoal.nn.modules.activations import H_LReLU, H_ReLU, H_sigmoid, H_tanh, sigmoid
from shoal.nn.modules.initialisers import kaiming, unit_eigs, xavier
from shoal.nn.modules.instant import HeavisideStep
from shoal.nn.modules.module import Module
from shoal.nn.modules.native.alif import aLIF
from shoal.nn.modules.native.boolean_state import BooleanState
from shoal.nn.modules.native.butter_filter import ButterFilter, ButterMelFilter
from shoal.nn.modules.native.dropout import TimeStepDropout, UnitDropout
from shoal.nn.modules.native.exp_smooth import ExpSmooth
from shoal.nn.modules.native.exp_syn import ExpSyn
from shoal.nn.modules.native.instant import Instant
from shoal.nn.modules.native.lif import LIF
from shoal.nn.modules.native.lif_bitshift import LIFBitshift
from shoal.nn.modules.native.lif_neuron import LIFNeuron
from shoal.nn.modules.native.linear import Linear
from shoal.nn.modules.native.rate import Rate
from shoal.nn.modules.native.softmax import LogSoftmax, Softmax
from shoal.nn.modules.native.updown import UpDown
from shoal.nn.modules.timed_module import TimedModule, TimedModuleWrapper

# JAX-backed names -> the module that defines them (imported on first use).
_JAX_EXPORTS = {
    "JaxModule": "shoal.nn.modules.jax.jax_module",
    "RateJax": "shoal.nn.modules.jax.rate_jax",
    "RateEulerJax": "shoal.nn.modules.jax.rate_jax",
    "LIFJax": "shoal.nn.modules.jax.lif_jax",
    "aLIFJax": "shoal.nn.modules.jax.alif_jax",
    "LIFNeuronJax": "shoal.nn.modules.jax.lif_neuron_jax",
    "LIFBitshiftJax": "shoal.nn.modules.jax.lif_bitshift_jax",
    "UpDownJax": "shoal.nn.modules.jax.updown_jax",
    "TimeStepDropoutJax": "shoal.nn.modules.jax.dropout_jax",
    "UnitDropoutJax": "shoal.nn.modules.jax.dropout_jax",
    "ExpSmoothJax": "shoal.nn.modules.jax.exp_smooth_jax",
    "SoftmaxJax": "shoal.nn.modules.jax.softmax_jax",
    "LogSoftmaxJax": "shoal.nn.modules.jax.softmax_jax",
    "ExpSynJax": "shoal.nn.modules.jax.exp_syn_jax",
    "LinearJax": "shoal.nn.modules.jax.linear_jax",
    "InstantJax": "shoal.nn.modules.jax.instant_jax",
    "BooleanStateJax": "shoal.nn.modules.jax.boolean_state_jax",
    "step_pwl": "shoal.nn.modules.jax.lif_jax",
}

# NIR bridges (imported on first use; they import the combinators and, when called, `nir`).
_NIR_EXPORTS = {
    "to_nir": "shoal.nn.modules.nir",
    "from_nir": "shoal.nn.modules.nir",
    "NIRConversionError": "shoal.nn.modules.nir",
}

__all__ = [
    "H_LReLU",
    "H_ReLU",
    "H_sigmoid",
    "H_tanh",
    "BooleanState",
    "ButterFilter",
    "ButterMelFilter",
    "ExpSmooth",
    "ExpSyn",
    "HeavisideStep",
    "Instant",
    "LIF",
    "LIFBitshift",
    "LIFNeuron",
    "LogSoftmax",
    "Linear",
    "aLIF",
    "Module",
    "Rate",
    "Softmax",
    "TimedModule",
    "TimedModuleWrapper",
    "TimeStepDropout",
    "UnitDropout",
    "UpDown",
    "backend_available",
    "kaiming",
    "list_backends",
    "missing_backend_shim",
    "spike_subtract_threshold",
    "sigmoid",
    "unit_eigs",
    "xavier",
    *_JAX_EXPORTS,
    *_NIR_EXPORTS,
    *TORCH_MODULE_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _JAX_EXPORTS:
        require_jax(f"shoal.nn.modules.{name}")
        value = getattr(importlib.import_module(_JAX_EXPORTS[name]), name)
        globals()[name] = value
        return value
    if name in _NIR_EXPORTS:
        return getattr(importlib.import_module(_NIR_EXPORTS[name]), name)
    if name in TORCH_MODULE_NAMES:
        return resolve_backend_name(name, "shoal.nn.modules.torch")
    raise AttributeError(f"module 'shoal.nn.modules' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
