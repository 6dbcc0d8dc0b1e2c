"""The JAX forward-only loop: batch-major in and out, optionally a chunk of steps at a time.

Imported by :mod:`shoal.backend.jax_backend` (it imports JAX). See
:func:`shoal.backend.simulate.simulate_forward` for when it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from shoal.backend._interface import StepFunction

__all__ = ["forward_loop"]


def _slice_steps(x: Any, start: Any, size: int) -> Any:
    """``x[:, start:start + size]`` for a traced ``start``.

    lax's slice, not jnp's indexing: no wrap-around of negative indices to compute (one kernel
    less per step, where a step costs a few microseconds).
    """
    starts = (0, start) + (0,) * (x.ndim - 2)
    return lax.dynamic_slice(
        x, starts, (x.shape[0], size, *x.shape[2:]), allow_negative_indices=False
    )


def _swap(x: Any) -> Any:
    """``(B, T, ...)`` ↔ ``(T, B, ...)``."""
    return jnp.swapaxes(x, 0, 1)


def _write_steps(out: Any, values: Any, start: Any) -> Any:
    """``out[:, start:start + size] = values``, in place inside a loop."""
    starts = (0, start) + (0,) * (values.ndim - 2)
    return lax.dynamic_update_slice(out, values, starts, allow_negative_indices=False)


def forward_loop(
    step: StepFunction,
    state: Any,
    xs: Any,
    n_steps: int,
    chunk_map: Callable[[Any], Any] | None = None,
    chunk: int = 1,
) -> tuple[Any, Any]:
    """``step`` over axis 1 of batch-major ``xs``; outputs stacked batch-major ``(B, T, ...)``.

    Forward only (not for ``grad``: the loop reads its inputs by dynamic slices). No
    batch↔time transpose of anything the size of the input or output: each chunk of steps
    reads ``xs[:, t:t + chunk]`` and writes ``ys[:, t:t + chunk]`` in place.

    Args:
        step: ``(state, x_t) -> (state, y_t, record_t)`` on one step ``(B, ...)``; records are
            dropped.
        state: The initial carry.
        xs: Batch-major inputs ``(B, T, ...)`` (a pytree; ``None`` leaves allowed).
        n_steps: ``T``.
        chunk_map: Applied to each chunk of ``xs`` (``(B, chunk, ...)``) before its steps,
            e.g. the input product of a ``Linear``: one product of ``B·chunk`` rows uses the
            matrix unit better than ``chunk`` products of ``B`` rows.
        chunk: Steps per chunk (default 1). A last, shorter chunk takes the remainder.

    Returns:
        ``(final state, ys)``.
    """
    chunk_map = chunk_map or (lambda chunk_xs: chunk_xs)
    chunk = max(1, min(chunk, n_steps))
    n_chunks, tail = divmod(n_steps, chunk)

    def chunk_at(start: Any, size: int) -> Any:
        return chunk_map(jax.tree_util.tree_map(lambda x: _slice_steps(x, start, size), xs))

    def first_step(chunk_xs: Any) -> Any:
        return jax.tree_util.tree_map(lambda x: x[:, 0], chunk_xs)

    _, y_shapes, _ = jax.eval_shape(lambda s: step(s, first_step(chunk_at(0, 1))), state)
    ys = jax.tree_util.tree_map(
        lambda s: jnp.zeros((s.shape[0], n_steps, *s.shape[1:]), s.dtype), y_shapes
    )

    def run_chunk(start: Any, size: int, state: Any, ys: Any) -> tuple[Any, Any]:
        chunk_xs = chunk_at(start, size)
        if size == 1:
            state, y, _ = step(state, first_step(chunk_xs))
            chunk_ys = jax.tree_util.tree_map(lambda y_t: y_t[:, None], y)
        else:

            def inner(carry: Any, x_t: Any) -> tuple[Any, Any]:
                carry, y_t, _ = step(carry, x_t)
                return carry, y_t

            # Time-major inside the chunk only: (B, chunk, ...) is small, its swaps are cheap.
            state, time_major = lax.scan(inner, state, jax.tree_util.tree_map(_swap, chunk_xs))
            chunk_ys = jax.tree_util.tree_map(_swap, time_major)
        ys = jax.tree_util.tree_map(
            lambda out, values: _write_steps(out, values, start), ys, chunk_ys
        )
        return state, ys

    def body(index: Any, carry: Any) -> tuple[Any, Any]:
        return run_chunk(index * chunk, chunk, *carry)

    state, ys = lax.fori_loop(0, n_chunks, body, (state, ys))
    if tail:
        state, ys = run_chunk(n_chunks * chunk, tail, state, ys)
    return state, ys
