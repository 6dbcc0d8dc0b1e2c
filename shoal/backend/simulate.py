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

__all__ = ["linear_projection", "simulate", "simulate_forward"]

#: Steps per input product in :func:`simulate_forward` with a projection.
_PROJECTED_CHUNK = 8


def _swap_batch_and_time(xp: Any, array: Any) -> Any:
    """``(B, T, ...)`` ↔ ``(T, B, ...)`` (a view on NumPy; array-API ``permute_dims``).

    With one batch (or one step) the swap is a reshape: the same values in the same memory
    order. XLA then passes the input to its loop as it is; a transposed layout made it copy the
    whole input first.
    """
    if 1 in array.shape[:2]:
        return xp.reshape(array, (array.shape[1], array.shape[0], *array.shape[2:]))
    return xp.permute_dims(array, (1, 0, *range(2, array.ndim)))


def linear_projection(data: Any, weight: Any, bias: Any) -> Any:
    """``data @ weight + bias`` as ``Linear`` computes it: ``(..., Nin)`` → ``(..., Nout)``.

    One 2-D product over every leading axis (NumPy's stacked ``(B, T, Nin) @ (Nin, Nout)``
    path is ~15x slower), then the bias (``None``: none) added to the rounded product.
    """
    flat = data.reshape(-1, data.shape[-1]) @ weight
    flat = flat if bias is None else flat + bias
    return flat.reshape(*data.shape[:-1], weight.shape[-1])


