"""Which concrete JAX module calls run outside ``jit``, so that the NumPy engine can take them.

A built-in JAX module's call runs ``evolve`` through one cached ``jax.jit``; inside it every
array is a tracer, and the NumPy engine (:mod:`shoal.backend._jax_cpu`) needs the arrays
themselves. So a call that the engine would run (:func:`runs_outside_jit`) evolves eagerly
instead, forward-only: the neuron's loop goes to the engine, and what is left in JAX (state
packing, a few slices) costs tens of microseconds. Calls the engine would decline keep the
compiled path, whose fusion across modules then pays.
"""

from __future__ import annotations

from typing import Any

import jax

from shoal.backend._jax_cpu import engine_runs, jax_cpu_engine_enabled
from shoal.backend._jax_host_arrays import on_cpu
from shoal.backend.jax_backend import JaxBackend
from shoal.nn.modules._simulated import SimulatedModule

__all__ = ["engine_neuron", "engine_tree", "runs_outside_jit"]


def runs_outside_jit(module: Any, input_data: Any, record: bool) -> bool:
    """Whether ``module(input_data, record=record)`` should evolve eagerly on the engine.

    True for a concrete call without records, every array on a CPU device, of a module tree
    that is an engine neuron, or a ``Sequential`` of ``LinearJax`` layers and engine neurons
    (at least one), nested or not.
    """
    if record or not jax_cpu_engine_enabled() or not engine_tree(module):
        return False
    for leaf in (*jax.tree_util.tree_leaves(module), input_data):
        if isinstance(leaf, jax.core.Tracer):
            return False
        if isinstance(leaf, jax.Array) and not on_cpu(leaf):
            return False
    return True


def engine_neuron(module: Any) -> bool:
    """A built-in JAX neuron (shoal's own ``evolve``) whose dynamics the engine takes."""
    if not isinstance(module, SimulatedModule) or not isinstance(module._backend, JaxBackend):
        return False
    if type(module).evolve is not SimulatedModule.evolve:
        return False
    if type(module)._simulate is not SimulatedModule._simulate:
        return False
    config, _ = module._configure()
    return engine_runs(module._dynamics, config)


def engine_tree(module: Any) -> bool:
    """An engine neuron, or a container whose ``_cpu_engine_tree`` says its children are.

    The container's own rule lives with it (``JaxSequential`` in ``combinators/_jax.py``):
    importing the combinators here would close an import circle.
    """
    rule = getattr(type(module), "_cpu_engine_tree", None)
    return bool(rule(module)) if rule is not None else engine_neuron(module)
