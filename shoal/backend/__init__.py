"""What differs per array library: the array namespace, the time loop, spikes and noise.

The dynamics in :mod:`shoal.dynamics` are written once against the small interface of
:class:`~shoal.backend.numpy_backend.NumpyBackend`; the JAX backend
(:mod:`shoal.backend.jax_backend`) is imported only when a JAX module is used.
"""

from shoal.backend._lazy import is_tracer, require_jax
from shoal.backend.numpy_backend import NUMPY, NumpyBackend
from shoal.backend.simulate import simulate

__all__ = ["NUMPY", "NumpyBackend", "is_tracer", "require_jax", "simulate"]
