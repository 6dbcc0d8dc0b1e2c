"""What differs per array library: the array namespace, the time loop, spikes and noise.

Every backend implements :class:`Backend` (:mod:`shoal.backend._interface`); the dynamics in
:mod:`shoal.dynamics` are written once against it. Backends are found through the registry
(:func:`get_backend`); the JAX backend (:mod:`shoal.backend.jax_backend`) is imported only
when a JAX module is used.
"""

from shoal.backend._fused import fused_kernels, fused_kernels_enabled
from shoal.backend._interface import Backend
from shoal.backend._jax_bptt_switch import jax_fused_grad, jax_fused_grad_enabled
from shoal.backend._jax_cpu import jax_cpu_engine, jax_cpu_engine_enabled
from shoal.backend._lazy import require_jax
from shoal.backend._registry import (
    available_backends,
    backend_names,
    get_backend,
    is_tracer,
    register_backend,
)
from shoal.backend._torch_cpu import torch_cpu_engine, torch_cpu_engine_enabled
from shoal.backend.numpy_backend import NUMPY, NumpyBackend, numpy_float_dtype
from shoal.backend.simulate import simulate

__all__ = [
    "NUMPY",
    "Backend",
    "NumpyBackend",
    "available_backends",
    "backend_names",
    "fused_kernels",
    "fused_kernels_enabled",
    "get_backend",
    "is_tracer",
    "jax_fused_grad",
    "jax_fused_grad_enabled",
    "jax_cpu_engine",
    "jax_cpu_engine_enabled",
    "numpy_float_dtype",
    "register_backend",
    "require_jax",
    "simulate",
    "torch_cpu_engine",
    "torch_cpu_engine_enabled",
]
