"""The one time-stepping driver shared by every model and backend.

A model's dynamics module provides three pure functions, written once against ``backend.xp``:

* ``prepare(backend, config, params, inputs, noise) -> (xs, consts)``: all work that does not
  depend on the recurrent state, done once on time-major ``(T, B, ...)`` arrays before the loop
  (input projections, noise scaling, decay factors); ``consts`` are what the step needs;
* ``step(backend, config, consts, state, x_t) -> (state, y_t, record_t)``: one time step;
* ``finish(backend, config, params, ys, records, record) -> (outputs, records)``: vectorised
  work on the whole trajectory after the loop (e.g. an activation function).

and ``noise_shape(config, input_shape)``. The backend supplies the loop (``scan``), spikes and
random numbers. The JAX backend compiles this function once per shape and configuration. A backend
may also offer ``fused_scan(dynamics, config, consts, state, xs, record)``, a compiled loop of
the same equations used in place of ``scan`` when it returns a result (NumPy with numba).
"""

from __future__ import annotations

from functools import partial
from typing import Any

__all__ = ["simulate"]


def _swap_batch_and_time(xp: Any, array: Any) -> Any:
    """``(B, T, ...)`` ↔ ``(T, B, ...)`` (a view on NumPy; array-API ``permute_dims``)."""
    return xp.permute_dims(array, (1, 0, *range(2, array.ndim)))


def simulate(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    rng_key: Any,
    record: bool,
) -> tuple[Any, Any, Any, dict[str, Any]]:
    """Evolve ``dynamics`` over batched ``inputs`` of shape ``(B, T, Nin)``.

    Returns:
        ``(outputs (B, T, ...), final_state (batched), new_rng_key, records (B, T, ...))``;
        ``records`` is ``{}`` unless ``record`` is true.
    """
    xp = backend.xp
    noise = None
    subkey = None
    if rng_key is not None:
        # One split per call, noisy or not: the new key is part of the returned state.
        rng_key, subkey = backend.split_key(rng_key)
    if config.noisy:
        shape = dynamics.noise_shape(config, inputs.shape)
        noise = backend.normal(subkey, shape, inputs.dtype)
    inputs_tm = _swap_batch_and_time(xp, inputs)
    noise_tm = None if noise is None else _swap_batch_and_time(xp, noise)
    xs, consts = dynamics.prepare(backend, config, params, inputs_tm, noise_tm)
    # A backend may offer a fused, compiled loop of the same equations (the NumPy backend's
    # numba kernels, see shoal.backend._fused); ``None`` means "run the generic loop".
    fused = getattr(backend, "fused_scan", None)
    result = None if fused is None else fused(dynamics, config, consts, state, xs, record)
    if result is None:
        step = partial(dynamics.step, backend, config, consts)
        result = backend.scan(step, state, xs, record)
    final, ys, records = result
    outputs, records = dynamics.finish(backend, config, params, ys, records, record)
    records = {key: _swap_batch_and_time(xp, value) for key, value in records.items()}
    return _swap_batch_and_time(xp, outputs), final, rng_key, records
