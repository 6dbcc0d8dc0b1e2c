"""Rockpool's ``training.torch_loss``: boundary losses on Torch tensors.

Importing this module imports PyTorch (``pip install 'shoal[torch]'``). Unlike Rockpool, a bound
of exactly 0 is used (bounds are tested with ``is not None``, not for truthiness).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import torch

from shoal.nn.modules.torch.torch_module import TorchModule

__all__ = [
    "ParameterBoundaryRegularizer",
    "bounds_cost",
    "make_bounds",
    "summed_exp_boundary_loss",
]


def summed_exp_boundary_loss(
    data: torch.Tensor, lower_bound: Any = None, upper_bound: Any = None
) -> torch.Tensor:
    """``Σ exp(data − upper)`` where ``data > upper`` plus ``Σ exp(lower − data)`` where
    ``data < lower``; a bound of ``None`` is not applied (0 is a bound).

    Example: ``d = [−1, 0.5, 2, 3]`` with bounds ``(−0.5, 2)`` gives ``e^0.5 + e^1 = 4.367``.
    """
    data = torch.as_tensor(data)
    loss = torch.zeros((), dtype=data.dtype, device=data.device)
    if upper_bound is not None:
        excess = data - upper_bound
        loss = loss + torch.exp(excess[excess > 0]).sum()
    if lower_bound is not None:
        shortfall = lower_bound - data
        loss = loss + torch.exp(shortfall[shortfall > 0]).sum()
    return loss


class ParameterBoundaryRegularizer(TorchModule):
    """A module whose call returns ``(summed_exp_boundary_loss(x, lower, upper), {}, {})``.

    Args:
        lower_bound: Lower bound, or ``None`` for none.
        upper_bound: Upper bound, or ``None`` for none.
    """

    def __init__(self, lower_bound: Any = None, upper_bound: Any = None) -> None:
        super().__init__()
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        loss = summed_exp_boundary_loss(input_data, self.lower_bound, self.upper_bound)
        return loss, {}, {}


def _map_leaves(tree: Any, value: float) -> Any:
    if isinstance(tree, Mapping):
        return {key: _map_leaves(leaf, value) for key, leaf in tree.items()}
    return value


def make_bounds(params: Mapping[str, Any]) -> tuple[dict, dict]:
    """``(lower, upper)``: copies of the ``params`` tree with every leaf ``-inf`` / ``inf``.

    Set entries of either tree to bound them, then pass both to :func:`bounds_cost`.
    """
    tree = copy.copy(dict(params))
    return _map_leaves(tree, float("-inf")), _map_leaves(tree, float("inf"))


def _leaves(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, Mapping):
        out: dict[str, Any] = {}
        for key, value in tree.items():
            out.update(_leaves(value, f"{prefix}{key}."))
        return out
    return {prefix[:-1]: tree}


def bounds_cost(params: Mapping[str, Any], lower_bounds: Mapping, upper_bounds: Mapping) -> Any:
    """``Σ_leaves Σ exp(lower − p)[p < lower] + Σ exp(p − upper)[p > upper]``.

    Elements within their bounds cost 0; each violation costs at least 1. The three trees must
    have the same structure (see :func:`make_bounds`).

    Raises:
        KeyError: If a bounds tree lacks an entry of ``params`` (the message names it).
    """
    lower, upper = _leaves(lower_bounds), _leaves(upper_bounds)
    total: Any = 0.0
    for name, value in _leaves(params).items():
        if name not in lower or name not in upper:
            raise KeyError(
                f"bounds_cost: no bound for '{name}'; build the bounds with make_bounds(params)"
            )
        value = torch.as_tensor(value)
        below = value < lower[name]
        above = value > upper[name]
        total = total + torch.exp(lower[name] - value[below]).sum()
        total = total + torch.exp(value[above] - upper[name]).sum()
    return total
