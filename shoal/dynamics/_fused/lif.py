"""The fused time loop of :func:`shoal.dynamics.lif.step` (see :mod:`shoal.dynamics._fused`).

Per batch row and step, in ``step``'s order of operations, from the module's raw input ``u``
(``prepare``'s ``β·u`` is formed here, element by element, never as a ``(T, B, N)`` array)::

    isyn   = β·isyn + β·u_t                    (+ β·irec, irec = spikes_prev @ w_rec)
    vmem   = α·vmem + Σ_syn isyn + bias        (+ noise_gain·ξ_t)
    spikes = clip(floor(vmem/θ) (· [vmem ≥ θ] unless every θ > 0), 0, max_spikes)
    vmem   = vmem − spikes·θ

Each product is rounded before the sum, as NumPy computes ``step`` (no FMA: numba only
contracts under fastmath, which is off), so float32 and float64 results are the generic
loop's, bit for bit without recurrence.

Without recurrence one kernel call runs the whole loop, batch rows outermost: a row's state
stays in L1 while its inputs stream through. With recurrence the loop over time is in Python:
per step one BLAS product ``spikes_prev @ w_rec`` (the generic loop's own call, so the same
numbers) and one kernel call for the elementwise rest, over fixed blocks of batch rows run on
separate workers (:mod:`shoal.dynamics._fused.lif_recurrent`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.backend._blas_threads import single_threaded_blas
from shoal.dynamics._fused._common import (
    fresh,
    kernel_input,
    neuron_rows,
    njit,
    output_array,
    placeholder,
    rows_of,
    uniform_dtype,
    vector,
)
from shoal.dynamics._fused._rows import split_rows
from shoal.dynamics._fused.lif_recurrent import simulate_recurrent

__all__ = ["simulate"]

#: ``simulate`` takes ``feed`` (its input computed block by block; see
#: :mod:`shoal.dynamics._fused.projected`).
TAKES_FEED = True

# Rows of the packed per-neuron parameters (see neuron_rows).
_ALPHA, _BIAS, _THRESHOLD, _NOISE_GAIN = range(4)


@njit
def _spike(v, theta, zero, max_spikes, positive):  # pragma: no cover - compiled
    """``(v − count·θ, count)``, ``count = clip(floor(v/θ) (·[v ≥ θ]), 0, max_spikes)``.

    Selects rather than branches (with random data a branch per neuron mispredicts, and a
    loop with branches does not vectorise).
    """
    count = np.floor(v / theta)
    # `count·0`, not 0, where masked (a NaN stays NaN), as spike_counts does.
    count = count if (positive or v >= theta) else count * zero
    # np.clip's rule: NaN passes both bounds; max(−0, 0) is +0.
    count = count if (count > zero or count != count) else zero
    count = max_spikes if count > max_spikes else count
    return v - count * theta, count


@njit
def _row_step(
    u, noise, neuron, synapse, irec, isyn, vmem, spikes, total, zero, max_spikes, flags
):  # pragma: no cover - compiled; covered through simulate()
    """One step of one batch row, in place: ``isyn (S, N)``, ``vmem (N,)``, ``spikes (N,)``.

    ``u (S*N,)`` is the raw input (channel ``n·S + s``), ``noise (N,)``, ``neuron (4, N)``,
    ``synapse (2, S, N)`` = ``(β, β)``, ``irec (S*N,)`` synapse-major, ``total (N,)`` scratch.
    ``flags`` = ``(positive, noisy, has_rec)``. Branches on the flags stay outside the loops
    over neurons, and the spike rule selects rather than branches, so those loops vectorise.
    """
    positive, noisy, has_rec = flags
    n_syn, n_neurons = synapse.shape[1], synapse.shape[2]
    alpha, bias = neuron[_ALPHA], neuron[_BIAS]
    threshold, noise_gain = neuron[_THRESHOLD], neuron[_NOISE_GAIN]
    beta, gain = synapse[0], synapse[1]
    if n_syn == 1:
        # One synapse: the sum is isyn itself (step takes a view); one loop per variant, with
        # contiguous operands only, so that each vectorises.
        current, beta0, gain0 = isyn[0], beta[0], gain[0]
        if has_rec:
            for n in range(n_neurons):
                value = beta0[n] * current[n] + gain0[n] * u[n]
                value = beta0[n] * irec[n] + value
                current[n] = value
                vmem[n] = alpha[n] * vmem[n] + value + bias[n]
        else:
            for n in range(n_neurons):
                value = beta0[n] * current[n] + gain0[n] * u[n]
                current[n] = value
                vmem[n] = alpha[n] * vmem[n] + value + bias[n]
    else:
        for s in range(n_syn):
            current = isyn[s]
            for n in range(n_neurons):
                current[n] = beta[s, n] * current[n] + gain[s, n] * u[n * n_syn + s]
            if has_rec:
                for n in range(n_neurons):
                    current[n] = beta[s, n] * irec[s * n_neurons + n] + current[n]
        # Summed in synapse order, as NumPy sums that axis.
        total[:] = isyn[0]
        for s in range(1, n_syn):
            total += isyn[s]
        for n in range(n_neurons):
            vmem[n] = alpha[n] * vmem[n] + total[n] + bias[n]
    if noisy:
        for n in range(n_neurons):
            vmem[n] = vmem[n] + noise_gain[n] * noise[n]
    for n in range(n_neurons):
        vmem[n], spikes[n] = _spike(vmem[n], threshold[n], zero, max_spikes, positive)


@njit
def _record_row(isyn, vmem, rec_isyn, rec_vmem):  # pragma: no cover - compiled
    """Copy a row's state into its records: ``isyn (S, N)`` → ``rec_isyn (N, S)`` (module layout)."""
    for s in range(isyn.shape[0]):
        for n in range(isyn.shape[1]):
            rec_isyn[n, s] = isyn[s, n]
    rec_vmem[:] = vmem


