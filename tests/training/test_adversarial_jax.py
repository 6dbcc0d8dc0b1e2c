"""``pga_attack`` / ``adversarial_loss`` against catalogue-2 §7.1 (golden numbers)."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import ExpSynJax, LinearJax  # noqa: E402
from shoal.training import jax_loss  # noqa: E402
from shoal.training.adversarial_jax import adversarial_loss, pga_attack  # noqa: E402

X = np.array([[[1, 0], [0, 1], [1, 1], [0, 0]]], np.float32)
TARGET = np.zeros((1, 4, 2), np.float32)


def _net(weight=((0.5, -0.3), (0.2, 0.8))):
    return Sequential(
        LinearJax((2, 2), weight=np.array(weight)), ExpSynJax(2, tau=np.array([0.01, 0.02]))
    )


def _attack(net, **kwargs):
    leaves, tree_def = jax.tree_util.tree_flatten(net.parameters())
    y0 = net(X)[0]
    settings = {"attack_steps": 2, "mismatch_level": 0.1, "initial_std": 0.01, **kwargs}
    return (
        leaves,
        y0,
        pga_attack(leaves, net, jax.random.PRNGKey(0), X, y0, tree_def, jax_loss.mse, **settings),
    )


def test_nominal_output_golden():
    expected = [
        [0.452419, -0.285369],
        [0.590333, 0.489532],
        [1.16754, 0.941272],
        [1.05644, 0.895366],
    ]
    np.testing.assert_allclose(_net()(X)[0][0], expected, rtol=1e-5)


def test_pga_attack_golden_numbers():
    _, _, (theta, log) = _attack(_net())
    np.testing.assert_allclose(theta[0], [[0.437788, -0.336107], [0.180411, 0.717172]], rtol=1e-5)
    np.testing.assert_allclose(theta[1], [0.00887425, 0.0179197], rtol=1e-5)
    np.testing.assert_allclose(log["losses"], [0.000226711, 0.00644474], rtol=1e-4)
    assert len(log["grads"]) == 2 and len(log["grads"][0]) == 2
    assert log["grads"][0][0].shape == (2, 2)


def test_logged_losses_are_those_before_each_step_and_theta_stays_in_budget():
    net = _net()
    leaves, y0, (theta, log) = _attack(net, attack_steps=3)
    _, tree_def = jax.tree_util.tree_flatten(net.parameters())
    first = jax_loss.mse(
        y0, net.set_attributes(jax.tree_util.tree_unflatten(tree_def, theta))(X)[0]
    )
    assert float(first) > float(log["losses"][-1])  # the final theta's loss is not logged
    for p, t in zip(leaves, theta):
        p = np.asarray(p)
        assert np.all(np.abs(np.asarray(t) - p) <= np.abs(p) * (0.1 + 0.01 * 5))


def test_adversarial_loss_golden_numbers():
    net = _net()
    value = adversarial_loss(
        net.parameters(), net, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(1)
    )
    assert float(value) == pytest.approx(0.630422, rel=1e-5)
    task = adversarial_loss(
        net.parameters(),
        net,
        X,
        TARGET,
        jax_loss.mse,
        jax_loss.mse,
        jax.random.PRNGKey(1),
        beta_robustness=0.0,
    )
    assert float(task) == pytest.approx(0.630142, rel=1e-5)
    stronger = adversarial_loss(
        net.parameters(), net, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(1),
        mismatch_level=0.2, attack_steps=4, beta_robustness=1.0,
    )  # fmt: skip
    assert float(stronger) == pytest.approx(0.698936, rel=1e-5)


def test_losses_are_called_reference_first():
    def reference_mean(reference, output):
        return jnp.mean(reference)

    net = _net()
    # task_loss(target, output): the zero target first gives 0; the robustness term is
    # mean(y0) (mismatch_loss(y0, output)), whatever the attack does.
    value = adversarial_loss(
        net.parameters(),
        net,
        X,
        TARGET,
        reference_mean,
        reference_mean,
        jax.random.PRNGKey(1),
        beta_robustness=1.0,
    )
    assert float(value) == pytest.approx(float(jnp.mean(net(X)[0])), rel=1e-6)


def test_forward_noise_changes_the_task_term_only_through_the_parameters():
    net = _net()
    args = (net.parameters(), net, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(1))
    quiet = adversarial_loss(*args, beta_robustness=0.0)
    noisy = adversarial_loss(*args, beta_robustness=0.0, noisy_forward_std=0.1)
    assert float(noisy) != pytest.approx(float(quiet), rel=1e-4)


def test_gradients_are_finite_and_networks_of_one_structure_share_the_program():
    net = _net()
    grads = jax.grad(adversarial_loss)(
        net.parameters(), net, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(1)
    )
    assert all(np.all(np.isfinite(np.asarray(g))) for g in jax.tree_util.tree_leaves(grads))
    # `net` is traced, not static: another network object of the same structure (here the same
    # network with other weights) reuses the compiled program.
    other = net.set_attributes({"0_LinearJax": {"weight": jnp.eye(2)}})
    adversarial_loss(
        net.parameters(), net, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(2)
    )
    before = adversarial_loss._cache_size()
    adversarial_loss(
        other.parameters(), other, X, TARGET, jax_loss.mse, jax_loss.mse, jax.random.PRNGKey(3)
    )
    assert adversarial_loss._cache_size() == before
