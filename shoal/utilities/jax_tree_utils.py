"""``jit``-compatible tree helpers: map, reduce and draw random keys over selected leaves.

Rockpool's ``rockpool.utilities.jax_tree_utils``: everything in
:mod:`shoal.utilities.tree_utils` plus four functions that flatten with JAX (so **dict keys are
sorted**, and the trees returned have sorted keys) and select leaves with ``jax.lax.cond``, so
they work under ``jit`` with a traced prototype. A mapped function must keep each selected
leaf's shape and dtype (both ``cond`` branches must agree).

Needs the ``jax`` extra (``pip install "shoal[jax]"``); importing this module imports JAX.

Examples:
    >>> import jax.numpy as jnp
    >>> tree = {"w": jnp.array([1, -2]), "b": {"t": jnp.array(3), "u": jnp.array([4, 5])}}
    >>> proto = {"w": True, "b": {"t": False, "u": True}}
    >>> tree_map_select(tree, proto, lambda x: 2 * x)["b"]["u"].tolist()
    [8, 10]
    >>> float(tree_map_reduce_select(tree, proto, jnp.sum, lambda a, b: a + b, 0.0))
    8.0
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from shoal.backend._lazy import require_jax
from shoal.utilities.tree_utils import *  # noqa: F403 -- Rockpool re-exports them all here
from shoal.utilities.tree_utils import Tree
from shoal.utilities.tree_utils import __all__ as _plain_names

jax = require_jax("shoal.utilities.jax_tree_utils")
jnp = jax.numpy

__all__ = [
    *_plain_names,
    "tree_map_reduce_select",
    "tree_map_select",
    "tree_map_select_with_rng",
    "tree_map_with_rng",
]


def _identity(leaf: Any) -> Any:
    return leaf


def tree_map_select(tree: Tree, prototype_tree: Tree, map_fun: Callable[[Any], Any]) -> Any:
    """``map_fun(leaf)`` where the prototype leaf is True, the leaf itself elsewhere.

    Args:
        tree: The tree to map (a pytree; dict keys come back sorted).
        prototype_tree: The same structure with a boolean at each leaf (e.g. from
            ``make_prototype_tree``); may be traced.
        map_fun: Applied to selected leaves; must keep shape and dtype.
    """
    return jax.tree_util.tree_map(
        lambda leaf, select: jax.lax.cond(select, map_fun, _identity, leaf),
        tree,
        prototype_tree,
    )


def tree_map_reduce_select(
    tree: Tree,
    protoype_tree: Tree,
    map_fun: Callable[[Any], Any],
    reduce_fun: Callable[[Any, Any], Any],
    null: Any = jnp.nan,
) -> Any:
    """Map the selected leaves (unselected ones give ``null``), then reduce them in sorted order.

    Args:
        tree: The tree to map.
        protoype_tree: Boolean prototype (Rockpool's spelling of the keyword is kept).
        map_fun: Applied to each selected leaf.
        reduce_fun: ``functools.reduce`` over the mapped leaves in sorted-leaf order.
        null: The value of an unselected leaf. Default NaN: a plain sum is then NaN as soon as
            one leaf is unselected (Rockpool's default); pass ``0.0`` for a sum.

    Returns:
        The reduction, in the common dtype of the mapped values and ``null``.
    """

    def select(leaf: Any, chosen: Any) -> Any:
        # Both cond branches must agree in shape and dtype: give ``null`` the mapped value's
        # shape and promote both to a common dtype (e.g. an int sum and a float null).
        shape_dtype = jax.eval_shape(map_fun, leaf)
        dtype = jnp.result_type(shape_dtype.dtype, null)

        def mapped(value: Any) -> Any:
            return jnp.asarray(map_fun(value), dtype=dtype)

        def unselected(_: Any) -> Any:
            return jnp.full(shape_dtype.shape, null, dtype=dtype)

        return jax.lax.cond(chosen, mapped, unselected, leaf)

    values = jax.tree_util.tree_leaves(jax.tree_util.tree_map(select, tree, protoype_tree))
    return functools.reduce(reduce_fun, values)


def _leaf_keys(tree: Tree, rng_key: Any) -> Any:
    """A tree of keys like ``tree``: ``split(rng_key, n + 1)[1:]``, key i for sorted leaf i."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    keys = jax.random.split(rng_key, len(leaves) + 1)[1:]
    return jax.tree_util.tree_unflatten(treedef, list(keys))


def tree_map_select_with_rng(
    tree: Tree, prototype_tree: Tree, map_fun: Callable[[Any, Any], Any], rng_key: Any
) -> Any:
    """Like :func:`tree_map_select` with ``map_fun(leaf, key)``.

    Every leaf (in sorted order) gets its own key from ``split(rng_key, n + 1)[1:]``, whether
    it is selected or not, so selecting more leaves does not change the draws of the others.
    """
    return jax.tree_util.tree_map(
        lambda leaf, select, key: jax.lax.cond(select, map_fun, lambda value, _: value, leaf, key),
        tree,
        prototype_tree,
        _leaf_keys(tree, rng_key),
    )


def tree_map_with_rng(tree: Tree, map_fun: Callable[..., Any], rng_key: Any, *rest: Any) -> Any:
    """``map_fun(leaf, key, *rest_leaves)`` on every leaf, keys as in
    :func:`tree_map_select_with_rng`; ``rest`` are trees of the same structure.
    """
    return jax.tree_util.tree_map(map_fun, tree, _leaf_keys(tree, rng_key), *rest)
