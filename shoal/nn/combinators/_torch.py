"""The Torch flavours of the combinators: the generic classes mixed with ``TorchModule``.

Imported on first use (it imports PyTorch). Sub-modules are torch child modules, so
``named_parameters()`` lists ``0_LinearTorch.weight``... and ``state_dict()`` round-trips.
"""

from __future__ import annotations

from shoal.nn.combinators._common import register_flavour
from shoal.nn.combinators.ffwd_stack import FFwdStackBase
from shoal.nn.combinators.residual import ResidualBase
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["TorchFFwdStack", "TorchResidual", "TorchSequential"]


class TorchSequential(SequentialBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = SequentialBase.__doc__


class TorchResidual(ResidualBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = ResidualBase.__doc__


class TorchFFwdStack(FFwdStackBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = FFwdStackBase.__doc__


register_flavour("Sequential", "torch", TorchSequential)
register_flavour("Residual", "torch", TorchResidual)
register_flavour("FFwdStack", "torch", TorchFFwdStack)
