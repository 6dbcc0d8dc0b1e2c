"""JAX backend: ``lax.scan`` over time, compiled once per shape and configuration.

Importing this module imports JAX; only :mod:`shoal.nn.modules.jax` does so.
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from shoal.backend._inputs import numpy_input, refuse_vector
from shoal.backend._interface import StepFunction
from shoal.backend._jax_bptt import training_simulate
from shoal.backend._jax_bptt_switch import with_forward_mode_fallback
from shoal.backend._jax_cpu import cpu_simulate
from shoal.backend._jax_forward import forward_loop
from shoal.backend.simulate import simulate, simulate_forward
from shoal.backend.surrogates import Surrogate, step_pwl
from shoal.dynamics._spikes import spike_counts

__all__ = ["JAX", "JaxBackend", "spike"]


@partial(jax.custom_jvp, nondiff_argnums=(2, 3))
def spike(v: Any, threshold: Any, max_spikes: Any, surrogate: Surrogate) -> Any:
    """:func:`~shoal.dynamics._spikes.spike_counts` with the surrogate's JVP."""
    return spike_counts(jnp, v, threshold, max_spikes)


@spike.defjvp
def _spike_jvp(max_spikes: Any, surrogate: Surrogate, primals: Any, tangents: Any) -> Any:
    v, threshold = primals
    v_dot, threshold_dot = tangents
    d_v, d_threshold = surrogate.partials(jnp, v, threshold)
    return spike(v, threshold, max_spikes, surrogate), d_v * v_dot + d_threshold * threshold_dot


_ARRAY_TYPES = (jax.Array, np.ndarray)

# True while a module call whose arrays are all concrete is traced (see `forward_only`).
_FORWARD_ONLY = contextvars.ContextVar("shoal_jax_forward_only", default=False)


