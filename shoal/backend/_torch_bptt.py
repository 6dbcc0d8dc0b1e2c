"""Training on Torch: LIF's whole time loop as one autograd node with a hand-written backward.

Why: under autograd the generic loop (``TorchBackend.scan`` over ``lif.step``) records about ten
graph nodes per step and neuron tensor, and the backward replays them one small op at a time:
~2,000 Python-dispatched ops each way for 200 steps (workload (d): 286 ms per training step
against snnTorch's 162 ms). Here :class:`_LIFLoop` runs the forward loop without a graph,
keeps only the pre-reset membrane ``V`` and the synaptic currents ``I`` (spikes and the reset
membrane are recomputed from ``V``), and its backward is the chain rule of exactly the graph the
generic loop would have recorded: the same non-detached reset, the same surrogate partials.

Engines: on CPU in float32/float64 with one of the four built-in surrogates and no recurrence,
numba kernels (:mod:`shoal.dynamics._bptt.lif`); otherwise Torch tensor ops in a Python loop
(:mod:`shoal.backend._torch_bptt_ops`: GPU, float16, any ``Surrogate``, recurrence).

Selection (:func:`training_scan`, reached through ``TorchBackend.fused_scan``): the equations
are ``lif.step``'s (``LIFTorch``, ``LIFBitshiftTorch``), autograd is recording and some operand
requires grad, ``record=False``, and every operand is a tensor of one float dtype and device.
Anything else returns ``None`` and the generic loop runs. ``SHOAL_FUSED=0`` (or
``shoal.backend.fused_kernels(False)``) turns this off, as it does the NumPy kernels.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import torch

from shoal.backend import _fused
from shoal.backend import _torch_bptt_ops as ops
from shoal.backend.surrogates import FastSigmoid, PeriodicExponential, Sigmoid, StepPWL
from shoal.dynamics import lif

__all__ = ["training_scan"]

_OPERANDS = ("drive", "vdrive", "alpha", "beta", "bias", "threshold", "isyn", "vmem", "spikes",
             "w_rec")  # fmt: skip
_NUMBA_DTYPES = (torch.float32, torch.float64)
_has_numba: dict[str, bool] = {}


@torch.compiler.disable  # type: ignore[misc]  # a graph break, like the generic loop's
def training_scan(
    xp: Any, dynamics: Any, config: Any, consts: Any, state: Any, xs: Any, record: bool
) -> tuple[Any, Any, dict[str, Any]] | None:
    """``TorchBackend.scan``'s result through the fused training loop, or ``None`` (generic).

    ``xp`` is the Torch backend's namespace (passed in: this module is imported by
    ``torch_backend`` and must not import it back).
    """
    if record or not torch.is_grad_enabled() or not _fused._switch["enabled"]:
        return None
    if getattr(dynamics, "step", None) is not lif.step or not isinstance(state, lif.LIFState):
        return None
    drive, vdrive = xs
    operands = (drive, vdrive, consts.alpha, consts.beta, consts.bias, consts.threshold,
                state.isyn, state.vmem, state.spikes if config.has_rec else None,
                consts.w_rec if config.has_rec else None)  # fmt: skip
    if not _covered(operands, config.has_rec):
        return None
    engine = "numba" if _numba_runs(drive, config) else "ops"
    loop_config = (engine, config.max_spikes, config.surrogate, xp)
    spikes, isyn, vmem = _LIFLoop.apply(loop_config, *operands)
    return lif.LIFState(spikes[-1] if config.has_rec else None, isyn, vmem), spikes, {}


def _covered(operands: tuple[Any, ...], has_rec: bool) -> bool:
    """Tensors of one float dtype and device, shaped as ``lif.prepare`` makes them, needing grad."""
    present = [value for value in operands if value is not None]
    if not all(isinstance(value, torch.Tensor) for value in present):
        return False
    drive = operands[0]
    if drive.ndim != 4 or drive.shape[0] == 0 or not drive.is_floating_point():
        return False
    if any(value.dtype != drive.dtype or value.device != drive.device for value in present):
        return False
    if has_rec and (operands[8] is None or operands[9] is None):
        return False
    return any(value.requires_grad for value in present)


def _numba_runs(drive: torch.Tensor, config: Any) -> bool:
    if "numba" not in _has_numba:
        _has_numba["numba"] = importlib.util.find_spec("numba") is not None
    return (
        _has_numba["numba"]
        and drive.device.type == "cpu"
        and drive.dtype in _NUMBA_DTYPES
        and not config.has_rec
        and type(config.surrogate) in _SURROGATE_KINDS
    )


# Exact types: a subclass may override `partials`, which only the ops engine honours.
_SURROGATE_KINDS = {StepPWL: 0, Sigmoid: 1, FastSigmoid: 2, PeriodicExponential: 3}


class _LIFLoop(torch.autograd.Function):
    """LIF's time loop forward (no graph) and its BPTT backward, for one engine."""

    @staticmethod
    def forward(ctx: Any, loop_config: tuple[Any, ...], *operands: Any) -> Any:  # type: ignore[override]
        """``loop_config``: ``(engine, max_spikes, surrogate, xp)``; ``operands`` as
        :data:`_OPERANDS` (``None`` for an absent one)."""
        engine, max_spikes, surrogate, xp = loop_config
        drive, vdrive, alpha, beta, bias, threshold, isyn, vmem, spikes, w_rec = operands
        _, n_batches, n_syn, n_neurons = drive.shape

        def full(value: Any, shape: tuple[int, ...]) -> Any:
            return None if value is None else value.detach().broadcast_to(shape).contiguous()

        inputs = ops.LIFInputs(
            drive.detach(), None if vdrive is None else vdrive.detach(),
            full(alpha, (n_neurons,)), full(beta, (n_syn, n_neurons)), full(bias, (n_neurons,)),
            full(threshold, (n_neurons,)), full(isyn, (n_batches, n_syn, n_neurons)),
            full(vmem, (n_batches, n_neurons)), full(spikes, (n_batches, n_neurons)),
            None if w_rec is None else w_rec.detach(), float(max_spikes), surrogate, xp,
        )  # fmt: skip
        run = _numba_forward if engine == "numba" else ops.forward
        out, isyn_final, vmem_final, saved = run(inputs)
        # The operands themselves go through save_for_backward, so that an in-place change
        # before backward (an optimiser step) raises as it does on the generic path.
        ctx.save_for_backward(*operands)
        ctx.engine, ctx.inputs, ctx.saved = engine, inputs, saved
        return out, isyn_final, vmem_final

    @staticmethod
    def backward(ctx: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any) -> Any:  # type: ignore[override]
        if torch.is_grad_enabled():
            # create_graph=True: this backward runs outside autograd (numba, or ops on detached
            # tensors), so a second derivative would be silently missing the loop's share.
            raise NotImplementedError(
                "shoal.backend._torch_bptt: second derivatives (backward with "
                "create_graph=True) are not implemented by the fused LIF training loop; run "
                "the module inside shoal.backend.fused_kernels(False) (or with SHOAL_FUSED=0) "
                "to differentiate the generic loop twice"
            )
        operands = ctx.saved_tensors  # checks the versions; the values are in ctx.inputs
        run = _numba_backward if ctx.engine == "numba" else ops.backward
        grads = run(ctx.inputs, ctx.saved, g_spikes, g_isyn, g_vmem)
        result: list[Any] = [None]
        for name, operand, needed in zip(_OPERANDS, operands, ctx.needs_input_grad[1:]):
            grad = grads[name]
            # The operands were broadcast to full shapes: sum the gradient back to each one's.
            result.append(grad.sum_to_size(operand.shape) if needed and grad is not None else None)
        return tuple(result)


