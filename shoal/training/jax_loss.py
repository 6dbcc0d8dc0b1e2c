r"""Loss and regularisation functions for training JAX networks (``jit``/``grad`` compatible).

``params`` arguments are nested dicts of arrays such as ``net.parameters()`` (any JAX pytree
works). Importing this module imports JAX (install ``shoal[train]``).

Examples:
    >>> import jax.numpy as jnp
    >>> float(mse(jnp.array([1.0, 2.0]), jnp.array([1.0, 0.0])))
    2.0
    >>> params = {"lif": {"tau_mem": jnp.array([0.01, 0.03])}}
    >>> lower, upper = make_bounds(params)
    >>> lower["lif"]["tau_mem"] = 0.02
    >>> round(float(bounds_cost(params, lower, upper)), 5)  # exp(0.02 - 0.01): at least 1
    1.01005
    >>> bounds_clip(params, lower, upper)["lif"]["tau_mem"].tolist()
    [0.019999999552965164, 0.029999999329447746]
"""

from __future__ import annotations

from typing import Any

from shoal.backend._lazy import require

require("jax", "train", "shoal.training.jax_loss")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402

from shoal.training.ctc_loss import ctc_loss_jax  # noqa: E402  (Rockpool re-exports it here)

__all__ = [
    "bounds_clip",
    "bounds_cost",
    "ctc_loss_jax",
    "l0_norm_approx",
    "l2sqr_norm",
    "logsoftmax",
    "make_bounds",
    "mse",
    "softmax",
    "softmax_cross_entropy",
    "sse",
]

# Bounds beyond ±2^31 are clipped there, so that exp(bound − p) of an infinite bound is never
# evaluated on an unselected element (a NaN gradient through `where`).
_BOUND_LIMIT = 2.0**31


def mse(output: Any, target: Any) -> Any:
    r"""Mean squared error :math:`\frac{1}{n}\sum_i (y_i - \hat y_i)^2` over all elements."""
    return jnp.mean((jnp.asarray(output) - target) ** 2)


def sse(output: Any, target: Any) -> Any:
    r"""Sum of squared errors :math:`\sum_i (y_i - \hat y_i)^2` over all elements."""
    return jnp.sum((jnp.asarray(output) - target) ** 2)


def _leaves(params: Any) -> list[Any]:
    leaves = [jnp.asarray(leaf) for leaf in jax.tree_util.tree_leaves(params)]
    if not leaves:
        raise ValueError("expected a tree with at least one parameter array, got an empty tree")
    return leaves


def _nanmean_of_leaves(params: Any, per_leaf: Any) -> Any:
    return jnp.nanmean(jnp.stack([jnp.nanmean(per_leaf(leaf)) for leaf in _leaves(params)]))


def l0_norm_approx(params: Any, sigma: float = 1e-4) -> Any:
    r"""A smooth count of non-zero parameters, normalised per array (Rockpool's formula).

    .. math::

        L_0 \approx \frac{1}{K}\sum_{k=1}^{K} \frac{1}{n_k} \sum_{i=1}^{n_k}
            \frac{w_{k,i}^4}{w_{k,i}^4 + \sigma}

    over the ``K`` arrays of ``params`` with ``n_k`` elements each; NaN elements (and arrays
    that are all NaN) are left out of the means. Each element contributes 0 when it is zero,
    1/2 at :math:`|w| = \sigma^{1/4}` and approaches 1 above, so the value is about the
    (average) fraction of non-zero weights. Add it to a loss to push weights to exactly zero.

    Args:
        params: Tree of parameter arrays (e.g. ``net.parameters("weights")``).
        sigma: Transition scale (default ``1e-4``: weights well above 0.1 count as one).

    Examples:
        >>> round(float(l0_norm_approx({"w": jnp.array([0.0, 0.1, 1.0])})), 6)
        0.499967
    """
    return _nanmean_of_leaves(params, lambda leaf: leaf**4 / (leaf**4 + sigma))


def l2sqr_norm(params: Any) -> Any:
    r"""The mean squared parameter value, averaged per array (Rockpool's convention).

    .. math::

        L_2^2 = \frac{1}{K}\sum_{k=1}^{K} \frac{1}{n_k} \sum_{i=1}^{n_k} w_{k,i}^2

    over the ``K`` arrays of ``params`` with ``n_k`` elements each (weight decay). NaN
    elements are left out of the means, as in Rockpool.
    """
    return _nanmean_of_leaves(params, lambda leaf: leaf**2)


