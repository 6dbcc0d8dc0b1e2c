"""``UpDownTorch``: the up/down delta encoder on Torch. Equations: :class:`UpDownBase`."""

from __future__ import annotations

from typing import Any

import torch

from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.nn.modules.updown import UpDownBase

__all__ = ["UpDownTorch"]


class UpDownTorch(UpDownBase, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """Up/down delta encoder on Torch (see :class:`~shoal.nn.modules.updown.UpDownBase`).

    Rockpool's ``UpDownTorch`` signature, including ``device`` and ``dtype`` (where the
    thresholds and state live; default CPU, float32). As Rockpool, the floor's surrogate
    gradient passes where ``d/thr ≥ 0.5``. Unlike Rockpool: a vector ``thr_down`` is honoured,
    the input is never modified, calls stream (the reference and refractory counter are state)
    and ``(T, Nin)`` input gains a batch axis (Rockpool demands ``(B, T, Nin)``).

    Args:
        shape, thr_up, thr_down, n_ref_steps, repeat_output, dt: As
            :class:`~shoal.nn.modules.updown.UpDownBase`.
        device: Torch device for the tensors (e.g. ``"cuda"``); default CPU.
        dtype: Floating-point dtype of the tensors (e.g. ``torch.float64``); default float32.
    """

    def __init__(
        self,
        shape: Any = None,
        thr_up: Any = 1e-3,
        thr_down: Any = 1e-3,
        n_ref_steps: int = 0,
        repeat_output: int = 1,
        dt: float = 1e-3,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if dtype is not None and not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise TypeError(
                f"{type(self).__name__}.dtype: expected a floating-point torch dtype "
                f"(e.g. torch.float64), got {dtype!r}"
            )
        if device is not None:
            try:
                device = torch.device(device)
            except (RuntimeError, TypeError) as error:
                raise ValueError(
                    f"{type(self).__name__}.device: expected a torch device such as 'cpu' or "
                    f"'cuda', got {device!r} ({error})"
                ) from None
        # Construction data is copied, and only graph leaves can be: a tensor that requires
        # grad is taken by value (its dtype kept: a float64 tensor stays float64).
        thr_up, thr_down = (
            value.detach() if isinstance(value, torch.Tensor) else value
            for value in (thr_up, thr_down)
        )
        super().__init__(shape, thr_up, thr_down, n_ref_steps, repeat_output, dt)
        if device is not None or dtype is not None:
            self.to(device=device, dtype=dtype)
        if dtype is not None:  # thresholds given as numbers: exact in `dtype`, not via float32
            for name, value in (("thr_up", thr_up), ("thr_down", thr_down)):
                if not isinstance(value, torch.Tensor):
                    setattr(self, name, self._as_row(name, value, self.size_in))
