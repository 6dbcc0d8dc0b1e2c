"""snnTorch on the spiking workloads, written the way its tutorials do, eager and torch.compile.

    python benchmarks/peers/snntorch_bench.py --workload a [--variant eager] [--repeats N] [--json]

The network is `nn.Linear` + `snn.Synaptic` (current-based LIF; `snn.RSynaptic` with an
all-to-all 512×512 recurrent `nn.Linear` for (b)), looped over time in Python as the tutorials
do, with inputs time-major (T, B, N). alpha = exp(-dt/tau_syn), beta = exp(-dt/tau_mem),
threshold 1, subtractive reset, default surrogate. Deviations from Rockpool's LIF: snnTorch
resets before integrating and adds the input current to the membrane without a (1 - beta) factor;
the cost per step is the same. Inference runs under `torch.no_grad()`; training uses
`torch.optim.Adam` (the PyTorch counterpart of optax's adam).

"torch.compile" compiles the per-time-step function (Linear + neuron). Compiling the whole
T-step Python loop instead makes dynamo unroll all T steps, which takes minutes to compile.
snnTorch has no rate (ReLU) neuron, so (c) and (c-rec) are skipped; (f) is JAX-only.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch_common
from workloads import (
    TAU_MEM,
    TAU_SYN,
    WORKLOADS,
    Skip,
    Workload,
    decay,
    parse_args,
    run_variants,
)

LIBRARY = "snntorch"


def build(wl: Workload, compiled: bool):
    import snntorch as snn
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(wl.n_in, wl.n_out, bias=False) if wl.projection else None
            alpha, beta = decay(TAU_SYN), decay(TAU_MEM)
            if wl.recurrent:
                self.lif = snn.RSynaptic(alpha, beta, linear_features=wl.n_out)
            else:
                self.lif = snn.Synaptic(alpha, beta)
            self.step = torch.compile(self._step) if compiled else self._step

        def _step(self, x_t, spk, syn, mem):
            current = self.fc(x_t) if self.fc is not None else x_t
            if wl.recurrent:
                return self.lif(current, spk, syn, mem)
            spk, syn, mem = self.lif(current, syn, mem)
            return spk, syn, mem

        def forward(self, x):
            if wl.recurrent:
                spk, syn, mem = self.lif.init_rsynaptic()
            else:
                syn, mem = self.lif.init_synaptic()
                spk = None
            spikes = []
            for t in range(x.shape[0]):
                spk, syn, mem = self.step(x[t], spk, syn, mem)
                spikes.append(spk)
            return torch.stack(spikes)

    net = Net()
    if wl.projection:
        torch_common.set_input_weights(net.fc, wl)
    return net


def main() -> None:
    args = parse_args(LIBRARY, ["eager", "torch.compile"])
    wl = WORKLOADS[args.workload]
    versions = {name: importlib.metadata.version(name) for name in ("snntorch", "torch")}

    def bench(variant: str) -> dict:
        if wl.neuron == "rate":
            raise Skip("snnTorch has no rate (ReLU) neuron model")
        if wl.record:
            raise Skip("snnTorch has no record option (users append to lists in their loop)")
        if args.workload == "f":
            raise Skip("(f) measures JAX pytrees")
        net = build(wl, compiled=variant == "torch.compile")
        return torch_common.bench(net, wl, args.repeats, args.quick)

    run_variants(args, LIBRARY, versions, bench)


if __name__ == "__main__":
    main()
