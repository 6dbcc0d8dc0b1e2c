"""The Torch variants of the Rockpool-API benchmarks: `LinearTorch` + `LIFTorch`, run on shoal
and on Rockpool 3.1.0 with literally the same code (as `rockpool_api.py` does for JAX/NumPy).

Variants:
- "torch": the modules called eagerly, `out, state, record = net(x)` with x a float32 tensor of
  shape (B, T, N) (batch-major, as Rockpool documents), inference under `torch.no_grad()`;
- "torch.compile": `torch.compile(net)` called the same way. Dynamo traces the module's Python
  time loop, so its compile time grows with T: it is reported in the "compile" column.

Training (d): MSE loss on the output, `loss.backward()`, `torch.optim.Adam` over
`net.parameters().astorch()` (Rockpool's documented way to hand the parameters to torch).
Records (g): `net(x, record=True)`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from workloads import (
    TAU_MEM,
    TAU_SYN,
    Skip,
    Workload,
    make_input,
    make_target,
    make_weights,
    measure,
)

TORCH_VARIANTS = ("torch", "torch.compile")
_CLASSES = ("LIFTorch", "LinearTorch")


def load_torch_api(package: str) -> SimpleNamespace:
    """``package``'s Torch classes (``LIFTorch``, ``LinearTorch``) and its ``Sequential``."""
    import importlib

    modules = importlib.import_module(f"{package}.nn.modules")
    combinators = importlib.import_module(f"{package}.nn.combinators")
    classes = {name: getattr(modules, name) for name in _CLASSES}
    return SimpleNamespace(Sequential=combinators.Sequential, **classes)


def build_torch(api: SimpleNamespace, wl: Workload) -> Any:
    """Sequential(LinearTorch, LIFTorch), or LIFTorch alone for (e)."""
    import torch

    if wl.neuron != "lif":
        raise Skip("the Torch variants measure the LIF workloads (LIFTorch)")
    extra = {"has_rec": True} if wl.recurrent else {}
    neuron = api.LIFTorch(wl.n_out, tau_mem=TAU_MEM, tau_syn=TAU_SYN, **extra)
    if not wl.projection:
        return neuron
    w_in = torch.from_numpy(make_weights(wl)["w_in"])
    linear = api.LinearTorch((wl.n_in, wl.n_out), weight=w_in)
    return api.Sequential(linear, neuron)


def bench_torch(
    api: SimpleNamespace, variant: str, wl: Workload, repeats: int, quick: bool
) -> dict:
    """Measure one (workload, Torch variant) with ``api``'s modules (shoal's or Rockpool's)."""
    import torch

    if wl.name == "f":
        raise Skip("(f) measures JAX pytrees")
    net = build_torch(api, wl)
    x = torch.from_numpy(make_input(wl, quick))
    record = wl.record
    call = torch.compile(net) if variant == "torch.compile" else net
    if wl.train:
        y = torch.from_numpy(make_target(wl, quick))
        optimiser = torch.optim.Adam(net.parameters().astorch(), lr=1e-3)

        def train_step() -> Any:
            optimiser.zero_grad()
            out, _, _ = call(x)
            loss = torch.mean((out - y) ** 2)
            loss.backward()
            optimiser.step()
            return loss.item()

        return measure(train_step, repeats)

    def infer() -> Any:
        # Modules keep their state between calls: reset it so that every call does the same work.
        net.reset_state()
        with torch.no_grad():
            out, _, records = call(x, record=record)
        return out, records

    return measure(infer, repeats)
