"""Surrogate gradients for the spike function (re-exported from :mod:`shoal.backend.surrogates`).

Choose one per LIF module with ``LIFJax(N, surrogate=...)``: a name (``"step_pwl"``, the
default; ``"sigmoid"``; ``"fast_sigmoid"``) or an instance with its own width, e.g.
``FastSigmoid(slope=25.0)``. The forward pass is unchanged; only gradients differ.
"""

from shoal.backend.surrogates import (
    FastSigmoid,
    Sigmoid,
    StepPWL,
    Surrogate,
    get_surrogate,
    logistic,
    step_pwl,
)

__all__ = [
    "FastSigmoid",
    "Sigmoid",
    "StepPWL",
    "Surrogate",
    "get_surrogate",
    "logistic",
    "step_pwl",
]
