"""Workload and subprocess entry points for the data-parallel tests.

Run as a script, it prints one JSON line of results:

- ``_worker.py devices``: on however many devices ``XLA_FLAGS`` forces, evolve and train sharded
  (even and uneven batches) and collect the ``pad=False`` error messages;
- ``_worker.py process <id> <port>``: one of two processes joined with ``jax.distributed``;
  process 0 holds samples ``[0, SPLIT)`` and process 1 the rest.

Importing it only defines the workload, so the parent test builds the same network and data.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import numpy as np

BATCH = 10  # does not divide over 4 devices: exercises padding and masking
EVEN_BATCH = 12  # divides over 4; the same padded shape as BATCH, so one compilation
SPLIT = 6  # samples on process 0 (process 1 holds 4): uneven across processes too
T, N_IN, N_OUT = 25, 4, 6
STEPS = 2
LEARNING_RATE = 1e-2


def workload() -> tuple[Any, np.ndarray, np.ndarray]:
    """A Linear → LIF combinator with fixed weights, inputs (EVEN_BATCH, T, N_IN) and targets.

    Tests use the first ``BATCH`` samples unless they say otherwise.
    """
    from shoal.nn.combinators import Sequential
    from shoal.nn.modules.jax.lif_jax import LIFJax
    from shoal.nn.modules.jax.linear_jax import LinearJax

    rng = np.random.default_rng(7)
    weight = rng.normal(0.0, 2.0, size=(N_IN, N_OUT)).astype(np.float32)
    net = Sequential(
        LinearJax((N_IN, N_OUT), weight=weight),
        LIFJax(N_OUT, tau_mem=0.02, tau_syn=0.01, rng_key=np.array([0, 7], np.uint32)),
    )
    x = rng.uniform(0.0, 1.0, size=(EVEN_BATCH, T, N_IN)).astype(np.float32)
    y = rng.uniform(0.0, 0.5, size=(EVEN_BATCH, T, N_OUT)).astype(np.float32)
    return net, x, y


def optimiser() -> Any:
    import optax

    return optax.adam(LEARNING_RATE)


def _tolist(tree: Any) -> Any:
    import jax

    return jax.tree_util.tree_map(lambda leaf: np.asarray(leaf).tolist(), tree)


def make_step() -> Any:
    from shoal.parallel import make_sharded_train_step
    from shoal.training import jax_loss

    return make_sharded_train_step(jax_loss.mse, optimiser())


def train_sharded(net: Any, x: Any, y: Any, step: Any = None) -> dict[str, Any]:
    """``STEPS`` data-parallel steps; the losses and final parameters."""
    step = make_step() if step is None else step
    params = net.parameters()
    opt_state = optimiser().init(params)
    losses = []
    for _ in range(STEPS):
        params, opt_state, value = step(params, opt_state, net, x, y)
        losses.append(float(value))
    return {"losses": losses, "params": _tolist(params)}


def _error(call: Any) -> str:
    try:
        call()
    except ValueError as error:
        return str(error)
    return "no error"


def run_devices() -> dict[str, Any]:
    import jax

    from shoal.parallel import evolve_sharded, make_sharded_train_step, shard_batch
    from shoal.training import jax_loss

    net, x, y = workload()
    results: dict[str, Any] = {"device_count": jax.device_count()}
    train_step = make_step()  # one compilation: both batches pad to EVEN_BATCH
    for name, size in (("uneven", BATCH), ("even", EVEN_BATCH)):
        output, new_state, record = evolve_sharded(net, x[:size], record=True)
        results[f"evolve_{name}"] = {
            "output": _tolist(output),
            "sharded": len(output.sharding.device_set) == jax.device_count(),
            "new_state": _tolist(new_state),
            "record": _tolist(record),
        }
        results[f"train_{name}"] = train_sharded(net, x[:size], y[:size], train_step)
    x, y = x[:BATCH], y[:BATCH]
    step = make_sharded_train_step(jax_loss.mse, optimiser(), pad=False)
    params = net.parameters()
    results["errors"] = {
        "evolve": _error(lambda: evolve_sharded(net, x, pad=False)),
        "train": _error(lambda: step(params, optimiser().init(params), net, x, y)),
        "shard_batch": _error(lambda: shard_batch(x)),
    }
    return results


def run_process(process_id: int, port: int) -> dict[str, Any]:
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(
        coordinator_address=f"127.0.0.1:{port}",
        num_processes=2,
        process_id=process_id,
        initialization_timeout=60,
    )
    try:
        from shoal.parallel import evolve_sharded

        net, x, y = workload()
        x, y = x[:BATCH], y[:BATCH]
        rows = slice(0, SPLIT) if process_id == 0 else slice(SPLIT, BATCH)
        output, _, _ = evolve_sharded(net, x[rows])
        results = {
            "process_count": jax.process_count(),
            "device_count": jax.device_count(),
            "output": _tolist(output),
            **train_sharded(net, x[rows], y[rows]),
        }
    finally:
        jax.distributed.shutdown()
    return results


def main(argv: list[str]) -> None:
    if argv[0] == "devices":
        results = run_devices()
    else:
        results = run_process(int(argv[1]), int(argv[2]))
    # The last line is the result; Gloo may log to stdout before it.
    sys.stdout.write("\n" + json.dumps(results) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
