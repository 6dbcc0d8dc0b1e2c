"""``LinearTorch``: a weight matrix on Torch, with Rockpool's added batch axis."""

from typing import Any

from shoal.nn.modules.linear import LinearBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["LinearTorch"]


class LinearTorch(LinearBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """``y = x @ weight (+ bias)`` on Torch (see :class:`~shoal.nn.modules.linear.LinearBase`).

    Unlike ``Linear``/``LinearJax`` and as Rockpool's ``LinearTorch``, input ``(T, Nin)`` gains
    a batch axis: the output is ``(1, T, Nout)``. ``(B, T, Nin)`` gives ``(B, T, Nout)``.
    """

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        data = self._as_input_array(input_data)
        if data.ndim == 2:
            data = data[None]
        return super().evolve(data, record)
