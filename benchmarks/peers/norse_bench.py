"""Norse on the spiking workloads, eager (its documented modules) and with a compiled cell.

    python benchmarks/peers/norse_bench.py --workload a [--variant eager] [--repeats N] [--json]

"eager" is Norse's documented usage: `SequentialState(nn.Linear, LIF(p, dt))` over time-major
input (T, B, N), so the input projection is one matrix product over all steps and `LIF` loops
over time; (b) uses `LIFRecurrent(256, 512)`, whose input weights play the Linear's part; (e) uses
`LIF` alone. Parameters: tau_syn 10 ms, tau_mem 20 ms, v_th 1, v_leak = v_reset = 0, dt 1 ms,
default "super" surrogate. Norse integrates with forward Euler (dv = dt/tau_mem (v_leak - v + i))
and resets to v_reset rather than subtracting; the cost per step is the same as Rockpool's.

"torch.compile" runs the same Linear over all steps, then loops in Python over a
`torch.compile`d `LIFCell` (recurrent: `LIFRecurrentCell`). Compiling the whole module instead
makes dynamo unroll its T-step loop, which takes minutes to compile.
(g) uses `LIF(..., record_states=True)`, Norse's way to keep every step's state.
Norse has no rate (ReLU) neuron, so (c) and (c-rec) are skipped; (f) is JAX-only.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch_common
from workloads import (
    DT,
    TAU_MEM,
    TAU_SYN,
    THRESHOLD,
    WORKLOADS,
    Skip,
    Workload,
    make_weights,
    parse_args,
    run_variants,
)

LIBRARY = "norse"


def parameters():
    import norse.torch as norse

    return norse.LIFParameters(
        tau_syn_inv=1.0 / TAU_SYN,
        tau_mem_inv=1.0 / TAU_MEM,
        v_th=THRESHOLD,
        v_leak=0.0,
        v_reset=0.0,
    )


def build_eager(wl: Workload):
    import norse.torch as norse
    import torch
    from torch import nn

    if wl.recurrent:
        w_in = torch.from_numpy(make_weights(wl)["w_in"].T.copy())
        return norse.SequentialState(
            norse.LIFRecurrent(wl.n_in, wl.n_out, p=parameters(), dt=DT, input_weights=w_in)
        )
    # (g): `record_states=True` makes LIF return its state at every step, not only the last.
    lif = norse.LIF(p=parameters(), dt=DT, record_states=wl.record)
    if not wl.projection:
        return norse.SequentialState(lif)
    linear = nn.Linear(wl.n_in, wl.n_out, bias=False)
    torch_common.set_input_weights(linear, wl)
    return norse.SequentialState(linear, lif)


def build_compiled(wl: Workload):
    import norse.torch as norse
    import torch
    from torch import nn

    class CompiledCellNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            if wl.recurrent:
                w_in = torch.from_numpy(make_weights(wl)["w_in"].T.copy())
                self.linear = None
                self.cell = norse.LIFRecurrentCell(
                    wl.n_in, wl.n_out, p=parameters(), dt=DT, input_weights=w_in
                )
            else:
                self.linear = nn.Linear(wl.n_in, wl.n_out, bias=False) if wl.projection else None
                if self.linear is not None:
                    torch_common.set_input_weights(self.linear, wl)
                self.cell = norse.LIFCell(p=parameters(), dt=DT)
            self.step = torch.compile(self.cell)

        def forward(self, x):
            current = self.linear(x) if self.linear is not None else x
            state = None
            spikes = []
            for t in range(current.shape[0]):
                out, state = self.step(current[t], state)
                spikes.append(out)
            return torch.stack(spikes)

    return CompiledCellNet()


def main() -> None:
    args = parse_args(LIBRARY, ["eager", "torch.compile"])
    wl = WORKLOADS[args.workload]
    versions = {name: importlib.metadata.version(name) for name in ("norse", "torch")}

    def bench(variant: str) -> dict:
        if wl.neuron == "rate":
            raise Skip("Norse has no rate (ReLU) neuron model")
        if args.workload == "f":
            raise Skip("(f) measures JAX pytrees")
        if variant == "torch.compile":
            if wl.record:
                raise Skip("Norse records states through its LIF module only (record_states)")
            return torch_common.bench(build_compiled(wl), wl, args.repeats, args.quick)
        model = build_eager(wl)
        if wl.record:  # keep the recorded states as the call's result
            return torch_common.bench(model, wl, args.repeats, args.quick)
        return torch_common.bench(lambda x: model(x)[0], wl, args.repeats, args.quick, model)

    run_variants(args, LIBRARY, versions, bench)


if __name__ == "__main__":
    main()
