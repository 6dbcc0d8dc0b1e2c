"""Adversarial training against parameter mismatch (Rockpool's ``training.adversarial_jax``).

Training with :func:`adversarial_loss` makes a network robust to the parameter deviations of
mixed-signal hardware: besides the task loss it penalises how far the output moves under the
worst mismatch that projected gradient ascent (:func:`pga_attack`) finds within a relative
budget. Both functions are ``jax.jit``-compiled. Losses are called as
``loss(reference, output)``, the reference (target, or the nominal network's output) first.
Importing this module imports JAX (install ``shoal[train]``).

Examples:
    >>> import jax, numpy as np
    >>> from shoal.nn.modules import LinearJax
    >>> from shoal.training import jax_loss
    >>> net = LinearJax((2, 2), weight=[[0.5, -0.3], [0.2, 0.8]])
    >>> x, y = np.ones((1, 4, 2), np.float32), np.zeros((1, 4, 2), np.float32)
    >>> loss = adversarial_loss(net.parameters(), net, x, y, jax_loss.mse, jax_loss.mse,
    ...                         jax.random.PRNGKey(0))
    >>> bool(loss > jax_loss.mse(y, net(x)[0]))  # the robustness term adds to the task loss
    True
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoal.backend._lazy import require

require("jax", "train", "shoal.training.adversarial_jax")
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402

__all__ = ["adversarial_loss", "pga_attack"]

Loss = Callable[[Any, Any], Any]


def _output(net: Any, leaves: list[Any], tree_def: Any, inputs: Any) -> Any:
    """The network's output with parameters ``leaves``, evolved from its reset state."""
    params = jax.tree_util.tree_unflatten(tree_def, leaves)
    output, _, _ = net.reset_state().set_attributes(params)(inputs)
    return output


def _pga_attack(
    params_flattened: list[Any],
    net: Any,
    rng_key: Any,
    inputs: Any,
    net_out_original: Any,
    tree_def_params: Any,
    mismatch_loss: Loss,
    attack_steps: int = 10,
    mismatch_level: float = 0.025,
    initial_std: float = 1e-3,
) -> tuple[list[Any], dict[str, Any]]:
    theta, step_sizes = [], []
    for value in params_flattened:
        rng_key, subkey = jax.random.split(rng_key)
        magnitude = jnp.abs(value)
        noise = jax.random.normal(subkey, jnp.shape(value), dtype=jnp.result_type(value))
        theta.append(value + magnitude * initial_std * noise)
        step_sizes.append(mismatch_level * magnitude / attack_steps)

    def attacked_loss(leaves: list[Any]) -> Any:
        return mismatch_loss(net_out_original, _output(net, leaves, tree_def_params, inputs))

    def ascend(leaves: list[Any], _: Any) -> tuple[list[Any], tuple[Any, list[Any]]]:
        loss, grads = jax.value_and_grad(attacked_loss)(leaves)
        # sign() has zero derivative: gradients reach the parameters only through |p|.
        leaves = [t + h * jnp.sign(g) for t, h, g in zip(leaves, step_sizes, grads)]
        return leaves, (loss, grads)

    theta, (losses, grads) = jax.lax.scan(ascend, theta, None, length=attack_steps)
    log = {
        "grads": [[g[step] for g in grads] for step in range(attack_steps)],
        "losses": [losses[step] for step in range(attack_steps)],
    }
    return theta, log