class JaxBackend:
    """The :class:`~shoal.backend.Backend` of JAX modules: ``lax.scan``, compiled, float32.

    Float data computes in float32 (float64 only with ``jax_enable_x64`` and float64 data).
    """

    name = "jax"
    xp = jnp
    label = "JAX"
    accepts_tracers = True
    mutates_on_evolve = False
    # Opt-in (off): dynamics that allow it (``PREPARE_PER_STEP``) would prepare each step inside
    # the compiled loop, so a single-batch call allocates no (T, 1, N) prepared copy of its
    # input (see simulate.py; (e): peak RSS growth 542-607 -> 195 MiB). Off because, although
    # the forward numbers are bit-identical, gradients differ by float32 rounding (1 ulp) and
    # that changed the README training example's final loss from 0.03 to 0.08. `materialise`
    # (a fusion barrier) is what keeps the forward numbers identical. Concrete calls, which
    # nothing differentiates, get this and more without the flag (`forward_only`).
    prepare_in_loop = False

    def __init__(self) -> None:
        # One program per shape, dynamics and configuration; the backend itself is static.
        self._simulate = self.compile(
            simulate, static_argnames=("backend", "dynamics", "config", "record", "training_loop")
        )
        self._simulate_forward = self.compile(
            simulate_forward, static_argnames=("backend", "dynamics", "config")
        )

    # ------------------------------------------------------------------ forward-only calls
    @staticmethod
    @contextlib.contextmanager
    def forward_only(enabled: bool = True) -> Iterator[None]:
        """Trace a call that nothing differentiates: modules may take the forward-only loop.

        Set by a module call whose arrays are all concrete (no tracer anywhere: no ``grad``,
        ``jit`` or ``vmap`` of the caller can reach its result), and kept by the calls nested
        in it. Its numbers are the traced path's to float32 rounding; see
        :func:`~shoal.backend.simulate.simulate_forward`. ``enabled=False`` switches it off
        for a nested trace (the flag is part of each compiled call's cache key, never a
        context that a cached program could have been traced in).
        """
        token = _FORWARD_ONLY.set(enabled)
        try:
            yield
        finally:
            _FORWARD_ONLY.reset(token)

    @staticmethod
    def is_forward_only() -> bool:
        """Whether the call being traced is forward-only (see :meth:`forward_only`)."""
        return _FORWARD_ONLY.get()

    def __repr__(self) -> str:
        return "JaxBackend()"

    # ------------------------------------------------------------------ time loop
    @staticmethod
    def scan(
        step: StepFunction, state: Any, xs: Any, record: bool
    ) -> tuple[Any, Any, dict[str, Any]]:
        # The loop reads 2-D (T, everything else) inputs and gives each step its own shape
        # back (a free reshape): given a (T, 1, 1, N) input, XLA's layout assignment picks a
        # permuted layout for the size-1 axes and then copies the whole array into the layout
        # the loop reads, a pass over a fresh (T, B, N) buffer each call (200 MB on (e)).
        step_shapes = jax.tree_util.tree_map(lambda x: x.shape[1:], xs)
        flat_xs = jax.tree_util.tree_map(lambda x: jnp.reshape(x, (x.shape[0], -1)), xs)

        def body(carry: Any, flat_x_t: Any) -> tuple[Any, Any]:
            x_t = jax.tree_util.tree_map(jnp.reshape, flat_x_t, step_shapes)
            carry, y, rec = step(carry, x_t)
            return carry, (y, rec if record else None)

        final, (ys, records) = lax.scan(body, state, flat_xs)
        return final, ys, (records or {}) if record else {}

    forward_loop = staticmethod(forward_loop)
    training_simulate = staticmethod(training_simulate)  # LIF's custom_vjp loop (_jax_bptt)

    @staticmethod
    def materialise(values: Any) -> Any:
        """``values`` computed before whatever uses them: XLA fuses nothing across the barrier."""
        return lax.optimization_barrier(values)

    @staticmethod
    def spike(v: Any, threshold: Any, max_spikes: Any, surrogate: Surrogate = step_pwl) -> Any:
        """Multi-spike counts whose JVP is ``surrogate``'s (default ``StepPWL``)."""
        return spike(v, threshold, max_spikes, surrogate)

    # ------------------------------------------------------------------ randomness
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

    # ------------------------------------------------------------------ compilation
    @staticmethod
    def compile(
        function: Callable[..., Any], static_argnames: Sequence[str] = ()
    ) -> Callable[..., Any]:
        """``jax.jit(function)``: compiled once per shape/dtype and static arguments."""
        return jax.jit(function, static_argnames=tuple(static_argnames))

    def simulate(
        self,
        dynamics: Any,
        config: Any,
        params: Any,
        state: Any,
        inputs: Any,
        rng_key: Any,
        record: bool,
    ) -> tuple[Any, Any, Any, dict[str, Any]]:
        """Run :func:`~shoal.backend.simulate.simulate`, compiled and cached.

        Forward-only calls without records run
        :func:`~shoal.backend.simulate.simulate_forward` instead where the dynamics allow it.
        Others offer LIF's loop to :attr:`training_simulate` (a ``custom_vjp``, see
        :mod:`shoal.backend._jax_bptt`) while :func:`~shoal.backend.jax_fused_grad` is on.
        """
        if not record and self.is_forward_only():
            # Concrete CPU arrays: the NumPy engine's fused loop (shoal/backend/_jax_cpu.py).
            result = cpu_simulate(dynamics, config, params, state, inputs, rng_key)
            if result is not None:
                return result
        if not record and self.takes_forward_loop(dynamics):
            return self.simulate_projected(dynamics, config, params, state, inputs, rng_key)

        def run(fused: bool) -> Any:
            return self._simulate(
                self, dynamics, config, params, state, inputs, rng_key, record, training_loop=fused
            )

        return with_forward_mode_fallback(run)  # type: ignore[no-any-return]

    def takes_forward_loop(self, dynamics: Any) -> bool:
        """Whether a call of ``dynamics`` without records runs the forward-only loop now."""
        return self.is_forward_only() and getattr(dynamics, "PREPARE_PER_STEP", False)

    def takes_projection(self, dynamics: Any) -> bool:
        """Whether :meth:`simulate_projected` runs ``dynamics`` as one loop now (forward-only)."""
        return self.takes_forward_loop(dynamics)

    def simulate_projected(
        self,
        dynamics: Any,
        config: Any,
        params: Any,
        state: Any,
        inputs: Any,
        rng_key: Any,
        projection: tuple[Any, Any] | None = None,
    ) -> tuple[Any, Any, Any, dict[str, Any]]:
        """:func:`~shoal.backend.simulate.simulate_forward`, compiled and cached.

        ``projection`` is ``(weight, bias or None)``, the ``Linear`` whose output feeds the
        dynamics, applied one step at a time inside the loop. Concrete CPU calls run on the
        NumPy engine (:mod:`shoal.backend._jax_cpu`), which also takes dynamics without the
        forward-only loop; should it decline one of those, ``Linear``'s product and
        :meth:`simulate` run instead.
        """
        if self.is_forward_only():
            result = cpu_simulate(dynamics, config, params, state, inputs, rng_key, projection)
            if result is not None:
                return result
        if projection is not None and not getattr(dynamics, "PREPARE_PER_STEP", False):
            weight, bias = projection
            projected = (inputs.reshape(-1, inputs.shape[-1]) @ weight).reshape(
                *inputs.shape[:-1], weight.shape[-1]
            )
            projected = projected if bias is None else projected + bias
            return self.simulate(dynamics, config, params, state, projected, rng_key, False)
        return self._simulate_forward(  # type: ignore[no-any-return]
            self, dynamics, config, params, state, inputs, rng_key, projection
        )

    # ------------------------------------------------------------------ arrays and dtypes
    @staticmethod
    def is_array(value: Any) -> bool:
        return isinstance(value, (jax.Array, jax.core.Tracer))

    @staticmethod
    def is_tracer(value: Any) -> bool:
        return isinstance(value, jax.core.Tracer)

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> Any:
        return jnp.asarray(value, dtype=dtype)

    @staticmethod
    def to_numpy(value: Any) -> np.ndarray:
        return np.asarray(value)

    @staticmethod
    def coerce(value: Any, current: Any, static: bool) -> Any:
        """Store numeric data as ``jax.Array``, keeping an existing float attribute's dtype."""
        if value is None or not isinstance(value, (numbers.Number, list, tuple, *_ARRAY_TYPES)):
            return value  # callables, strings and other configuration stay as they are
        if static and not isinstance(value, _ARRAY_TYPES):
            return value  # Python scalars are static configuration, not traced leaves
        array = jnp.asarray(value)
        if isinstance(current, jax.Array) and current.dtype.kind == "f":
            dtype = current.dtype
        elif array.dtype.kind in "bi" or (
            jnp.issubdtype(array.dtype, jnp.floating) and array.dtype.itemsize < 4
        ):
            # Booleans, signed integers, float16 and bfloat16 compute in the default float
            # (float32; float64 only with x64 on): half precision would silently degrade the
            # dynamics. Unsigned integers are kept: they are PRNG keys.
            dtype = jnp.result_type(float)
        else:
            dtype = array.dtype
        # An explicit dtype also drops JAX's weak type (Python scalars are weakly typed), so
        # values updated by an optimiser keep the same abstract type and jit does not retrace.
        return jnp.asarray(array, dtype=dtype)

    @staticmethod
    def input_dtype(values: Sequence[Any]) -> Any:
        dtypes = [v.dtype for v in values if isinstance(v, jax.Array) and v.dtype.kind == "f"]
        return jnp.result_type(*dtypes) if dtypes else jnp.result_type(float)

    @staticmethod
    def input_array(owner: str, data: Any, dtype: Any) -> Any:
        if isinstance(data, jax.Array):
            if data.dtype.kind not in "biuf":
                raise TypeError(
                    f"{owner}: expected numeric input, got an array of dtype {data.dtype}"
                )
            refuse_vector(owner, data)
            return data.astype(dtype)
        return jnp.asarray(numpy_input(owner, data, dtype), dtype=dtype)


JAX = JaxBackend()
# The compiled driver, by name for the regression guards that count its compilations.
_compiled_simulate = JAX._simulate
