"""A ``Linear`` and the neuron after it, run as one pass of the neuron's loop (any backend).

Where a backend can run a neuron's loop on a ``Linear``'s raw input, forming the product
inside the loop (``backend.simulate_projected``; it says which dynamics it takes in
``backend.takes_projection``), a ``Sequential`` hands it each ``Linear → neuron`` pair: the
``(B, T, N)`` projection is never stored. On NumPy the product is computed per batch row and
chunk of steps into a scratch buffer that stays in cache
(:mod:`shoal.dynamics._fused.projected`); on JAX, in forward-only calls, one product per
chunk of steps inside the compiled loop (:mod:`shoal.nn.combinators._jax_projection`).
Everything else the two calls do is kept: both modules' checks and errors, the neuron's
state committed as its own call commits it. The numbers are each backend's (see there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shoal._debug import debug_enabled
from shoal.nn.modules._simulated import SimulatedModule

__all__ = ["evolve_pair", "evolve_projected", "pair_fuses"]

#: ``fuse(module, next_module, data)``: ``(output, state, next_state)``, or ``None``.
PairHook = Callable[[Any, Any, Any], "tuple[Any, dict, dict] | None"]


def pair_fuses(
    linear: Any, linear_type: type, neuron: Any, data: Any, backend_takes: bool | None = None
) -> bool:
    """Whether ``linear → neuron`` may run as one pass on the neuron's backend.

    Only shoal's own code on both sides: a ``linear`` of exactly ``linear_type``, and a
    neuron whose ``evolve``, simulation and call are the built-in models' (a subclass that
    overrides one keeps its own code); batched ``(B, T, Nin)`` input; not in debug mode (the
    modules' own calls check every value there); dynamics the backend takes (a backend
    without ``takes_projection``, e.g. Torch, takes none). ``backend_takes``, when given,
    answers for the backend (JAX's concrete calls, which the NumPy engine takes).
    """
    takes = getattr(getattr(neuron, "_backend", None), "takes_projection", None)
    return (
        takes is not None
        and type(linear) is linear_type
        and isinstance(neuron, SimulatedModule)
        and type(neuron).evolve is SimulatedModule.evolve
        and type(neuron)._simulate is SimulatedModule._simulate
        and type(neuron).__call__ is linear_type.__call__
        and getattr(data, "ndim", 0) == 3
        and not debug_enabled()
        and (bool(takes(neuron._dynamics)) if backend_takes is None else backend_takes)
    )


def evolve_pair(
    linear: Any, neuron: Any, data: Any, projected: Any, linear_state: dict
) -> tuple[Any, dict, dict]:
    """Evolve ``neuron(linear(data))`` through ``backend.simulate_projected``.

    Args:
        linear: The ``Linear`` (its input already checked).
        neuron: The neuron after it.
        data: ``linear``'s input array ``(B, T, Nin)``, of its dtype.
        projected: Stands for ``linear``'s output ``(B, T, Nout)`` in the neuron's own checks
            and batching (its values are not used).
        linear_state: ``linear``'s new state.

    Returns:
        ``(output (B, T, ...), linear_state, neuron's new state)``; the neuron's state is
        committed as its own call would (NumPy).
    """
    neuron._check_time_constants(recursive=False)  # what the neuron's own call checks
    bias = linear.bias if linear._has_bias else None
    outputs, new_state, _ = neuron._evolve_through(
        projected,
        lambda dynamics, config, params, state, _: neuron._backend.simulate_projected(
            dynamics,
            config,
            params,
            state,
            data,
            neuron.__dict__.get("rng_key"),
            (linear.weight, bias),
        ),
    )
    return outputs, linear_state, new_state


def evolve_projected(linear: Any, neuron: Any, data: Any) -> tuple[Any, dict, dict] | None:
    """NumPy: evolve ``neuron(linear(data))`` as one pass; ``None`` when the pair does not fuse.

    Fuses when ``linear`` is a ``Linear`` (exactly), the neuron's kernels take their input in
    blocks (LIF, Rate: see :meth:`NumpyBackend.takes_projection`) and the neuron computes in
    the ``Linear``'s output dtype (otherwise it casts that output: the generic chain runs).

    Returns:
        ``(output (B, T, Nout), linear's new state, neuron's new state)``, or ``None``.
    """
    from shoal.nn.modules.native.linear import Linear  # the built-in models import this file

    if not pair_fuses(linear, Linear, neuron, data):
        return None
    data = linear._checked_input(data)  # Linear's own errors, without its product
    bias = (linear.bias,) if linear._has_bias else ()
    dtype = np.result_type(data, linear.weight, *bias)
    if np.dtype(neuron._input_dtype()) != dtype:
        return None
    # The neuron's checks see an output of the right shape and dtype: one value, no bytes.
    projected = np.broadcast_to(np.zeros((), dtype), (*data.shape[:-1], linear.size_out))
    return evolve_pair(linear, neuron, data, projected, {})
