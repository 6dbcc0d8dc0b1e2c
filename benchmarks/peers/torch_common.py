"""What the PyTorch-based peer benchmarks (snnTorch, Norse) share: weights, inputs, timing."""

from __future__ import annotations

from typing import Any

from workloads import Workload, make_input, make_target, make_weights, measure


def set_input_weights(linear: Any, wl: Workload) -> None:
    """Use the shared input weights, so all libraries see the same spiking activity."""
    import torch

    with torch.no_grad():
        linear.weight.copy_(torch.from_numpy(make_weights(wl)["w_in"].T))


def time_major_input(wl: Workload, quick: bool) -> Any:
    import torch

    return torch.from_numpy(make_input(wl, quick).transpose(1, 0, 2).copy())


def bench(net: Any, wl: Workload, repeats: int, quick: bool, module: Any = None) -> dict:
    """Inference under no_grad, or one Adam training step on an MSE loss for `wl.train`.

    `net(x)` returns the output spikes (T, B, N); `module` owns the trained parameters
    (default: `net` itself).
    """
    import torch

    x = time_major_input(wl, quick)
    if not wl.train:

        def infer() -> Any:
            with torch.no_grad():
                return net(x)

        return measure(infer, repeats)

    y = torch.from_numpy(make_target(wl, quick).transpose(1, 0, 2).copy())
    optimiser = torch.optim.Adam((module or net).parameters(), lr=1e-3)

    def train_step() -> Any:
        optimiser.zero_grad()
        loss = torch.mean((net(x) - y) ** 2)
        loss.backward()
        optimiser.step()
        return loss.item()

    return measure(train_step, repeats)
