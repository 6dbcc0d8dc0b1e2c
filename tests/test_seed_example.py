"""Run ``examples/low_level_api.py`` (the seed page) and check what it prints against the page.

Values printed from random input are checked by structure and by the Rate equations, not
literally: the page draws its input with an unseeded ``np.random.rand``.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("jax")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "low_level_api.py"
LABELS = (
    "Rate with",
    "Rate with",
    "Output shape:",
    "Parameters:",
    "ffwd_net with",
    "Parameters:",
    "State:",
    "Module time constants:",
    "Module weights:",
    ".w_ffwd:",
    ".neurons.tau:",
    "Network output shape:",
    "New state:",
    "Record keys:",
    "Simulation parameters:",
)


class JaxArray:
    """Stands in for ``jax.Array`` when evaluating the printed reprs."""

    def __init__(self, values, dtype=None):
        self.value = np.array(values, dtype=dtype)


NAMESPACE = {
    "array": lambda values, dtype=None: np.array(values, dtype=dtype),
    "Array": JaxArray,
    "float32": np.float32,
    "float64": np.float64,
    "uint32": np.uint32,
}


def _squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def blocks() -> list[str]:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=EXAMPLE.parents[1],
        check=False,
    )
    assert result.returncode == 0, result.stderr
    found: list[str] = []
    pending = list(LABELS)
    for line in result.stdout.splitlines():
        if pending and line.startswith(pending[0]):
            pending.pop(0)
            found.append(line)
        else:
            assert found, f"unexpected first line {line!r}"
            found[-1] += "\n" + line
    assert not pending, f"missing output for {pending}\n{result.stdout}"
    return found


def _value(block: str, label: str):
    assert block.startswith(label)
    return eval(_squash(block[len(label) :]), dict(NAMESPACE))  # our own output


def test_reprs(blocks):
    assert _squash(blocks[0]) == "Rate with shape (4,)"
    assert _squash(blocks[1]) == "Rate with shape (4,)"
    assert _squash(blocks[4]) == "ffwd_net with shape (4, 6) { RateJax 'neurons' with shape (6,) }"


def test_evolve_output_shape(blocks):
    assert blocks[2] == "Output shape: (1, 5, 4)"


def test_recorded_state_follows_the_equations(blocks):
    record = _value(blocks[3], "Parameters:")
    assert list(record) == ["rec_input", "x"]
    assert record["rec_input"].shape == (1, 5, 4)
    assert not record["rec_input"].any()
    x = record["x"][0]
    assert x.shape == (5, 4)
    # tau = 1 s, dt = 1 ms: x_t = (1 - a) x_{t-1} + a u_t with a = 1e-3 and u_t in [0, 1)
    a = 1e-3
    u = (x[1:] - (1 - a) * x[:-1]) / a
    tol = 1e-4  # x is printed to 8 decimals
    assert np.all(u > -tol) and np.all(u < 1 + tol)
    # the module mutated its state on the first call, so the record continues from
    # x_start = z_4, the end of a zero-started run on the same input: recover u_0 from x_0
    c = sum(a * (1 - a) ** (4 - k) * u[k - 1] for k in range(1, 5))
    u0 = (x[0] - (1 - a) * c) / (a * ((1 - a) ** 5 + 1))
    assert np.all(u0 > -tol) and np.all(u0 < 1 + tol)
    assert np.all(x[0] > a * u0 - tol * a)  # x_0 includes the carried-over state


def test_parameters_state_and_families(blocks):
    params = _value(blocks[5], "Parameters:")
    assert list(params) == ["w_ffwd", "neurons"]
    assert params["w_ffwd"].shape == (4, 6)
    assert params["w_ffwd"].dtype == np.float64
    assert not params["w_ffwd"].any()
    neurons = params["neurons"]
    assert list(neurons) == ["tau", "bias", "threshold"]
    for key, expected in (("tau", 0.02), ("bias", 0.0), ("threshold", 0.0)):
        assert isinstance(neurons[key], JaxArray)
        assert neurons[key].value.dtype == np.float32
        np.testing.assert_allclose(neurons[key].value, np.full(6, expected, np.float32))

    state = _value(blocks[6], "State:")
    assert list(state) == ["neurons"]
    assert list(state["neurons"]) == ["rng_key", "x"]
    assert state["neurons"]["rng_key"].value.dtype == np.uint32
    assert state["neurons"]["rng_key"].value.shape == (2,)
    assert state["neurons"]["x"].value.dtype == np.float32
    assert not state["neurons"]["x"].value.any()

    taus = _value(blocks[7], "Module time constants:")
    assert list(taus) == ["neurons"]
    assert list(taus["neurons"]) == ["tau"]
    weights = _value(blocks[8], "Module weights:")
    assert list(weights) == ["w_ffwd"]
    assert weights["w_ffwd"].dtype == np.float64


def test_attribute_access_prints_raw_arrays(blocks):
    assert _squash(blocks[9]) == ".w_ffwd: " + _squash(str(np.zeros((4, 6))))
    assert _squash(blocks[10]) == ".neurons.tau: [0.02 0.02 0.02 0.02 0.02 0.02]"


def test_network_evolve_contract(blocks):
    assert blocks[11] == "Network output shape: (1, 3, 6)"
    new_state = _value(blocks[12], "New state:")
    assert list(new_state) == ["neurons"]
    assert set(new_state["neurons"]) == {"x", "rng_key"}
    assert new_state["neurons"]["x"].value.dtype == np.float32
    assert new_state["neurons"]["rng_key"].value.dtype == np.uint32
    # w_ffwd is zero, so the neurons see no input and stay at rest
    assert not new_state["neurons"]["x"].value.any()
    assert _value(blocks[13], "Record keys:") == {
        "weighted_input": (3, 6),
        "neurons": ["rec_input", "x"],
    }


def test_simulation_parameters(blocks):
    text = _squash(blocks[14])
    pattern = (
        r"Simulation parameters: \{'neurons': \{'dt': 0\.001, 'noise_std': 0\.0, "
        r"'act_fn': <function H_ReLU at 0x[0-9a-f]+>\}\}"
    )
    assert re.fullmatch(pattern, text)
