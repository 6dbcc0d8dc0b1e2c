"""``BooleanStateJax``: the set/reset latch on JAX (float32). See :class:`BooleanStateBase`."""

from shoal.nn.modules.boolean_state import BooleanStateBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["BooleanStateJax"]


class BooleanStateJax(BooleanStateBase, JaxModule):
    __doc__ = BooleanStateBase.__doc__
