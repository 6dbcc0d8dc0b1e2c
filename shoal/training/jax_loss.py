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
    >>> round(float(bounds_cost(params, lower, upper)), 6)  # exp(0.01) - 1
    0.01005
"""

from __future__ import annotations

from typing import Any

from shoal.backend._lazy import require

require("jax", "train", "shoal.training.jax_loss")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

__all__ = [
    "bounds_cost",
    "l0_norm_approx",
    "l2sqr_norm",
    "make_bounds",
    "mse",
    "softmax_cross_entropy",
    "sse",
]


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


def l0_norm_approx(params: Any, sigma: float = 1e-4) -> Any:
    r"""A smooth count of non-zero parameters, normalised per array (Rockpool's convention).

    .. math::

        L_0 \approx \frac{1}{K}\sum_{k=1}^{K} \frac{1}{n_k} \sum_{i=1}^{n_k}
            \arctan\!\left(\frac{w_{k,i}^2}{\sigma}\right)

    over the ``K`` arrays of ``params`` with ``n_k`` elements each. Each element contributes
    0 when it is zero and approaches :math:`\pi/2` when :math:`|w| \gg \sqrt\sigma`, so the
    value is :math:`\frac{\pi}{2}` times the (average) fraction of non-zero weights. Add it to a
    loss to push weights to exactly zero (sparsity).

    Args:
        params: Tree of parameter arrays (e.g. ``net.parameters("weights")``).
        sigma: Width of the transition (default ``1e-4``): weights with ``w² ≫ σ`` count as one.
    """
    return jnp.mean(jnp.stack([jnp.mean(jnp.arctan(leaf**2 / sigma)) for leaf in _leaves(params)]))


def l2sqr_norm(params: Any) -> Any:
    r"""The mean squared parameter value, averaged per array (Rockpool's convention).

    .. math::

        L_2^2 = \frac{1}{K}\sum_{k=1}^{K} \frac{1}{n_k} \sum_{i=1}^{n_k} w_{k,i}^2

    over the ``K`` arrays of ``params`` with ``n_k`` elements each (weight decay).
    """
    return jnp.mean(jnp.stack([jnp.mean(leaf**2) for leaf in _leaves(params)]))


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
    r"""Penalty for parameters outside ``[lower, upper]`` (zero inside the bounds).

    .. math::

        C = \sum_{k,i} \left(e^{\max(l_{k,i} - w_{k,i},\,0)} - 1\right)
                     + \left(e^{\max(w_{k,i} - u_{k,i},\,0)} - 1\right)

    summed over every element of every array. It grows exponentially with the violation, so
    gradient descent pushes parameters (e.g. time constants that must stay above ``dt``) back
    inside. ``lower`` and ``upper`` come from :func:`make_bounds`; infinite bounds cost nothing.
    """

    def cost(value: Any, low: Any, high: Any) -> Any:
        below = jnp.exp(jnp.maximum(low - value, 0.0)) - 1.0
        above = jnp.exp(jnp.maximum(value - high, 0.0)) - 1.0
        return jnp.sum(below) + jnp.sum(above)

    costs = jax.tree_util.tree_leaves(jax.tree_util.tree_map(cost, params, lower, upper))
    return sum(costs, jnp.asarray(0.0))


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