# ---------------------------------------------------------------------- numba engine
_pool: dict[tuple[int, int], ThreadPoolExecutor] = {}


def _in_threads(rows: Callable[[int, int], None], n_batches: int) -> None:
    """``rows(start, stop)`` over contiguous chunks of the batch, in torch's number of threads.

    Batch rows are independent and the kernels release the GIL, so Python threads run them in
    parallel (not numba's ``parallel=True``: its OpenMP/TBB pool would compete with Torch's own
    OpenMP threads, and follow another thread setting than ``torch.set_num_threads``). The
    calling thread runs the first chunk itself. The pool is keyed by process id: a forked child
    (a DataLoader worker, multiprocessing) inherits the pool object but not its threads, and
    would wait forever on it.
    """
    n_threads = max(1, min(torch.get_num_threads(), n_batches))
    if n_threads == 1:
        rows(0, n_batches)
        return
    key = (os.getpid(), n_threads - 1)
    if key not in _pool:  # one pool, of the current size
        for old in _pool.values():
            old.shutdown(wait=False)
        _pool.clear()
        _pool[key] = ThreadPoolExecutor(n_threads - 1, thread_name_prefix="shoal-bptt")
    bounds = [int(b) for b in np.linspace(0, n_batches, n_threads + 1)]
    chunks = list(itertools.pairwise(bounds))
    futures = [_pool[key].submit(rows, start, stop) for start, stop in chunks[1:]]
    try:
        rows(*chunks[0])
    finally:
        for future in futures:
            future.result()  # waits for every chunk; re-raises a chunk's error here


