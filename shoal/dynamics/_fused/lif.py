"""The fused time loop of :func:`shoal.dynamics.lif.step` (see :mod:`shoal.dynamics._fused`).

Per batch row and step, in ``step``'s order of operations::

    irec   = spikes_prev @ w_rec                                  (with recurrence)
    isyn   = β·isyn + syn_drive_t  (+ β·irec)
    vmem   = α·vmem + Σ_syn isyn + bias  (+ vmem_drive_t)
    spikes = clip(floor(vmem/θ) (· [vmem ≥ θ] unless every θ > 0), 0, max_spikes)
    vmem   = vmem − spikes·θ

The recurrent product only visits the neurons that spiked (rows of ``w_rec`` scaled by their
counts): at the usual few-percent rates that is a small fraction of the dense product, with no
per-step BLAS call to oversubscribe a loaded machine. Its sum runs in another order than BLAS's,
so with recurrence float64 results agree with the generic loop to rounding (~1e-15), not bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.dynamics._fused._common import (
    batch_major,
    common_dtype,
    fresh,
    njit,
    placeholder,
    vector,
)

__all__ = ["scan"]


@njit
def _recurrent_input(spikes, w_rec, irec):  # pragma: no cover - compiled
    """``irec = spikes @ w_rec``, visiting only the rows of neurons that spiked."""
    irec[:] = 0.0
    for j in range(spikes.shape[0]):
        count = spikes[j]
        if count != 0.0:  # NaN counts go through, so NaN still spreads
            irec += count * w_rec[j]


@njit
def _spike_and_reset(v, threshold, max_spikes, positive, out):  # pragma: no cover - compiled
    """``out = clip(floor(v/θ) (·[v ≥ θ]), 0, max_spikes)``; ``v −= out·θ`` (in place).

    Selects rather than branches, and the mask in its own loop, so the loops vectorise (with
    random data a branch per neuron mispredicts, ~3× slower).
    """
    n_neurons = v.shape[0]
    for n in range(n_neurons):
        out[n] = np.floor(v[n] / threshold[n])
    if not positive:
        for n in range(n_neurons):
            out[n] = out[n] if v[n] >= threshold[n] else out[n] * 0.0
    for n in range(n_neurons):
        # np.clip's order; NaN passes through both comparisons.
        count = 0.0 if out[n] < 0.0 else out[n]
        count = max_spikes if count > max_spikes else count
        v[n] = v[n] - count * threshold[n]
        out[n] = count


@njit
def _lif_kernel(
    syn_drive,  # (B, T, S, N)
    vmem_drive,  # (B, T, N) or placeholder
    alpha,  # (N,)
    beta,  # (S, N)
    bias,  # (N,)
    threshold,  # (N,)
    w_rec,  # (N, S*N) synapse-major columns, or placeholder
    isyn,  # (B, S, N) in/out
    vmem,  # (B, N) in/out
    spikes_prev,  # (B, N) in/out (recurrence only)
    out_spikes,  # (B, T, N)
    rec_isyn,  # (B, T, S, N) or placeholder
    rec_vmem,  # (B, T, N) or placeholder
    rec_irec,  # (B, T, S, N) or placeholder
    max_spikes,
    positive,
    noisy,
    has_rec,
    record,
):  # pragma: no cover - compiled; covered through scan() (numba hides it from coverage)
    n_batches, n_steps, n_syn, n_neurons = syn_drive.shape
    irec = np.zeros((n_syn, n_neurons), dtype=syn_drive.dtype)
    total = np.zeros(n_neurons, dtype=syn_drive.dtype)
    # Branches on the flags stay outside the loops over neurons, so those vectorise.
    for b in range(n_batches):
        isyn_b, vmem_b = isyn[b], vmem[b]
        for t in range(n_steps):
            drive = syn_drive[b, t]
            if has_rec:
                previous = spikes_prev[b] if t == 0 else out_spikes[b, t - 1]
                _recurrent_input(previous, w_rec, irec.reshape(n_syn * n_neurons))
                for s in range(n_syn):
                    for n in range(n_neurons):
                        isyn_b[s, n] = (
                            beta[s, n] * isyn_b[s, n] + drive[s, n] + beta[s, n] * irec[s, n]
                        )
            else:
                for s in range(n_syn):
                    for n in range(n_neurons):
                        isyn_b[s, n] = beta[s, n] * isyn_b[s, n] + drive[s, n]
            # One synapse: the sum is isyn itself (step takes a view); more: summed in
            # synapse order, as NumPy sums that axis.
            total[:] = isyn_b[0]
            for s in range(1, n_syn):
                total += isyn_b[s]
            for n in range(n_neurons):
                vmem_b[n] = alpha[n] * vmem_b[n] + total[n] + bias[n]
            if noisy:
                vmem_b += vmem_drive[b, t]
            _spike_and_reset(vmem_b, threshold, max_spikes, positive, out_spikes[b, t])
            if record:
                rec_isyn[b, t] = isyn_b
                rec_vmem[b, t] = vmem_b
                if has_rec:
                    rec_irec[b, t] = irec
        if has_rec:
            spikes_prev[b] = out_spikes[b, n_steps - 1]


def scan(
    config: Any, consts: Any, state: Any, xs: Any, record: bool, sparse_recurrence: bool = False
) -> Any:
    """``lif.step``'s loop, fused; ``None`` if this configuration is not covered.

    Args:
        config: ``LIFConfig``.
        consts: ``lif._Consts`` (``alpha``, ``beta`` synapse-major, ``bias``, ``threshold``,
            ``w_rec`` with synapse-major columns).
        state: ``LIFState`` (``isyn`` synapse-major ``(B, n_syn, N)``); never written to.
        xs: ``(syn_drive (T, B, n_syn, N), vmem_drive (T, B, N) or None)``.
        record: Also return the per-step records ``step`` returns.
        sparse_recurrence: Also cover ``w_rec`` (off by default, so recurrent networks take the
            generic loop with its BLAS product). Why: the sparse product wins only while few
            neurons spike; on the benchmark's recurrent workload (b), where a neuron fires ~0.9
            spikes per step, it was 2.7× slower than one BLAS product per step. Choosing by the
            observed spike density is the follow-up.

    Returns:
        ``(final_state, spikes (T, B, N), records)`` as ``NumpyBackend.scan`` returns them.
    """
    syn_drive, vmem_drive = xs
    n_steps, n_batches, n_syn, n_neurons = syn_drive.shape
    try:
        max_spikes = float(config.max_spikes)
    except (TypeError, ValueError):  # a per-neuron limit: the generic loop handles it
        return None
    dtype = common_dtype(syn_drive, vmem_drive, *consts, state.isyn, state.vmem)
    if dtype is None or n_steps == 0:
        return None
    alpha = vector(consts.alpha, (n_neurons,), dtype)
    beta = vector(consts.beta, (n_syn, n_neurons), dtype)
    bias = vector(consts.bias, (n_neurons,), dtype)
    threshold = vector(consts.threshold, (n_neurons,), dtype)
    if alpha is None or beta is None or bias is None or threshold is None:
        return None  # a parameter that does not broadcast per neuron: the generic loop's case
    has_rec = bool(config.has_rec)
    if has_rec and not sparse_recurrence:
        return None
    if has_rec:
        w_rec = fresh(consts.w_rec, np.shape(consts.w_rec), dtype)
        # The sparse product skips the rows of silent neurons, where BLAS would form 0·w:
        # a non-finite weight must still poison the result exactly as it does there.
        if not np.all(np.isfinite(w_rec)):
            return None
        spikes_prev = fresh(state.spikes, (n_batches, n_neurons), dtype)
    else:
        w_rec, spikes_prev = placeholder(2, dtype), placeholder(2, dtype)
    # Fresh arrays: the kernel updates the state in place, and the module's own must not change.
    isyn = fresh(state.isyn, (n_batches, n_syn, n_neurons), dtype)
    vmem = fresh(state.vmem, (n_batches, n_neurons), dtype)
    spikes = np.empty((n_batches, n_steps, n_neurons), dtype)
    if record:
        rec_isyn = np.empty((n_batches, n_steps, n_syn, n_neurons), dtype)
        rec_vmem = np.empty((n_batches, n_steps, n_neurons), dtype)
        rec_irec = rec_isyn.copy() if has_rec else placeholder(4, dtype)
    else:
        rec_isyn, rec_vmem, rec_irec = (
            placeholder(4, dtype),
            placeholder(3, dtype),
            placeholder(4, dtype),
        )
    noisy = vmem_drive is not None
    _lif_kernel(
        batch_major(syn_drive, dtype),
        batch_major(vmem_drive, dtype) if noisy else placeholder(3, dtype),
        alpha,
        beta,
        bias,
        threshold,
        w_rec,
        isyn,
        vmem,
        spikes_prev,
        spikes,
        rec_isyn,
        rec_vmem,
        rec_irec,
        max_spikes,
        bool(np.all(threshold > 0)),
        noisy,
        has_rec,
        bool(record),
    )
    final = type(state)(spikes_prev if has_rec else None, isyn, vmem)
    records: dict[str, np.ndarray] = {}
    if record:
        # A copy, as the generic loop records: the output and the record must not alias (an
        # in-place edit of one would change the other).
        records = {"spikes": spikes.copy(), "isyn": rec_isyn, "vmem": rec_vmem}
        if has_rec:
            records["irec"] = rec_irec
        records = {key: np.swapaxes(value, 0, 1) for key, value in records.items()}
    return final, np.swapaxes(spikes, 0, 1), records
