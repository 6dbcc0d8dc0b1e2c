"""``flatten``, ``debug_evolution`` and ``debug_optimisation`` (catalogue-2 §7.4)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import Module
from shoal.parameters import Parameter, State
from shoal.training.jax_debug import debug_evolution, debug_optimisation, flatten


class LogOfInput(Module):
    """Output 0; new state ``log(last input)``: NaN for negative input."""

    def __init__(self):
        super().__init__(shape=(1,))
        self.tau = Parameter(np.array([0.02]), "taus")
        self.x = State(np.zeros(1))

    def evolve(self, input_data, record=False):
        data = np.asarray(input_data, dtype=float)
        with np.errstate(invalid="ignore"):
            return np.zeros_like(data), {"x": np.log(data[-1])}, {}


def test_flatten_golden_example_and_separator():
    tree = {"a": 1.0, "b": {"c": np.array([1.0, 2.0])}}
    assert dict(flatten(tree)) == {"a_0": 1.0, "b_c_0_0": 1.0, "b_c_1_0": 2.0}
    assert list(flatten(tree, sep=".")) == ["a.0", "b.c.0.0", "b.c.1.0"]
    assert dict(flatten({"w": [[1, 2], [3]]})) == {"w_0_0_0": 1, "w_0_1_0": 2, "w_1_0_0": 3}


def test_debug_evolution_golden_message():
    mod = LogOfInput()
    with pytest.raises(ValueError) as error:
        debug_evolution(mod, mod.state(), {"tau": np.array([np.nan])}, -np.ones((3, 1)))
    assert str(error.value) == (
        "Network parameter tau_0_0 contains NaNs\nPost-evolve network state x_0_0 contains NaNs\n"
    )


def test_debug_evolution_reports_state_and_output_and_is_silent_when_finite():
    mod = LogOfInput()
    assert debug_evolution(mod, mod.state(), mod.parameters(), np.ones((3, 1))) is None
    with pytest.raises(ValueError, match=r"^Network state x_0_0 contains NaNs\n$"):
        debug_evolution(mod, {"x": np.array([np.nan])}, mod.parameters(), np.ones((3, 1)))


def test_debug_evolution_reports_output_nans():
    class NanOutput(LogOfInput):
        def evolve(self, input_data, record=False):
            return np.full((2, 1), np.nan), {"x": np.zeros(1)}, {}

    mod = NanOutput()
    with pytest.raises(
        ValueError,
        match=r"^Network output 0_0_0 contains NaNs\nNetwork output 1_0_0 contains NaNs\n$",
    ):
        debug_evolution(mod, mod.state(), mod.parameters(), np.ones((2, 1)))


class TestJax:
    jax = pytest.importorskip("jax")

    def _vgf(self):
        jnp = self.jax.numpy

        def loss(params, mod, x, y):
            return jnp.sum(jnp.sqrt(params["w"] * x)) + 0.0 * jnp.sum(y)

        return self.jax.value_and_grad(loss)

    def test_finds_the_first_nan_step_on_a_time_by_channel_input(self):
        x = np.array([[1.0], [1.0], [1.0], [-1.0], [1.0]], np.float32)
        with pytest.raises(ValueError) as error:
            debug_optimisation(None, {"w": np.float32(2.0)}, x, np.zeros((5, 1)), self._vgf())
        assert (
            str(error.value)
            == "Loss is NaN\nGradient w_0 contains NaNs\nGradient NaNs begin in step 3\n"
        )

    def test_batched_input_cuts_the_time_axis(self):
        x = np.ones((2, 4, 1), np.float32)
        x[1, 2, 0] = -1.0
        with pytest.raises(ValueError, match=r"Gradient NaNs begin in step 2\n$"):
            debug_optimisation(None, {"w": np.float32(2.0)}, x, np.zeros((2, 4, 1)), self._vgf())

    def test_silent_when_finite(self):
        x = np.ones((4, 1), np.float32)
        assert (
            debug_optimisation(None, {"w": np.float32(2.0)}, x, np.zeros((4, 1)), self._vgf())
            is None
        )
