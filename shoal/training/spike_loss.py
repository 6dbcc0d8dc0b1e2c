r"""Losses and metrics for spiking classifiers (JAX; ``jit``/``grad`` compatible).

Three common read-outs of a ``(B, T, C)`` output into class scores ``(B, C)``:

* :func:`spike_count_cross_entropy`: spike counts of a spiking readout layer;
* :func:`max_membrane_cross_entropy`: the maximum over time of a non-spiking readout's
  membrane (the usual Spiking Heidelberg Digits recipe);
* :func:`mean_membrane_cross_entropy`: the mean over time of a non-spiking readout.

Padded batches of variable-length sequences pass ``lengths`` ``(B,)``: steps
``t >= lengths[b]`` are ignored. :func:`firing_rate_penalty` keeps hidden activity in a range;
:func:`accuracy` scores predictions. Importing this module imports JAX (``shoal[train]``).

Examples:
    >>> import jax.numpy as jnp
    >>> spikes = jnp.array([[[1.0, 0.0], [1.0, 0.0]]])  # (B=1, T=2, C=2): class 0 spikes twice
    >>> round(float(spike_count_cross_entropy(spikes, jnp.array([0]))), 4)  # -log(e²/(e²+1))
    0.1269
    >>> float(accuracy(jnp.array([[2.0, 1.0], [0.0, 3.0]]), jnp.array([0, 0])))
    0.5
"""

from __future__ import annotations

from typing import Any

from shoal.backend._lazy import require

require("jax", "train", "shoal.training.spike_loss")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

__all__ = [
    "accuracy",
    "firing_rate_penalty",
    "max_membrane_cross_entropy",
    "mean_membrane_cross_entropy",
    "mean_over_time",
    "spike_count_cross_entropy",
    "time_mask",
]


def _cross_entropy(logits: Any, labels: Any) -> Any:
    labels = jnp.asarray(labels)
    log_probs = jax.nn.log_softmax(logits, axis=-1)
    if labels.ndim == logits.ndim:  # class probabilities / one-hot
        return -jnp.mean(jnp.sum(labels * log_probs, axis=-1))
    return -jnp.mean(jnp.take_along_axis(log_probs, labels[:, None].astype(jnp.int32), axis=-1))


def _check_output(name: str, output: Any) -> Any:
    output = jnp.asarray(output)
    if output.ndim != 3:
        raise ValueError(
            f"shoal.training.spike_loss.{name}: expected output (B, T, C), got shape "
            f"{tuple(output.shape)}"
        )
    return output


def time_mask(lengths: Any, n_steps: int) -> Any:
    """``(B, T)`` float mask: 1 where ``t < lengths[b]``, else 0.

    Examples:
        >>> time_mask(jnp.array([1, 3]), 3)
        Array([[1., 0., 0.],
               [1., 1., 1.]], dtype=float32)
    """
    return (jnp.arange(n_steps)[None, :] < jnp.asarray(lengths)[:, None]).astype(jnp.float32)


def spike_count_cross_entropy(
    spikes: Any, labels: Any, scale: float = 1.0, lengths: Any = None
) -> Any:
    r"""Softmax cross-entropy of readout spike counts: logits :math:`z_{b,c} = s\sum_t S_{b,t,c}`.

    .. math::

        \mathrm{CE} = -\frac{1}{B}\sum_b \log \frac{e^{z_{b,y_b}}}{\sum_c e^{z_{b,c}}}

    Args:
        spikes: Readout spikes ``(B, T, C)``.
        labels: Class indices ``(B,)``, or class probabilities ``(B, C)``.
        scale: :math:`s`, logits per spike (default 1). Smaller values soften the softmax for
            long runs with many spikes.
        lengths: Optional ``(B,)`` valid steps per sequence; later steps are not counted.
    """
    spikes = _check_output("spike_count_cross_entropy", spikes)
    if lengths is not None:
        spikes = spikes * time_mask(lengths, spikes.shape[1])[..., None]
    return _cross_entropy(scale * jnp.sum(spikes, axis=1), labels)


