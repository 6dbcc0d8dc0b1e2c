"""Post-training quantisation of Xylo-style specification dicts (NumPy).

Rockpool-compatible (``rockpool.transform.quantize_methods``): both functions take the arrays
of a Xylo network specification (extra keys are ignored, so ``global_quantize(**spec)`` works)
and return them as integers: weights to ``bits_per_weight`` bits, thresholds (and biases) to
``bits_per_threshold`` bits, dashes rounded. Rounding is NumPy's (half to even).

Departures from Rockpool 3.1.0 (decisions.md, second round), each changing numbers only where
Rockpool's were inconsistent:

- inputs are never modified (Rockpool's ``channel_quantize`` wrote into the caller's biases);
- a bias is scaled with its neuron's threshold, always: ``bias_out`` with the output scale in
  ``global_quantize`` (Rockpool: the hidden scale), the hidden bias in ``channel_quantize``
  with one synapse too (Rockpool: only rounded), and biases rescaled with their threshold on
  overflow (Rockpool: left as they were);
- a threshold overflow rescales only the weights into those neurons (Rockpool's output
  overflow also rescaled ``weights_rec``);
- results are clipped to the integer ranges: weights to ``±(2^(bits_per_weight−1) − 1)``,
  thresholds and biases to ``±(2^(bits_per_threshold−1) − 1)`` (fuzzy scaling scales outliers
  beyond the weight range; Rockpool returned e.g. 221 for 8-bit weights).

Examples:
    >>> import numpy as np
    >>> q = global_quantize(
    ...     weights_in=[[0.5, -0.25], [1.0, 0.3]], weights_rec=np.zeros((2, 2)),
    ...     weights_out=[[0.2], [0.8]], threshold=[1.0, 0.8], threshold_out=[0.6],
    ...     dash_mem=[3.4, 4.6], dash_mem_out=[1.5], dash_syn=[2.2, 3.7], dash_syn_2=[0, 0],
    ...     dash_syn_out=[3.0])
    >>> q["weights_in"][..., 0].tolist(), q["threshold"].tolist(), q["threshold_out"].tolist()
    ([[64, -32], [127, 38]], [127, 102], [95])
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["QuantizationInputError", "channel_quantize", "global_quantize"]

_DASHES = ("dash_mem", "dash_mem_out", "dash_syn", "dash_syn_2", "dash_syn_out")


class QuantizationInputError(ValueError, AssertionError):
    """Arrays of the wrong shape or with non-finite values.

    Also an ``AssertionError``, which Rockpool raised for wrong weight ranks.
    """


def _array(owner: str, name: str, value: Any) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)  # a copy: inputs are never modified
    except (TypeError, ValueError):
        raise QuantizationInputError(
            f"{owner}.{name}: expected a numeric array, got {type(value).__name__}"
        ) from None
    if not np.all(np.isfinite(array)):
        raise QuantizationInputError(f"{owner}.{name}: expected finite values, got {array}")
    return array


def _weights3d(owner: str, name: str, value: Any) -> np.ndarray:
    array = _array(owner, name, value)
    if array.ndim == 2:
        return array[:, :, None]
    if array.ndim != 3:
        raise QuantizationInputError(
            f"{owner}.{name}: Weight arrays must be 2D or 3D; got shape {array.shape}"
        )
    return array


def _vector(owner: str, name: str, value: Any, size: int) -> np.ndarray:
    array = _array(owner, name, value)
    if array.shape not in ((), (1,), (size,)):
        raise QuantizationInputError(f"{owner}.{name}: expected shape ({size},), got {array.shape}")
    return np.broadcast_to(array, (size,)).copy()


def _bits(owner: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
        raise QuantizationInputError(f"{owner}.{name}: expected an integer >= 2, got {value!r}")
    return int(value)


def _prepare(owner: str, arrays: dict[str, Any]) -> dict[str, Any]:
    """Validated float64 copies: weights 3-D, vectors of the right length, biases or None."""
    w_in = _weights3d(owner, "weights_in", arrays["weights_in"])
    w_rec = _weights3d(owner, "weights_rec", arrays["weights_rec"])
    w_out = _array(owner, "weights_out", arrays["weights_out"])
    if w_out.ndim != 2:
        raise QuantizationInputError(
            f"{owner}.weights_out: Output weights must be 2D; got shape {w_out.shape}"
        )
    n_hid, n_out = w_rec.shape[0], w_out.shape[1]
    if w_rec.shape[1] != n_hid or w_in.shape[1] > n_hid or w_out.shape[0] != n_hid:
        raise QuantizationInputError(
            f"{owner}: expected weights_in (Nin, <= Nhid[, S]), weights_rec (Nhid, Nhid[, S]) "
            f"and weights_out (Nhid, Nout); got {w_in.shape}, {w_rec.shape} and {w_out.shape}"
        )
    out: dict[str, Any] = {"weights_in": w_in, "weights_rec": w_rec, "weights_out": w_out}
    out["threshold"] = _vector(owner, "threshold", arrays["threshold"], n_hid)
    out["threshold_out"] = _vector(owner, "threshold_out", arrays["threshold_out"], n_out)
    for name, size in (("bias", n_hid), ("bias_out", n_out)):
        value = arrays[name]
        out[name] = None if value is None else _vector(owner, name, value, size)
    for name in _DASHES:
        out[name] = _array(owner, name, arrays[name])
    return out


def _finish(q: dict[str, Any], q_weight: int, q_threshold: int) -> dict[str, Any]:
    """Clip to the integer ranges, round the dashes, cast everything to int64."""
    result: dict[str, Any] = {}
    for name, value in q.items():
        if value is None:
            continue
        if name.startswith("weights"):
            value = np.clip(value, -q_weight, q_weight)
        elif name in ("threshold", "threshold_out", "bias", "bias_out"):
            value = np.clip(value, -q_threshold, q_threshold)
        result[name] = np.round(value).astype(np.int64)
    return result


def _arguments(owner: str, arguments: dict[str, Any]) -> tuple[dict[str, Any], int, int]:
    """Both public functions' arguments, checked: the arrays (:func:`_prepare`), ``q_w``, ``q_t``.

    ``q_w`` and ``q_t`` are the largest integers of ``bits_per_weight`` and
    ``bits_per_threshold`` bits, sign included (``2^(bits - 1) - 1``).
    """
    q_w = 2 ** (_bits(owner, "bits_per_weight", arguments["bits_per_weight"]) - 1) - 1
    q_t = 2 ** (_bits(owner, "bits_per_threshold", arguments["bits_per_threshold"]) - 1) - 1
    return _prepare(owner, {k: arguments[k] for k in _ARRAY_NAMES}), q_w, q_t


def _scale(maximum: float, q_weight: int) -> float:
    return q_weight / maximum if maximum > 0 else 1.0


def _fuzzy_max(*arrays: np.ndarray) -> float:
    """``|mean| + 2·std`` of the non-zero entries: a robust maximum that ignores outliers."""
    non_zero = np.concatenate([a[a != 0] for a in arrays])
    return float(abs(np.mean(non_zero)) + 2 * np.std(non_zero)) if non_zero.size else 0.0


def _rescale_on_overflow(
    q: dict[str, Any], threshold: str, names: tuple[str, ...], q_t: int
) -> None:
    """Scale a threshold (and what feeds it) down so its largest magnitude is ``q_t``.

    Rounds the already-quantised values again (twice in all), as Rockpool does, so the
    non-overflowing numbers match Rockpool's.
    """
    top = float(np.max(np.abs(q[threshold])))
    if top > q_t:
        factor = q_t / top
        for name in (threshold, *names):
            if q[name] is not None:
                q[name] = np.round(q[name] * factor)


def global_quantize(
    weights_in: Any,
    weights_rec: Any,
    weights_out: Any,
    threshold: Any,
    threshold_out: Any,
    dash_mem: Any,
    dash_mem_out: Any,
    dash_syn: Any,
    dash_syn_2: Any,
    dash_syn_out: Any,
    bias: Any = None,
    bias_out: Any = None,
    fuzzy_scaling: bool = False,
    bits_per_weight: int = 8,
    bits_per_threshold: int = 16,
    *args: Any,
    **kwargs: Any,
) -> dict[str, Any]:
    r"""Quantise with one scale for the hidden layer and one for the output layer.

    With :math:`q_w = 2^{b_w - 1} - 1`: the hidden scale is :math:`s = q_w / m` where
    :math:`m = \max(|W_{in}|, |W_{rec}|, |b|)` (or, with ``fuzzy_scaling``, :math:`|\mu| + 2\sigma`
    of the non-zero hidden weights); ``weights_in``, ``weights_rec``, ``threshold`` and ``bias``
    are multiplied by :math:`s` and rounded. The output layer (``weights_out``,
    ``threshold_out``, ``bias_out``) uses its own :math:`s_{out}` the same way. A threshold
    beyond :math:`q_t = 2^{b_t - 1} - 1` scales its layer down to fit. See the module
    docstring for the departures from Rockpool.

    Args:
        weights_in: ``(Nin, Nhid)`` or ``(Nin, Nhid, S)`` input weights.
        weights_rec: ``(Nhid, Nhid)`` or ``(Nhid, Nhid, S)`` recurrent weights.
        weights_out: ``(Nhid, Nout)`` output weights.
        threshold: ``(Nhid,)`` hidden thresholds. threshold_out: ``(Nout,)``.
        dash_mem, dash_mem_out, dash_syn, dash_syn_2, dash_syn_out: Bit-shift decays: rounded.
        bias: Optional ``(Nhid,)`` hidden bias. bias_out: Optional ``(Nout,)`` output bias.
        fuzzy_scaling: Scale to :math:`|\mu| + 2\sigma` of the non-zero weights instead of the
            maximum; larger weights are clipped to :math:`\pm q_w` (default ``False``).
        bits_per_weight: Weight bits, sign included (default 8: range ±127).
        bits_per_threshold: Threshold bits, sign included (default 16: range ±32767).
        ``*args``, ``**kwargs``: Ignored, so that a whole specification dict can be passed.

    Returns:
        A dict with the ten keys (weights 3-D), plus ``bias``/``bias_out`` when given, all
        ``int64`` arrays.
    """
    a, q_w, q_t = _arguments("global_quantize", locals())
    if fuzzy_scaling:
        m_hid = _fuzzy_max(a["weights_in"], a["weights_rec"])
        m_out = _fuzzy_max(a["weights_out"])
    else:
        hidden = [a["weights_in"], a["weights_rec"], *([a["bias"]] if bias is not None else [])]
        m_hid = max(float(np.max(np.abs(x), initial=0.0)) for x in hidden)
        output = [a["weights_out"], *([a["bias_out"]] if bias_out is not None else [])]
        m_out = max(float(np.max(np.abs(x), initial=0.0)) for x in output)
    s_hid, s_out = _scale(m_hid, q_w), _scale(m_out, q_w)
    q = dict(a)
    for name in ("weights_in", "weights_rec", "threshold", "bias"):
        q[name] = None if a[name] is None else np.round(a[name] * s_hid)
    for name in ("weights_out", "threshold_out", "bias_out"):
        q[name] = None if a[name] is None else np.round(a[name] * s_out)
    _rescale_on_overflow(q, "threshold", ("weights_in", "weights_rec", "bias"), q_t)
    _rescale_on_overflow(q, "threshold_out", ("weights_out", "bias_out"), q_t)
    return _finish(q, q_w, q_t)


_ARRAY_NAMES = (
    "weights_in", "weights_rec", "weights_out", "threshold", "threshold_out",
    *_DASHES, "bias", "bias_out",
)  # fmt: skip


def _channel_scales(weights: list[np.ndarray], thresholds: np.ndarray, q_w: int, q_t: int) -> Any:
    """Per-neuron scale ``q_w / max|w into it|``, lowered so that the threshold fits ``q_t``."""
    top = np.max(np.stack([np.max(np.abs(w), axis=(0, 2)) for w in weights]), axis=0)
    scales = np.where(top > 0, q_w / np.where(top > 0, top, 1.0), 1.0)
    too_big = np.abs(thresholds * scales) > q_t
    return np.where(too_big, q_t / np.where(too_big, np.abs(thresholds), 1.0), scales)


def channel_quantize(
    weights_in: Any,
    weights_rec: Any,
    weights_out: Any,
    threshold: Any,
    threshold_out: Any,
    dash_mem: Any,
    dash_mem_out: Any,
    dash_syn: Any,
    dash_syn_2: Any,
    dash_syn_out: Any,
    bias: Any = None,
    bias_out: Any = None,
    bits_per_weight: int = 8,
    bits_per_threshold: int = 16,
    *args: Any,
    **kwargs: Any,
) -> dict[str, Any]:
    r"""Quantise with one scale per target neuron (per column of the weight matrices).

    For hidden neuron :math:`j`: :math:`s_j = q_w / \max(|W_{in}[:, j]|, |W_{rec}[:, j]|)`
    (all synapses; input weights only where ``j < weights_in.shape[1]``), lowered to
    :math:`q_t / |\theta_j|` if the threshold would not fit; the weights into :math:`j`,
    :math:`\theta_j` and :math:`b_j` are multiplied by :math:`s_j` and rounded. A neuron with no
    input weights keeps scale 1. Output neuron :math:`k` likewise from :math:`W_{out}[:, k]`.
    Arguments and result as :func:`global_quantize` (without ``fuzzy_scaling``). See the
    module docstring for the departures from Rockpool (here: the hidden bias is scaled for one
    synapse too, and inputs are never modified).
    """
    a, q_w, q_t = _arguments("channel_quantize", locals())
    n_in_hid = a["weights_in"].shape[1]
    s_hid = _channel_scales([a["weights_rec"]], a["threshold"], q_w, q_t)
    s_in = _channel_scales(
        [a["weights_in"], a["weights_rec"][:, :n_in_hid]], a["threshold"][:n_in_hid], q_w, q_t
    )
    s_hid[:n_in_hid] = s_in
    s_out = _channel_scales([a["weights_out"][:, :, None]], a["threshold_out"], q_w, q_t)
    q = dict(a)
    q["weights_in"] = np.round(a["weights_in"] * s_in[None, :, None])
    q["weights_rec"] = np.round(a["weights_rec"] * s_hid[None, :, None])
    q["weights_out"] = np.round(a["weights_out"] * s_out[None, :])
    for name, scales in (("threshold", s_hid), ("bias", s_hid)):
        q[name] = None if a[name] is None else np.round(a[name] * scales)
    for name in ("threshold_out", "bias_out"):
        q[name] = None if a[name] is None else np.round(a[name] * s_out)
    return _finish(q, q_w, q_t)
