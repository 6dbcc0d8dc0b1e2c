"""One time step of :mod:`shoal.dynamics._bptt.lif`'s loops, for recurrent LIF (``w_rec``).

With recurrence every step needs ``irec_t = S_{t−1} @ w_rec`` over the whole batch, a matrix
product that BLAS does far faster than a loop (and that Torch must do itself for the forward to
stay bit-identical to the generic loop's). So the caller loops over time in Python, calls Torch's
product between these per-step kernels, and the kernels do the elementwise rest, for all batch
rows at once. The equations are those of ``lif.py``, plus (``lif.step``'s order)::

    I_t = fma(β, irec_t, fma(β, I_{t−1}, D_t))
    gβ += gI_t·(I_{t−1} + irec_t);   ∂L/∂irec_t = β·gI_t   (the caller multiplies by w_recᵀ)
"""

from __future__ import annotations

import numpy as np

from shoal.dynamics._bptt._fma import fma, njit
from shoal.dynamics._bptt.lif import _surrogate, membrane_and_spikes

__all__ = ["backward_step", "forward_step"]


@njit
def forward_step(t, drive, irec, vdrive, noisy, alpha, beta, bias, threshold, max_spikes,
                 spikes, v_out, i_out, irec_out, isyn, vmem, carry):  # fmt: skip  # pragma: no cover - compiled
    """Step ``t`` for every batch row: as ``lif.forward``, plus the recurrent current ``irec``
    ``(B, S, N)`` (kept in ``irec_out[:, t]``); the new spike counts also go to ``carry``
    ``(B, N)``, contiguous, for the next product."""
    n_batches, _, n_syn, n_neurons = drive.shape
    for b in range(n_batches):
        for s in range(n_syn):
            for n in range(n_neurons):
                current = fma(beta[s, n], isyn[b, s, n], drive[b, t, s, n])
                isyn[b, s, n] = fma(beta[s, n], irec[b, s, n], current)
                i_out[b, t, s, n] = isyn[b, s, n]
                irec_out[b, t, s, n] = irec[b, s, n]
        membrane_and_spikes(b, t, isyn, vdrive, noisy, alpha, bias, threshold, max_spikes,
                            spikes, v_out, vmem)  # fmt: skip
        for n in range(n_neurons):
            carry[b, n] = spikes[b, t, n]


@njit
def backward_step(t, v_in, i_in, s_in, irec_in, g_spikes, g_recurrent, g_isyn, g_vmem, alpha,
                  beta, threshold, lower, isyn0, vmem0, kind, params, noisy, g_drive, g_vdrive,
                  g_alpha, g_beta, g_bias, g_threshold):  # fmt: skip  # pragma: no cover - compiled
    """Step ``t`` of the reverse loop for every batch row (``lif.backward``'s body).

    ``g_recurrent`` ``(B, N)`` is ``∂L/∂S_t`` through ``irec_{t+1}`` (zero at the last step).
    On return ``g_isyn`` holds ``β·gI_t``: ``∂L/∂irec_t``, and the carried gradient.
    """
    n_batches, _, n_syn, n_neurons = i_in.shape
    d_v = np.empty(n_neurons)
    d_theta = np.empty(n_neurons)
    previous = np.empty(n_neurons, v_in.dtype)
    for b in range(n_batches):
        _surrogate(kind, params, v_in[b, t], threshold, lower, d_v, d_theta)
        if t > 0:
            for n in range(n_neurons):
                previous[n] = fma(-s_in[b, t - 1, n], threshold[n], v_in[b, t - 1, n])
        else:
            previous[:] = vmem0[b]
        for n in range(n_neurons):
            g_u = g_vmem[b, n]
            g_s = g_spikes[b, t, n] + g_recurrent[b, n] - g_u * threshold[n]
            g_threshold[b, n] += g_s * d_theta[n] - g_u * s_in[b, t, n]
            g_v = g_u + g_s * d_v[n]
            g_bias[b, n] += g_v
            g_alpha[b, n] += g_v * previous[n]
            g_vmem[b, n] = g_v * alpha[n]
            d_v[n] = g_v
        if noisy:
            g_vdrive[b, t] = d_v
        for s in range(n_syn):
            for n in range(n_neurons):
                g_i = g_isyn[b, s, n] + d_v[n]
                g_drive[b, t, s, n] = g_i
                before = i_in[b, t - 1, s, n] if t > 0 else isyn0[b, s, n]
                g_beta[b, s, n] += g_i * (before + irec_in[b, t, s, n])
                g_isyn[b, s, n] = g_i * beta[s, n]
