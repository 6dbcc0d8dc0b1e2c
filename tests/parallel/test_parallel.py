"""Data parallelism (``shoal.parallel``) agrees with the plain single-device run.

Multi-device runs use forced host devices (``XLA_FLAGS``) and multi-process runs use
``jax.distributed`` on localhost; both run in subprocesses so the rest of the suite keeps its one
device. The single-device reference is computed here with the plain recipe (``net(x)`` and
``jax.value_and_grad``), not with ``shoal.parallel``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

jax = pytest.importorskip("jax")
optax = pytest.importorskip("optax")

import jax.numpy as jnp  # noqa: E402

from shoal.parallel import (  # noqa: E402
    data_mesh,
    evolve_sharded,
    make_sharded_train_step,
    pad_batch,
    replicate,
    shard_batch,
)
from shoal.training import jax_loss  # noqa: E402

WORKER_PATH = Path(__file__).with_name("_worker.py")
_spec = importlib.util.spec_from_file_location("shoal_parallel_test_worker", WORKER_PATH)
assert _spec is not None and _spec.loader is not None
worker: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(worker)

TIMEOUT = 120
RTOL, ATOL = 2e-5, 1e-5  # float32: records reach |v| ~ 10, so 1e-5 absolute


# --------------------------------------------------------------------------- reference
def reference_training(net: Any, x: Any, y: Any) -> dict[str, Any]:
    """The plain (unsharded) recipe from ``shoal.training``."""

    def loss(params: Any, net: Any, x: Any, y: Any) -> Any:
        output, _, _ = net.set_attributes(params)(x)
        return jax_loss.mse(output, y)

    opt = worker.optimiser()
    params = net.parameters()
    opt_state = opt.init(params)
    losses = []
    value_and_grad = jax.jit(jax.value_and_grad(loss))
    for _ in range(worker.STEPS):
        value, grads = value_and_grad(params, net, jnp.asarray(x), jnp.asarray(y))
        updates, opt_state = opt.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        losses.append(float(value))
    return {"losses": losses, "params": params}


def assert_tree_close(got: Any, expected: Any) -> None:
    got_leaves, got_def = jax.tree_util.tree_flatten(got, is_leaf=lambda v: isinstance(v, list))
    expected_leaves, expected_def = jax.tree_util.tree_flatten(expected)
    assert got_def == expected_def
    for a, b in zip(got_leaves, expected_leaves):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=RTOL, atol=ATOL)


@pytest.fixture(scope="module")
def setup() -> tuple[Any, np.ndarray, np.ndarray]:
    """The network and the first ``BATCH`` samples."""
    net, x, y = worker.workload()
    return net, x[: worker.BATCH], y[: worker.BATCH]


@pytest.fixture(scope="module")
def reference(setup) -> dict[str, Any]:
    """The single-device training result on ``setup``'s batch."""
    return reference_training(*setup)


def _env(devices: int) -> dict[str, str]:
    env = dict(os.environ)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={devices}"
    env["JAX_PLATFORMS"] = "cpu"
    return env


