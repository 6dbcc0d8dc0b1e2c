"""A ``LinearJax`` followed by a neuron, run as one loop in forward-only calls.

In a forward-only call (:meth:`~shoal.backend.jax_backend.JaxBackend.forward_only`: nothing
differentiates it, nothing is recorded) a :class:`JaxSequential` hands each
``LinearJax → neuron`` pair to :func:`evolve_projected`: the neuron's loop multiplies one time
step of the input by the weights inside the loop (as spyx does), so the ``(B, T, N)``
projection is never stored and the call allocates only its output. On XLA's CPU runtime every
``(T, B, N)`` temporary is a fresh buffer whose page faults cost about as much as the loop's
arithmetic; with them gone, workload (a) ran ~1.5x faster. Which pairs fuse and how the neuron
is evolved is shared with the NumPy flavour (:mod:`shoal.nn.combinators._projection`).

The products are the ones ``LinearJax`` computes, one step at a time: each output sums in its
own order, so the neuron's input and output agree with the two modules called one after the
other to float32 rounding (~1e-6), not bit for bit. Traced calls (under ``jit`` or ``grad``)
never come here: their numbers and gradients are exactly those of the two modules.

Concrete CPU calls (outside ``jit``, see :mod:`shoal.nn.modules.jax._engine_route`) go to the
NumPy engine instead, for every neuron it takes (also those without the forward-only loop):
one BLAS product over the whole input, then the fused loop (:mod:`shoal.backend._jax_cpu`).
"""

from __future__ import annotations

from typing import Any

import jax

from shoal.nn.combinators._projection import evolve_pair, pair_fuses
from shoal.nn.modules.jax._engine_route import engine_neuron
from shoal.nn.modules.jax.linear_jax import LinearJax

__all__ = ["evolve_projected"]


def _fuses(linear: Any, neuron: Any, data: Any) -> bool:
    """Whether the pair runs as one loop: XLA's forward-only loop takes the neuron, or (a
    concrete call) the NumPy engine does (``JaxBackend.simulate_projected`` routes it there).
    """
    if pair_fuses(linear, LinearJax, neuron, data):
        return True
    concrete = not isinstance(data, jax.core.Tracer)
    return (
        concrete
        and engine_neuron(neuron)
        and pair_fuses(linear, LinearJax, neuron, data, backend_takes=True)
    )


def evolve_projected(linear: Any, neuron: Any, data: Any) -> tuple[Any, dict, dict] | None:
    """Evolve ``neuron(linear(data))`` as one loop; ``None`` when the pair does not fuse.

    Args:
        linear: The first module (fuses when it is a ``LinearJax``).
        neuron: The module after it (fuses when its dynamics take the forward-only loop).
        data: Input ``(B, T, Nin)``.

    Returns:
        ``(output (B, T, Nout), linear's new state, neuron's new state)``, or ``None``.
    """
    if not _fuses(linear, neuron, data):
        return None
    # Both modules' own checks and shapes; the projection computed here is never used. Traced,
    # the compiler drops it; concrete (the NumPy engine's call, outside jit), one time step
    # gives the same checks (none depends on T) without the product.
    concrete = not isinstance(data, jax.core.Tracer)
    projected, linear_state, _ = linear.evolve(data[:, :1] if concrete else data)
    return evolve_pair(linear, neuron, linear._as_input_array(data), projected, linear_state)
