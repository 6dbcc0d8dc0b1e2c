"""Concrete JAX calls on the CPU, run by the NumPy engine (fused numba loops) on the same memory.

A JAX module call that nothing can differentiate (no tracer anywhere: see
``JaxBackend.forward_only``) needs XLA for nothing: on the CPU its ``lax`` loop costs a few
microseconds of runtime per step and every ``(T, B, N)`` temporary is a fresh buffer whose page
faults cost as much as the arithmetic, while the NumPy backend runs the *same* ``step`` as one
numba kernel over the raw input (:mod:`shoal.backend._fused`). So :func:`cpu_simulate` runs
``simulate`` there: JAX's CPU buffers are read as NumPy views (``np.asarray``, no copy), the
results come back as JAX arrays on the same device. Measured (2 cores, float32; see
``benchmarks/README.md``): LIF alone, B 1, T 100 000 (workload e) and ``Linear → LIF``
(workload a) run faster than the compiled loop; recurrent LIF does not (the engine's loop over
time is Python there, one BLAS product per step), so it stays on XLA.

Noise is drawn by ``jax.random`` from the module's key, exactly as the XLA path draws it, and
handed to the engine: a seeded module gives the same numbers on either path, and the returned
key is the same. A ``Linear → neuron`` pair (``JaxBackend.simulate_projected``) runs as NumPy's
``simulate_projected``: the product per block of batch rows, consumed by the neuron's kernel at
once, never stored whole.

It runs when all of these hold, and otherwise returns ``None`` (XLA runs the call as before):

* the switch is on (``SHOAL_JAX_CPU=0`` or ``jax_cpu_engine(False)`` turn it off) and the
  numba kernels are enabled (``shoal[numba]`` installed, ``fused_kernels`` on);
* no array of the call is a tracer (no ``jit``, ``grad`` or ``vmap`` of the caller reaches it),
  and every one is on a CPU device;
* all float arrays share one dtype, float32 or float64;
* the dynamics is one whose ``prepare``/``step``/``finish`` are pure array code with a fused
  kernel (:func:`engine_runs`): LIF and its leak variants, ExpSyn, and Rate with shoal's
  ``H_ReLU`` (a user's activation may be a JAX function: it stays on XLA); no recurrence;
* a fused kernel covers the configuration (else the engine's generic Python loop would run:
  far slower than XLA, so the call goes back to XLA instead).

Numbers: float64 equal to the XLA path to rounding (XLA and NumPy compute ``exp`` each their
own way; at most 1.0e-13 apart over 60 steps in the tests); float32 to float32 precision (XLA contracts ``a·b + c`` into one FMA and
rewrites ``v/θ`` as ``v·(1/θ)``; NumPy and the kernels round each operation).

JAX is imported by the functions that take JAX arrays, never by importing this module, so
:func:`jax_cpu_engine` is importable from :mod:`shoal.backend` without JAX.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np

from shoal.backend._fused import fused_kernels_enabled, switched
from shoal.backend._jax_host_arrays import host_view, input_view, on_cpu, to_jax
from shoal.backend.numpy_backend import NumpyBackend

__all__ = ["cpu_simulate", "engine_runs", "jax_cpu_engine", "jax_cpu_engine_enabled"]

#: Environment switch: ``SHOAL_JAX_CPU=0`` keeps every JAX call on XLA for the process.
ENVIRONMENT_SWITCH = "SHOAL_JAX_CPU"

_switch = {"enabled": os.environ.get(ENVIRONMENT_SWITCH, "1") != "0"}

#: Dynamics whose prepare, step and finish are pure array code with a fused kernel.
_ENGINE_DYNAMICS = frozenset(
    f"shoal.dynamics.{name}" for name in ("lif", "lif_decays", "lif_bitshift", "exp_syn", "rate")
)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def jax_cpu_engine_enabled() -> bool:
    """True when concrete CPU JAX calls may run on the NumPy engine (switch on, numba there)."""
    return _switch["enabled"] and fused_kernels_enabled()


@contextlib.contextmanager
def jax_cpu_engine(enabled: bool) -> Iterator[None]:
    """Let concrete CPU JAX calls run on the NumPy engine, or not, inside a ``with`` block.

    Args:
        enabled: ``False`` keeps every JAX call on XLA (e.g. to compare both engines).
            ``True`` uses the NumPy engine where it applies (it never makes numba appear).

    Raises:
        TypeError: ``enabled`` is not a bool.
    """
    with switched(_switch, "shoal.backend.jax_cpu_engine", enabled):
        yield


def engine_runs(dynamics: Any, config: Any) -> bool:
    """Whether the engine takes calls of ``dynamics`` with ``config`` (arrays aside).

    Recurrent networks stay on XLA: the engine's loop over time is then Python, one BLAS
    product per step, slower than XLA's compiled loop (workload b: 383 against 248 ms).
    """
    if not jax_cpu_engine_enabled() or getattr(dynamics, "__name__", None) not in _ENGINE_DYNAMICS:
        return False
    if getattr(config, "has_rec", False):
        return False
    if dynamics.__name__ == "shoal.dynamics.rate":
        # Only the activation the kernel computes itself; any other may be a JAX function.
        # Looked up, not imported: the backend stays below shoal.nn.
        activations = sys.modules.get("shoal.nn.modules.activations")
        return activations is not None and config.activation is activations.H_ReLU
    return True


def cpu_simulate(
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    rng_key: Any,
    projection: tuple[Any, Any] | None = None,
) -> tuple[Any, Any, Any, dict[str, Any]] | None:
    """``simulate`` (record=False) on the NumPy engine, or ``None`` where XLA must run it.

    Takes what ``JaxBackend.simulate_projected`` takes (``projection`` = ``(weight, bias or
    None)`` of a ``Linear`` before the dynamics, or ``None``) and returns what it returns:
    ``(outputs (B, T, ...), final state, new key, {})`` as JAX arrays on the inputs' device.
    """
    if not engine_runs(dynamics, config):
        return None
    import jax

    tree = (config, params, state, inputs, projection, rng_key)
    leaves = jax.tree_util.tree_leaves(tree)
    if not _host_arrays_of_one_dtype(leaves):
        return None
    new_key, subkey = rng_key, None
    if rng_key is not None:
        # The XLA path's own split (JaxBackend.split_key), so the same key comes back.
        keys = jax.random.split(rng_key)
        new_key, subkey = keys[0], keys[1]
    engine = _KeyedEngine(subkey)
    config_np, params_np, state_np, _, projection_np, _ = jax.tree_util.tree_map(host_view, tree)
    inputs_np = input_view(inputs)  # `inputs` is held until the engine has returned
    # JAX never warns on float arithmetic (NaN, inf − inf); the same call must not start to.
    try:
        with np.errstate(all="ignore"):
            if projection_np is None:
                result = engine.simulate(
                    dynamics, config_np, params_np, state_np, inputs_np, None, False
                )
            else:
                result = _simulate_projected(
                    engine, dynamics, config_np, params_np, state_np, inputs_np, projection_np
                )
    except _NotCovered:
        return None
    outputs, final, _, _ = result
    # Committed inputs (placed on a device by the user) give results committed to it; others
    # stay uncommitted, as XLA's results would be (jit caches on the difference).
    committed = isinstance(inputs, jax.Array) and inputs.committed
    device = next(iter(inputs.devices())) if committed else None
    if committed and new_key is not None:
        new_key = jax.device_put(new_key, device)
    return (
        to_jax(outputs, device),
        jax.tree_util.tree_map(lambda value: to_jax(value, device), final),
        new_key,
        {},
    )


def _simulate_projected(
    engine: NumpyBackend,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: np.ndarray,
    projection: tuple[np.ndarray, Any],
) -> Any:
    """The NumPy backend's ``simulate_projected``: the product per block of rows, never stored."""
    read_only = inputs.view()  # the writable view stays with the kernels known not to write
    read_only.flags.writeable = False
    return engine.simulate_projected(dynamics, config, params, state, read_only, None, projection)


