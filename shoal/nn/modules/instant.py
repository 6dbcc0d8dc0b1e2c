"""Instantaneous elementwise functions, the one definition behind ``Instant``/``InstantJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.nn.modules.module import Module
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._importing import ImportContext, ModuleSpec, NodeImport
from shoal.nn.modules.nir._registry import as_vector, register_nir_export, register_nir_import
from shoal.parameters import SimulationParameter

__all__ = ["HeavisideStep", "InstantBase", "identity"]


def _for_namespace(function: Callable[[Any], Any], xp: Any) -> Callable[[Any], Any]:
    """A NumPy ufunc (``np.tanh``) cannot take JAX tracers: use ``xp``'s function of that name.

    A function with a ``for_namespace(xp)`` method (:class:`HeavisideStep`) is asked for its
    version on ``xp``.
    """
    if isinstance(function, np.ufunc) and xp is not np:
        return getattr(xp, function.__name__, function)  # type: ignore[no-any-return]
    bind = getattr(function, "for_namespace", None)
    if callable(bind):
        return bind(xp)  # type: ignore[no-any-return]
    return function


class HeavisideStep:
    """The step ``y = 1 where x > θ, else 0`` per channel (NIR's ``Threshold`` node).

    ``H(0) = 0``: an input exactly at the threshold gives 0, as NIR's neurons fire only for
    ``v > v_threshold``. The gradient is zero everywhere (no surrogate): use it for inference.

    Args:
        threshold: ``θ``, a scalar or one value per channel ``(N,)``.
    """

    def __init__(self, threshold: Any) -> None:
        self.threshold = np.array(threshold, dtype=np.float64)

    def for_namespace(self, xp: Any) -> Callable[[Any], Any]:
        """The step on ``xp``'s arrays (the output has the input's dtype)."""

        def step(x: Any) -> Any:
            above = x > xp.asarray(self.threshold, dtype=x.dtype)
            return xp.where(above, xp.ones_like(x), xp.zeros_like(x))

        return step

    def __call__(self, x: Any) -> Any:
        return self.for_namespace(np)(np.asarray(x))

    def __repr__(self) -> str:
        return f"HeavisideStep(threshold={self.threshold.tolist()})"


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


def _instant_to_nir(
    nir: Any, name: str, module: InstantBase, dt: float | None
) -> tuple[dict, list]:
    """``nir.Threshold`` for a :class:`HeavisideStep`; other functions have no NIR node."""
    function = module.function
    if not isinstance(function, HeavisideStep) or module.size_in != module.size_out:
        raise NIRConversionError(
            f"{module._path} ({module.class_name}): no NIR node corresponds to "
            f"{type(module).__name__} with function {getattr(function, '__name__', function)!r}"
            f" and shape {module.shape}. Only an Instant of shape (N,) with "
            "HeavisideStep(threshold) exports (as nir.Threshold)."
        )
    return {name: nir.Threshold(threshold=as_vector(function.threshold, module.size_out))}, []


def _instant_from_threshold(node: Any, context: ImportContext) -> NodeImport:
    """``nir.Threshold`` → ``Instant(function=HeavisideStep(threshold))`` (spiking output)."""
    threshold = np.asarray(node.threshold, dtype=np.float64)
    if threshold.ndim != 1:
        raise NIRConversionError(
            f"{context.path} (nir.Threshold): `threshold` has shape {threshold.shape}; expected "
            "(N,), one value per channel."
        )
    kwargs = {
        "shape": threshold.size,
        "function": HeavisideStep(threshold),
        "spiking_output": True,
    }
    source = f"{context.path} (nir.Threshold)"
    return NodeImport([ModuleSpec(context.name, "Instant", kwargs, source)])


register_nir_export(InstantBase, _instant_to_nir, shares_dt=False)
register_nir_import("Threshold", _instant_from_threshold)
