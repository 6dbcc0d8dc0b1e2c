"""Torch's spike function: multi-spike counts forward, the surrogate's partials backward.

Kept apart from :mod:`shoal.backend.torch_backend` (which re-exports :func:`spike`) so each file
stays small; it needs only torch and the shared spike rule.
"""

from __future__ import annotations

import numbers
import weakref
from typing import Any

import torch

from shoal.backend._torch_namespace import XP
from shoal.backend.surrogates import Surrogate, step_pwl
from shoal.dynamics._spikes import spike_counts

__all__ = ["spike"]


def _sum_to_shape(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    """Undo broadcasting: sum ``grad`` over the axes a value of ``shape`` was broadcast along."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(dim=tuple(range(extra)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(dim=axes, keepdim=True)
    return grad.reshape(shape)


class _Spike(torch.autograd.Function):
    """Spike counts forward; the surrogate's partial derivatives backward."""

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: Any,
        v: torch.Tensor,
        threshold: torch.Tensor,
        max_spikes: Any,
        surrogate: Surrogate,
        positive: bool,
    ) -> torch.Tensor:
        ctx.save_for_backward(v, threshold)
        ctx.surrogate = surrogate
        return spike_counts(XP, v, threshold, max_spikes, positive=positive)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> Any:  # type: ignore[override]
        v, threshold = ctx.saved_tensors
        d_v, d_threshold = ctx.surrogate.partials(XP, v, threshold)
        grad_v = grad * d_v if ctx.needs_input_grad[0] else None
        grad_threshold = None
        if ctx.needs_input_grad[1]:
            grad_threshold = _sum_to_shape(grad * d_threshold, threshold.shape)
        return grad_v, grad_threshold, None, None, None


# The last threshold found all positive (or not): a weak reference, its version and the answer.
_last_threshold: dict[str, Any] = {}


def _all_positive(threshold: Any) -> bool:
    """Whether every ``θ > 0``: then :func:`spike_counts` skips its mask (3 of a LIF step's 11
    operations) and gives the same counts. Checked once per tensor, not per step: a loop passes
    the same threshold tensor at every step, and its ``_version`` changes if edited in place."""
    if isinstance(threshold, numbers.Real):
        return float(threshold) > 0
    if threshold.is_meta:
        return False  # no values to look at; the masked rule is right for every θ
    held = _last_threshold.get("ref")
    if (
        held is not None
        and held() is threshold
        and _last_threshold["version"] == (threshold._version)
    ):
        return bool(_last_threshold["positive"])
    positive = bool((threshold > 0).all())
    _last_threshold.update(ref=weakref.ref(threshold), version=threshold._version)
    _last_threshold["positive"] = positive
    return positive


def spike(
    v: torch.Tensor, threshold: Any, max_spikes: Any, surrogate: Surrogate = step_pwl
) -> torch.Tensor:
    """Multi-spike counts whose gradient is ``surrogate``'s (default ``StepPWL``)."""
    positive = _all_positive(threshold)
    threshold = XP.asarray(threshold, dtype=v.dtype)
    return _Spike.apply(v, threshold, max_spikes, surrogate, positive)  # type: ignore[no-any-return]
