"""Forward and backward kernels of :func:`shoal.dynamics.lif.step` for training (no recurrence).

Forward, per batch row and step, in ``step``'s order of operations (``fma`` rounds once, as
Torch's ``addcmul`` does)::

    I_t = fma(β, I_{t−1}, D_t)                        D: syn_drive (β·input), (S, N) per step
    V_t = fma(α, U_{t−1}, Σ_s I_t) + bias (+ noise_t)
    S_t = clip(floor(V_t/θ) · [V_t ≥ θ], 0, max_spikes)
    U_t = fma(−S_t, θ, V_t)

It stores ``V`` (pre-reset) and ``I``: all the backward needs (``S`` and ``U`` are recomputed
from ``V`` bit-identically). Backward, the chain rule of the graph the generic loop records —
the reset is *not* detached, so the spike's surrogate also flows through ``−S_t·θ``::

    gS   = ∂L/∂S_t − gU·θ                  gU: ∂L/∂U_t from step t+1 (or the final state)
    gV   = gU + gS·∂S/∂V                   ∂S/∂V, ∂S/∂θ: the surrogate's partials at (V_t, θ)
    gθ  += −gU·S_t + gS·∂S/∂θ;   gbias += gV;   gα += gV·U_{t−1};   gU ← α·gV
    gI_t = gI + gV  (per synapse) = ∂L/∂D_t;   gβ += gI_t·I_{t−1};   gI ← β·gI_t

Gradients are carried and accumulated in float64 (float32 sums over 10⁴ terms lose digits);
parameter gradients come back per batch row, ``(B, ...)``, summed by the caller.
"""

from __future__ import annotations

import numpy as np

from shoal.dynamics._bptt._fma import fma, njit

__all__ = ["FAST_SIGMOID", "PERIODIC_EXPONENTIAL", "SIGMOID", "STEP_PWL", "backward", "forward"]

# Surrogate kinds (shoal.backend.surrogates), and the parameters each kernel call takes in
# `params` (float64): StepPWL none (its gate bound θ − window comes in `lower`, computed in the
# module's dtype as the generic path does), Sigmoid/FastSigmoid (slope,), PeriodicExponential
# (window, max_spikes).
STEP_PWL, SIGMOID, FAST_SIGMOID, PERIODIC_EXPONENTIAL = 0, 1, 2, 3


@njit
def _count(v, threshold, limits):  # pragma: no cover - compiled
    """``spike_counts``: ``clip(floor(v/θ)·[v ≥ θ], 0, cap)``, in the input's dtype.

    ``limits`` is ``[cap, 0]`` in the dtype: a float literal would make numba compute in
    float64. Masked counts are ``count·0``, not 0, so a NaN stays NaN as in Torch. Selects,
    not branches, so that the loops calling it vectorise.
    """
    zero = limits[1]
    count = np.floor(v / threshold)
    count = count if v >= threshold else count * zero
    count = zero if count < zero else count
    return limits[0] if count > limits[0] else count


@njit
def membrane_and_spikes(b, t, isyn, vdrive, noisy, alpha, bias, threshold, max_spikes,
                        spikes, v_out, vmem):  # fmt: skip  # pragma: no cover - compiled
    """Row ``b``, step ``t`` after the synapses: ``v_out`` (pre-reset membrane), ``spikes`` and
    the reset ``vmem``, in ``lif.step``'s order (shared by the recurrent step kernel)."""
    n_syn, n_neurons = isyn.shape[1], isyn.shape[2]
    for n in range(n_neurons):
        total = isyn[b, 0, n]
        for s in range(1, n_syn):
            total = total + isyn[b, s, n]
        v_out[b, t, n] = fma(alpha[n], vmem[b, n], total) + bias[n]
    if noisy:
        for n in range(n_neurons):
            v_out[b, t, n] = v_out[b, t, n] + vdrive[b, t, n]
    for n in range(n_neurons):
        count = _count(v_out[b, t, n], threshold[n], max_spikes)
        spikes[b, t, n] = count
        vmem[b, n] = fma(-count, threshold[n], v_out[b, t, n])


@njit
def forward(drive, vdrive, noisy, alpha, beta, bias, threshold, max_spikes,
            spikes, v_out, i_out, isyn, vmem):  # fmt: skip  # pragma: no cover - compiled
    """The forward loop; fills ``spikes``/``v_out`` ``(B, T, N)``, ``i_out`` ``(B, T, S, N)``
    and the final ``isyn`` ``(B, S, N)``, ``vmem`` ``(B, N)`` (which start as copies of the
    initial state). ``max_spikes`` is ``[cap, 0]`` in the dtype (see :func:`_count`)."""
    n_batches, n_steps, n_syn, n_neurons = drive.shape
    for b in range(n_batches):
        for t in range(n_steps):
            for s in range(n_syn):
                for n in range(n_neurons):
                    isyn[b, s, n] = fma(beta[s, n], isyn[b, s, n], drive[b, t, s, n])
                    i_out[b, t, s, n] = isyn[b, s, n]
            membrane_and_spikes(b, t, isyn, vdrive, noisy, alpha, bias, threshold, max_spikes,
                                spikes, v_out, vmem)  # fmt: skip


