"""``TimeStepDropoutJax``, ``UnitDropoutJax`` (masks from the module's ``rng_key``).

See :mod:`shoal.nn.modules.dropout`.
"""

from shoal.nn.modules.dropout import TimeStepDropoutBase, UnitDropoutBase
from shoal.nn.modules.jax.jax_module import JaxModule

__all__ = ["TimeStepDropoutJax", "UnitDropoutJax"]


class TimeStepDropoutJax(TimeStepDropoutBase, JaxModule):
    __doc__ = TimeStepDropoutBase.__doc__


class UnitDropoutJax(UnitDropoutBase, JaxModule):
    __doc__ = UnitDropoutBase.__doc__