@njit
def _lif_kernel(
    inputs, noise, neuron, synapse, isyn, vmem, spikes, rec_isyn, rec_vmem, zero, max_spikes, flags
):  # pragma: no cover - compiled; covered through simulate()
    """The whole loop without recurrence: ``inputs (B, T, S*N)`` → ``spikes (B, T, N)``.

    ``flags`` = ``(positive, noisy, record)``; ``noise (B, T, N)`` and the records
    ``(B, T, N, S)``/``(B, T, N)`` are one-element placeholders when unused.
    """
    positive, noisy, record = flags
    n_batches, n_steps = inputs.shape[0], inputs.shape[1]
    n_syn, n_neurons = synapse.shape[1], synapse.shape[2]
    if n_syn == 1 and not noisy and not record:
        # The common case as one loop nest (a third faster than calling _row_step per row).
        alpha, bias, threshold = neuron[_ALPHA], neuron[_BIAS], neuron[_THRESHOLD]
        beta, gain = synapse[0, 0], synapse[1, 0]
        for b in range(n_batches):
            current, vmem_b = isyn[b, 0], vmem[b]
            for t in range(n_steps):
                u, spikes_t = inputs[b, t], spikes[b, t]
                for n in range(n_neurons):
                    value = beta[n] * current[n] + gain[n] * u[n]
                    current[n] = value
                    v = alpha[n] * vmem_b[n] + value + bias[n]
                    vmem_b[n], spikes_t[n] = _spike(v, threshold[n], zero, max_spikes, positive)
        return
    total = np.empty(n_neurons, dtype=synapse.dtype)
    no_irec = np.empty(1, dtype=synapse.dtype)
    row_flags = (positive, noisy, False)
    for b in range(n_batches):
        isyn_b, vmem_b = isyn[b], vmem[b]
        for t in range(n_steps):
            noise_t = noise[b, t] if noisy else noise[0, 0]
            _row_step(
                inputs[b, t],
                noise_t,
                neuron,
                synapse,
                no_irec,
                isyn_b,
                vmem_b,
                spikes[b, t],
                total,
                zero,
                max_spikes,
                row_flags,
            )
            if record:
                _record_row(isyn_b, vmem_b, rec_isyn[b, t], rec_vmem[b, t])