def simulate(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    rng_key: Any,
    record: bool,
    training_loop: bool = False,
) -> tuple[Any, Any, Any, dict[str, Any]]:
    """Evolve ``dynamics`` over batched ``inputs`` of shape ``(B, T, Nin)``.

    ``training_loop``: try ``backend.training_simulate`` (the JAX backend's hand-written BPTT
    loop, :mod:`shoal.backend._jax_bptt`, batch-major) before the generic route. An argument,
    not a global read here, so that the compiled program's cache key holds it.

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
    if training_loop:
        trained = backend.training_simulate(
            backend, dynamics, config, params, state, inputs, noise, record
        )
        if trained is not None:
            spikes, final = trained
            outputs, _ = dynamics.finish(backend, config, params, spikes, {}, False)
            return outputs, final, rng_key, {}
    # One batch only: there the loop reads the caller's input as it is (no copy at all) and the
    # numbers were checked bit-identical; with B > 1 the batch↔time transpose copies the input
    # anyway, and fusing prepare into the step changed float32 rounding (an FMA, 1 ulp).
    if (
        getattr(backend, "prepare_in_loop", False)
        and getattr(dynamics, "PREPARE_PER_STEP", False)
        and inputs.shape[0] == 1
    ):
        final, ys, records = _scan_preparing_each_step(
            backend, dynamics, config, params, state, (inputs, noise), record
        )
    else:
        inputs_tm = _swap_batch_and_time(xp, inputs)
        xs, consts = dynamics.prepare(
            backend, config, params, inputs_tm, _swap_time_major(xp, noise)
        )
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


def simulate_forward(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    rng_key: Any,
    projection: Any = None,
) -> tuple[Any, Any, Any, dict[str, Any]]:
    """:func:`simulate` for a call that nothing differentiates and that records nothing.

    For dynamics whose ``prepare`` is elementwise in time (``PREPARE_PER_STEP``). The loop
    (``backend.forward_loop``) reads the batch-major input one step at a time and writes the
    batch-major output in place, so the call allocates its output and nothing else that grows
    with ``T``: no transposed copy of the input or output, no prepared ``(T, B, N)`` input. On
    XLA's CPU runtime each such temporary is a fresh buffer whose page faults cost as much as
    the arithmetic. ``projection = (weight, bias or None)`` is a ``Linear`` before the
    dynamics, applied inside the loop to chunks of ``_PROJECTED_CHUNK`` steps
    (``x @ weight + bias``, as ``Linear`` computes it): its ``(B, T, N)`` output is never
    stored either.

    Numbers: ``prepare`` per step is bit-identical to the vectorised one (a fusion barrier
    keeps the step from contracting it into a multiply-add). The chunked product sums in its
    own order, so projected outputs are the vectorised ones to float32 rounding (of the
    values' scale). Gradients never take this path (only concrete calls do: see
    ``JaxBackend.forward_only``).

    Returns:
        As :func:`simulate` with ``record=False``.
    """
    noise = None
    subkey = None
    if rng_key is not None:
        rng_key, subkey = backend.split_key(rng_key)
    if config.noisy:  # the same draw as simulate: the same key and shape
        n_out = inputs.shape[-1] if projection is None else projection[0].shape[-1]
        shape = dynamics.noise_shape(config, (*inputs.shape[:-1], n_out))
        noise = backend.normal(subkey, shape, inputs.dtype)

    def project(chunk: Any) -> Any:
        """The ``Linear`` on a chunk of steps ``(B, K, Nin)``, as ``Linear`` computes it."""
        return chunk if projection is None else linear_projection(chunk, *projection)

    def as_time_slice(x_t: Any) -> Any:
        """``(B, ...)`` → ``(1, B, ...)``, the time-major slice ``prepare`` takes."""
        return None if x_t is None else x_t[None]

    # consts do not depend on time: those of the first step's preparation.
    first_noise = None if noise is None else noise[:, 0]
    _, consts = dynamics.prepare(
        backend,
        config,
        params,
        as_time_slice(project(inputs[:, :1])[:, 0]),
        as_time_slice(first_noise),
    )

    def step(carry: Any, raw_t: Any) -> Any:
        input_t, noise_t = raw_t
        xs_t, _ = dynamics.prepare(
            backend, config, params, as_time_slice(input_t), as_time_slice(noise_t)
        )
        return dynamics.step(backend, config, consts, carry, backend.materialise(_first_step(xs_t)))

    def project_chunk(raw: Any) -> Any:
        return (project(raw[0]), raw[1])

    # With a projection, a chunk of steps shares one product: 8 steps of (a)'s 32 rows each
    # ran ~1.6x faster than one product per step (small products leave the matrix unit idle;
    # 4 and 25 steps were slower than 8).
    final, ys = backend.forward_loop(
        step,
        state,
        (inputs, noise),
        inputs.shape[1],
        chunk_map=None if projection is None else project_chunk,
        chunk=1 if projection is None else _PROJECTED_CHUNK,
    )
    outputs, _ = dynamics.finish(backend, config, params, ys, {}, False)
    return outputs, final, rng_key, {}


def _scan_preparing_each_step(
    backend: Any, dynamics: Any, config: Any, params: Any, state: Any, raw: Any, record: bool
) -> tuple[Any, Any, dict[str, Any]]:
    """The scan with ``prepare`` applied to one time step at a time, inside the loop.

    For dynamics whose ``prepare`` is elementwise in time (``PREPARE_PER_STEP = True``: step
    ``t`` of ``xs`` depends on step ``t`` of the inputs and noise only), the per-step results
    are bit-identical to the vectorised ones, and a compiled loop then never materialises the
    ``(T, B, ...)`` prepared copy of its input. On XLA's CPU runtime each such copy costs a
    fresh allocation whose page faults cost more than the arithmetic (measured: writing a new
    40 MB buffer takes 45-80 ms here, 3 ms when the memory is reused), so this is where a
    JAX call's time went on long runs.

    ``raw`` is ``(inputs, noise)``, batch-major ``(B, T, ...)``. With one batch the loop runs
    over ``inputs[0]`` and puts the batch axis back per step: XLA copies a loop input whose
    batch axis of size 1 was moved behind time (a transposed layout), but not this one.
    ``consts`` come from preparing the first step alone; they do not depend on time.
    """
    xp = backend.xp
    inputs, noise = raw
    single = inputs.shape[0] == 1
    if single:
        raw_xs = (inputs[0], None if noise is None else noise[0])
    else:
        raw_xs = (_swap_batch_and_time(xp, inputs), _swap_time_major(xp, noise))

    def one_step(raw_t: Any) -> Any:
        """A time slice as prepare takes it: ``(1, B, ...)``."""
        if raw_t is None:
            return None
        return raw_t[None, None] if single else raw_t[None]

    # consts from the first step alone, laid out (1, B, ...) as prepare takes a slice.
    first_input = raw_xs[0][:1]
    first_noise = None if raw_xs[1] is None else raw_xs[1][:1]
    if single:
        first_input = first_input[:, None]
        first_noise = None if first_noise is None else first_noise[:, None]
    _, consts = dynamics.prepare(backend, config, params, first_input, first_noise)

    def step(carry: Any, raw_t: Any) -> Any:
        input_t, noise_t = raw_t
        xs_t, _ = dynamics.prepare(backend, config, params, one_step(input_t), one_step(noise_t))
        # Materialised before the step uses it, as the vectorised path did: fusing the two lets
        # the compiler contract a multiply-add (FMA), 1 ulp off, which training amplifies.
        return dynamics.step(backend, config, consts, carry, backend.materialise(_first_step(xs_t)))

    return backend.scan(step, state, raw_xs, record)  # type: ignore[no-any-return]


def _swap_time_major(xp: Any, array: Any) -> Any:
    return None if array is None else _swap_batch_and_time(xp, array)


def _first_step(xs: Any) -> Any:
    """Index 0 of the leading (time) axis of every array in a prepared ``xs`` structure."""
    if xs is None:
        return None
    if isinstance(xs, tuple):
        parts = [_first_step(x) for x in xs]
        return type(xs)(*parts) if hasattr(xs, "_fields") else tuple(parts)
    return xs[0]
