"""Opt-in: with one batch, JAX LIF prepares each step inside its loop: no input copy.

``simulate`` runs a dynamics' ``prepare`` one time step at a time inside the compiled loop when
the backend allows it (``prepare_in_loop``, off by default), the dynamics declare it safe
(``PREPARE_PER_STEP``, LIF) and there is one batch. These tests pin down what it gives: the
vectorised path's forward numbers bit for bit (a fusion barrier keeps XLA from contracting a
multiply-add across prepare and step), gradients to float32 rounding only (why it is opt-in:
1 ulp changed the README training example's final loss from 0.03 to 0.08), and a program that
allocates no ``(T, 1, N)`` temporary for the prepared input — on XLA's CPU runtime each fresh
buffer of that size cost more in page faults than the whole loop's arithmetic.
"""

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.backend.jax_backend import JAX, JaxBackend  # noqa: E402
from shoal.nn.modules import LIFJax  # noqa: E402
from shoal.nn.modules.jax import jax_module  # noqa: E402


class _PerStepJax(JaxBackend):
    """The JAX backend with the opt-in per-step ``prepare`` switched on."""

    prepare_in_loop = True


class _LIFPerStep(LIFJax):
    _backend = _PerStepJax()


class _LIFVectorised(LIFJax):
    """The default: ``prepare`` on the whole trajectory before the loop."""


def _assert_same_numbers(ours, theirs):
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def _lif_kwargs(n):
    rng = np.random.default_rng(3)
    return {
        "tau_mem": rng.uniform(0.01, 0.05, n),
        "tau_syn": rng.uniform(0.005, 0.02, (n, 2)),
        "threshold": rng.uniform(0.5, 1.5, n),
        "bias": rng.normal(0, 0.1, n),
        "has_rec": True,
        "w_rec": rng.normal(0, 0.3, (n, 2 * n)),
        "noise_std": 0.2,
        "rng_key": jax.random.PRNGKey(7),
    }


@pytest.mark.parametrize("n_batches", [1, 3])  # 3 batches: the vectorised path, as a check
def test_lif_per_step_prepare_gives_the_vectorised_numbers(n_batches):
    n = 5
    x = np.random.default_rng(0).normal(0, 2.0, (n_batches, 40, 2 * n)).astype(np.float32)
    assert not JAX.prepare_in_loop  # opt-in: gradients differ by 1 ulp (see jax_backend)
    ours = _LIFPerStep((2 * n, n), **_lif_kwargs(n))(x, record=True)
    theirs = _LIFVectorised((2 * n, n), **_lif_kwargs(n))(x, record=True)
    _assert_same_numbers(ours, theirs)
    # Spike counts are integers: the same spikes, and the comparison covered spiking.
    np.testing.assert_array_equal(np.asarray(ours[0]), np.asarray(theirs[0]))
    assert np.asarray(ours[0]).sum() > 0


def test_lif_gradients_agree_with_the_vectorised_path_to_float32_rounding():
    x = np.random.default_rng(4).normal(0, 2.0, (1, 25, 6)).astype(np.float32)

    def grads(module):
        def loss(params):
            out, _, _ = module.set_attributes(params)(x)
            return jnp.sum(out * jnp.arange(out.shape[-1]))

        return jax.grad(loss)(module.parameters())

    ours = grads(_LIFPerStep(6, tau_mem=0.02, threshold=0.8))
    theirs = grads(_LIFVectorised(6, tau_mem=0.02, threshold=0.8))
    for a, b in zip(jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(theirs)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)


def _temporary_bytes(module, x):
    compiled = jax_module._compiled_evolve.lower(module, x, False).compile()
    return compiled.memory_analysis().temp_size_in_bytes


def test_a_single_batch_lif_allocates_no_copy_of_its_input():
    # (1, T, N): the old path allocated β·input (T, 1, N) and a relayout copy of it.
    x = jnp.zeros((1, 4000, 64), jnp.float32)
    input_bytes = x.size * 4
    assert _temporary_bytes(_LIFVectorised(64), x) >= input_bytes  # the guard can fail
    assert _temporary_bytes(_LIFPerStep(64), x) < input_bytes // 10
