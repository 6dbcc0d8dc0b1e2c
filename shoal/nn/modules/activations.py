"""Activation functions ``f(x, threshold)`` shared by NumPy and JAX modules.

Each works on NumPy and JAX arrays alike (it asks the array for its namespace), so a model's
activation is written once. Strings accepted by ``Rate(activation_func=...)``: ``"relu"``/``"r"``,
``"tanh"``/``"t"``, ``"sigmoid"``/``"sig"``/``"s"`` (case-insensitive).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["H_LReLU", "H_ReLU", "H_sigmoid", "H_tanh", "resolve_activation", "sigmoid"]


def _xp(x: Any) -> Any:
    namespace = getattr(x, "__array_namespace__", None)
    if namespace is not None:
        return namespace()
    torch = sys.modules.get("torch")  # never imported here: a tensor means torch is loaded
    if torch is not None and isinstance(x, torch.Tensor):
        from shoal.backend.torch_backend import XP

        return XP
    return np


def H_ReLU(x: Any, threshold: Any = 0.0) -> Any:
    """Rectified linear: ``x − θ`` where ``x − θ > 0``, else 0.

    Not ``maximum(x − θ, 0)``: the gradient at ``x = θ`` is then 0, as for ``jax.nn.relu`` and
    Rockpool (``maximum`` splits it, 0.5). The test is ``x − θ ≤ 0`` so that a NaN input stays
    NaN on every backend.
    """
    shifted = x - threshold
    return _xp(x).where(shifted <= 0, 0.0, shifted)


def H_LReLU(x: Any, threshold: Any = 0.0, negative_slope: float = 0.01) -> Any:
    """Rockpool's "leaky" ReLU: ``x − θ`` where ``x − θ ≥ 0``, else the **constant**
    ``negative_slope``.

    Below threshold the value is ``negative_slope`` itself, not ``negative_slope·(x − θ)``
    (so it is not continuous at the threshold and has zero gradient below it): this is
    Rockpool's contract, kept so that ported code gives Rockpool's numbers. For a true leaky
    ReLU use ``jax.nn.leaky_relu(x − θ, negative_slope)``.

    Examples:
        >>> H_LReLU(np.array([-1.0, 0.0, 0.3, 1.0, 2.5]), 0.3).round(6).tolist()
        [0.01, 0.01, 0.0, 0.7, 2.2]
    """
    shifted = x - threshold
    return _xp(x).where(shifted >= 0, shifted, negative_slope)


def H_tanh(x: Any, threshold: Any = 0.0) -> Any:
    """Hyperbolic tangent: ``tanh(x − θ)``."""
    return _xp(x).tanh(x - threshold)


def H_sigmoid(x: Any, threshold: Any = 0.0) -> Any:
    """Sigmoid expressed through tanh: ``(tanh(x − θ) + 1) / 2``."""
    return (_xp(x).tanh(x - threshold) + 1.0) / 2.0


def sigmoid(x: Any, threshold: Any) -> Any:
    """Rockpool's two-argument sigmoid: ``tanh(x + 1 − θ)/2 + 0.5``.

    Equals the logistic function of ``2·(x + 1 − θ)``: 0.5 at ``x = θ − 1``. (The plain
    logistic ``1/(1 + e^(−x))`` is :func:`shoal.backend.surrogates.logistic`.)

    Examples:
        >>> sigmoid(np.array([-1.0, 0.0, 0.3, 1.0, 2.5]), 1.0).round(6).tolist()
        [0.119203, 0.5, 0.645656, 0.880797, 0.993307]
    """
    return _xp(x).tanh(x + 1.0 - threshold) / 2.0 + 0.5


_BY_NAME: dict[str, Callable[..., Any]] = {
    "relu": H_ReLU,
    "r": H_ReLU,
    "tanh": H_tanh,
    "t": H_tanh,
    "sigmoid": H_sigmoid,
    "sig": H_sigmoid,
    "s": H_sigmoid,
}


def resolve_activation(owner: str, activation: Any) -> Callable[..., Any]:
    """Return the activation for a name or callable; raise ``ValueError`` for anything else."""
    if isinstance(activation, str):
        found = _BY_NAME.get(activation.lower())
        if found is None:
            raise ValueError(
                f"{owner}: If `activation_func` is provided as a string argument, it must be one "
                f'of ["ReLU", "sigmoid", "tanh"]; got {activation!r}.'
            )
        return found
    if not callable(activation):
        raise ValueError(
            f"{owner}: Argument `activation_func` must be a string or a function; got "
            f"{type(activation).__name__}."
        )
    return activation
