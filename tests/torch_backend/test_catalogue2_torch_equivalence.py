"""Catalogue-2 Torch flavours against the other backends on random configurations.

Float64 Torch (``.double()``) equals NumPy to 1e-10; float32 Torch equals float32 JAX to
float32's precision. Same dynamics, so any gap is a flavour's plumbing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")
pytest.importorskip("jax")

from tests.models.registry import catalogue, host  # noqa: E402

FEW = settings(
    max_examples=3,  # each JAX example compiles: kept few
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
seeds = st.integers(0, 2**32 - 1)
sizes = st.sampled_from([1, 3])
batches = st.sampled_from([1, 2])
steps = st.sampled_from([5, 12])

Build = Callable[[Any, Callable[[Any], Any]], Any]  # (catalogue, as_data) -> module


def _flatten(tree: Any, prefix: str = "") -> dict[str, np.ndarray]:
    if isinstance(tree, dict):
        out: dict[str, np.ndarray] = {}
        for key, value in tree.items():
            out.update(_flatten(value, f"{prefix}{key}."))
        return out
    return {prefix: host(tree)}


def _check(build: Build, x: np.ndarray, skip_records: bool = False) -> None:
    """NumPy vs Torch float64 (1e-10), then JAX vs Torch in float32 (1e-5)."""
    numpy_result = build(catalogue("numpy"), np.asarray)(x, record=True)
    as64 = lambda value: torch.tensor(np.asarray(value, dtype=np.float64))  # noqa: E731
    torch64 = build(catalogue("torch"), as64).double()(torch.tensor(x), record=True)
    jax_result = build(catalogue("jax"), np.asarray)(x.astype(np.float32), record=True)
    torch32 = build(catalogue("torch"), np.asarray)(
        torch.tensor(x, dtype=torch.float32), record=True
    )
    for index, (reference, result, tolerance) in enumerate(
        [(numpy_result, torch64, 1e-10), (jax_result, torch32, 1e-5)]
    ):
        parts = (0, 1) if skip_records else (0, 1, 2)
        for part in parts:
            expected, got = _flatten(reference[part]), _flatten(result[part])
            expected = {k: v for k, v in expected.items() if not k.endswith("rng_key.")}
            assert set(expected) == set(got), (index, part)
            for key in expected:
                np.testing.assert_allclose(
                    got[key], expected[key], rtol=tolerance, atol=tolerance, err_msg=key
                )


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps, n_ref=st.sampled_from([0, 2]))
def test_updown(seed: int, n: int, n_batches: int, n_steps: int, n_ref: int) -> None:
    rng = np.random.default_rng(seed)
    thr = rng.uniform(0.05, 0.3, (2, n))
    x = np.cumsum(rng.standard_normal((n_batches, n_steps, n)) * 0.2, axis=1)

    def build(c: Any, data: Callable[[Any], Any]) -> Any:
        return c.UpDown(n, thr_up=data(thr[0]), thr_down=data(thr[1]), n_ref_steps=n_ref)

    _check(build, x)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_exp_smooth(seed: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    tau = rng.uniform(0.002, 0.05, n)
    x = rng.standard_normal((n_batches, n_steps, n))

    def build(c: Any, data: Callable[[Any], Any]) -> Any:
        with pytest.warns(UserWarning) if c.ExpSmooth.__name__ == "ExpSmoothJax" else _nothing():
            return c.ExpSmooth(n, tau=data(tau), activation_fun=np.tanh)

    _check(build, x)


@FEW
@given(seed=seeds, n_in=sizes, n=sizes, n_batches=batches, n_steps=steps, log=st.booleans())
def test_softmax(seed: int, n_in: int, n: int, n_batches: int, n_steps: int, log: bool) -> None:
    rng = np.random.default_rng(seed)
    weight, bias = rng.standard_normal((n_in, n)), rng.standard_normal(n)
    tau = rng.uniform(0.005, 0.05, n)
    x = rng.standard_normal((n_batches, n_steps, n_in))

    def build(c: Any, data: Callable[[Any], Any]) -> Any:
        cls = c.LogSoftmax if log else c.Softmax
        return cls(weight=data(weight), bias=data(bias), tau=data(tau))

    # Records differ by design: `smooth` is an ExpSynTorch, which records nothing (Rockpool).
    _check(build, x, skip_records=True)


@FEW
@given(seed=seeds, n=sizes, n_batches=batches, n_steps=steps)
def test_boolean_state(seed: int, n: int, n_batches: int, n_steps: int) -> None:
    rng = np.random.default_rng(seed)
    threshold = rng.uniform(0.0, 0.5, n)
    x = rng.standard_normal((n_batches, n_steps, n))

    def build(c: Any, data: Callable[[Any], Any]) -> Any:
        return c.BooleanState(n, threshold=threshold)

    _check(build, x)


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None
