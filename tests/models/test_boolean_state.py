"""``BooleanState`` (catalogue-2.md §4.3) on every backend: the worked example, streaming,
thresholds, errors, and Rockpool's name for the Torch class."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .registry import BACKENDS, catalogue, host

X = [[0.5, 0, -1e-11], [0, -2, 0], [-0.3, 0, 1e-9], [0, 1, 0]]
EXPECTED = [[1, 0, 0], [1, 0, 0], [0, 0, 1], [0, 1, 1]]


@pytest.fixture(params=BACKENDS)
def c(request: pytest.FixtureRequest) -> Any:
    return catalogue(request.param)


def test_worked_example(c: Any) -> None:
    mod = c.BooleanState(3)
    out, state, record = mod(X, record=True)
    assert host(out).dtype == np.bool_ and host(out).shape == (1, 4, 3)
    np.testing.assert_array_equal(host(out)[0], np.array(EXPECTED, dtype=bool))
    np.testing.assert_array_equal(host(record["bool_state"]), host(out))
    np.testing.assert_array_equal(host(state["bool_state"]), [0.0, 1.0, 1.0])
    assert float(np.asarray(mod.simulation_parameters()["threshold"])) == 1e-10


def test_state_continues_across_calls_and_batches_are_independent(c: Any) -> None:
    mod = c.BooleanState(3)
    mod = mod.set_attributes(mod(X)[1])  # JAX modules are functional
    out = host(mod([[0.0, 0.0, 0.0]])[0])
    np.testing.assert_array_equal(out[0, 0], [False, True, True]), "held from the last call"
    batched = host(c.BooleanState(3)(np.stack([X, -np.array(X)]))[0])
    np.testing.assert_array_equal(batched[0], np.array(EXPECTED, dtype=bool))
    assert not batched[1, 0, 0] and batched[1, 1, 1], "the sign flips what sets and clears"


def test_threshold_per_unit(c: Any) -> None:
    out = host(c.BooleanState(2, threshold=[0.2, 0.6])([[0.5, 0.5], [-0.5, -0.7]])[0])
    np.testing.assert_array_equal(out[0], [[True, False], [False, False]])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"shape": (3, 2)}, ValueError, r"BooleanState: `size_in` must be equal to `size_out`"),
        (
            {"shape": 2, "threshold": -0.1},
            ValueError,
            r"BooleanState.threshold: expected values >= 0",
        ),
        (
            {"shape": 2, "threshold": [0.1] * 3},
            ValueError,
            r"BooleanState.threshold: expected shape",
        ),
        ({"shape": 2, "threshold": "a"}, TypeError, r"BooleanState.threshold: expected a number"),
        ({"shape": None}, ValueError, r"BooleanState: `shape` must be given"),
    ],
)
def test_constructor_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        catalogue("numpy").BooleanState(**kwargs)


def test_torch_class_carries_rockpools_name_in_the_torch_package() -> None:
    pytest.importorskip("torch")
    import shoal.nn.modules as modules
    import shoal.nn.modules.torch as torch_modules

    assert torch_modules.BooleanState is modules.BooleanStateTorch
    with pytest.raises(ValueError, match=r"BooleanStateTorch.threshold: expected values >= 0"):
        torch_modules.BooleanState(2, threshold=-1.0)
