"""Hardware-aware transformations of parameter trees: mismatch, quantisation, dropout.

Rockpool-compatible (``rockpool.transform``). Importing this package imports neither JAX nor
anything optional; each part loads on first use:

- :func:`mismatch_generator`, :func:`module_registery` (:mod:`~shoal.transform.mismatch`,
  JAX): multiplicative Gaussian parameter mismatch.
- :mod:`~shoal.transform.quantize_methods` (NumPy): ``global_quantize`` / ``channel_quantize``
  of Xylo-style specification dicts.
- :func:`StochasticQuantize` (:mod:`~shoal.transform.quantize`) and :func:`Dropout`
  (:mod:`~shoal.transform.dropout`): wrappers that evolve a module with transformed parameters.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "mismatch_generator": "shoal.transform.mismatch",
    "module_registery": "shoal.transform.mismatch",
    "StochasticQuantize": "shoal.transform.quantize",
    "Dropout": "shoal.transform.dropout",
    "ParameterTransformerMixin": "shoal.transform.param_transformer",
}
_SUBMODULES = ("mismatch", "quantize_methods", "quantize", "dropout", "param_transformer")

__all__ = [*_EXPORTS, *_SUBMODULES]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBMODULES:
        return importlib.import_module(f"shoal.transform.{name}")
    raise AttributeError(f"module 'shoal.transform' has no attribute '{name}'")


def __dir__() -> list[str]:
    return sorted(__all__)