def _result(stdout: str) -> dict[str, Any]:
    return json.loads(stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- one device
def test_evolve_sharded_matches_plain_call_on_one_device(setup):
    net, x, _ = setup
    output, new_state, record = evolve_sharded(net, x, record=True)
    expected = net(jnp.asarray(x), record=True)
    assert_tree_close((output, new_state, record), expected)


def test_train_step_matches_plain_recipe_on_one_device(setup, reference):
    net, x, y = setup
    got = worker.train_sharded(net, x, y)
    expected = reference
    np.testing.assert_allclose(got["losses"], expected["losses"], rtol=RTOL)
    assert_tree_close(got["params"], expected["params"])


def test_placement_helpers():
    mesh = data_mesh()
    assert mesh.axis_names == ("batch",)
    x = shard_batch(np.ones((2, 3, 1), np.float32), mesh)
    assert x.sharding.spec == jax.sharding.PartitionSpec("batch")
    params = replicate({"w": jnp.ones(2)}, mesh)
    assert params["w"].sharding.is_fully_replicated
    padded, mask = pad_batch(np.arange(3.0), 2)
    assert padded.tolist() == [0.0, 1.0, 2.0, 2.0]
    assert mask.tolist() == [True, True, True, False]


def test_errors_name_the_fix(setup):
    from shoal.nn.modules.native.lif import LIF

    net, x, y = setup
    with pytest.raises(TypeError, match=r"evolve_sharded needs a JAX module .* got LIF"):
        evolve_sharded(LIF(2), x)
    with pytest.raises(ValueError, match=r"expected a batch .* add a batch axis with x\[None\]"):
        evolve_sharded(net, np.float32(1.0))
    step = make_sharded_train_step(jax_loss.mse, worker.optimiser())
    params = net.parameters()
    with pytest.raises(ValueError, match=f"x holds {worker.BATCH} samples but y holds 3"):
        step(params, worker.optimiser().init(params), net, x, y[:3])
    with pytest.raises(ValueError, match=r"cannot pad an empty batch"):
        pad_batch(np.zeros((0, 2)), 4)
    mesh = jax.sharding.Mesh(np.array(jax.devices()).reshape(1, -1), ("a", "b"))
    with pytest.raises(ValueError, match=r"expected a 1-D data mesh, got axes \('a', 'b'\)"):
        shard_batch(x, mesh)


# --------------------------------------------------------------------------- four devices
@pytest.mark.timeout(TIMEOUT + 30)
def test_four_devices_match_single_device(reference):
    net, x, y = worker.workload()
    result = subprocess.run(
        [sys.executable, "-W", "error", str(WORKER_PATH), "devices"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=_env(4),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    got = _result(result.stdout)
    assert got["device_count"] == 4
    for name, size in (("uneven", worker.BATCH), ("even", worker.EVEN_BATCH)):
        output, new_state, record = net(jnp.asarray(x[:size]), record=True)
        evolved = got[f"evolve_{name}"]
        assert_tree_close(evolved["output"], output)
        assert_tree_close(evolved["new_state"], new_state)
        assert_tree_close(evolved["record"], record)
        expected = reference if size == worker.BATCH else reference_training(net, x, y)
        np.testing.assert_allclose(got[f"train_{name}"]["losses"], expected["losses"], rtol=RTOL)
        assert_tree_close(got[f"train_{name}"]["params"], expected["params"])
    assert got["evolve_even"]["sharded"]  # 12 samples: 3 per device, output stays split
    errors = got["errors"]
    assert errors["evolve"] == (
        "a batch of 10 does not divide over 4 devices; pass pad=True (padded samples are "
        "masked out) or use a batch size that is a multiple of 4"
    )
    assert errors["train"] == errors["evolve"]
    assert errors["shard_batch"].startswith("a batch of 10 does not divide over 4 devices; pad ")


# --------------------------------------------------------------------------- two processes
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.timeout(TIMEOUT + 30)
def test_two_processes_match_single_process(setup, reference):
    net, x, _ = setup
    port = _free_port()
    processes = [
        subprocess.Popen(
            [sys.executable, "-W", "error", str(WORKER_PATH), "process", str(rank), str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(1),
        )
        for rank in range(2)
    ]
    outputs = []
    try:
        for process in processes:
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, stderr
            outputs.append(_result(stdout))
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    expected_output, _, _ = net(jnp.asarray(x))
    expected = reference
    for rank, got in enumerate(outputs):
        assert (got["process_count"], got["device_count"]) == (2, 2)
        rows = slice(0, worker.SPLIT) if rank == 0 else slice(worker.SPLIT, worker.BATCH)
        assert_tree_close(got["output"], expected_output[rows])
        np.testing.assert_allclose(got["losses"], expected["losses"], rtol=RTOL)
        assert_tree_close(got["params"], expected["params"])
