"""The array-API names where torch differs (``permute_dims``, ``axis=``...), as :data:`XP`.

The dynamics are written against the array-API subset; :data:`XP` gives torch those names.
Re-exported by :mod:`shoal.backend.torch_backend`; a file of its own so that the spike function
(:mod:`shoal.backend._torch_spike`) can use it without importing the backend.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import torch

__all__ = ["XP", "TorchNamespace"]


class TorchNamespace:
    """The array-API names the dynamics use, on torch tensors; anything else is ``torch``'s."""

    def __getattr__(self, name: str) -> Any:
        return getattr(torch, name)

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> torch.Tensor:
        if isinstance(value, torch.Tensor):  # keep the autograd graph and the device
            return value if dtype is None else value.to(dtype)
        return torch.as_tensor(value, dtype=dtype)

    @staticmethod
    def astype(value: torch.Tensor, dtype: Any) -> torch.Tensor:
        return value.to(dtype)

    @staticmethod
    def permute_dims(value: torch.Tensor, axes: Sequence[int]) -> torch.Tensor:
        return value.permute(*axes)

    @staticmethod
    def matrix_transpose(value: torch.Tensor) -> torch.Tensor:
        return value.transpose(-1, -2)

    @staticmethod
    def sum(value: torch.Tensor, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
        if axis is None:
            return value.sum().reshape((1,) * value.ndim) if keepdims else value.sum()
        return value.sum(dim=axis, keepdim=keepdims)

    @staticmethod
    def max(value: torch.Tensor, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
        # torch.max(x, dim) returns (values, indices); the array API's max is torch.amax.
        if axis is None:
            return value.amax().reshape((1,) * value.ndim) if keepdims else value.amax()
        return value.amax(dim=axis, keepdim=keepdims)

    @staticmethod
    def clip(value: torch.Tensor, low: Any = None, high: Any = None) -> torch.Tensor:
        return torch.clamp(value, min=_in_range(value, low), max=_in_range(value, high))

    @staticmethod
    def minimum(a: Any, b: Any) -> torch.Tensor:
        if isinstance(b, torch.Tensor):
            return torch.minimum(a, b)
        return torch.clamp(a, max=_in_range(a, b))

    # Fused multiply-adds (see shoal/dynamics/_multiply_add.py): addcmul rounds once, as XLA's
    # contracted `a * b + c` does, so float32 Torch and JAX runs agree.
    @staticmethod
    def multiply_add(a: Any, b: Any, c: Any) -> torch.Tensor:
        return torch.addcmul(c, a, b)

    @staticmethod
    def subtract_product(c: Any, a: Any, b: Any) -> torch.Tensor:
        return torch.addcmul(c, a, b, value=-1)

    def __repr__(self) -> str:
        return "TorchNamespace()"


XP = TorchNamespace()


def _in_range(value: torch.Tensor, bound: Any) -> Any:
    """A Python bound within ``value``'s float range: torch refuses to clamp a float16 tensor
    at 2**31 (a spike-count cap), where the dtype's largest value means the same."""
    if not isinstance(bound, numbers.Real) or not value.is_floating_point():
        return bound
    if math.isinf(bound):
        return bound  # representable in every float dtype
    largest = torch.finfo(value.dtype).max
    return max(-largest, min(largest, float(bound)))