def max_membrane_cross_entropy(vmem: Any, labels: Any, lengths: Any = None) -> Any:
    r"""Softmax cross-entropy with logits :math:`z_{b,c} = \max_t V_{b,t,c}` of a
    non-spiking readout (padding steps excluded from the maximum).

    Args:
        vmem: Readout membrane potentials (or any non-spiking output) ``(B, T, C)``.
        labels: Class indices ``(B,)``, or class probabilities ``(B, C)``.
        lengths: Optional ``(B,)`` valid steps per sequence.
    """
    vmem = _check_output("max_membrane_cross_entropy", vmem)
    if lengths is not None:
        valid = time_mask(lengths, vmem.shape[1])[..., None] > 0
        vmem = jnp.where(valid, vmem, -jnp.inf)
    return _cross_entropy(jnp.max(vmem, axis=1), labels)


def mean_membrane_cross_entropy(vmem: Any, labels: Any, lengths: Any = None) -> Any:
    r"""Softmax cross-entropy with logits :math:`z_{b,c} = \frac{1}{T_b}\sum_{t<T_b} V_{b,t,c}`,
    the time average of a non-spiking readout over each sequence's valid steps :math:`T_b`.

    Args:
        vmem: Readout membrane potentials (or any non-spiking output) ``(B, T, C)``.
        labels: Class indices ``(B,)``, or class probabilities ``(B, C)``.
        lengths: Optional ``(B,)`` valid steps per sequence (default: all ``T``).
    """
    vmem = _check_output("mean_membrane_cross_entropy", vmem)
    return _cross_entropy(mean_over_time(vmem, lengths), labels)


def mean_over_time(output: Any, lengths: Any = None) -> Any:
    """``(B, T, C) -> (B, C)``: the mean over each sequence's first ``lengths[b]`` steps."""
    output = jnp.asarray(output)
    if lengths is None:
        return jnp.mean(output, axis=1)
    mask = time_mask(lengths, output.shape[1])
    return jnp.sum(output * mask[..., None], axis=1) / jnp.sum(mask, axis=1)[:, None]


def firing_rate_penalty(
    spikes: Any, lower: float | None = None, upper: float | None = None, lengths: Any = None
) -> Any:
    r"""Squared penalty on per-neuron firing rates outside ``[lower, upper]``.

    With :math:`r_n` the mean spikes per time step of neuron ``n`` (over batch and valid
    steps),

    .. math::

        P = \frac{1}{N}\sum_n \max(l - r_n, 0)^2 + \max(r_n - u, 0)^2

    ``lower`` revives silent neurons, ``upper`` limits activity (energy). Rates are in spikes
    per step: divide a rate in Hz by ``1/dt`` first (e.g. 20 Hz at dt = 1 ms is 0.02).

    Args:
        spikes: Hidden-layer spikes ``(B, T, N)`` (e.g. ``record["1_LIFJax"]["spikes"]``).
        lower: :math:`l` (spikes/step); ``None`` for no lower bound.
        upper: :math:`u` (spikes/step); ``None`` for no upper bound.
        lengths: Optional ``(B,)`` valid steps per sequence.
    """
    spikes = _check_output("firing_rate_penalty", spikes)
    if lower is None and upper is None:
        raise ValueError(
            "shoal.training.spike_loss.firing_rate_penalty: expected lower or upper (spikes "
            "per step), got neither"
        )
    if lengths is None:
        rates = jnp.mean(spikes, axis=(0, 1))
    else:
        mask = time_mask(lengths, spikes.shape[1])[..., None]
        rates = jnp.sum(spikes * mask, axis=(0, 1)) / jnp.sum(mask)
    penalty = jnp.zeros_like(rates)
    if lower is not None:
        penalty = penalty + jnp.maximum(lower - rates, 0.0) ** 2
    if upper is not None:
        penalty = penalty + jnp.maximum(rates - upper, 0.0) ** 2
    return jnp.mean(penalty)


def accuracy(logits: Any, labels: Any) -> Any:
    """Fraction of rows whose largest logit is the label: ``(B, C)`` and ``(B,)`` → scalar."""
    return jnp.mean(jnp.argmax(jnp.asarray(logits), axis=-1) == jnp.asarray(labels))