@njit
def _lif_step(
    t, inputs, noise, neuron, synapse, irec, isyn, vmem, spikes, records, zero, max_spikes, flags
):  # pragma: no cover - compiled; covered through simulate()
    """Step ``t`` of every batch row, given this step's recurrent input ``irec (B, S*N)``.

    ``records`` = ``(rec_isyn, rec_irec (B, T, N, S), rec_vmem (B, T, N))`` (placeholders
    unless ``flags`` = ``(positive, noisy, record)`` asks to record).
    """
    positive, noisy, record = flags
    rec_isyn, rec_irec, rec_vmem = records
    n_syn, n_neurons = synapse.shape[1], synapse.shape[2]
    total = np.empty(n_neurons, dtype=synapse.dtype)
    row_flags = (positive, noisy, True)
    for b in range(inputs.shape[0]):
        noise_t = noise[b, t] if noisy else noise[0, 0]
        _row_step(
            inputs[b, t],
            noise_t,
            neuron,
            synapse,
            irec[b],
            isyn[b],
            vmem[b],
            spikes[b, t],
            total,
            zero,
            max_spikes,
            row_flags,
        )
        if record:
            _record_row(isyn[b], vmem[b], rec_isyn[b, t], rec_vmem[b, t])
            for s in range(n_syn):
                for n in range(n_neurons):
                    rec_irec[b, t, n, s] = irec[b, s * n_neurons + n]


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
    """``simulate`` for LIF (and bit-shift LIF) on batch-major input; ``None`` if not covered.

    Args:
        backend: The NumPy backend (draws the noise).
        dynamics: ``shoal.dynamics.lif`` or a module sharing its step (``lif_bitshift``); its
            ``prepare`` gives the decays and thresholds, run on an empty time slice.
        config: ``LIFConfig``.
        params: ``LIFParams``.
        state: ``LIFState`` (``isyn`` synapse-major ``(B, n_syn, N)``); never written to.
        inputs: ``(B, T, n_syn·N)``, any strides (see :mod:`shoal.dynamics._fused._common`).
        record: Also return the records ``finish`` returns.
        feed: ``None``: the kernel reads ``inputs``. Else ``feed(kernel)`` calls
            ``kernel(block, rows, steps)`` with every block of the input, each row's steps in
            order (a projection computed chunk by chunk, see
            :mod:`shoal.dynamics._fused.projected`); ``inputs`` then only gives the shape and
            dtype. Not with recurrence (``None``).

    Returns:
        ``(spikes (B, T, N), final_state, records (B, T, ...))``, or ``None`` (a per-neuron spike
        limit, mixed dtypes, parameters that do not broadcast per neuron, no time steps) before
        any noise is drawn.
    """
    n_batches, n_steps, n_channels = inputs.shape
    n_syn = config.n_synapses
    n_neurons = n_channels // n_syn
    try:
        max_spikes = float(config.max_spikes)
    except (TypeError, ValueError):  # a per-neuron limit: the generic loop handles it
        return None
    if n_steps == 0 or (feed is not None and config.has_rec):
        return None
    # prepare on no time step: the constants, computed exactly as the generic path does; a
    # noise of ones makes its noise term the per-neuron gain itself (g·1 = g exactly).
    probe = np.ones((1, 1, n_neurons), inputs.dtype) if config.noisy else None
    (_, noise_gain), consts = dynamics.prepare(
        backend, config, params, np.swapaxes(inputs[:, :0], 0, 1), probe
    )
    has_rec = bool(config.has_rec)
    dtype = uniform_dtype(
        inputs,
        noise_gain,
        *consts,
        state.isyn,
        state.vmem,
        state.spikes if has_rec else None,
    )
    if dtype is None:
        return None
    if noise_gain is not None:  # (1, 1, N): prepare's noise term for a noise of ones
        if np.ndim(noise_gain) != 3 or np.shape(noise_gain)[:2] != (1, 1):
            return None
        noise_gain = noise_gain[0, 0]
    beta = vector(consts.beta, (n_syn, n_neurons), dtype)
    neuron = neuron_rows(
        (
            consts.alpha,
            consts.bias,
            consts.threshold,
            np.ones(n_neurons, dtype) if noise_gain is None else noise_gain,
        ),
        n_neurons,
        dtype,
    )
    if beta is None or neuron is None:
        return None  # a parameter that does not broadcast per neuron: the generic loop's case
    synapse = np.stack([beta, beta])  # (β, gain = β): prepare's β·u, formed in the loop
    noisy = bool(config.noisy)
    # Covered: only now is noise drawn (a `None` above leaves NumPy's generator untouched).
    noise = (
        np.asarray(
            backend.normal(None, dynamics.noise_shape(config, inputs.shape), inputs.dtype), dtype
        )
        if noisy
        else placeholder(3, dtype)
    )
    # Fresh arrays: the kernel updates the state in place, and the module's own must not change.
    isyn = fresh(state.isyn, (n_batches, n_syn, n_neurons), dtype)
    vmem = fresh(state.vmem, (n_batches, n_neurons), dtype)
    spikes = output_array((n_batches, n_steps, n_neurons), dtype)
    rec_shape = (n_batches, n_steps, n_neurons, n_syn) if record else (1, 1, 1, 1)
    rec_isyn = np.empty(rec_shape, dtype)
    rec_vmem = np.empty(rec_shape[:3], dtype)
    positive = bool(np.all(neuron[_THRESHOLD] > 0))
    zero, limit = dtype.type(0), dtype.type(max_spikes)
    inputs = inputs if feed is not None else kernel_input(inputs)
    if has_rec:
        rec_irec = np.empty(rec_shape, dtype)
        spikes_prev = fresh(state.spikes, (n_batches, n_neurons), dtype)
        simulate_recurrent(_lif_step, inputs, noise, neuron, synapse, consts.w_rec, spikes_prev,
                           (isyn, vmem), spikes, (rec_isyn, rec_irec, rec_vmem),
                           (zero, limit, (positive, noisy, bool(record))))  # fmt: skip
        final = type(state)(np.array(spikes[:, -1]), isyn, vmem)
    else:
        flags = (positive, noisy, bool(record))

        def kernel(block: np.ndarray, rows: slice, steps: slice) -> None:
            _lif_kernel(block, rows_of(noise, rows, steps), neuron, synapse, isyn[rows],
                        vmem[rows], spikes[rows, steps], rows_of(rec_isyn, rows, steps),
                        rows_of(rec_vmem, rows, steps), zero, limit, flags)  # fmt: skip

        with single_threaded_blas():  # see shoal.backend._fused: idle BLAS workers spin
            if feed is None:
                whole = slice(None)
                split_rows(lambda part: kernel(inputs[part], part, whole), n_batches, spikes.size)
            else:
                feed(kernel)
        final = type(state)(None, isyn, vmem)
    if not record:
        return spikes, final, {}
    # The spike record is a copy, as the generic loop records: the output and the record must
    # not alias (an in-place edit of one would change the other).
    return (
        spikes,
        final,
        {
            "irec": rec_irec if has_rec else np.zeros_like(rec_isyn),
            "spikes": spikes.copy(),
            "isyn": rec_isyn,
            "vmem": rec_vmem,
        },
    )
