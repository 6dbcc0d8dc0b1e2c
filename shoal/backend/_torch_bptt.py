"""Training on Torch: LIF's whole time loop as one autograd node with a hand-written backward.

Why: under autograd the generic loop (``TorchBackend.scan`` over ``lif.step``) records about ten
graph nodes per step and neuron tensor, and the backward replays them one small op at a time:
~2,000 Python-dispatched ops each way for 200 steps (workload (d): 286 ms per training step
against snnTorch's 162 ms). Here :class:`_LIFLoop` runs the forward loop without a graph,
keeps only the pre-reset membrane ``V`` and the synaptic currents ``I`` (spikes and the reset
membrane are recomputed from ``V``), and its backward is the chain rule of exactly the graph the
generic loop would have recorded: the same non-detached reset, the same surrogate partials.

Engines: on CPU in float32/float64 with one of the four built-in surrogates, numba kernels
(:mod:`shoal.backend._torch_bptt_numba`; with ``w_rec`` a Python loop over time around Torch's
per-step product); otherwise Torch tensor ops in a Python loop
(:mod:`shoal.backend._torch_bptt_ops`: GPU, float16, no numba, a user's ``Surrogate``).

Selection (:func:`training_scan`, reached through ``TorchBackend.fused_scan``): the equations
are ``lif.step``'s (``LIFTorch``, ``LIFBitshiftTorch``), autograd is recording and some operand
requires grad, ``record=False``, and every operand is a tensor of one float dtype and device.
Anything else returns ``None`` and the generic loop runs. ``SHOAL_FUSED=0`` (or
``shoal.backend.fused_kernels(False)``) turns this off, as it does the NumPy kernels.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import torch

from shoal.backend import _fused
from shoal.backend import _torch_bptt_numba as numba_engine
from shoal.backend import _torch_bptt_ops as ops
from shoal.backend._torch_bptt_numba import SURROGATE_KINDS
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
        and type(config.surrogate) in SURROGATE_KINDS
    )


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
        run = numba_engine.forward if engine == "numba" else ops.forward
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
        run = numba_engine.backward if ctx.engine == "numba" else ops.backward
        grads = run(ctx.inputs, ctx.saved, g_spikes, g_isyn, g_vmem)
        result: list[Any] = [None]
        for name, operand, needed in zip(_OPERANDS, operands, ctx.needs_input_grad[1:]):
            grad = grads[name]
            # The operands were broadcast to full shapes: sum the gradient back to each one's.
            result.append(grad.sum_to_size(operand.shape) if needed and grad is not None else None)
        return tuple(result)