pga_attack = jax.jit(
    _pga_attack,
    static_argnames=(
        "tree_def_params",
        "mismatch_loss",
        "attack_steps",
        "mismatch_level",
        "initial_std",
    ),
)
pga_attack.__doc__ = r"""Find a harmful parameter mismatch by projected gradient ascent.

Starting from :math:`\theta^* = p + |p|\,\sigma_0\,\xi` per leaf (``rng_key`` split once per
leaf, in order; :math:`\sigma_0` = ``initial_std``), take ``attack_steps`` steps
:math:`\theta^* \leftarrow \theta^* + h\,\mathrm{sign}(\nabla L(\theta^*))` with
:math:`h = \text{mismatch\_level}\cdot|p| / \text{attack\_steps}` and
:math:`L(\theta^*) = \text{mismatch\_loss}(y_0, f(\theta^*))`, where :math:`f` resets the
network's state, sets :math:`\theta^*` and evolves on ``inputs``. :math:`\theta^*` stays within
:math:`p \pm (|p|\sigma_0|\xi| + \text{mismatch\_level}\,|p|)`.

Args:
    params_flattened: ``jax.tree_util.tree_flatten(net.parameters())[0]`` (sorted keys).
    net: The JAX network. rng_key: PRNG key for the initial perturbation.
    inputs: ``(B, T, Nin)`` (or ``(T, Nin)``) input. net_out_original: :math:`y_0`, the
        nominal output ``net(inputs)``.
    tree_def_params: The tree definition from the same ``tree_flatten`` (static).
    mismatch_loss: ``loss(reference, output)`` (static).
    attack_steps: Number of ascent steps (static, default 10).
    mismatch_level: Relative attack budget (static, default 0.025).
    initial_std: Relative std of the initial perturbation (static, default 1e-3).

Returns:
    ``(theta_star, {"grads": [...], "losses": [...]})``: the attacked leaves, and per step the
    gradient leaves and the loss *before* that step (the final :math:`\theta^*`'s loss is not
    logged).
"""


def _adversarial_loss(
    parameters: Any,
    net: Any,
    inputs: Any,
    target: Any,
    task_loss: Loss,
    mismatch_loss: Loss,
    rng_key: Any,
    noisy_forward_std: float = 0.0,
    initial_std: float = 1e-3,
    mismatch_level: float = 0.025,
    beta_robustness: float = 0.25,
    attack_steps: int = 10,
) -> Any:
    net = net.reset_state()
    leaves, tree_def = jax.tree_util.tree_flatten(parameters)
    noisy = []
    for value in leaves:
        rng_key, subkey = jax.random.split(rng_key)
        noise = jax.random.normal(subkey, jnp.shape(value), dtype=jnp.result_type(value))
        noisy.append(value + jax.lax.stop_gradient(jnp.abs(value) * noisy_forward_std * noise))
    natural = task_loss(target, _output(net, noisy, tree_def, inputs))
    nominal = _output(net, leaves, tree_def, inputs)
    theta_star, _ = _pga_attack(
        leaves, net, rng_key, inputs, nominal, tree_def, mismatch_loss,
        attack_steps, mismatch_level, initial_std,
    )  # fmt: skip
    robust = mismatch_loss(nominal, _output(net, theta_star, tree_def, inputs))
    return natural + beta_robustness * robust


adversarial_loss = jax.jit(
    _adversarial_loss,
    static_argnames=(
        "task_loss",
        "mismatch_loss",
        "noisy_forward_std",
        "initial_std",
        "mismatch_level",
        "beta_robustness",
        "attack_steps",
    ),
)
adversarial_loss.__doc__ = r"""Task loss plus a penalty for sensitivity to parameter mismatch.

.. math::

    L = \text{task\_loss}(y, f(\tilde p)) + \beta\,\text{mismatch\_loss}(f(p), f(\theta^*))

with :math:`\tilde p = p + \mathrm{sg}(|p|\,\sigma_f\,\xi)` (one key split per leaf, in sorted
leaf order; the noise carries no gradient), :math:`\theta^*` from :func:`pga_attack` started
with the key left after that, and :math:`f` evolving the network from its reset state.
Gradients flow through :math:`f(p)`, through :math:`\theta^*` (its :math:`|p|` terms) and
through :math:`\tilde p`.

Unlike Rockpool, ``net`` is an ordinary (traced) argument rather than a static one: a shoal JAX
module is a pytree, so networks of one structure share the compiled program.

Args:
    parameters: ``net.parameters()`` (the tree to differentiate).
    net: The JAX network. inputs: ``(B, T, Nin)`` input. target: The task target.
    task_loss: ``task_loss(target, output)`` (static). mismatch_loss: ``loss(reference,
        output)`` (static).
    rng_key: PRNG key.
    noisy_forward_std: Relative std of the forward-pass noise (static, default 0.0).
    initial_std: See :func:`pga_attack` (static, default 1e-3).
    mismatch_level: Relative attack budget (static, default 0.025).
    beta_robustness: Weight :math:`\beta` of the robustness term (static, default 0.25).
    attack_steps: Ascent steps (static, default 10).

Returns:
    The scalar loss.
"""