def _batch_major(value: torch.Tensor) -> np.ndarray:
    """``(T, B, ...)`` → C-contiguous ``(B, T, ...)`` NumPy (free for a batch-major original)."""
    return value.transpose(0, 1).contiguous().numpy()


def _time_major(value: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(value).transpose(0, 1)


def _numba_forward(x: ops.LIFInputs) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, Any]:
    from shoal.dynamics._bptt import lif as kernels

    drive = _batch_major(x.drive)
    n_batches, n_steps, _, n_neurons = drive.shape
    dtype = drive.dtype
    noisy = x.vdrive is not None
    vdrive = _batch_major(x.vdrive) if noisy else np.zeros((1, 1, 1), dtype)
    spikes = np.empty((n_batches, n_steps, n_neurons), dtype)
    v_out = np.empty_like(spikes)
    i_out = np.empty_like(drive)
    isyn = x.isyn.clone().numpy()  # the kernel updates the state in place
    vmem = x.vmem.clone().numpy()
    # As the Torch clip does: a cap beyond the dtype's range is its largest value.
    cap = np.array([min(x.max_spikes, float(np.finfo(dtype).max)), 0.0], dtype)
    params = (x.alpha.numpy(), x.beta.numpy(), x.bias.numpy(), x.threshold.numpy(), cap)

    def rows(start: int, stop: int) -> None:
        batch = slice(start, stop)
        noise = vdrive[batch] if noisy else vdrive
        kernels.forward(drive[batch], noise, noisy, *params, spikes[batch], v_out[batch],
                        i_out[batch], isyn[batch], vmem[batch])  # fmt: skip

    _in_threads(rows, n_batches)
    return (
        _time_major(spikes),
        torch.from_numpy(isyn),
        torch.from_numpy(vmem),
        (v_out, i_out, spikes),
    )


def _numba_backward(
    x: ops.LIFInputs, saved: Any, g_spikes: Any, g_isyn: Any, g_vmem: Any
) -> dict[str, Any]:
    from shoal.dynamics._bptt import lif as kernels

    v_in, i_in, s_in = saved
    n_batches, _, n_syn, n_neurons = i_in.shape
    dtype, torch_dtype = v_in.dtype, x.threshold.dtype
    surrogate = x.surrogate
    kind = _SURROGATE_KINDS[type(surrogate)]
    window = getattr(surrogate, "window", 0.0)
    # StepPWL's gate bound θ − window, in the module's dtype as the generic partials compute it.
    lower = (x.threshold - window).numpy()
    params = np.array(
        [getattr(surrogate, "slope", window), getattr(surrogate, "max_spikes", 0.0)], np.float64
    )
    noisy = x.vdrive is not None
    g_drive = np.empty_like(i_in)
    g_vdrive = np.empty_like(v_in) if noisy else np.zeros((1, 1, 1), dtype)
    g_i = g_isyn.detach().to(torch.float64).contiguous().numpy().copy()
    g_u = g_vmem.detach().to(torch.float64).contiguous().numpy().copy()
    g_alpha, g_bias, g_theta = (np.zeros((n_batches, n_neurons)) for _ in range(3))
    g_beta = np.zeros((n_batches, n_syn, n_neurons))
    g_out = _batch_major(g_spikes.detach())
    isyn0, vmem0 = x.isyn.numpy(), x.vmem.numpy()
    shared = (x.alpha.numpy(), x.beta.numpy(), x.threshold.numpy(), lower)

    def rows(start: int, stop: int) -> None:
        b = slice(start, stop)
        noise = g_vdrive[b] if noisy else g_vdrive
        kernels.backward(v_in[b], i_in[b], s_in[b], g_out[b], g_i[b], g_u[b], *shared, isyn0[b],
                         vmem0[b], kind, params, noisy, g_drive[b], noise, g_alpha[b],
                         g_beta[b], g_bias[b], g_theta[b])  # fmt: skip

    _in_threads(rows, n_batches)

    def summed(value: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(value.sum(axis=0)).to(torch_dtype)

    return {
        "drive": _time_major(g_drive),
        "vdrive": _time_major(g_vdrive) if noisy else None,
        "alpha": summed(g_alpha),
        "beta": summed(g_beta),
        "bias": summed(g_bias),
        "threshold": summed(g_theta),
        "isyn": torch.from_numpy(g_i).to(torch_dtype),
        "vmem": torch.from_numpy(g_u).to(torch_dtype),
        "spikes": None,
        "w_rec": None,
    }
