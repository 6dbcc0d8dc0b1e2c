r"""Connectionist temporal classification (CTC) loss for one label sequence.

Rockpool-compatible (``rockpool.training.ctc_loss``): ``(label, log_prob, seq_length,
big_num=1e10) -> float``, the negative log-likelihood :math:`-\log P(\text{label} \mid x)`
summed over every alignment that collapses to ``label`` (repeats merged, then blanks removed).
Class 0 is the blank. It equals PyTorch's ``ctc_loss(..., blank=0, reduction="sum")`` for one
sequence. A label that no alignment of ``seq_length`` steps can produce costs about
``big_num`` (the stand-in for :math:`-\log 0`).

:func:`ctc_loss_numpy` needs only NumPy; :func:`ctc_loss_jax` imports JAX when called and
works under ``jit`` (``seq_length`` static) and ``grad``; :func:`ctc_loss_torch` imports
PyTorch when called and carries autograd. All three run the same recursion (:func:`_step`).

Examples:
    >>> import numpy as np
    >>> log_prob = np.log([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.2, 0.3]])
    >>> round(ctc_loss_numpy([1], log_prob, 3), 6), round(ctc_loss_numpy([1, 2], log_prob, 3), 5)
    (0.996959, 1.49165)
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from shoal.backend._lazy import require
from shoal.backend._registry import is_tracer

__all__ = ["ctc_loss_jax", "ctc_loss_numpy", "ctc_loss_torch"]

BLANK = 0


def _check(owner: str, label: Any, log_prob: Any, seq_length: Any) -> tuple[Any, int]:
    """Validate what is concrete; return the label as an int array and ``seq_length``."""
    shape = np.shape(log_prob)
    if len(shape) != 2:
        raise ValueError(f"{owner}: `log_prob` must be (T, C), got shape {tuple(shape)}")
    if isinstance(seq_length, bool) or not isinstance(seq_length, (int, np.integer)):
        raise TypeError(f"{owner}: `seq_length` must be an int, got {seq_length!r}")
    if not 1 <= seq_length <= shape[0]:
        raise ValueError(f"{owner}: `seq_length` must be in [1, T = {shape[0]}], got {seq_length}")
    if is_tracer(label):
        return label, int(seq_length)
    labels = np.asarray(label)
    if labels.ndim != 1 or labels.size == 0 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{owner}: `label` must be a non-empty 1-D sequence of ints, got {label!r}"
        )
    if np.any(labels <= BLANK) or np.any(labels >= shape[1]):
        raise ValueError(
            f"{owner}: labels must be classes 1 … C−1 = {shape[1] - 1} (0 is the blank), "
            f"got {labels.tolist()}"
        )
    return labels, int(seq_length)


def _extended_label(xp: Any, label: Any) -> tuple[Any, Any]:
    """``[0, l1, 0, l2, …, 0]`` and, per position, whether the skip from ``s − 2`` is allowed.

    A skip jumps over a blank between two *different* labels; never onto a blank.
    """
    n = label.shape[0]
    extended = xp.zeros(2 * n + 1, dtype=label.dtype)
    if xp is np:
        extended[1::2] = label
    else:
        extended = extended.at[1::2].set(label)
    previous = xp.concatenate([xp.full(2, -1, dtype=label.dtype), extended[:-2]])
    can_skip = (extended != BLANK) & (extended != previous)
    return extended, can_skip


def _logaddexp3(xp: Any, a: Any, b: Any, c: Any) -> Any:
    top = xp.maximum(xp.maximum(a, b), c)
    return top + xp.log(xp.exp(a - top) + xp.exp(b - top) + xp.exp(c - top))


def _step(xp: Any, alpha: Any, emit: Any, can_skip: Any, log_zero: Any) -> Any:
    """One step of the forward (alpha) recursion in log space."""
    pad = xp.full_like(alpha[:1], log_zero)  # on alpha's device and dtype (Torch on a GPU)
    from_prev = xp.concatenate([pad, alpha[:-1]])
    from_skip = xp.where(can_skip, xp.concatenate([pad, pad, alpha[:-2]]), log_zero)
    return _logaddexp3(xp, alpha, from_prev, from_skip) + emit


def ctc_loss_numpy(label: Any, log_prob: Any, seq_length: int, big_num: float = 1e10) -> float:
    """CTC negative log-likelihood of ``label`` (NumPy, float64).

    Args:
        label: Sequence of class indices ``1 … C−1`` (at least one; repeated labels need a
            blank between them in the alignment).
        log_prob: ``(T, C)`` log-probabilities per time bin; class 0 is the blank.
        seq_length: Number of leading time bins to use (``1 ≤ seq_length ≤ T``).
        big_num: ``-big_num`` stands for :math:`\\log 0` (default ``1e10``).

    Returns:
        The loss as a Python float (≥ 0).
    """
    labels, steps = _check("ctc_loss_numpy", label, log_prob, seq_length)
    log_prob = np.asarray(log_prob, dtype=np.float64)
    extended, can_skip = _extended_label(np, labels)
    emits = log_prob[:steps, extended]
    alpha = np.full(extended.shape[0], -big_num)
    alpha[:2] = emits[0, :2]
    for t in range(1, steps):
        alpha = _step(np, alpha, emits[t], can_skip, -big_num)
    return float(-np.logaddexp(alpha[-1], alpha[-2]))


@functools.cache
def _compiled_jax() -> Any:
    jax = require("jax", "jax", "ctc_loss_jax")
    jnp = jax.numpy

    def loss(label: Any, log_prob: Any, seq_length: int, big_num: float) -> Any:
        label = jnp.asarray(label, dtype=jnp.int32)
        log_prob = jnp.asarray(log_prob)
        extended, can_skip = _extended_label(jnp, label)
        emits = log_prob[:seq_length, extended]
        log_zero = jnp.asarray(-big_num, dtype=log_prob.dtype)
        alpha = jnp.full(extended.shape[0], log_zero).at[:2].set(emits[0, :2])

        def step(alpha: Any, emit: Any) -> tuple[Any, None]:
            return _step(jnp, alpha, emit, can_skip, log_zero), None

        alpha, _ = jax.lax.scan(step, alpha, emits[1:])
        return -jnp.logaddexp(alpha[-1], alpha[-2])

    return jax.jit(loss, static_argnames=("seq_length",))


def ctc_loss_jax(label: Any, log_prob: Any, seq_length: int, big_num: float = 1e10) -> Any:
    """CTC negative log-likelihood of ``label`` (JAX; ``jit`` and ``grad`` compatible).

    Arguments as :func:`ctc_loss_numpy`; ``seq_length`` must be a Python int (static under
    ``jit``), the label may be traced. Returns a scalar JAX array in ``log_prob``'s dtype.
    """
    _, steps = _check("ctc_loss_jax", label, log_prob, seq_length)
    return _compiled_jax()(label, log_prob, steps, big_num)


def ctc_loss_torch(label: Any, log_prob: Any, seq_length: int, big_num: float = 1e10) -> Any:
    """CTC negative log-likelihood of ``label`` (PyTorch; gradients flow to ``log_prob``).

    Arguments as :func:`ctc_loss_numpy`. ``log_prob`` may be a tensor (any float dtype and
    device; its graph is kept) or array-like (float32, as Rockpool's table). Returns a 0-d
    tensor in ``log_prob``'s dtype; equals ``torch.nn.functional.ctc_loss(..., blank=0,
    reduction="sum")`` for this one sequence.

    Raises:
        ImportError: PyTorch is not installed (``pip install 'shoal[torch]'``).
    """
    torch = require("torch", "torch", "ctc_loss_torch")
    if isinstance(label, torch.Tensor):
        label = label.detach().cpu().numpy()
    labels, steps = _check("ctc_loss_torch", label, log_prob, seq_length)
    if not (isinstance(log_prob, torch.Tensor) and log_prob.is_floating_point()):
        log_prob = torch.as_tensor(np.asarray(log_prob), dtype=torch.float32)
    label_t = torch.as_tensor(labels, dtype=torch.long, device=log_prob.device)
    # _extended_label, on log_prob's device: [0, l1, 0, l2, ..., 0] and the allowed skips.
    extended = label_t.new_zeros(2 * label_t.shape[0] + 1)
    extended[1::2] = label_t
    previous = torch.cat([label_t.new_full((2,), -1), extended[:-2]])
    can_skip = (extended != BLANK) & (extended != previous)
    emits = log_prob[:steps, extended]
    alpha = torch.cat([emits[0, :2], emits.new_full((extended.shape[0] - 2,), -big_num)])
    for t in range(1, steps):
        alpha = _step(torch, alpha, emits[t], can_skip, -big_num)
    return -torch.logaddexp(alpha[-1], alpha[-2])
