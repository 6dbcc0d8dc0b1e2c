"""``RateTorch``: rate neurons on Torch. Equations and arguments: :class:`RateBase`."""

from typing import ClassVar

from shoal.nn.modules.rate import RateBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["RateTorch"]


class RateTorch(RateBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Rate neurons on Torch (see :class:`~shoal.nn.modules.rate.RateBase`).

    As Rockpool's ``RateTorch``, the bias is in the family ``"biases"``.
    """

    _bias_family: ClassVar[str] = "biases"