def make_bounds(params: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    r"""Two trees shaped like ``params``: ``lower`` filled with :math:`-\infty`, ``upper`` with
    :math:`+\infty`, for the user to fill before calling :func:`bounds_cost`.

    Each leaf is a Python float; replace it with a scalar or an array broadcastable to the
    parameter, e.g. ``lower["1_LIFJax"]["tau_mem"] = 10 * dt``.
    """
    lower = jax.tree_util.tree_map(lambda _: -float("inf"), params)
    upper = jax.tree_util.tree_map(lambda _: float("inf"), params)
    return lower, upper


def bounds_cost(params: Any, lower: Any, upper: Any) -> Any:
    r"""Penalty for parameters outside ``[lower, upper]`` (Rockpool's formula).

    .. math::

        C = \sum_{k,i:\, w_{k,i} < l_{k,i}} e^{l_{k,i} - w_{k,i}}
          + \sum_{k,i:\, w_{k,i} > u_{k,i}} e^{w_{k,i} - u_{k,i}}

    summed over every element of every array. An element inside its bounds costs 0; each
    element outside costs **at least 1** (1 at an infinitesimal violation) and grows
    exponentially with the violation, so gradient descent pushes parameters (e.g. time
    constants that must stay above ``dt``) back inside. NaN terms are ignored; bounds are
    clipped to :math:`\pm 2^{31}`. ``lower`` and ``upper`` come from :func:`make_bounds`
    (leaves: scalars or arrays broadcastable to the parameter); infinite bounds cost nothing.

    Examples:
        >>> p = {"a": jnp.array([0.01, 0.03]), "b": {"c": jnp.array([-2.0, 0.5, 5.0])}}
        >>> lower = {"a": 0.02, "b": {"c": -1.0}}
        >>> upper = {"a": jnp.inf, "b": {"c": jnp.array([10.0, 0.4, 4.0])}}
        >>> round(float(bounds_cost(p, lower, upper)), 4)  # e^0.01 + e^1 + e^0.1 + e^1
        7.5518
    """

    def cost(value: Any, low: Any, high: Any) -> Any:
        low, high = _clip_bound(low, value.dtype), _clip_bound(high, value.dtype)
        below, above = value < low, value > high
        # exp() only of the violations themselves, so unselected terms cannot overflow.
        below_cost = jnp.where(below, jnp.exp(jnp.where(below, low - value, 0.0)), 0.0)
        above_cost = jnp.where(above, jnp.exp(jnp.where(above, value - high, 0.0)), 0.0)
        return jnp.nansum(below_cost) + jnp.nansum(above_cost)

    costs = jax.tree_util.tree_leaves(_map_bounds("bounds_cost", cost, params, lower, upper))
    return sum(costs, jnp.asarray(0.0))


def _clip_bound(bound: Any, dtype: Any) -> Any:
    # Clipped before the cast to the parameter's dtype (1e300 does not fit float32).
    clip = np.clip if isinstance(bound, (int, float, np.ndarray, np.generic)) else jnp.clip
    return jnp.asarray(clip(bound, -_BOUND_LIMIT, _BOUND_LIMIT), dtype=dtype)


def bounds_clip(params: Any, lower: Any, upper: Any) -> Any:
    """Clip every parameter to ``[lower, upper]``, leaf by leaf (bounds may be ±inf).

    Args:
        params: Tree of parameter arrays. lower, upper: Trees of the same structure (e.g.
            from :func:`make_bounds`) with scalar or broadcastable array leaves.

    Returns:
        A tree like ``params`` with clipped values (use it after an optimiser step).
    """
    return _map_bounds(
        "bounds_clip",
        lambda value, low, high: jnp.clip(value, low, high),
        params,
        lower,
        upper,
    )


def _map_bounds(owner: str, function: Any, params: Any, lower: Any, upper: Any) -> Any:
    structure = jax.tree_util.tree_structure(params)
    for name, tree in (("lower", lower), ("upper", upper)):
        if jax.tree_util.tree_structure(tree) != structure:  # type: ignore[operator]
            raise ValueError(
                f"{owner}: `{name}` must have the structure of `params` (build both bounds with "
                f"make_bounds(params)); expected {structure}, got "
                f"{jax.tree_util.tree_structure(tree)}"
            )
    return jax.tree_util.tree_map(
        lambda p, lo, hi: function(jnp.asarray(p), lo, hi), params, lower, upper
    )


def softmax(x: Any, temperature: float = 1.0) -> Any:
    r"""Softmax over the **whole array** (Rockpool's convention), at temperature :math:`T`.

    .. math::

        \mathrm{softmax}(x)_i = \frac{e^{(x_i - \max x)/T}}{\sum_j e^{(x_j - \max x)/T}}

    with the maximum and the sum over every element: for a single score vector this is the
    usual softmax; for a ``(B, C)`` batch apply it per row (``jax.vmap(softmax)``) or use
    ``jax.nn.softmax(x, axis=-1)``.

    Examples:
        >>> [round(float(v), 6) for v in softmax(jnp.array([1.0, 2.0, 3.0]), 2.0)]
        [0.186324, 0.307196, 0.50648]
    """
    x = jnp.asarray(x)
    scaled = (x - jnp.max(x)) / temperature
    exps = jnp.exp(scaled)
    return exps / jnp.sum(exps)


def logsoftmax(x: Any, temperature: float = 1.0) -> Any:
    r"""Log-softmax over the **whole array**: :math:`l/T - \log \sum_j e^{l_j/T}` with
    :math:`l = x - \max x` (see :func:`softmax`).

    Examples:
        >>> [round(float(v), 5) for v in logsoftmax(jnp.array([1.0, 2.0, 3.0]))]
        [-2.40761, -1.40761, -0.40761]
    """
    x = jnp.asarray(x)
    scaled = (x - jnp.max(x)) / temperature
    return scaled - jnp.log(jnp.sum(jnp.exp(scaled)))


def softmax_cross_entropy(logits: Any, targets: Any) -> Any:
    r"""Mean cross-entropy between ``softmax(logits)`` and the targets.

    .. math::

        \mathrm{CE} = -\frac{1}{B}\sum_{b=1}^{B}\sum_{c=1}^{C} t_{b,c}
            \log\frac{e^{z_{b,c}}}{\sum_{c'} e^{z_{b,c'}}}

    Args:
        logits: ``(B, C)`` scores :math:`z` (any leading axes).
        targets: Integer class indices ``(B,)``, or class probabilities / one-hot ``(B, C)``
            (:math:`t`). Integer labels are one-hot encoded.
    """
    logits = jnp.asarray(logits)
    targets = jnp.asarray(targets)
    log_probs = jax.nn.log_softmax(logits, axis=-1)
    if targets.ndim == logits.ndim - 1:
        targets = jax.nn.one_hot(targets, logits.shape[-1], dtype=log_probs.dtype)
    return -jnp.mean(jnp.sum(targets * log_probs, axis=-1))
