"""The numba engine of :mod:`shoal.backend._torch_bptt`: Torch tensors in, kernels, tensors out.

Without recurrence the kernels (:mod:`shoal.dynamics._bptt.lif`) run the whole time loop per
batch row, the rows split over Torch's thread count. With recurrence every step needs the
batch's ``S_{t−1} @ w_rec`` first: the time loop is in Python, Torch does the product (the same
call as the generic loop, so the forward stays bit-identical) and per-step kernels
(:mod:`shoal.dynamics._bptt.lif_recurrent`) the rest; the backward's ``∂L/∂w_rec`` is one
product over all steps at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import torch

from shoal.backend._torch_bptt_ops import LIFInputs
from shoal.backend.surrogates import FastSigmoid, PeriodicExponential, Sigmoid, StepPWL
from shoal.dynamics._fused._rows import run_rows

__all__ = ["SURROGATE_KINDS", "backward", "forward"]

#: The surrogates the kernels know (``kind`` in :mod:`shoal.dynamics._bptt.lif`). Exact types:
#: a subclass may override ``partials``, which only the Torch-ops engine honours.
SURROGATE_KINDS = {StepPWL: 0, Sigmoid: 1, FastSigmoid: 2, PeriodicExponential: 3}


def _in_threads(rows: Callable[[int, int], None], n_batches: int) -> None:
    """``rows(start, stop)`` over chunks of the batch, on up to Torch's thread count (the
    kernels release the GIL; see :mod:`shoal.dynamics._fused._rows` for why threads and a
    queue, and not numba's ``parallel=True``, whose OpenMP/TBB pool would compete with Torch's
    own threads and follow another setting than ``torch.set_num_threads``)."""
    run_rows(rows, n_batches, torch.get_num_threads())


def _batch_major(value: torch.Tensor) -> np.ndarray:
    """``(T, B, ...)`` → C-contiguous ``(B, T, ...)`` NumPy (free for a batch-major original)."""
    return value.transpose(0, 1).contiguous().numpy()


def _time_major(value: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(value).transpose(0, 1)


def _spike_output(n_batches: int, n_steps: int, n_neurons: int, dtype: Any) -> tuple:
    """The ``(T, B, N)`` output tensor, batch-major in memory, and its ``(B, T, N)`` NumPy view.

    Allocated by Torch with transposed strides rather than returned as ``.transpose`` of an
    array: an autograd output that is a view refuses in-place edits (``out.add_(1)``), which
    the generic loop's stacked output allows.
    """
    strides = (n_neurons, n_steps * n_neurons, 1)
    out = torch.empty_strided((n_steps, n_batches, n_neurons), strides, dtype=dtype)
    return out, out.transpose(0, 1).numpy()


class _ForwardBuffers(NamedTuple):
    """What both forward engines start from: batch-major inputs, outputs, fresh state."""

    drive: np.ndarray  # (B, T, n_syn, N)
    vdrive: np.ndarray  # (B, T, N), or a (1, 1, 1) placeholder without noise
    out: torch.Tensor  # the spike output handed back, (B, T, N)
    spikes: np.ndarray  # its NumPy view
    v_out: np.ndarray  # pre-reset membrane per step, (B, T, N)
    i_out: np.ndarray  # synaptic currents per step, (B, T, n_syn, N)
    isyn: np.ndarray  # state copies the kernels update in place
    vmem: np.ndarray
    params: tuple[Any, ...]  # (α, β, bias, θ, [cap, 0])


def _forward_buffers(x: LIFInputs) -> _ForwardBuffers:
    drive = _batch_major(x.drive)
    n_batches, n_steps, _, n_neurons = drive.shape
    dtype = drive.dtype
    vdrive = _batch_major(x.vdrive) if x.vdrive is not None else np.zeros((1, 1, 1), dtype)
    out, spikes = _spike_output(n_batches, n_steps, n_neurons, x.drive.dtype)
    # As the Torch clip does: a cap beyond the dtype's range is its largest value.
    cap = np.array([min(x.max_spikes, float(np.finfo(dtype).max)), 0.0], dtype)
    params = (x.alpha.numpy(), x.beta.numpy(), x.bias.numpy(), x.threshold.numpy(), cap)
    return _ForwardBuffers(
        drive, vdrive, out, spikes, np.empty_like(spikes), np.empty_like(drive),
        x.isyn.clone().numpy(), x.vmem.clone().numpy(), params,
    )  # fmt: skip


def _forward_rows(x: LIFInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
    from shoal.dynamics._bptt import lif as kernels

    drive, vdrive, out, spikes, v_out, i_out, isyn, vmem, params = _forward_buffers(x)
    noisy = x.vdrive is not None

    def rows(start: int, stop: int) -> None:
        batch = slice(start, stop)
        noise = vdrive[batch] if noisy else vdrive
        kernels.forward(drive[batch], noise, noisy, *params, spikes[batch], v_out[batch],
                        i_out[batch], isyn[batch], vmem[batch])  # fmt: skip

    _in_threads(rows, drive.shape[0])
    # The backward keeps its own copy of the counts: the user may edit the output in place.
    saved = (v_out, i_out, spikes.copy())
    return out, torch.from_numpy(isyn), torch.from_numpy(vmem), saved


def _backward_rows(
    x: LIFInputs, saved: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any
) -> dict[str, Any]:
    from shoal.dynamics._bptt import lif as kernels

    v_in, i_in, s_in = saved
    setup = _backward_setup(x, saved, g_spikes, g_isyn, g_vmem)
    g_drive, g_vdrive, g_i, g_u, g_alpha, g_beta, g_bias, g_theta, g_out, kind, params = setup
    noisy = x.vdrive is not None
    isyn0, vmem0 = x.isyn.numpy(), x.vmem.numpy()
    shared = (x.alpha.numpy(), x.beta.numpy(), x.threshold.numpy(), _lower(x))

    def rows(start: int, stop: int) -> None:
        b = slice(start, stop)
        noise = g_vdrive[b] if noisy else g_vdrive
        kernels.backward(v_in[b], i_in[b], s_in[b], g_out[b], g_i[b], g_u[b], *shared, isyn0[b],
                         vmem0[b], kind, params, noisy, g_drive[b], noise, g_alpha[b],
                         g_beta[b], g_bias[b], g_theta[b])  # fmt: skip

    _in_threads(rows, i_in.shape[0])
    grads = _gradients(x, setup, noisy)
    grads.update(spikes=None, w_rec=None)
    return grads


def _lower(x: LIFInputs) -> np.ndarray:
    """StepPWL's gate bound θ − window, in the module's dtype as the generic partials compute it
    (unused by the other surrogates)."""
    return (x.threshold - getattr(x.surrogate, "window", 0.0)).numpy()


def _backward_setup(x: LIFInputs, saved: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any) -> tuple:
    """The backward kernels' outputs (zeroed accumulators, float64 carried gradients), the
    incoming spike gradient batch-major, and the surrogate's kind and parameters."""
    v_in, i_in = saved[0], saved[1]
    n_batches, _, n_syn, n_neurons = i_in.shape
    surrogate = x.surrogate
    window = getattr(surrogate, "window", 0.0)
    params = np.array(
        [getattr(surrogate, "slope", window), getattr(surrogate, "max_spikes", 0.0)], np.float64
    )
    noisy = x.vdrive is not None
    g_drive = np.empty_like(i_in)
    g_vdrive = np.empty_like(v_in) if noisy else np.zeros((1, 1, 1), v_in.dtype)
    g_i = g_isyn.detach().to(torch.float64).contiguous().numpy().copy()
    g_u = g_vmem.detach().to(torch.float64).contiguous().numpy().copy()
    g_alpha, g_bias, g_theta = (np.zeros((n_batches, n_neurons)) for _ in range(3))
    g_beta = np.zeros((n_batches, n_syn, n_neurons))
    g_out = _batch_major(g_spikes.detach())
    kind = SURROGATE_KINDS[type(surrogate)]
    return g_drive, g_vdrive, g_i, g_u, g_alpha, g_beta, g_bias, g_theta, g_out, kind, params


