"""Surrogate gradients for the spike function, written once for every backend.

The forward pass of a spike is a step (a multi-spike count ``floor(v/θ)`` above threshold); its
derivative is zero almost everywhere, so training replaces it with a surrogate. A surrogate
gives the partial derivatives of the spike count with respect to the membrane potential ``v``
and the threshold ``θ``. Surrogates are small immutable objects: they are static configuration
of a module (hashable, compared by value), never traced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "FastSigmoid",
    "PeriodicExponential",
    "Sigmoid",
    "StepPWL",
    "Surrogate",
    "get_surrogate",
    "logistic",
    "step_pwl",
]


def logistic(x: Any) -> Any:
    """The logistic function ``1 / (1 + exp(−x))`` on NumPy or JAX arrays.

    (``shoal.nn.modules.sigmoid`` is Rockpool's two-argument ``sigmoid(x, threshold)``.)
    """
    namespace = getattr(x, "__array_namespace__", None)
    if namespace is None:
        import numpy as np

        x = np.asarray(x)
        return 1.0 / (1.0 + np.exp(-x))
    return 1.0 / (1.0 + namespace().exp(-x))


class Surrogate:
    """Base class: ``partials(xp, v, threshold) -> (d_spikes/d_v, d_spikes/d_threshold)``."""

    def partials(self, xp: Any, v: Any, threshold: Any) -> tuple[Any, Any]:
        raise NotImplementedError


@dataclass(frozen=True)
class StepPWL(Surrogate):
    """Rockpool's piecewise-linear surrogate: the derivative of ``v/θ`` where ``v ≥ θ − window``.

    ``d/dv = [v ≥ θ − window] / θ`` and ``d/dθ = −[v ≥ θ − window] · v / θ²``.
    The default ``window = 0.5`` matches Rockpool's ``LIFJax``.
    """

    window: float = 0.5

    def partials(self, xp: Any, v: Any, threshold: Any) -> tuple[Any, Any]:
        gate = xp.astype(v >= threshold - self.window, v.dtype)
        return gate / threshold, -gate * v / threshold**2


@dataclass(frozen=True)
class Sigmoid(Surrogate):
    """Logistic surrogate: the derivative of ``σ(k (v − θ))``.

    With ``s = σ(k (v − θ))``: ``d/dv = k s (1 − s)`` and ``d/dθ = −k s (1 − s)``.
    """

    slope: float = 5.0

    def partials(self, xp: Any, v: Any, threshold: Any) -> tuple[Any, Any]:
        s = 1.0 / (1.0 + xp.exp(-self.slope * (v - threshold)))
        d = self.slope * s * (1.0 - s)
        return d, -d


@dataclass(frozen=True)
class FastSigmoid(Surrogate):
    """Fast sigmoid (SuperSpike, Zenke & Ganguli 2018): ``d/dv = 1 / (1 + k |v − θ|)²``.

    ``d/dθ = −d/dv``. ``k`` (``slope``) sets the width; larger is sharper.
    """

    slope: float = 10.0

    def partials(self, xp: Any, v: Any, threshold: Any) -> tuple[Any, Any]:
        d = 1.0 / (1.0 + self.slope * xp.abs(v - threshold)) ** 2
        return d, -d


@dataclass(frozen=True)
class PeriodicExponential(Surrogate):
    """Rockpool's periodic surrogate: an exponential peak ``1/θ`` at every multiple of ``θ``.

    With ``u = v − θ/2`` below threshold and ``u = (v − θ/2) − θ·min(⌊(v − θ/2)/θ⌋,
    max_spikes − 1)`` at or above it, ``pdf = exp(−|u − θ/2| / window) / θ``:
    ``d/dv = pdf`` and ``d/dθ = −pdf · v / θ``. Continuous; ``window`` defaults to 0.5.
    """

    window: float = 0.5
    max_spikes: float = 2.0**16

    def partials(self, xp: Any, v: Any, threshold: Any) -> tuple[Any, Any]:
        shifted = v - threshold / 2.0
        periods = xp.minimum(xp.floor(shifted / threshold), self.max_spikes - 1.0)
        u = xp.where(v >= threshold, shifted - threshold * periods, shifted)
        pdf = xp.exp(-xp.abs(u - threshold / 2.0) / self.window) / threshold
        return pdf, -pdf * v / threshold


step_pwl = StepPWL()

_BY_NAME = {
    "step_pwl": StepPWL,
    "sigmoid": Sigmoid,
    "fast_sigmoid": FastSigmoid,
    "periodic_exponential": PeriodicExponential,
}


def get_surrogate(spec: str | Surrogate) -> Surrogate:
    """Return a surrogate from a name (``"step_pwl"``, ``"sigmoid"``, ``"fast_sigmoid"``) or as is."""
    if isinstance(spec, Surrogate):
        return spec
    if isinstance(spec, str) and spec.lower() in _BY_NAME:
        return _BY_NAME[spec.lower()]()
    raise ValueError(
        f"Unknown surrogate {spec!r}: expected one of {sorted(_BY_NAME)} or a Surrogate instance."
    )
