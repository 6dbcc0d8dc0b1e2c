"""``InstantTorch``: an elementwise function on Torch tensors (see :class:`InstantBase`)."""

from shoal.nn.modules.instant import InstantBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["InstantTorch"]


class InstantTorch(InstantBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = InstantBase.__doc__
