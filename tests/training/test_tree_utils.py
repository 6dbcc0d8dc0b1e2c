"""``shoal.utilities.tree_utils``: Rockpool's signatures and semantics (catalogue-2 §8.1/§8.3)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear
from shoal.utilities import tree_utils as tu

TREE = {"a": {"w": 1, "b": {"c": 2}}, "d": 3, "empty": {}}
SPEC_TREE = {"b": {"y": 2, "x": 1}, "a": 3, "e": {}}


def test_branches_in_insertion_order_with_a_list_prefix():
    assert list(tu.branches(SPEC_TREE)) == [("b", "y"), ("b", "x"), ("a",)]
    assert list(tu.branches({"a": 1}, prefix=["p", "q"])) == [("p", "q", "a")]
    assert list(tu.branches(TREE)) == [("a", "w"), ("a", "b", "c"), ("d",)]


def test_get_nested_and_its_errors():
    assert tu.get_nested(TREE, ("a", "b", "c")) == 2
    with pytest.raises(KeyError):
        tu.get_nested(TREE, ("a", "nope"))
    with pytest.raises(IndexError, match="get_nested: `branch` must contain at least one key"):
        tu.get_nested(TREE, ())


def test_set_nested_deep_copies_unless_inplace():
    leaf = np.zeros(2)
    tree = {"a": {"w": leaf, "b": 1}}
    new = tu.set_nested(tree, ("a", "b"), 5)
    assert new["a"]["b"] == 5 and tree["a"]["b"] == 1
    assert new["a"]["w"] is not leaf  # leaves copied too (Rockpool deep-copies)
    same = tu.set_nested(tree, ("a", "new"), 7, inplace=True)
    assert same is tree and tree["a"]["new"] == 7  # the last key may be new


def test_set_nested_refuses_missing_intermediate_keys_and_empty_branches():
    with pytest.raises(KeyError):
        tu.set_nested({}, ("x", "y"), 1)
    with pytest.raises(IndexError, match="set_nested: `branch` must contain at least one key"):
        tu.set_nested(TREE, (), 1)


def test_set_matching_and_set_matching_select():
    result = tu.set_matching(SPEC_TREE, {"b": {"x": 0}, "a": None}, -1)
    assert result == {"b": {"y": 2, "x": -1}, "a": -1, "e": {}}
    assert SPEC_TREE["a"] == 3  # not in place by default
    selected = tu.set_matching_select(SPEC_TREE, {"b": {"x": 0, "y": True}, "a": 1}, -1)
    assert selected == {"b": {"y": -1, "x": 1}, "a": -1, "e": {}}
    tree = {"a": 1}
    assert tu.set_matching(tree, {"a": 0}, 9, inplace=True) is tree and tree == {"a": 9}


def test_make_prototype_tree_golden_and_edge():
    full = {"a": 1, "b": {"b1": 2, "b2": 3}, "c": 4, "d": 5}
    proto = tu.make_prototype_tree(full, {"a": 0, "b": {"b2": 0}})
    assert proto == {"a": True, "b": {"b1": False, "b2": True}, "c": False, "d": False}
    # a full leaf whose target counterpart is a dict is False (Rockpool's edge)
    assert tu.make_prototype_tree({"a": 1}, {"a": {"x": 1}}) == {"a": False}


def test_make_prototype_tree_warns_when_the_arguments_look_swapped():
    with pytest.warns(SyntaxWarning, match="The `target` tree has more nodes than the `full`"):
        tu.make_prototype_tree({"a": 1}, {"a": 1, "b": 2})


def test_tree_map_takes_the_tree_first_and_optional_extra_trees():
    assert tu.tree_map(TREE, lambda x: 10 * x) == {
        "a": {"w": 10, "b": {"c": 20}},
        "d": 30,
        "empty": {},
    }
    assert tu.tree_map(TREE, lambda x, y: x + y, TREE)["a"]["b"]["c"] == 4


def test_tree_map_with_the_old_argument_order_says_so():
    with pytest.raises(TypeError, match=r"tree_map\(tree, f\), Rockpool's order"):
        tu.tree_map(lambda x: x, TREE)  # type: ignore[arg-type]


def test_flatten_unflatten_round_trips():
    leaves, treedef = tu.tree_flatten(TREE)
    assert leaves == [1, 2, 3]
    assert treedef == {"a": {"w": None, "b": {"c": None}}, "d": None, "empty": {}}
    assert tu.tree_unflatten(treedef, leaves) == TREE
    # extra leaves are ignored (Rockpool's contract); too few raise IndexError
    assert tu.tree_unflatten(treedef, [1, 2, 3, 4]) == TREE
    with pytest.raises(IndexError, match="pop from empty list"):
        tu.tree_unflatten(treedef, [1, 2])


def test_tree_unflatten_deep_copies_the_leaves():
    leaf = np.ones(2)
    rebuilt = tu.tree_unflatten({"a": None}, [leaf])
    assert rebuilt["a"] is not leaf
    np.testing.assert_array_equal(rebuilt["a"], leaf)


def test_flatten_dict_and_unflatten_dict():
    flat = tu.flatten_dict(TREE)
    assert flat == {"a.w": 1, "a.b.c": 2, "d": 3}
    assert tu.unflatten_dict(flat) == {"a": {"w": 1, "b": {"c": 2}}, "d": 3}
    assert tu.flatten_dict(TREE, sep="/")["a/b/c"] == 2


def test_tree_update_merges_recursively_on_a_copy():
    merged = tu.tree_update(TREE, {"a": {"b": {"c": 9}}, "e": 1, "f": {"new": 2}})
    assert merged["a"] == {"w": 1, "b": {"c": 9}}
    assert merged["e"] == 1 and merged["f"] == {"new": 2}
    assert TREE["a"]["b"]["c"] == 2
    target = {"a": {"x": 1}}
    assert tu.tree_update(target, {"a": 5}, inplace=True) is target and target == {"a": 5}


def test_tree_update_refuses_a_dict_over_a_leaf_and_changes_nothing():
    target = {"a": {"b": {"c": 2}}, "d": 3}
    with pytest.raises(AttributeError, match=r"tree_update: \('a', 'b', 'c'\) is a leaf"):
        tu.tree_update(target, {"d": 4, "a": {"b": {"c": {"deeper": 1}}}}, inplace=True)
    assert target == {"a": {"b": {"c": 2}}, "d": 3}


def test_tree_find_yields_the_branches_of_truthy_leaves():
    found = tu.tree_find({"a": True, "b": {"c": False, "d": 1}, "e": 0})
    assert not isinstance(found, list)  # a generator, as Rockpool's
    assert list(found) == [("a",), ("b", "d")]


def test_find_leaf_and_prototype_on_module_parameters():
    net = Sequential(Linear((2, 3)), LIF(3))
    params = net.parameters()
    assert tu.tree_find_leaf(params, net[1].tau_mem) == [("1_LIF", "tau_mem")]
    mask = tu.make_prototype_tree(params, net.parameters("weights"))
    assert mask["0_Linear"] == {"weight": True}
    assert not any(mask["1_LIF"].values())
    doubled = tu.tree_map(params, lambda x: 2 * x)
    net.set_attributes(doubled)
    np.testing.assert_array_equal(net[1].tau_mem, 0.04)
