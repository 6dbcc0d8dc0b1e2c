"""Helpers for the nested dicts that ``parameters()``, ``state()`` and gradients return.

A *tree* is a nested ``dict`` whose non-dict values are *leaves* (arrays, numbers, anything);
a *branch* is the tuple of keys leading to one leaf. Traversal is depth first in insertion
order; empty sub-dicts have no branches but are kept by every function that rebuilds a tree.

The signatures and semantics are Rockpool's (``rockpool.utilities.tree_utils``), argument order
included, so ported code runs unchanged: ``tree_map(tree, f)`` (tree first), ``tree_find(tree)``
(the branches of truthy leaves), ``inplace=False`` deep copies. shoal-only helpers have their own
names: :func:`tree_find_leaf`, :func:`flatten_dict`, :func:`unflatten_dict` and ``Tree``.
Plain Python, no JAX; ``shoal.utilities.jax_tree_utils`` has the ``jit``-compatible selectors.

Examples:
    >>> tree = {"0_Linear": {"weight": 1.0}, "1_LIF": {"tau_mem": 2.0, "bias": 3.0}}
    >>> list(branches(tree))
    [('0_Linear', 'weight'), ('1_LIF', 'tau_mem'), ('1_LIF', 'bias')]
    >>> flatten_dict(tree)
    {'0_Linear.weight': 1.0, '1_LIF.tau_mem': 2.0, '1_LIF.bias': 3.0}
    >>> unflatten_dict(flatten_dict(tree)) == tree
    True
    >>> tree_map(tree, lambda x: 10 * x)["1_LIF"]
    {'tau_mem': 20.0, 'bias': 30.0}
    >>> leaves, treedef = tree_flatten(tree)
    >>> leaves
    [1.0, 2.0, 3.0]
    >>> tree_unflatten(treedef, [4.0, 5.0, 6.0])["1_LIF"]["bias"]
    6.0
    >>> list(tree_find({"a": True, "b": {"c": False, "d": 1}, "e": 0}))
    [('a',), ('b', 'd')]
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

__all__ = [
    "Tree",
    "branches",
    "flatten_dict",
    "get_nested",
    "make_prototype_tree",
    "set_matching",
    "set_matching_select",
    "set_nested",
    "tree_find",
    "tree_find_leaf",
    "tree_flatten",
    "tree_map",
    "tree_unflatten",
    "tree_update",
    "unflatten_dict",
]

Tree = Mapping[str, Any]


def _is_node(value: Any) -> bool:
    return isinstance(value, Mapping)


def branches(tree: Tree, prefix: Sequence[Any] | None = None) -> Iterator[tuple[Any, ...]]:
    """Yield the branch (tuple of keys) of every leaf, depth first, in insertion order.

    Args:
        tree: The nested dict.
        prefix: Keys prepended to every branch (a list or tuple; default none).

    Empty sub-dicts have no leaves and yield nothing:
    ``{'b': {'y': 2, 'x': 1}, 'a': 3, 'e': {}}`` → ``('b', 'y'), ('b', 'x'), ('a',)``.
    """
    head = tuple(prefix) if prefix is not None else ()
    for key, value in tree.items():
        if _is_node(value):
            yield from branches(value, (*head, key))
        else:
            yield (*head, key)


def _require_branch(function: str, branch: Sequence[Any]) -> None:
    if len(branch) == 0:
        # Rockpool raises IndexError here (it reads ``branch[0]``); keep the type, say why.
        raise IndexError(f"{function}: `branch` must contain at least one key, got {branch!r}")


def get_nested(tree: Tree, branch: Sequence[Any]) -> Any:
    """The value at ``branch``.

    Raises:
        KeyError: a key of ``branch`` is missing.
        IndexError: ``branch`` is empty.
    """
    _require_branch("get_nested", branch)
    node: Any = tree
    for key in branch:
        node = node[key]
    return node


def set_nested(tree: Tree, branch: Sequence[Any], value: Any, inplace: bool = False) -> Any:
    """Set the leaf at ``branch`` to ``value`` and return the tree.

    Args:
        tree: The nested dict.
        branch: The keys to the leaf; the last key may be new (it is created).
        value: The new leaf.
        inplace: ``False`` (default) works on a deep copy (leaves copied too) and leaves ``tree``
            untouched; ``True`` modifies ``tree`` itself and returns it.

    Raises:
        KeyError: an intermediate key is missing (nothing is created silently there).
        IndexError: ``branch`` is empty.
    """
    _require_branch("set_nested", branch)
    out = tree if inplace else copy.deepcopy(tree)
    node: Any = out
    for key in branch[:-1]:
        node = node[key]
    node[branch[-1]] = value
    return out


def set_matching(full_tree: Tree, target_tree: Tree, value: Any, inplace: bool = False) -> Any:
    """Set every leaf of ``full_tree`` whose branch is a branch of ``target_tree`` to ``value``.

    ``set_matching({'b': {'y': 2, 'x': 1}, 'a': 3}, {'b': {'x': 0}, 'a': None}, -1)`` →
    ``{'b': {'y': 2, 'x': -1}, 'a': -1}``. ``inplace`` as in :func:`set_nested`.
    """
    out = full_tree if inplace else copy.deepcopy(full_tree)
    for branch in branches(target_tree):
        set_nested(out, branch, value, inplace=True)
    return out


def set_matching_select(
    full_tree: Tree, target_tree: Tree, value: Any, inplace: bool = False
) -> Any:
    """Like :func:`set_matching`, only for the branches whose leaf in ``target_tree`` is truthy."""
    out = full_tree if inplace else copy.deepcopy(full_tree)
    for branch in tree_find(target_tree):
        set_nested(out, branch, value, inplace=True)
    return out


def make_prototype_tree(full_tree: Tree, target_tree: Tree) -> dict[str, Any]:
    """A copy of ``full_tree`` with each leaf ``True`` if its branch is in ``target_tree``.

    Handy as a mask: ``make_prototype_tree(net.parameters(), net.parameters("weights"))``
    marks the weights (for ``jax_tree_utils.tree_map_select`` or ``optax.masked``). A leaf of
    ``full_tree`` whose counterpart in ``target_tree`` is a dict is ``False``.

    Warns:
        SyntaxWarning: ``target_tree`` has more leaves than ``full_tree`` (usually the two
            arguments swapped).
    """
    selected = set(branches(target_tree))
    if len(selected) > sum(1 for _ in branches(full_tree)):
        warnings.warn(
            "make_prototype_tree: The `target` tree has more nodes than the `full` tree. "
            "Please check the order of arguments.",
            SyntaxWarning,
            stacklevel=2,
        )
    return _prototype(full_tree, (), selected)


def _prototype(tree: Tree, prefix: tuple[Any, ...], selected: set[tuple[Any, ...]]) -> Any:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        branch = (*prefix, key)
        out[key] = _prototype(value, branch, selected) if _is_node(value) else branch in selected
    return out


def tree_map(tree: Tree, f: Callable[..., Any], *rest: Tree) -> dict[str, Any]:
    """A new tree with ``f(leaf)`` at each leaf (Rockpool's order: tree first, function second).

    Args:
        tree: The nested dict.
        f: Called on every leaf.
        *rest: shoal extension: further trees with the keys of ``tree``; ``f`` then receives the
            matching leaves too, ``f(leaf, *other_leaves)``.
    """
    if callable(tree) and not _is_node(tree):
        raise TypeError(
            "tree_map: the first argument must be the tree, the second the function "
            "(tree_map(tree, f), Rockpool's order); got a function first"
        )
    out: dict[str, Any] = {}
    for key, value in tree.items():
        others = [other[key] for other in rest]
        out[key] = tree_map(value, f, *others) if _is_node(value) else f(value, *others)
    return out


def tree_flatten(tree: Tree, leaves: list[Any] | None = None) -> tuple[list[Any], Any]:
    """``(leaves, treedef)``: the leaves depth first, and the tree with ``None`` at each leaf.

    ``leaves`` is an accumulator the leaves are appended to (Rockpool's signature; leave it
    ``None``). Plain Python, not a JAX pytree flatten: ``tree_unflatten(treedef, leaves)``
    rebuilds the tree.
    """
    found: list[Any] = [] if leaves is None else leaves
    found.extend(get_nested(tree, branch) for branch in branches(tree))
    return found, tree_map(tree, lambda _: None)


def tree_unflatten(treedef: Tree, leaves: Iterable[Any], leaves_tail: Any = None) -> Any:
    """Rebuild a tree from ``treedef`` (see :func:`tree_flatten`) and a deep copy of ``leaves``.

    Leaves are used in order; extra leaves are ignored (Rockpool's contract).
    ``leaves_tail`` is Rockpool's internal accumulator and is ignored.

    Raises:
        IndexError: fewer leaves than ``treedef`` has (``pop from empty list``, as Rockpool).
    """
    remaining = list(copy.deepcopy(list(leaves)))
    remaining.reverse()  # pop() from the end is O(1) and keeps the order of ``leaves``
    return tree_map(treedef, lambda _: remaining.pop())


def tree_update(target: Tree, additional: Tree, inplace: bool = False) -> Any:
    """Merge ``additional`` into (a deep copy of) ``target``, recursively, and return it.

    Keys of ``additional`` replace or are inserted; a dict in ``additional`` recurses into
    ``target[k]`` when ``k`` exists; a leaf replaces a sub-dict.

    Raises:
        AttributeError: a dict in ``additional`` meets a leaf in ``target`` (Rockpool's type).
    """
    _check_update(target, additional, ())  # all or nothing, also with inplace=True
    out = target if inplace else copy.deepcopy(target)
    _update_in_place(out, additional)
    return out


def _check_update(target: Any, additional: Tree, prefix: tuple[Any, ...]) -> None:
    for key, value in additional.items():
        if _is_node(value) and key in target:
            if not _is_node(target[key]):
                raise AttributeError(
                    f"tree_update: {(*prefix, key)!r} is a leaf in `target` but a dict in "
                    "`additional`; replace the leaf explicitly with set_nested"
                )
            _check_update(target[key], value, (*prefix, key))


def _update_in_place(target: Any, additional: Tree) -> None:
    for key, value in additional.items():
        if _is_node(value) and key in target:
            _update_in_place(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def tree_find(tree: Tree) -> Iterator[tuple[Any, ...]]:
    """Yield the branches whose leaf is truthy (Rockpool's ``tree_find``).

    ``{'a': True, 'b': {'c': False, 'd': 1}, 'e': 0}`` → ``('a',), ('b', 'd')``.
    """
    for branch in branches(tree):
        if get_nested(tree, branch):
            yield branch


def tree_find_leaf(tree: Tree, target: Any) -> list[tuple[Any, ...]]:
    """The branches whose leaf *is* ``target`` (identity, not equality). shoal only.

    Useful to locate a known array, e.g. ``tree_find_leaf(net.parameters(), net[1].tau_mem)``.
    """
    return [branch for branch in branches(tree) if get_nested(tree, branch) is target]


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