@njit
def _surrogate(kind, params, v, threshold, lower, d_v, d_theta):  # pragma: no cover - compiled
    """``d_v``, ``d_theta`` ``(N,)`` (float64) ← the surrogate's ``(∂S/∂V, ∂S/∂θ)`` at ``v``.

    One loop per kind (the branch outside the loop, so each loop vectorises). StepPWL's gate
    ``V ≥ θ − window`` is decided in the module's dtype (``lower`` = θ − window computed by
    Torch), as the generic partials decide it, so that float32 gates agree exactly.
    """
    n_neurons = v.shape[0]
    if kind == STEP_PWL:
        for n in range(n_neurons):
            gate = 1.0 if v[n] >= lower[n] else 0.0
            theta = np.float64(threshold[n])
            d_v[n] = gate / theta
            d_theta[n] = -gate * np.float64(v[n]) / theta**2
    elif kind == SIGMOID:
        slope = params[0]
        for n in range(n_neurons):
            s = 1.0 / (1.0 + np.exp(-slope * (np.float64(v[n]) - threshold[n])))
            d_v[n] = slope * s * (1.0 - s)
            d_theta[n] = -d_v[n]
    elif kind == FAST_SIGMOID:
        for n in range(n_neurons):
            d_v[n] = 1.0 / (1.0 + params[0] * abs(np.float64(v[n]) - threshold[n])) ** 2
            d_theta[n] = -d_v[n]
    else:
        window, periods_max = params[0], params[1] - 1.0
        for n in range(n_neurons):
            x, theta = np.float64(v[n]), np.float64(threshold[n])
            shifted = x - theta / 2.0
            periods = min(np.floor(shifted / theta), periods_max)
            u = shifted - theta * periods if x >= theta else shifted
            pdf = np.exp(-abs(u - theta / 2.0) / window) / theta
            d_v[n] = pdf
            d_theta[n] = -pdf * x / theta


@njit
def backward(v_in, i_in, s_in, g_spikes, g_isyn, g_vmem, alpha, beta, threshold, lower,
             isyn0, vmem0, kind, params, noisy,
             g_drive, g_vdrive, g_alpha, g_beta, g_bias, g_threshold):  # fmt: skip  # pragma: no cover - compiled
    """The reverse loop (see the module docstring); ``s_in`` are the forward's spike counts.

    On entry ``g_isyn`` ``(B, S, N)`` and ``g_vmem`` ``(B, N)`` (float64) hold the gradients
    of the final state; on return, those of the initial state. Fills ``g_drive``
    ``(B, T, S, N)``, ``g_vdrive`` ``(B, T, N)`` (if ``noisy``) and the per-row parameter
    gradients ``g_alpha``, ``g_bias``, ``g_threshold`` ``(B, N)``, ``g_beta`` ``(B, S, N)``
    (float64, zero on entry).
    """
    n_batches, n_steps, n_syn, n_neurons = i_in.shape
    d_v = np.empty(n_neurons)
    d_theta = np.empty(n_neurons)
    g_s = np.empty(n_neurons)
    previous = np.empty(n_neurons, v_in.dtype)
    for b in range(n_batches):
        for t in range(n_steps - 1, -1, -1):
            _surrogate(kind, params, v_in[b, t], threshold, lower, d_v, d_theta)
            if t > 0:  # the reset membrane U_{t−1}, as the forward computed it
                for n in range(n_neurons):
                    previous[n] = fma(-s_in[b, t - 1, n], threshold[n], v_in[b, t - 1, n])
            else:
                previous[:] = vmem0[b]
            # Small loops, few arrays each: LLVM vectorises a loop only when it can check at
            # run time that its arrays do not overlap, and gives up beyond a few of them.
            for n in range(n_neurons):
                g_s[n] = g_spikes[b, t, n] - g_vmem[b, n] * threshold[n]
            for n in range(n_neurons):
                g_threshold[b, n] += g_s[n] * d_theta[n] - g_vmem[b, n] * s_in[b, t, n]
            for n in range(n_neurons):
                d_v[n] = g_vmem[b, n] + g_s[n] * d_v[n]  # d_v becomes ∂L/∂V_t
            for n in range(n_neurons):
                g_bias[b, n] += d_v[n]
            for n in range(n_neurons):
                g_alpha[b, n] += d_v[n] * previous[n]
            for n in range(n_neurons):
                g_vmem[b, n] = d_v[n] * alpha[n]
            if noisy:
                g_vdrive[b, t] = d_v
            for s in range(n_syn):
                for n in range(n_neurons):
                    g_isyn[b, s, n] += d_v[n]  # now ∂L/∂I_t
                for n in range(n_neurons):
                    g_drive[b, t, s, n] = g_isyn[b, s, n]
                before = i_in[b, t - 1, s] if t > 0 else isyn0[b, s]
                for n in range(n_neurons):
                    g_beta[b, s, n] += g_isyn[b, s, n] * before[n]
                for n in range(n_neurons):
                    g_isyn[b, s, n] *= beta[s, n]
