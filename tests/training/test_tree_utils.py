from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear
from shoal.utilities import tree_utils as tu

TREE = {"a": {"w": 1, "b": {"c": 2}}, "d": 3, "empty": {}}


def test_branches_get_and_set_nested():
    assert list(tu.branches(TREE)) == [("a", "w"), ("a", "b", "c"), ("d",)]
    assert tu.get_nested(TREE, ("a", "b", "c")) == 2
    new = tu.set_nested(TREE, ("a", "b", "c"), 5)
    assert new["a"]["b"]["c"] == 5 and TREE["a"]["b"]["c"] == 2
    assert tu.set_nested({}, ("x", "y"), 1) == {"x": {"y": 1}}
    with pytest.raises(KeyError):
        tu.get_nested(TREE, ("a", "nope"))
    with pytest.raises(ValueError, match="at least one key"):
        tu.set_nested(TREE, (), 1)


def test_flatten_unflatten_round_trips():
    leaves, structure = tu.tree_flatten(TREE)
    assert leaves == [1, 2, 3]
    assert structure == {"a": {"w": None, "b": {"c": None}}, "d": None, "empty": {}}
    assert tu.tree_unflatten(structure, leaves) == TREE
    with pytest.raises(ValueError, match="1 more leaves"):
        tu.tree_unflatten(structure, [1, 2, 3, 4])
    flat = tu.flatten_dict(TREE)
    assert flat == {"a.w": 1, "a.b.c": 2, "d": 3}
    assert tu.unflatten_dict(flat) == {"a": {"w": 1, "b": {"c": 2}}, "d": 3}
    assert tu.flatten_dict(TREE, sep="/")["a/b/c"] == 2


def test_tree_map_and_update():
    assert tu.tree_map(lambda x, y: x + y, TREE, TREE) == {
        "a": {"w": 2, "b": {"c": 4}},
        "d": 6,
        "empty": {},
    }
    assert tu.tree_update(TREE, {"a": {"b": {"c": 9}}, "e": 1})["a"] == {"w": 1, "b": {"c": 9}}


def test_find_and_prototype_on_module_parameters():
    net = Sequential(Linear((2, 3)), LIF(3))
    params = net.parameters()
    assert tu.tree_find(params, net[1].tau_mem) == [("1_LIF", "tau_mem")]
    mask = tu.make_prototype_tree(params, net.parameters("weights"))
    assert mask["0_Linear"] == {"weight": True}
    assert not any(mask["1_LIF"].values())
    doubled = tu.tree_map(lambda x: 2 * x, params)
    net.set_attributes(doubled)
    np.testing.assert_array_equal(net[1].tau_mem, 0.04)
