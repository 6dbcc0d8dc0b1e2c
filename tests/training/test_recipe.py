"""The documented training recipe lowers the loss on a tiny problem (seconds)."""

from __future__ import annotations

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")
import jax.numpy as jnp  # noqa: E402

import shoal.training  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFJax, LinearJax  # noqa: E402
from shoal.training import jax_loss, make_train_step  # noqa: E402


def _tiny_problem():
    rng = np.random.default_rng(0)
    net = Sequential(
        LinearJax((4, 6), weight=rng.normal(0, 0.5, (4, 6))),
        LIFJax(6, surrogate="fast_sigmoid", rng_key=[0, 1]),
        LinearJax((6, 2), weight=rng.normal(0, 0.5, (6, 2))),
    )
    x = jnp.asarray((rng.random((8, 20, 4)) < 0.3).astype(np.float32))
    y = jnp.asarray(rng.uniform(0, 1, (8, 20, 2)).astype(np.float32))
    return net, x, y


def _loss(params, net, x, y):
    net = net.set_attributes(params)
    out, _, _ = net(x)
    return jax_loss.mse(out, y)


def test_make_train_step_lowers_the_loss():
    net, x, y = _tiny_problem()
    optimiser = optax.adam(2e-2)
    params = net.parameters("weights")
    opt_state = optimiser.init(params)
    step = make_train_step(_loss, optimiser)
    first = float(_loss(params, net, x, y))
    for _ in range(30):
        params, opt_state, _ = step(params, opt_state, net, x, y)
    assert float(_loss(params, net, x, y)) < 0.5 * first
    trained = net.set_attributes(params)
    assert not np.array_equal(trained[0].weight, net[0].weight)  # the original is untouched


def test_handwritten_recipe_with_all_parameters_and_bounds():
    """The recipe as documented in ``shoal.training``: every parameter, kept within bounds.

    ``bounds_cost`` (Rockpool's formula) is zero inside the bounds and at least 1 per element
    outside, so it cannot stop a step from crossing a bound; ``bounds_clip`` after each update
    keeps the time constants in range exactly, and the cost pushes back what the step moved out.
    """
    net, x, y = _tiny_problem()
    lower, upper = jax_loss.make_bounds(net.parameters())
    lower["1_LIFJax"]["tau_mem"] = lower["1_LIFJax"]["tau_syn"] = 5e-3

    def loss(params, net, x, y):
        return _loss(params, net, x, y) + jax_loss.bounds_cost(params, lower, upper)

    optimiser = optax.adam(5e-4)
    params = net.parameters()
    opt_state = optimiser.init(params)

    @jax.jit
    def step(params, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(params, net, x, y)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        params = jax_loss.bounds_clip(optax.apply_updates(params, updates), lower, upper)
        return params, opt_state, value

    values = [step(params, opt_state, x, y)[2]]
    for _ in range(30):
        params, opt_state, value = step(params, opt_state, x, y)
        values.append(value)
    assert float(values[-1]) < 0.6 * float(values[0])
    assert np.min(np.asarray(params["1_LIFJax"]["tau_mem"])) >= 5e-3
    assert np.min(np.asarray(params["1_LIFJax"]["tau_syn"])) >= 5e-3
    assert float(jax_loss.bounds_cost(params, lower, upper)) == 0.0


def test_has_aux_returns_the_pair():
    step = make_train_step(lambda p: (jnp.sum(p["w"] ** 2), 7), optax.sgd(0.25), has_aux=True)
    params = {"w": jnp.ones(2)}
    params, _, (value, aux) = step(params, optax.sgd(0.25).init(params))
    assert float(value) == 2.0 and int(aux) == 7
    np.testing.assert_allclose(params["w"], 0.5)


def test_training_package_is_lazy_and_lists_its_names():
    assert {"jax_loss", "make_train_step", "FastSigmoid"} <= set(dir(shoal.training))
    with pytest.raises(AttributeError, match="no attribute 'Trainer'"):
        shoal.training.Trainer
