"""A plain hand-written batched float32 NumPy loop: the reference of what good plain NumPy does.

    python benchmarks/peers/numpy_loop_bench.py --workload a [--repeats N] [--quick] [--json]

The input projection is one GEMM over all time steps (the small input is made time-major first);
the time loop then updates preallocated state with in-place ufuncs (`out=`), so no array is
allocated per step. Dynamics follow Rockpool's LIF step (isyn += input; decay isyn and vmem;
vmem += isyn; spike; subtractive reset) with binary spikes (Rockpool allows several spikes per
step) and Rockpool's forward-Euler Rate neuron with a ReLU.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workloads import (
    DT,
    TAU_MEM,
    TAU_SYN,
    THRESHOLD,
    WORKLOADS,
    Skip,
    Workload,
    decay,
    make_input,
    make_weights,
    measure,
    parse_args,
    run_variants,
)

LIBRARY = "numpy-loop"


def lif_loop(current: np.ndarray, w_rec: np.ndarray | None) -> np.ndarray:
    """LIF over time-major input currents (T, B, N); returns spikes (T, B, N)."""
    steps, batch, size = current.shape
    a_syn, a_mem = np.float32(decay(TAU_SYN)), np.float32(decay(TAU_MEM))
    isyn = np.zeros((batch, size), np.float32)
    vmem = np.zeros((batch, size), np.float32)
    fired = np.zeros((batch, size), bool)
    recurrent = np.empty((batch, size), np.float32)
    spikes = np.zeros((steps, batch, size), np.float32)
    previous = np.zeros((batch, size), np.float32)
    for t in range(steps):
        isyn += current[t]
        if w_rec is not None:
            np.matmul(previous, w_rec, out=recurrent)
            isyn += recurrent
        isyn *= a_syn
        vmem *= a_mem
        vmem += isyn
        np.greater_equal(vmem, THRESHOLD, out=fired)
        previous = spikes[t]
        np.copyto(previous, fired)
        vmem -= previous  # subtractive reset by THRESHOLD == 1
    return spikes


def rate_loop(current: np.ndarray, w_rec: np.ndarray | None) -> np.ndarray:
    """Forward-Euler rate neurons with ReLU over (T, B, N); returns activations (T, B, N)."""
    steps, batch, size = current.shape
    alpha = np.float32(DT / TAU_MEM)
    x = np.zeros((batch, size), np.float32)
    drive = np.empty((batch, size), np.float32)
    out = np.zeros((steps, batch, size), np.float32)
    previous = np.zeros((batch, size), np.float32)
    for t in range(steps):
        if w_rec is not None:
            np.matmul(previous, w_rec, out=drive)
            drive += current[t]
            drive *= alpha
        else:
            np.multiply(current[t], alpha, out=drive)
        x *= 1 - alpha
        x += drive
        previous = out[t]
        np.maximum(x, 0, out=previous)
    return out


def forward(wl: Workload, x: np.ndarray, weights: dict[str, np.ndarray]) -> np.ndarray:
    """(B, T, n_in) input to (B, T, n_out) output, as a (transposed) view."""
    time_major = np.ascontiguousarray(x.transpose(1, 0, 2))
    if wl.projection:
        steps, batch, _ = time_major.shape
        current = (time_major.reshape(steps * batch, -1) @ weights["w_in"]).reshape(
            steps, batch, -1
        )
    else:
        current = time_major
    w_rec = weights["w_rec"] if wl.recurrent else None
    loop = lif_loop if wl.neuron == "lif" else rate_loop
    return loop(current, w_rec).transpose(1, 0, 2)


def main() -> None:
    args = parse_args(LIBRARY, ["numpy"])
    wl = WORKLOADS[args.workload]

    def bench(variant: str) -> dict:
        if wl.record:
            raise Skip("a hand-written loop records nothing")
        if wl.train:
            raise Skip("a hand-written NumPy loop has no automatic differentiation")
        if args.workload == "f":
            raise Skip("a NumPy loop has no pytree")
        x = make_input(wl, args.quick)
        weights = make_weights(wl)
        return measure(lambda: forward(wl, x, weights), args.repeats)

    run_variants(args, LIBRARY, {"numpy": np.__version__}, bench)


if __name__ == "__main__":
    main()
