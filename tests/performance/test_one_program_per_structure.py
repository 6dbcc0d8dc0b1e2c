"""Construction data is never static pytree data: one compiled program per structure.

Modules of one structure built from different arrays must share compiled programs, and a
stack of such modules must be a valid pytree for ``jax.vmap``. Both failed while each
parameter's reset value sat in the registry (static metadata).
"""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFJax, LinearJax, RateJax  # noqa: E402
from shoal.nn.modules.jax import jax_module  # noqa: E402


def _net(seed):
    rng = np.random.default_rng(seed)
    return Sequential(
        LinearJax((3, 4), weight=rng.normal(size=(3, 4)), bias=rng.normal(size=4)),
        LIFJax(4, tau_mem=rng.uniform(0.01, 0.05, 4), threshold=rng.uniform(0.5, 1.5, 4)),
    )


def test_modules_built_from_different_arrays_share_one_compiled_program():
    x = np.random.default_rng(0).random((2, 7, 3)).astype(np.float32)
    _net(1)(x)
    before = jax_module._compiled_evolve._cache_size()
    outputs = [_net(seed)(x)[0] for seed in (2, 3, 4)]
    assert jax_module._compiled_evolve._cache_size() == before
    # Shared program, own numbers: each module computes with its own arrays.
    assert not np.allclose(outputs[0], outputs[1])


def test_a_user_jit_traces_once_for_modules_of_one_structure():
    traces = []

    @jax.jit
    def run(net, x):
        traces.append(1)
        return net(x)[0]

    x = jnp.ones((5, 3))
    for seed in range(3):
        run(_net(seed), x)
    assert len(traces) == 1


def test_reset_under_jit_restores_each_modules_own_construction_data():
    reset_tau = jax.jit(lambda m: m.reset_parameters().tau)
    first, second = RateJax(3, tau=np.full(3, 0.03)), RateJax(3, tau=np.full(3, 0.05))
    trained = first.set_attributes({"tau": jnp.full(3, 0.2)})
    np.testing.assert_allclose(reset_tau(trained), 0.03, rtol=1e-6)
    np.testing.assert_allclose(reset_tau(second), 0.05, rtol=1e-6)
    assert reset_tau._cache_size() == 1


def test_numpy_reset_returns_a_private_copy_of_construction_data():
    from shoal.nn.modules import Rate

    tau = np.full(3, 0.03)
    mod = Rate(3, tau=tau)
    tau[:] = 7.0  # the caller's array: not the module's initial value
    mod.tau[:] = 5.0  # the live attribute: not the initial value either
    mod.reset_parameters()
    np.testing.assert_array_equal(mod.tau, 0.03)
    mod.tau[:] = 5.0
    mod.reset_parameters()
    np.testing.assert_array_equal(mod.tau, 0.03)


def test_vmap_over_a_stacked_tree_of_modules():
    nets = [_net(seed) for seed in range(3)]
    stacked = jax.tree_util.tree_map(lambda *xs: jnp.stack(xs), *nets)
    x = jnp.asarray(np.random.default_rng(5).random((3, 6, 3)), dtype=jnp.float32)
    batched = jax.vmap(lambda net, x: net(x)[0])(stacked, x)
    for i, net in enumerate(nets):
        np.testing.assert_allclose(batched[i], net(x[i])[0], rtol=1e-5, atol=1e-6)
