"""Surrogate gradients for the spike function (re-exported from :mod:`shoal.backend.surrogates`).

Choose one per LIF module with ``LIFJax(N, surrogate=...)``: a name (``"step_pwl"``, the
default; ``"sigmoid"``; ``"fast_sigmoid"``) or an instance with its own width, e.g.
``FastSigmoid(slope=25.0)``. The forward pass is unchanged; only gradients differ.
"""

# The names are listed once, in shoal.backend.surrogates: this module is its public alias, so
# a surrogate added there is exported here too.
from shoal.backend.surrogates import *  # noqa: F403
from shoal.backend.surrogates import __all__ as __all__
