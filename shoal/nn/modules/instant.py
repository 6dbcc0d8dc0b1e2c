"""Instantaneous elementwise functions, the one definition behind ``Instant``/``InstantJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.nn.modules.module import Module
from shoal.parameters import SimulationParameter

__all__ = ["InstantBase", "identity"]


def _for_namespace(function: Callable[[Any], Any], xp: Any) -> Callable[[Any], Any]:
    """A NumPy ufunc (``np.tanh``) cannot take JAX tracers: use ``xp``'s function of that name."""
    if isinstance(function, np.ufunc) and xp is not np:
        return getattr(xp, function.__name__, function)  # type: ignore[no-any-return]
    return function


def identity(x: Any) -> Any:
    """Return ``x`` unchanged."""
    return x


class InstantBase(Module):
    """Apply a function to the (auto-batched) input at every time step: ``y = f(x)``.

    Args:
        shape: The module's shape (``N`` or ``(Nin, Nout)`` if ``f`` changes the width).
        function: Any function of the array, written for the backend's arrays (NumPy for
            ``Instant``, ``jax.numpy`` for ``InstantJax``; ufunc-style functions such as
            ``np.tanh`` work on both). Default: identity.
        spiking_input: Whether input is spikes (default ``False``).
        spiking_output: Whether output is spikes (default ``False``).

    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, Nout)``. Stateless.
    """

    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "Instant",
        "jax": "InstantJax",
        "torch": "InstantTorch",
    }

    def __init__(
        self,
        shape: Any = None,
        function: Callable[[Any], Any] = identity,
        spiking_input: bool = False,
        spiking_output: bool = False,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: The `shape` argument to `Instant` may not be `None`.")
        if not callable(function):
            raise TypeError(f"{owner}: `function` must be callable; got {type(function).__name__}.")
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        self.function = SimulationParameter(function)

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        data, _ = self._auto_batch(input_data)
        return _for_namespace(self.function, self._backend.xp)(data), {}, {}
