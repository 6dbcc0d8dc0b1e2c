"""Contract tests: every registered model and combinator × every backend.

Each test takes a :class:`~registry.ModelCase` and builds fresh modules from it (NumPy modules
mutate their state on evolve, so nothing is shared between tests). Adding a case to
``registry.CASES`` puts it under all of these.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .registry import (
    BACKENDS,
    CASE_IDS,
    CASES,
    ModelCase,
    batched_lead,
    expected_records,
    host,
    plain,
)

jax = pytest.importorskip("jax")
jnp = jax.numpy

T = 6
B = 2


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request: pytest.FixtureRequest) -> ModelCase:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


def _shapes(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {key: _shapes(value) for key, value in tree.items()}
    return tuple(np.shape(tree))


def _as_numpy(tree: Any) -> Any:
    return plain(tree)


def _assert_trees_close(a: Any, b: Any, **tolerances: Any) -> None:
    a, b = plain(a), plain(b)
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_allclose(host(x), host(y), **tolerances)


def _assert_trees_equal(a: Any, b: Any) -> None:
    a, b = plain(a), plain(b)
    assert jax.tree_util.tree_structure(a) == jax.tree_util.tree_structure(b)
    for x, y in zip(jax.tree_util.tree_leaves(a), jax.tree_util.tree_leaves(b)):
        np.testing.assert_array_equal(host(x), host(y))


# ---------------------------------------------------------------------------- shapes, records
@pytest.mark.parametrize("lead", [(T,), (B, T)], ids=["TN", "BTN"])
def test_shapes_and_records(case: ModelCase, backend: str, lead: tuple[int, ...]) -> None:
    mod = case.build(backend)
    out, new_state, record = mod(case.inputs(lead), record=True)
    assert tuple(out.shape) == case.output_shape(lead, backend)
    assert _shapes(new_state) == _shapes(mod.state())
    assert _shapes(record) == expected_records(case, backend, batched_lead(lead), lead)


def test_record_false_gives_empty_dict(case: ModelCase, backend: str) -> None:
    x = case.inputs((T,))
    with_record = case.build(backend)(x, record=True)[0]
    mod = case.build(backend)
    out, _, record = mod(x, record=False)
    assert record == {}
    np.testing.assert_allclose(host(out), host(with_record), rtol=1e-6, atol=1e-7)
    assert case.build(backend)(x)[2] == {}


def test_output_dtype(case: ModelCase, backend: str) -> None:
    out, new_state, _ = case.build(backend)(case.inputs((T,)))
    expected = np.float64 if backend == "numpy" else np.float32
    assert host(out).dtype == (np.bool_ if "bool_output" in case.tags else expected)
    for value in jax.tree_util.tree_leaves(new_state):
        assert host(value).dtype in (expected, np.uint32)


# ---------------------------------------------------------------------------- state handling
def test_reset_state_restores_initial_state(case: ModelCase, backend: str) -> None:
    mod = case.build(backend)
    initial = _as_numpy(mod.state())
    _, new_state, _ = mod(case.inputs((T,)))
    mod = mod.set_attributes(new_state)
    if case.stateful:
        changed = jax.tree_util.tree_leaves(_as_numpy(mod.state()))
        assert any(
            not np.array_equal(x, y) for x, y in zip(changed, jax.tree_util.tree_leaves(initial))
        )
    params = _as_numpy(mod.parameters())
    mod = mod.reset_state()
    _assert_trees_equal(mod.state(), initial)
    _assert_trees_equal(mod.parameters(), params)


def test_set_attributes_of_own_state_is_a_no_op(case: ModelCase, backend: str) -> None:
    x = case.inputs((T,))
    expected = case.build(backend)(x)[0]
    mod = case.build(backend)
    before = (_as_numpy(mod.state()), _as_numpy(mod.parameters()), repr(mod))
    mod = mod.set_attributes(mod.state())
    mod = mod.set_attributes(mod.parameters())
    _assert_trees_equal(mod.state(), before[0])
    _assert_trees_equal(mod.parameters(), before[1])
    assert repr(mod) == before[2]
    np.testing.assert_array_equal(host(mod(x)[0]), host(expected))


def test_misspelled_keyword_raises(case: ModelCase, backend: str) -> None:
    with pytest.raises(TypeError, match=case.misspelled) as info:
        case.build(backend, **{case.misspelled: 1})
    if case.suggestion is not None:
        assert case.suggestion in str(info.value)


# ---------------------------------------------------------------------------- JAX only
def test_pytree_round_trip_keeps_names_and_values(case: ModelCase) -> None:
    mod = case.build("jax")
    leaves, treedef = jax.tree_util.tree_flatten(mod)
    again = jax.tree_util.tree_unflatten(treedef, leaves)
    assert type(again) is type(mod)
    assert repr(again) == repr(mod)
    assert again.full_name == mod.full_name
    assert [m.full_name for m in again.modules().values()] == [
        m.full_name for m in mod.modules().values()
    ]
    _assert_trees_equal(again.parameters(), mod.parameters())
    _assert_trees_equal(again.state(), mod.state())
    # Through a traced transform too: names and static configuration survive jit.
    names = jax.jit(lambda m: m)(mod)
    assert repr(names) == repr(mod)


def test_jit_equals_eager_and_gradients_finite_nonzero(case: ModelCase) -> None:
    """One compiled ``value_and_grad``: its evolve matches eager, every gradient is usable."""
    mod = case.build("jax")
    x = jnp.asarray(case.inputs((B, T)), dtype=jnp.float32)
    out_shape = case.output_shape((B, T))
    target = jnp.asarray(np.random.default_rng(1).uniform(-1.0, 1.0, out_shape), jnp.float32)

    def loss(params: Any, net: Any, data: Any) -> Any:
        net = net.set_attributes(params)
        evolved = net(data, record=True)
        return jnp.mean((evolved[0] - target) ** 2), evolved

    params = mod.parameters()
    (_, traced), grads = jax.jit(jax.value_and_grad(loss, has_aux=True))(params, mod, x)
    _assert_trees_close(traced, mod(x, record=True), atol=1e-6, rtol=1e-6)

    assert jax.tree_util.tree_structure(grads) == jax.tree_util.tree_structure(params)
    for path, grad in jax.tree_util.tree_flatten_with_path(grads)[0]:
        name = jax.tree_util.keystr(path)
        assert np.all(np.isfinite(grad)), f"{case.name}{name}: non-finite gradient"
        if "flat_taus" in case.tags and "'tau_" in name:  # rounded τ (LIFBitshift): flat
            assert np.all(grad == 0), f"{case.name}{name}: a gradient through the rounding"
            continue
        assert np.any(grad != 0), f"{case.name}{name}: all-zero gradient"
