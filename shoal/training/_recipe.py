"""A transparent helper for the training loop: one jitted optimiser step.

It is the three-line recipe written once (``value_and_grad`` over the parameters, an optax
update, ``jit``) plus the projection that keeps time constants and thresholds in range; write
it out yourself whenever you need something it does not do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shoal.backend._lazy import require

require("jax", "train", "shoal.training.make_train_step")
require("optax", "train", "shoal.training.make_train_step")
import jax  # noqa: E402
import optax  # noqa: E402

from shoal.nn.modules.module import Module  # noqa: E402
from shoal.training._valid import clip_to_valid  # noqa: E402

__all__ = ["make_train_step"]


def make_train_step(
    loss: Callable[..., Any],
    optimiser: Any,
    has_aux: bool = False,
    keep_valid: bool | Module = True,
) -> Callable[..., tuple[Any, Any, Any]]:
    """Build ``step(params, opt_state, *args) -> (params, opt_state, value)``, jit-compiled.

    It is exactly::

        @jax.jit
        def step(params, opt_state, *args):
            value, grads = jax.value_and_grad(loss, has_aux=has_aux)(params, *args)
            updates, opt_state = optimiser.update(grads, opt_state, params)
            params = optax.apply_updates(params, updates)
            for net in modules:  # keep_valid: the modules among args (or the one given)
                params = clip_to_valid(net, params)
            return params, opt_state, value

    The projection (:func:`~shoal.training.clip_to_valid`) keeps time constants ≥ a fraction
    of ``dt`` and LIF thresholds > 0, so training ``net.parameters()`` (everything) stays a
    network of real neurons; it leaves weights, biases and in-range values untouched, so the
    gradients and the parameter tree are exactly those of the loss.

    Args:
        loss: ``loss(params, *args)`` returning a scalar (or ``(scalar, aux)`` with
            ``has_aux``). Modules may be among ``args`` (they are pytrees); inside, apply the
            parameters with ``net = net.set_attributes(params)``.
        optimiser: An ``optax.GradientTransformation`` (``opt_state = optimiser.init(params)``).
        has_aux: Whether ``loss`` returns ``(scalar, aux)``; ``value`` is then that pair.
        keep_valid: ``True`` (default): project ``params`` onto the valid range of every module
            passed among ``args``. A module: project against that module (for a ``loss`` that
            closes over its network). ``False``: no projection (the bare recipe).

    Examples:
        >>> import jax.numpy as jnp, optax
        >>> step = make_train_step(lambda p, x: jnp.sum((p["w"] * x - 1.0) ** 2), optax.sgd(0.1))
        >>> params = {"w": jnp.zeros(2)}
        >>> opt_state = optax.sgd(0.1).init(params)
        >>> for _ in range(50):
        ...     params, opt_state, value = step(params, opt_state, jnp.ones(2))
        >>> [round(float(w), 3) for w in params["w"]]
        [1.0, 1.0]
    """
    grad_fn = jax.value_and_grad(loss, has_aux=has_aux)

    @jax.jit
    def step(params: Any, opt_state: Any, *args: Any) -> tuple[Any, Any, Any]:
        value, grads = grad_fn(params, *args)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        if isinstance(keep_valid, Module):
            params = clip_to_valid(keep_valid, params)
        elif keep_valid:
            for arg in args:
                if isinstance(arg, Module):
                    params = clip_to_valid(arg, params)
        return params, opt_state, value

    return step
