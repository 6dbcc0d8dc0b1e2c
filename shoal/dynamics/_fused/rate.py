"""The fused time loop of :func:`shoal.dynamics.rate.step` without recurrence.

Per batch row and step, from the module's raw input ``u`` (``prepare``'s ``α (u + bias)`` is
formed here, element by element, never as a ``(T, B, N)`` array)::

    x   = x − α·x + α·(u_t + bias)
    y_t = H(x, θ)

With the default activation (``H_ReLU``) ``y`` is written directly, as ``H_ReLU`` computes it
(``x − θ`` where ``x − θ > 0``, else 0); any other activation is applied by ``finish`` to the
``x`` trajectory, as on the generic route. Each product is rounded before the sum, as NumPy
rounds them, so results are the generic loop's bit for bit. With recurrence the step applies
the activation, an arbitrary Python callable, inside the loop: the generic loop runs (its
per-step product under one BLAS thread, see :mod:`shoal.backend._fused`). With noise the
generic route's ``prepare`` and :func:`scan` run (the noise term is summed into the drive
before ``α`` scales it, so it cannot be taken apart here).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from shoal.backend._blas_threads import single_threaded_blas
from shoal.dynamics._fused._common import (
    batch_major,
    common_dtype,
    fresh,
    kernel_input,
    neuron_rows,
    njit,
    output_array,
    placeholder,
    uniform_dtype,
    vector,
)
from shoal.dynamics._fused._rows import split_rows

__all__ = ["scan", "simulate"]

#: ``simulate`` takes ``feed`` (its input computed block by block; see
#: :mod:`shoal.dynamics._fused.projected`).
TAKES_FEED = True


@njit
def _rate_kernel(drive, alpha, x, out):  # pragma: no cover - compiled; tested through scan()
    n_batches, n_steps, n_neurons = drive.shape
    for b in range(n_batches):
        for t in range(n_steps):
            for n in range(n_neurons):
                value = x[b, n] - alpha[n] * x[b, n] + drive[b, t, n]
                x[b, n] = value
                out[b, t, n] = value


@njit
def _rate_raw_kernel(inputs, neuron, x, out, rec_x, zero, flags):  # pragma: no cover - compiled
    """``inputs (B, T, N)`` → ``out (B, T, N)``: ``H_ReLU(x)`` or ``x`` (``flags[0]``).

    ``neuron (3, N)`` = ``(α, bias, θ)``; ``rec_x (B, T, N)`` gets ``x`` when ``flags[1]``
    (records), else is a one-element placeholder.
    """
    relu, record = flags
    alpha, bias, threshold = neuron[0], neuron[1], neuron[2]
    n_batches, n_steps, n_neurons = inputs.shape
    for b in range(n_batches):
        x_b = x[b]
        for t in range(n_steps):
            u, out_t = inputs[b, t], out[b, t]
            # Two loop bodies rather than a branch per neuron, so that each vectorises.
            if relu:
                for n in range(n_neurons):
                    value = x_b[n] - alpha[n] * x_b[n] + alpha[n] * (u[n] + bias[n])
                    x_b[n] = value
                    shifted = value - threshold[n]
                    out_t[n] = zero if shifted <= zero else shifted  # NaN stays NaN
            else:
                for n in range(n_neurons):
                    value = x_b[n] - alpha[n] * x_b[n] + alpha[n] * (u[n] + bias[n])
                    x_b[n] = value
                    out_t[n] = value
            if record:
                rec_x[b, t] = x_b


def _is_default_relu(activation: Any) -> bool:
    """``activation`` is shoal's ``H_ReLU`` (looked up, not imported: dynamics stay below nn)."""
    module = sys.modules.get("shoal.nn.modules.activations")
    return module is not None and activation is getattr(module, "H_ReLU", None)


def simulate(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    record: bool,
    feed: Any = None,
) -> Any:
    """``simulate`` for Rate without recurrence or noise; ``None`` if not covered.

    Args:
        backend: The NumPy backend.
        dynamics: ``shoal.dynamics.rate`` (its ``prepare`` gives ``α``, on no time step).
        config: ``RateConfig``.
        params: ``RateParams``.
        state: ``RateState`` with ``x (B, N)``; never written to.
        inputs: ``(B, T, N)``, any strides (see :mod:`shoal.dynamics._fused._common`).
        record: Also return the records ``finish`` returns (``rec_input`` zeros, ``x``).
        feed: ``None``, or the input computed block by block, as in
            :func:`shoal.dynamics._fused.lif.simulate`.

    Returns:
        ``(outputs (B, T, N), final_state, records)``, or ``None``.
    """
    n_batches, n_steps, n_neurons = inputs.shape
    if config.has_rec or config.noisy or n_steps == 0:
        return None
    _, consts = dynamics.prepare(backend, config, params, np.swapaxes(inputs[:, :0], 0, 1), None)
    dtype = uniform_dtype(inputs, consts.alpha, params.bias, params.threshold, state.x)
    if dtype is None:
        return None
    neuron = neuron_rows((consts.alpha, params.bias, params.threshold), n_neurons, dtype)
    if neuron is None:
        return None
    relu = _is_default_relu(config.activation)
    x = fresh(state.x, (n_batches, n_neurons), dtype)
    out = output_array((n_batches, n_steps, n_neurons), dtype)
    # With records and ReLU the trajectory is a second output; without ReLU it is `out`.
    rec_x = np.empty_like(out) if (record and relu) else placeholder(3, dtype)
    inputs = inputs if feed is not None else kernel_input(inputs)
    flags = (relu, bool(record and relu))

    def kernel(block: np.ndarray, rows: slice, steps: slice) -> None:
        records = rec_x if rec_x.size == 1 else rec_x[rows, steps]
        _rate_raw_kernel(block, neuron, x[rows], out[rows, steps], records, dtype.type(0), flags)

    with single_threaded_blas():  # see shoal.backend._fused: idle BLAS workers spin
        if feed is None:
            whole = slice(None)
            split_rows(lambda part: kernel(inputs[part], part, whole), n_batches, out.size)
        else:
            feed(kernel)
    trajectory = rec_x if relu else out
    outputs = out if relu else config.activation(trajectory, params.threshold)
    records = {"rec_input": np.zeros_like(trajectory), "x": trajectory} if record else {}
    return outputs, type(state)(x), records


def scan(config: Any, consts: Any, state: Any, drive: Any, record: bool) -> Any:
    """``rate.step``'s loop over ``prepare``'s drive (noisy Rate); ``None`` with recurrence.

    Args:
        config: ``RateConfig``.
        consts: ``rate._Consts`` (``alpha`` broadcasts to ``(N,)``).
        state: ``RateState`` with ``x (B, N)``; never written to.
        drive: ``(T, B, N)``.
        record: Unused: without recurrence ``step`` records nothing (``finish`` uses ``x``).

    Returns:
        ``(final_state, x (T, B, N), {})`` as ``NumpyBackend.scan`` returns them.
    """
    n_steps, n_batches, n_neurons = drive.shape
    dtype = common_dtype(drive, consts.alpha, state.x)
    if config.has_rec or dtype is None or n_steps == 0:
        return None
    alpha = vector(consts.alpha, (n_neurons,), dtype)
    if alpha is None:
        return None
    x = fresh(state.x, (n_batches, n_neurons), dtype)
    out = output_array((n_batches, n_steps, n_neurons), dtype)
    _rate_kernel(batch_major(drive, dtype), alpha, x, out)
    return type(state)(x), np.swapaxes(out, 0, 1), {}
