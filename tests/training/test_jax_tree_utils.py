"""``shoal.utilities.jax_tree_utils`` (catalogue-2 §8.2): sorted keys, cond selection, rng keys."""

from __future__ import annotations

import operator

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy

from shoal.utilities import jax_tree_utils as jtu  # noqa: E402

TREE = {"w": jnp.array([1, -2]), "b": {"t": jnp.array(3), "u": jnp.array([4, 5])}}
PROTO = {"w": True, "b": {"t": False, "u": True}}
# split(PRNGKey(0), 4)[1:], in sorted leaf order b/t, b/u, w (catalogue-2 §8.2)
SUBKEYS = [[928981903, 3453687069], [4146024105, 2718843009], [2467461003, 3840466878]]


def test_re_exports_the_plain_tree_utils():
    assert jtu.tree_map({"a": 1}, lambda x: x + 1) == {"a": 2}
    assert list(jtu.tree_find({"a": 1, "b": 0})) == [("a",)]


def test_tree_map_select_golden_with_sorted_keys():
    out = jtu.tree_map_select(TREE, PROTO, lambda x: 2 * x)
    assert list(out) == ["b", "w"]  # JAX flattening sorts the keys
    assert out["b"]["t"].tolist() == 3
    assert out["b"]["u"].tolist() == [8, 10]
    assert out["w"].tolist() == [2, -4]


def test_tree_map_select_under_jit_with_a_traced_prototype():
    out = jax.jit(lambda t, p: jtu.tree_map_select(t, p, lambda x: 2 * x))(TREE, PROTO)
    assert out["w"].tolist() == [2, -4] and out["b"]["t"].tolist() == 3


def test_tree_map_select_needs_shape_preserving_maps():
    with pytest.raises(TypeError, match=r"must have (equal|identical) (output|types)"):
        jtu.tree_map_select(TREE, PROTO, lambda x: jnp.sum(x).astype(jnp.float32))


def test_tree_map_reduce_select_golden_and_nan_default():
    total = jtu.tree_map_reduce_select(TREE, PROTO, jnp.sum, operator.add, 0.0)
    assert float(total) == 8.0
    assert np.isnan(float(jtu.tree_map_reduce_select(TREE, PROTO, jnp.sum, operator.add)))


def test_tree_map_with_rng_gives_sorted_leaf_i_subkey_i():
    keys = jtu.tree_map_with_rng(TREE, lambda _leaf, key: key, jax.random.PRNGKey(0))
    got = [keys["b"]["t"].tolist(), keys["b"]["u"].tolist(), keys["w"].tolist()]
    assert got == SUBKEYS


def test_tree_map_with_rng_passes_rest_trees():
    out = jtu.tree_map_with_rng(
        {"a": 1.0}, lambda x, _k, y: x + y, jax.random.PRNGKey(0), {"a": 2.0}
    )
    assert out == {"a": 3.0}


def test_tree_map_select_with_rng_keys_do_not_depend_on_the_selection():
    def add_key(leaf, key):
        return leaf + key[0].astype(leaf.dtype)

    tree = {k: jnp.zeros((), jnp.uint32) for k in ("c", "a", "b")}
    one = jtu.tree_map_select_with_rng(
        tree, {"a": False, "b": True, "c": False}, add_key, jax.random.PRNGKey(0)
    )
    all_ = jtu.tree_map_select_with_rng(
        tree, {"a": True, "b": True, "c": True}, add_key, jax.random.PRNGKey(0)
    )
    assert int(one["a"]) == 0 and int(one["c"]) == 0
    assert int(one["b"]) == int(all_["b"]) == SUBKEYS[1][0]
    assert int(all_["a"]) == SUBKEYS[0][0]
