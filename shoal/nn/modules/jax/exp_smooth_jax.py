"""``ExpSmoothJax``: exponential smoothing on JAX (float32). See :class:`ExpSmoothBase`.

Rockpool deprecates it (use ``ExpSynJax``): constructing it warns; importing does not.
"""

from typing import ClassVar

from shoal.nn.modules.exp_smooth import ExpSmoothBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["ExpSmoothJax"]


class ExpSmoothJax(ExpSmoothBase, JaxModule):
    __doc__ = ExpSmoothBase.__doc__
    _deprecated_for: ClassVar[str | None] = "ExpSynJax"
