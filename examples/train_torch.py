"""Train a recurrent spiking network with PyTorch: ``torch.optim.Adam`` over shoal modules.

Run: ``python examples/train_torch.py [--steps N] [--seed S]`` (needs ``shoal[torch]``).

The network is Rockpool's usual Torch stack: 2 input currents → 16 recurrent LIF neurons
(``LIFTorch(has_rec=True)``) → a linear readout smoothed by an exponential synapse. It learns
to turn a step input into a sine-shaped output. The optimiser is given
``net.parameters().astorch()`` (``net.parameters()`` is shoal's nested dict of
``nn.Parameter``\\ s); the state is reset before every step so that each trial starts at rest,
and time constants are clamped after every step (an optimiser may move them through zero,
which shoal refuses at the next call, naming the attribute).
Gradients flow through the spikes by the ``StepPWL`` surrogate (Rockpool's default).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import torch

from shoal.nn.combinators import Sequential
from shoal.nn.modules import ExpSynTorch, LIFTorch, LinearTorch

T = 100


def make_network(seed: int = 0) -> Any:
    """The network: weights drawn from NumPy's generator (shoal's initialisers), seeded."""
    np.random.seed(seed)
    torch.manual_seed(seed)
    return Sequential(
        LinearTorch((2, 16)),
        # Weak initial recurrence: strong random feedback makes multi-spike counts run away.
        LIFTorch(16, has_rec=True, w_rec=np.random.normal(0, 0.05, (16, 16)), tau_syn=0.01),
        LinearTorch((16, 1), weight=np.random.normal(0, 0.01, (16, 1))),
        ExpSynTorch(1, tau=0.02, spiking_input=False),
    )


def task() -> tuple[torch.Tensor, torch.Tensor]:
    """Input ``(1, T, 2)``: a constant drive on both channels; target ``(1, T, 1)``: a sine."""
    t = torch.arange(T, dtype=torch.float32)
    inputs = 0.2 * torch.ones(1, T, 2)
    target = (0.5 + 0.5 * torch.sin(2 * torch.pi * t / T))[None, :, None]
    return inputs, target


def train(steps: int = 100, seed: int = 0, lr: float = 3e-3) -> dict[str, Any]:
    """Train with Adam; returns the network and the loss per step."""
    net = make_network(seed)
    inputs, target = task()
    optimiser = torch.optim.Adam(net.parameters().astorch(), lr=lr)
    losses = []
    for _ in range(steps):
        net.reset_state()  # every trial starts at rest
        optimiser.zero_grad()
        output, _, _ = net(inputs)
        loss = torch.nn.functional.mse_loss(output, target)
        loss.backward()
        optimiser.step()
        with torch.no_grad():  # Adam may push a time constant below dt; keep them valid
            for tau in net.parameters("taus").astorch():
                tau.clamp_(min=2e-3)
        losses.append(float(loss.detach()))
    return {"net": net, "losses": losses}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    result = train(args.steps, args.seed)
    losses = result["losses"]
    print(f"Torch training: loss {losses[0]:.4f} -> {losses[-1]:.4f} in {args.steps} steps")
    return result


if __name__ == "__main__":
    main()
