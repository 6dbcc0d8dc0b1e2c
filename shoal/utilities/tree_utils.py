"""Helpers for the nested dicts that ``parameters()``, ``state()`` and gradients return.

A *tree* is a nested ``dict`` whose non-dict values are *leaves* (arrays, numbers, anything);
a *branch* is the tuple of keys leading to one leaf. These helpers are plain Python and work
with NumPy and JAX arrays alike (for ``jit``-compatible maps inside JAX code,
``jax.tree_util.tree_map`` works on the same dicts).

Examples:
    >>> tree = {"0_Linear": {"weight": 1.0}, "1_LIF": {"tau_mem": 2.0, "bias": 3.0}}
    >>> list(branches(tree))
    [('0_Linear', 'weight'), ('1_LIF', 'tau_mem'), ('1_LIF', 'bias')]
    >>> flatten_dict(tree)
    {'0_Linear.weight': 1.0, '1_LIF.tau_mem': 2.0, '1_LIF.bias': 3.0}
    >>> unflatten_dict(flatten_dict(tree)) == tree
    True
    >>> tree_map(lambda x: 10 * x, tree)["1_LIF"]
    {'tau_mem': 20.0, 'bias': 30.0}
    >>> leaves, structure = tree_flatten(tree)
    >>> leaves
    [1.0, 2.0, 3.0]
    >>> tree_unflatten(structure, [4.0, 5.0, 6.0])["1_LIF"]["bias"]
    6.0
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = [
    "Tree",
    "branches",
    "flatten_dict",
    "get_nested",
    "make_prototype_tree",
    "set_nested",
    "tree_find",
    "tree_flatten",
    "tree_map",
    "tree_unflatten",
    "tree_update",
    "unflatten_dict",
]

Tree = Mapping[str, Any]


def _is_node(value: Any) -> bool:
    return isinstance(value, Mapping)


def branches(tree: Tree, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Yield the branch (tuple of keys) of every leaf, depth first, in insertion order.

    Empty sub-dicts have no leaves and yield nothing.
    """
    for key, value in tree.items():
        if _is_node(value):
            yield from branches(value, (*prefix, key))
        else:
            yield (*prefix, key)


def get_nested(tree: Tree, branch: tuple[str, ...]) -> Any:
    """The value at ``branch``; raises ``KeyError`` naming the missing key."""
    node: Any = tree
    for key in branch:
        node = node[key]
    return node


def set_nested(tree: Tree, branch: tuple[str, ...], value: Any) -> dict[str, Any]:
    """A copy of ``tree`` with ``value`` at ``branch`` (intermediate dicts created if needed).

    Only the dicts along ``branch`` are copied; leaves are shared with ``tree``.
    """
    if not branch:
        raise ValueError("set_nested: `branch` must contain at least one key")
    new = dict(tree)
    head, *rest = branch
    if rest:
        child = new.get(head, {})
        new[head] = set_nested(child if _is_node(child) else {}, tuple(rest), value)
    else:
        new[head] = value
    return new


def tree_map(function: Callable[..., Any], tree: Tree, *rest: Tree) -> dict[str, Any]:
    """Apply ``function`` to every leaf (and the matching leaves of ``rest``), keeping structure.

    Every tree in ``rest`` must have the keys of ``tree`` (extra keys are ignored).
    """
    out: dict[str, Any] = {}
    for key, value in tree.items():
        others = [other[key] for other in rest]
        if _is_node(value):
            out[key] = tree_map(function, value, *others)
        else:
            out[key] = function(value, *others)
    return out


def tree_flatten(tree: Tree) -> tuple[list[Any], dict[str, Any]]:
    """Split ``tree`` into its leaves (depth first) and a structure with ``None`` at each leaf.

    ``tree_unflatten(structure, leaves)`` rebuilds the tree.
    """
    leaves = [get_nested(tree, branch) for branch in branches(tree)]
    return leaves, tree_map(lambda _: None, tree)


def tree_unflatten(structure: Tree, leaves: Any) -> dict[str, Any]:
    """Rebuild a tree from a structure (see :func:`tree_flatten`) and its leaves, in order."""
    remaining = iter(leaves)
    tree = tree_map(lambda _: next(remaining), structure)
    extra = sum(1 for _ in remaining)
    if extra:
        raise ValueError(f"tree_unflatten: {extra} more leaves than the structure has")
    return tree


def flatten_dict(tree: Tree, sep: str = ".") -> dict[str, Any]:
    """A flat dict ``{"a.b.c": leaf}`` with one entry per leaf (keys joined with ``sep``)."""
    return {sep.join(branch): get_nested(tree, branch) for branch in branches(tree)}


def unflatten_dict(flat: Mapping[str, Any], sep: str = ".") -> dict[str, Any]:
    """Rebuild a nested dict from :func:`flatten_dict`'s output."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        node = tree
        *parents, leaf = path.split(sep)
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return tree


def tree_update(target: Tree, additional: Tree) -> dict[str, Any]:
    """A copy of ``target`` with the leaves of ``additional`` merged in, recursively."""
    out = dict(target)
    for key, value in additional.items():
        if _is_node(value) and _is_node(out.get(key)):
            out[key] = tree_update(out[key], value)
        else:
            out[key] = value
    return out


def tree_find(tree: Tree, target: Any) -> list[tuple[str, ...]]:
    """The branches whose leaf *is* ``target`` (identity, not equality).

    Useful to locate a known array, e.g. ``tree_find(net.parameters(), net.lif.tau_mem)``.
    """
    return [branch for branch in branches(tree) if get_nested(tree, branch) is target]


def make_prototype_tree(full: Tree, selected: Tree) -> dict[str, Any]:
    """A tree shaped like ``full`` with ``True`` at the leaves present in ``selected``, else
    ``False``.

    Handy as a mask: ``make_prototype_tree(net.parameters(), net.parameters("weights"))``
    marks the weights, e.g. for ``optax.masked``.
    """
    out: dict[str, Any] = {}
    for key, value in full.items():
        chosen = selected.get(key)
        if _is_node(value):
            out[key] = make_prototype_tree(value, chosen if isinstance(chosen, Mapping) else {})
        else:
            out[key] = key in selected
    return out
