"""The on/off switch of the JAX training loop (:mod:`shoal.backend._jax_bptt`), without JAX.

Kept apart from the loop so that ``shoal.backend`` can export the switch while ``import shoal``
still never imports JAX.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

from shoal.backend._fused import switched

__all__ = [
    "ENVIRONMENT_SWITCH",
    "jax_fused_grad",
    "jax_fused_grad_enabled",
    "with_forward_mode_fallback",
]

_Result = TypeVar("_Result")

# JAX's message when forward-mode autodiff meets a custom_vjp (one phrase of it, kept loose).
_FORWARD_MODE_REFUSAL = "forward-mode autodiff"

#: Environment switch: ``SHOAL_JAX_FUSED_GRAD=0`` turns the JAX training loop off for the process.
ENVIRONMENT_SWITCH = "SHOAL_JAX_FUSED_GRAD"

_switch = {"enabled": os.environ.get(ENVIRONMENT_SWITCH, "1") != "0"}


def jax_fused_grad_enabled() -> bool:
    """True when traced JAX LIF calls use the hand-written BPTT loop (the default)."""
    return _switch["enabled"]


@contextlib.contextmanager
def jax_fused_grad(enabled: bool) -> Iterator[None]:
    """Turn the JAX LIF training loop on or off inside a ``with`` block.

    The choice is made when a call is traced, and it is part of the key of shoal's own compiled
    calls; a function the *user* has already ``jax.jit``-compiled keeps the loop it was traced
    with (as it keeps every other Python-level choice), so switch before the first call.

    Args:
        enabled: ``False`` differentiates the generic ``lax.scan`` over ``lif.step`` with JAX's
            own autodiff (needed for forward-mode: ``jax.jvp``, ``jacfwd``, ``hessian`` fall
            back to it by themselves); ``True`` uses the fused loop where it applies.

    Raises:
        TypeError: ``enabled`` is not a bool.
    """
    with switched(_switch, "shoal.backend.jax_fused_grad", enabled):
        yield


def with_forward_mode_fallback(call: Callable[[bool], _Result]) -> _Result:
    """``call(jax_fused_grad_enabled())``; where JAX refuses it forward-mode, ``call(False)``.

    ``jax.jvp``, ``jacfwd`` and ``hessian`` cannot push tangents through a ``custom_vjp``: JAX
    raises ``TypeError`` when the compiled call is bound under them. The generic loop, which
    JAX differentiates either way, then runs instead (the same numbers). Used around shoal's
    outermost compiled calls; a ``jax.jit`` of the *user's* around the forward-mode transform
    is outside them, and there JAX's error stands (switch the loop off to use it).
    """
    enabled = jax_fused_grad_enabled()
    if not enabled:
        return call(False)
    try:
        return call(True)
    except TypeError as error:
        if _FORWARD_MODE_REFUSAL not in str(error):
            raise
    return call(False)
