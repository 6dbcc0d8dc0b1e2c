"""Data-parallel training with ``shoal.parallel``: one script for one device, many, or many hosts.

A spiking network (2 input currents → 32 LIF neurons → smoothed linear readout) learns to turn
a pair of currents into a sine, for a batch of sines of different phases. The batch is split
over every device JAX sees; the network is replicated and XLA all-reduces the gradients.

Run:

* one device: ``python examples/train_sharded.py``
* several devices (every GPU is used; on CPU, force host devices to try it)::

      XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/train_sharded.py

* several processes or hosts: set ``COORDINATOR`` (``host:port`` of process 0),
  ``NUM_PROCESSES`` and ``RANK`` on each; every process trains on its own slice of the batch::

      COORDINATOR=10.0.0.1:1234 NUM_PROCESSES=2 RANK=0 python examples/train_sharded.py  # host 0
      COORDINATOR=10.0.0.1:1234 NUM_PROCESSES=2 RANK=1 python examples/train_sharded.py  # host 1

Options: ``--steps N`` (default 200), ``--batch B`` (default 30: deliberately not a multiple of
the device count, to show the padding), ``--seed S``.
"""

from __future__ import annotations

import argparse
import os
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

from shoal.nn.combinators import Sequential
from shoal.nn.modules import ExpSynJax, LIFJax, LinearJax
from shoal.parallel import evolve_sharded, make_sharded_train_step
from shoal.training import jax_loss

T = 200  # steps of 1 ms


def make_batch(batch: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Inputs ``(B, T, 2)`` (1 ± sine) and targets ``(B, T, 1)`` (the sine), random phases."""
    phases = np.random.default_rng(seed).uniform(0, 2 * np.pi, batch)
    sines = np.sin(np.linspace(0, 4 * np.pi, T)[None, :] + phases[:, None])
    x = np.stack([1 + sines, 1 - sines], axis=-1).astype(np.float32)
    return x, sines[..., None].astype(np.float32)


def build_net(seed: int) -> Sequential:
    np.random.seed(seed)  # the weight initialisers draw from NumPy's global generator
    return Sequential(
        LinearJax((2, 32)),
        LIFJax(32, surrogate="fast_sigmoid", rng_key=jax.random.PRNGKey(seed)),
        LinearJax((32, 1), weight=np.zeros((32, 1)), bias=np.zeros(1)),  # a silent start
        ExpSynJax(1, tau=0.01, spiking_input=False),
    )


def main(argv: list[str] | None = None) -> list[float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batch", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    if "COORDINATOR" in os.environ:  # several processes: must come before any JAX computation
        jax.distributed.initialize(
            coordinator_address=os.environ["COORDINATOR"],
            num_processes=int(os.environ["NUM_PROCESSES"]),
            process_id=int(os.environ["RANK"]),
        )
    print(f"process {jax.process_index()} of {jax.process_count()}; devices: {jax.device_count()}")

    net = build_net(args.seed)
    # Each process makes its own slice of the data (a different seed per process).
    x, y = make_batch(args.batch, args.seed + 1 + jax.process_index())

    optimiser = optax.adam(1e-2)
    # Weights and biases only: time constants would need clip_to_valid (see the JAX training
    # guide), which this data-parallel step does not apply.
    params = _nested_merge(net.parameters("weights"), net.parameters("biases"))
    opt_state = optimiser.init(params)
    step = make_sharded_train_step(jax_loss.mse, optimiser)

    losses = []
    start = time.perf_counter()
    for i in range(args.steps):
        params, opt_state, loss = step(params, opt_state, net, x, y)
        losses.append(float(loss))
        if i % 50 == 0 or i == args.steps - 1:
            print(f"step {i:4d}  loss {losses[-1]:.4f}")
    print(f"{args.steps} steps in {time.perf_counter() - start:.1f} s")

    trained = net.set_attributes(params)
    out, _, _ = evolve_sharded(trained, x)  # evaluation, split over the devices as well
    print(f"final MSE on this process's batch: {float(jnp.mean((out - y) ** 2)):.4f}")
    return losses


def _nested_merge(a: dict, b: dict) -> dict:
    """Merge two nested parameter dicts (disjoint leaves)."""
    merged = dict(a)
    for key, value in b.items():
        merged[key] = _nested_merge(merged[key], value) if key in merged else value
    return merged


if __name__ == "__main__":
    main()
