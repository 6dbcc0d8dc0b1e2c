"""``SoftmaxTorch``, ``LogSoftmaxTorch``: smoothed softmax readouts on Torch.

See :class:`~shoal.nn.modules.softmax.SoftmaxBase`. The submodules are ``LinearTorch`` and
``ExpSynTorch``; as Rockpool's ``ExpSynTorch``, ``smooth`` records nothing, so the record is
``{"linear": {}, "smooth": {}}`` (the structure Rockpool's ``SoftmaxJax`` returns).
"""

from shoal.nn.modules.softmax import LogSoftmaxBase, SoftmaxBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["LogSoftmaxTorch", "SoftmaxTorch"]


class SoftmaxTorch(SoftmaxBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = SoftmaxBase.__doc__


class LogSoftmaxTorch(LogSoftmaxBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = LogSoftmaxBase.__doc__