def _gradients(x: LIFInputs, setup: tuple, noisy: bool) -> dict[str, Any]:
    """The filled outputs of :func:`_backward_setup` as Torch gradients (rows summed)."""
    g_drive, g_vdrive, g_i, g_u, g_alpha, g_beta, g_bias, g_theta = setup[:8]
    dtype = x.threshold.dtype

    def summed(value: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(value.sum(axis=0)).to(dtype)

    return {
        "drive": _time_major(g_drive),
        "vdrive": _time_major(g_vdrive) if noisy else None,
        "alpha": summed(g_alpha),
        "beta": summed(g_beta),
        "bias": summed(g_bias),
        "threshold": summed(g_theta),
        "isyn": torch.from_numpy(g_i).to(dtype),
        "vmem": torch.from_numpy(g_u).to(dtype),
    }


def forward(x: LIFInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
    """``(spikes (T, B, N), final isyn, final vmem, saved)``, as the Torch-ops engine's."""
    return _forward_recurrent(x) if x.w_rec is not None else _forward_rows(x)


def backward(x: LIFInputs, saved: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any) -> dict[str, Any]:
    """Gradients of every operand of :class:`LIFInputs`, at their full shapes."""
    if x.w_rec is not None:
        return _backward_recurrent(x, saved, g_spikes, g_isyn, g_vmem)
    return _backward_rows(x, saved, g_spikes, g_isyn, g_vmem)


def _forward_recurrent(x: LIFInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
    from shoal.dynamics._bptt import lif_recurrent as kernels

    drive, vdrive, out, spikes, v_out, i_out, isyn, vmem, params = _forward_buffers(x)
    n_batches, n_steps, n_syn, n_neurons = drive.shape
    noisy = x.vdrive is not None
    irec_out = np.empty_like(drive)
    carry = x.spikes.clone().numpy()  # S_{t−1}, contiguous; the kernel writes S_t into it
    carry_tensor = torch.from_numpy(carry)  # the same memory
    for t in range(n_steps):
        # `spikes @ w_rec` exactly as lif.step computes it (same call, same BLAS).
        irec = torch.reshape(carry_tensor @ x.w_rec, (n_batches, n_syn, n_neurons)).numpy()
        kernels.forward_step(t, drive, irec, vdrive, noisy, *params, spikes, v_out, i_out,
                             irec_out, isyn, vmem, carry)  # fmt: skip
    saved = (v_out, i_out, spikes.copy(), irec_out)  # a copy: the output may be edited
    return out, torch.from_numpy(isyn), torch.from_numpy(vmem), saved


def _backward_recurrent(
    x: LIFInputs, saved: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any
) -> dict[str, Any]:
    from shoal.dynamics._bptt import lif_recurrent as kernels

    v_in, i_in, s_in, irec_in = saved
    n_batches, n_steps, n_syn, n_neurons = i_in.shape
    setup = _backward_setup(x, saved, g_spikes, g_isyn, g_vmem)
    g_drive, g_vdrive, g_i, g_u, g_alpha, g_beta, g_bias, g_theta, g_out, kind, params = setup
    noisy = x.vdrive is not None
    shared = (x.alpha.numpy(), x.beta.numpy(), x.threshold.numpy(), _lower(x))
    w_rec_t = x.w_rec.T
    g_recurrent = np.zeros((n_batches, n_neurons))  # ∂L/∂S_t through irec_{t+1}
    # β·gI_t of every step, for ∂L/∂w_rec = Σ_t S_{t−1}ᵀ (β·gI_t) as one product at the end.
    g_irec_all = np.empty((n_batches, n_steps, n_syn * n_neurons), v_in.dtype)
    for t in range(n_steps - 1, -1, -1):
        kernels.backward_step(t, v_in, i_in, s_in, irec_in, g_out, g_recurrent, g_i, g_u,
                              *shared, x.isyn.numpy(), x.vmem.numpy(), kind, params, noisy,
                              g_drive, g_vdrive, g_alpha, g_beta, g_bias, g_theta)  # fmt: skip
        g_irec = g_i.reshape(n_batches, n_syn * n_neurons).astype(v_in.dtype)
        g_irec_all[:, t] = g_irec
        g_recurrent = (torch.from_numpy(g_irec) @ w_rec_t).numpy().astype(np.float64)
    s_before = np.concatenate([x.spikes.numpy()[:, None], s_in[:, :-1]], axis=1)
    g_w = torch.from_numpy(s_before.reshape(-1, n_neurons)).T @ torch.from_numpy(
        g_irec_all.reshape(-1, n_syn * n_neurons)
    )
    grads = _gradients(x, setup, noisy)
    grads["spikes"] = torch.from_numpy(g_recurrent).to(x.threshold.dtype)
    grads["w_rec"] = g_w
    return grads
