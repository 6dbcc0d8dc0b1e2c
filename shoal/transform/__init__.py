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

from typing import Any

from shoal.backend._lazy import lazy_attribute

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
    return lazy_attribute(__name__, name, _EXPORTS, _SUBMODULES)


def __dir__() -> list[str]:
    return sorted(__all__)
