"""JAX backend: ``lax.scan`` over time, compiled once per shape and configuration.

Importing this module imports JAX; only :mod:`shoal.nn.modules.jax` does so.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from shoal.backend.numpy_backend import NumpyBackend
from shoal.backend.simulate import simulate
from shoal.backend.surrogates import Surrogate, step_pwl

__all__ = ["JAX", "JaxBackend", "spike"]


@partial(jax.custom_jvp, nondiff_argnums=(2, 3))
def spike(v: Any, threshold: Any, max_spikes: Any, surrogate: Surrogate) -> Any:
    """Multi-spike counts ``clip(floor(v/θ), 0, max)`` where ``v ≥ θ``, with a surrogate JVP."""
    counts = jnp.floor(v / threshold) * (v >= threshold)
    return jnp.clip(counts, 0.0, max_spikes)


@spike.defjvp
def _spike_jvp(max_spikes: Any, surrogate: Surrogate, primals: Any, tangents: Any) -> Any:
    v, threshold = primals
    v_dot, threshold_dot = tangents
    d_v, d_threshold = surrogate.partials(jnp, v, threshold)
    return spike(v, threshold, max_spikes, surrogate), d_v * v_dot + d_threshold * threshold_dot


class JaxBackend(NumpyBackend):
    """Array operations for JAX modules (the interface of :class:`~shoal.backend.NumpyBackend`).

    Every method is overridden; only :meth:`simulate` is shared, with the compiled driver.
    """

    name = "jax"
    xp = jnp

    def __repr__(self) -> str:
        return "JaxBackend()"

    @staticmethod
    def scan(
        step: Callable[[Any, Any], tuple[Any, Any, dict[str, Any] | None]],
        state: Any,
        xs: Any,
        record: bool,
    ) -> tuple[Any, Any, dict[str, Any]]:
        def body(carry: Any, x_t: Any) -> tuple[Any, Any]:
            carry, y, rec = step(carry, x_t)
            return carry, (y, rec if record else None)

        final, (ys, records) = lax.scan(body, state, xs)
        return final, ys, (records or {}) if record else {}

    @staticmethod
    def spike(v: Any, threshold: Any, max_spikes: Any, surrogate: Surrogate = step_pwl) -> Any:
        return spike(v, threshold, max_spikes, surrogate)

    @staticmethod
    def normal(key: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        return jax.random.normal(key, shape, dtype)

    @staticmethod
    def initial_key(owner: str, rng_key: Any) -> Any:
        """The stored key: ``split(rng_key)[1]``; a random seed when ``rng_key`` is ``None``."""
        if rng_key is None:
            rng_key = jax.random.PRNGKey(np.random.randint(0, 2**63))
        key = jnp.asarray(rng_key)
        if key.shape != (2,) or key.dtype.kind not in "iu":
            raise ValueError(
                f"{owner}: `rng_key` must be a JAX PRNG key of shape (2,) (jax.random.PRNGKey), "
                f"got shape {key.shape} and dtype {key.dtype}"
            )
        return jax.random.split(key.astype(jnp.uint32))[1]

    @staticmethod
    def split_key(key: Any) -> tuple[Any, Any]:
        keys = jax.random.split(key)
        return keys[0], keys[1]


_compiled_simulate = jax.jit(simulate, static_argnames=("backend", "dynamics", "config", "record"))

JaxBackend._run = staticmethod(_compiled_simulate)
JAX = JaxBackend()
