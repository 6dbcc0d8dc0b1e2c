"""The training loop of :func:`shoal.dynamics.lif.step` in Torch tensor ops (any device, dtype).

The fallback engine of :mod:`shoal.backend._torch_bptt`: used where the numba kernels
(:mod:`shoal.dynamics._bptt.lif`) do not run — tensors on a GPU, float16, numba not installed,
or a surrogate the kernels do not know (its own ``partials`` runs here). The
forward repeats ``lif.step``'s Torch operations (so its numbers are the generic loop's, bit for
bit) without recording a graph; the backward is the same chain rule as the kernels' (see that
module's docstring), plus the recurrent term::

    irec_t = S_{t−1} @ w_rec;   I_t = fma(β, irec_t, fma(β, I_{t−1}, D_t))
    gβ += gI_t·irec_t;   ∂L/∂S_{t−1} += (β·gI_t) @ w_recᵀ;   ∂L/∂w_rec = Σ_t S_{t−1}ᵀ (β·gI_t)
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from shoal.dynamics._spikes import spike_counts

__all__ = ["LIFInputs", "backward", "forward"]


class LIFInputs(NamedTuple):
    """The loop's operands, detached, parameters broadcast to their full shapes.

    ``drive`` ``(T, B, S, N)`` (synapse-major ``β·input``), ``vdrive`` ``(T, B, N)`` or
    ``None`` (noise), ``alpha``/``bias``/``threshold`` ``(N,)``, ``beta`` ``(S, N)``, initial
    ``isyn`` ``(B, S, N)``, ``vmem`` ``(B, N)``, ``spikes`` ``(B, N)`` and ``w_rec``
    ``(N, S·N)`` (synapse-major columns) or ``None`` without recurrence.
    """

    drive: torch.Tensor
    vdrive: Any  # torch.Tensor or None
    alpha: torch.Tensor
    beta: torch.Tensor
    bias: torch.Tensor
    threshold: torch.Tensor
    isyn: torch.Tensor
    vmem: torch.Tensor
    spikes: Any  # torch.Tensor or None
    w_rec: Any  # torch.Tensor or None
    max_spikes: float
    surrogate: Any
    xp: Any  # the Torch backend's namespace (spike_counts and surrogates take it)


def _recurrent(spikes: torch.Tensor, w_rec: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    return torch.reshape(spikes @ w_rec, shape)


def forward(x: LIFInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
    """``(spikes (T, B, N), final isyn, final vmem, saved)``; ``saved`` is what backward takes."""
    isyn, vmem, spikes = x.isyn, x.vmem, x.spikes
    n_syn = isyn.shape[-2]
    v_steps, i_steps, s_steps = [], [], []
    for t in range(x.drive.shape[0]):
        isyn = torch.addcmul(x.drive[t], x.beta, isyn)
        if x.w_rec is not None:
            isyn = torch.addcmul(isyn, x.beta, _recurrent(spikes, x.w_rec, isyn.shape))
        total = isyn[..., 0, :] if n_syn == 1 else torch.sum(isyn, dim=-2)
        v = torch.addcmul(total, x.alpha, vmem) + x.bias
        if x.vdrive is not None:
            v = v + x.vdrive[t]
        spikes = spike_counts(x.xp, v, x.threshold, x.max_spikes)
        vmem = torch.addcmul(v, spikes, x.threshold, value=-1)
        v_steps.append(v)
        i_steps.append(isyn)
        s_steps.append(spikes)
    out = torch.stack(s_steps)
    # The backward's own copy of the counts: the user may edit the output in place.
    return out, isyn, vmem, (torch.stack(v_steps), torch.stack(i_steps), out.clone())


def backward(
    x: LIFInputs,
    saved: Any,
    g_spikes: torch.Tensor,
    g_isyn: torch.Tensor,
    g_vmem: torch.Tensor,
) -> dict[str, torch.Tensor | None]:
    """Gradients of every operand of :class:`LIFInputs`, at their full shapes."""
    v_all, i_all, s_all = saved
    theta = x.threshold
    g_u, g_i = g_vmem, g_isyn
    g_drive = torch.empty_like(i_all)
    g_vdrive = None if x.vdrive is None else torch.empty_like(v_all)
    g_alpha, g_bias, g_theta = (torch.zeros_like(x.alpha) for _ in range(3))
    g_beta = torch.zeros_like(x.beta)
    g_w = None if x.w_rec is None else torch.zeros_like(x.w_rec)
    g_recurrent = None  # ∂L/∂S_t through irec_{t+1}
    for t in range(v_all.shape[0] - 1, -1, -1):
        v, count = v_all[t], s_all[t]
        previous = x.vmem if t == 0 else torch.addcmul(v_all[t - 1], s_all[t - 1], theta, value=-1)
        d_v, d_theta = x.surrogate.partials(x.xp, v, theta)
        g_s = g_spikes[t] - g_u * theta
        if g_recurrent is not None:
            g_s = g_s + g_recurrent
        g_v = g_u + g_s * d_v
        g_theta += torch.sum(g_s * d_theta - g_u * count, dim=0)
        g_bias += torch.sum(g_v, dim=0)
        g_alpha += torch.sum(g_v * previous, dim=0)
        g_u = g_v * x.alpha
        if g_vdrive is not None:
            g_vdrive[t] = g_v
        g_it = g_i + g_v[:, None, :]
        g_drive[t] = g_it
        i_before = x.isyn if t == 0 else i_all[t - 1]
        if x.w_rec is not None:
            s_before = x.spikes if t == 0 else s_all[t - 1]
            irec = _recurrent(s_before, x.w_rec, g_it.shape)
            g_beta += torch.sum(g_it * (i_before + irec), dim=0)
            g_irec = torch.reshape(g_it * x.beta, (g_it.shape[0], -1))
            g_recurrent = g_irec @ x.w_rec.T
            g_w += s_before.T @ g_irec
        else:
            g_beta += torch.sum(g_it * i_before, dim=0)
        g_i = g_it * x.beta
    return {
        "drive": g_drive,
        "vdrive": g_vdrive,
        "alpha": g_alpha,
        "beta": g_beta,
        "bias": g_bias,
        "threshold": g_theta,
        "isyn": g_i,
        "vmem": g_u,
        "spikes": g_recurrent,
        "w_rec": g_w,
    }
