"""``BooleanStateTorch``: the set/reset latch on Torch. See :class:`BooleanStateBase`.

Rockpool's name for this Torch class is ``BooleanState``; in ``shoal.nn.modules`` that name is
the NumPy flavour (as for the dropouts), so :mod:`shoal.nn.modules.torch` exports it under
both names.
"""

from shoal.nn.modules.boolean_state import BooleanStateBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["BooleanStateTorch"]


class BooleanStateTorch(BooleanStateBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = BooleanStateBase.__doc__
