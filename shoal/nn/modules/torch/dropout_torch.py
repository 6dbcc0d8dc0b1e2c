"""``TimeStepDropoutTorch``, ``UnitDropoutTorch``: dropout on activity on Torch.

Rockpool names these Torch classes ``TimeStepDropout`` and ``UnitDropout``; in
``shoal.nn.modules`` those names are the NumPy flavours, so the Torch ones follow the family
pattern there and keep Rockpool's names in :mod:`shoal.nn.modules.torch`. Masks come from
torch's global generator (``torch.rand``, as Rockpool: ``torch.manual_seed`` reproduces them);
``.train()``/``.eval()`` switch dropout on and off. See :mod:`shoal.nn.modules.dropout`.
"""

from __future__ import annotations

from typing import Any

import torch

from shoal.nn.modules.dropout import TimeStepDropoutBase, UnitDropoutBase
from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = ["TimeStepDropoutTorch", "UnitDropoutTorch"]


class _TorchDropout:
    """What the Torch dropouts add: Rockpool's draws, and the input's own float dtype."""

    p: float

    _path: str
    _backend: Any

    def _as_input_array(self, data: Any) -> Any:
        # A dropout holds no tensors, so it has no dtype or device of its own: a float tensor
        # keeps both (casting to float32 would silently cost a float64 network its precision
        # halfway through; moving to the CPU would split a GPU network).
        if isinstance(data, torch.Tensor) and data.is_floating_point():
            return self._backend.input_array(self._path, data, data.dtype)
        return super()._as_input_array(data)  # type: ignore[misc]

    def _draw_dropped(self, key: Any, shape: tuple[int, ...], data: Any) -> Any:
        # Rockpool's rule: `torch.rand(shape) < p` (default dtype) on the input's device.
        return torch.rand(shape, device=data.device) < self.p


class TimeStepDropoutTorch(_TorchDropout, TimeStepDropoutBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = TimeStepDropoutBase.__doc__


class UnitDropoutTorch(_TorchDropout, UnitDropoutBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    __doc__ = UnitDropoutBase.__doc__
