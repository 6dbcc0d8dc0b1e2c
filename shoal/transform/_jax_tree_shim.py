"""TEMPORARY private stand-in for ``shoal.utilities.jax_tree_utils`` (issue 16, item 4).

**Swap at merge:** ``shoal.utilities.jax_tree_utils`` is being written on another branch. Until
it lands, the few functions that :mod:`shoal.transform` and
:mod:`shoal.training.adversarial_jax` need live here, with the same key rule as Rockpool's
(catalogue-2 §8.2): trees are flattened by JAX (**dict keys sorted**), the keys are
``split(rng_key, n + 1)[1:]`` and leaf ``i`` (in sorted order) owns key ``i`` whether it is
selected or not. When the real module lands, replace the imports of this file by it and delete
this file.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax

__all__ = ["leaf_keys", "tree_map_select_with_rng", "tree_map_with_rng"]


def leaf_keys(rng_key: Any, n_leaves: int) -> Any:
    """The ``n_leaves`` subkeys: ``split(rng_key, n_leaves + 1)[1:]``."""
    return jax.random.split(rng_key, n_leaves + 1)[1:]


def tree_map_with_rng(tree: Any, map_fun: Callable[..., Any], rng_key: Any) -> Any:
    """``map_fun(leaf, key)`` at every leaf, leaf ``i`` (sorted order) getting subkey ``i``."""
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    keys = leaf_keys(rng_key, len(leaves))
    return jax.tree_util.tree_unflatten(
        treedef, [map_fun(leaf, keys[i]) for i, leaf in enumerate(leaves)]
    )


def tree_map_select_with_rng(
    tree: Any, prototype_tree: Any, map_fun: Callable[[Any, Any], Any], rng_key: Any
) -> Any:
    """``map_fun(leaf, key)`` where the prototype leaf is ``True``, the leaf itself elsewhere.

    The prototype's (concrete, boolean) leaves are read in Python, so no ``lax.cond`` is
    needed; keys are assigned as in :func:`tree_map_with_rng`.
    """
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    selected = treedef.flatten_up_to(prototype_tree)  # type: ignore[attr-defined]
    keys = leaf_keys(rng_key, len(leaves))
    return jax.tree_util.tree_unflatten(
        treedef,
        [map_fun(leaf, keys[i]) if selected[i] else leaf for i, leaf in enumerate(leaves)],
    )