def _host_arrays_of_one_dtype(leaves: list[Any]) -> bool:
    """No tracer, every JAX array on a CPU device, all float arrays of one float dtype."""
    import jax

    dtypes = set()
    for leaf in leaves:
        if isinstance(leaf, jax.core.Tracer):
            return False
        if isinstance(leaf, jax.Array):
            if not on_cpu(leaf):
                return False
        elif not isinstance(leaf, np.ndarray):
            continue  # configuration: Python numbers, callables, surrogates
        if leaf.dtype.kind == "f":
            dtypes.add(np.dtype(leaf.dtype))
    return len(dtypes) == 1 and dtypes <= set(_FLOATS)


class _NotCovered(Exception):
    """The engine would run its generic Python loop: the call goes back to XLA."""


class _KeyedEngine(NumpyBackend):
    """The NumPy backend with JAX's noise (drawn from ``subkey``) and no generic loop."""

    def __init__(self, subkey: Any) -> None:
        super().__init__()
        self._subkey = subkey

    def normal(self, key: Any, shape: tuple[int, ...], dtype: Any) -> Any:  # type: ignore[override]
        import jax

        # As JaxBackend.normal draws it inside XLA's simulate: the same key, shape and dtype.
        return np.asarray(jax.random.normal(self._subkey, shape, dtype))

    @staticmethod
    def scan(step: Any, state: Any, xs: Any, record: bool) -> Any:
        raise _NotCovered
