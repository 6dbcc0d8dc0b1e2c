"""Training spiking and rate networks with JAX: losses, surrogate gradients, a training step.

Importing this package does not import JAX; its JAX parts load on first use
(:mod:`shoal.training.jax_loss`, :func:`make_train_step`) and need ``pip install 'shoal[train]'``.

The recipe: take gradients with respect to ``net.parameters()`` (not the module, which holds an
integer ``rng_key``), apply them inside the loss with ``net.set_attributes(params)``, update with
an `optax <https://optax.readthedocs.io>`_ optimiser, project onto the valid range with
:func:`clip_to_valid` (time constants ≥ ``dt``, LIF thresholds > 0: an optimiser moves every
leaf by about its learning rate, seconds or not), and ``jit`` the whole step::

    import jax, optax
    from shoal.training import clip_to_valid, jax_loss

    def loss(params, net, x, y):
        net = net.set_attributes(params)
        out, _, _ = net(x)
        return jax_loss.mse(out, y)

    optimiser = optax.adam(1e-2)
    params = net.parameters()
    opt_state = optimiser.init(params)

    @jax.jit
    def step(params, opt_state, x, y):
        value, grads = jax.value_and_grad(loss)(params, net, x, y)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        params = clip_to_valid(net, optax.apply_updates(params, updates))
        return params, opt_state, value

    for epoch in range(100):
        params, opt_state, value = step(params, opt_state, x, y)
    net = net.set_attributes(params)

:func:`make_train_step` builds that ``step`` for you, projection included. Also here: :mod:`~shoal.training.adversarial_jax`
(training robust to parameter mismatch), :mod:`~shoal.training.ctc_loss`,
:mod:`~shoal.training.jax_debug` (NaN hunting) and :mod:`~shoal.training.train_rr` (a
ridge-regression readout, NumPy). :func:`fit` runs the step over shuffled
mini-batches with a progress bar, validation and checkpoints; spike-count and membrane losses,
firing-rate penalties and accuracy are in :mod:`shoal.training.spike_loss`. To train only some
parameters, pass a
family subset such as ``net.parameters("weights")``: ``set_attributes`` accepts partial trees.
Surrogate gradients are chosen per LIF module (``LIFJax(N, surrogate="fast_sigmoid")``, see
:mod:`shoal.training.surrogates`).
"""

from __future__ import annotations

from typing import Any

from shoal.backend._lazy import lazy_attribute
from shoal.training import surrogates
from shoal.training.surrogates import FastSigmoid, Sigmoid, StepPWL, Surrogate, get_surrogate

# Submodules imported on first access (those using JAX import it then).
_SUBMODULES = (
    "adversarial_jax",
    "ctc_loss",
    "jax_debug",
    "jax_loss",
    "spike_loss",
    "torch_loss",
    "train_rr",
)
_EXPORTS = {
    "clip_to_valid": "shoal.training._valid",
    "make_train_step": "shoal.training._recipe",
    "fit": "shoal.training._fit",
    "FitResult": "shoal.training._fit",
}

__all__ = [
    "FastSigmoid",
    "FitResult",
    "Sigmoid",
    "StepPWL",
    "clip_to_valid",
    "Surrogate",
    "fit",
    "get_surrogate",
    "make_train_step",
    "surrogates",
    *_SUBMODULES,
]


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, name, _EXPORTS, _SUBMODULES)


def __dir__() -> list[str]:
    return sorted(__all__)
