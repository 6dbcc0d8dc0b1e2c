"""spyx on the spiking workloads, jitted, as its own benchmark helper (`spyx.bench`) runs it.

    python benchmarks/peers/spyx_bench.py --workload a [--repeats N] [--quick] [--json]

spyx 1.0 is built on Flax NNX (earlier releases used Haiku): the network is
`spyx.nn.Sequential(nnx.Linear, spyx.nn.CuBaLIF)` (`RCuBaLIF` for (b), `CuBaLIF` alone for (e)),
run over time-major input (T, B, N) by `spyx.nn.run` (a `lax.scan`), with the model split into
parameters and the rest (`nnx.split`) and merged inside `jax.jit`. alpha = exp(-dt/tau_syn),
beta = exp(-dt/tau_mem), threshold 1, default SuperSpike surrogate. Deviations from Rockpool's
LIF: spyx resets before integrating and applies the Linear inside the scan, once per step.
Training uses `spyx.optimize.make_train_step` (nnx.jit + nnx.value_and_grad) with optax adam.
spyx has no rate (ReLU) neuron, so (c) and (c-rec) are skipped; NNX modules are not JAX pytrees,
so (f) is skipped.
"""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workloads import (
    TAU_MEM,
    TAU_SYN,
    WORKLOADS,
    Skip,
    Workload,
    decay,
    make_input,
    make_target,
    make_weights,
    measure,
    parse_args,
    run_variants,
)

LIBRARY = "spyx"


def build(wl: Workload):
    import jax.numpy as jnp
    import numpy as np
    import spyx
    from flax import nnx

    rngs = nnx.Rngs(0)
    neuron = spyx.nn.RCuBaLIF if wl.recurrent else spyx.nn.CuBaLIF
    # float32 scalars, not Python floats: spyx stores them as weakly typed Params, the first
    # optimiser update makes them strongly typed, and nnx.jit then recompiles the step each call.
    alpha, beta = np.float32(decay(TAU_SYN)), np.float32(decay(TAU_MEM))
    layers = [neuron((wl.n_out,), alpha=alpha, beta=beta, rngs=rngs)]
    if wl.projection:
        linear = nnx.Linear(wl.n_in, wl.n_out, use_bias=False, rngs=rngs)
        linear.kernel.value = jnp.asarray(make_weights(wl)["w_in"])
        layers.insert(0, linear)
    return spyx.nn.Sequential(*layers)


def bench_forward(wl: Workload, repeats: int, quick: bool) -> dict:
    import jax
    import spyx
    from flax import nnx

    model = build(wl)
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)

    @jax.jit
    def forward(params, x):
        return spyx.nn.run(nnx.merge(graphdef, params, rest), x)[0]

    x = jax.numpy.asarray(make_input(wl, quick).transpose(1, 0, 2))
    return measure(lambda: forward(params, x), repeats, jax.block_until_ready)


def bench_train(wl: Workload, repeats: int, quick: bool) -> dict:
    import jax
    import jax.numpy as jnp
    import optax
    import spyx
    from flax import nnx

    model = build(wl)
    optimiser = nnx.Optimizer(model, optax.adam(1e-3), wrt=nnx.Param)

    def loss(model, x, y):
        return jnp.mean((spyx.nn.run(model, x)[0] - y) ** 2)

    step = spyx.optimize.make_train_step(loss)
    x = jnp.asarray(make_input(wl, quick).transpose(1, 0, 2))
    y = jnp.asarray(make_target(wl, quick).transpose(1, 0, 2))
    return measure(lambda: step(model, optimiser, x, y), repeats, jax.block_until_ready)


def main() -> None:
    args = parse_args(LIBRARY, ["jit"])
    wl = WORKLOADS[args.workload]
    versions = {name: importlib.metadata.version(name) for name in ("spyx", "flax", "jax")}

    def bench(variant: str) -> dict:
        if wl.neuron == "rate":
            raise Skip("spyx has no rate (ReLU) neuron model")
        if wl.record:
            raise Skip("spyx has no record option for neuron states")
        if args.workload == "f":
            raise Skip("Flax NNX modules are not JAX pytrees")
        if wl.train:
            return bench_train(wl, args.repeats, args.quick)
        return bench_forward(wl, args.repeats, args.quick)

    run_variants(args, LIBRARY, versions, bench)


if __name__ == "__main__":
    main()
