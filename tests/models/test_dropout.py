"""``TimeStepDropout`` / ``UnitDropout`` (catalogue-2 §5, torch-backend.md §5.6) on both backends."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .registry import BACKENDS, catalogue

X = np.ones((4, 50, 1000))


@pytest.fixture(params=BACKENDS)
def c(request: pytest.FixtureRequest) -> Any:
    np.random.seed(0)
    return catalogue(request.param)


def test_time_step_dropout_is_element_wise_without_rescaling(c: Any) -> None:
    out = np.asarray(c.TimeStepDropout(1000, p=0.3)(X)[0])
    assert out.shape == X.shape
    assert abs(np.mean(out == 0) - 0.3) < 0.01
    assert set(np.unique(out)) == {0.0, 1.0}, "survivors are not rescaled"
    assert not np.all(out == out[:, :1, :]), "masks differ across time steps (element-wise)"
    assert np.all(np.asarray(c.TimeStepDropout(3, p=1.0)(X[..., :3])[0]) == 0), "p = 1 allowed"


def test_unit_dropout_holds_the_mask_over_time_and_rescales(c: Any) -> None:
    out = np.asarray(c.UnitDropout(1000, p=0.3)(X)[0])
    assert np.all(out == out[:, :1, :]), "one draw per (batch, unit), held over time"
    assert abs(np.mean(out == 0) - 0.3) < 0.02
    np.testing.assert_allclose(out.max(), 1 / 0.7, rtol=1e-6)
    assert not np.all(out[0] == out[1]), "each batch element has its own mask"


@pytest.mark.parametrize("name", ["TimeStepDropout", "UnitDropout"])
def test_evaluation_mode_and_p_zero_are_the_identity(c: Any, name: str) -> None:
    x = np.random.default_rng(1).standard_normal((2, 5, 3))
    cls = getattr(c, name)
    np.testing.assert_allclose(np.asarray(cls(3, training=False)(x)[0]), x, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(cls(3).eval()(x)[0]), x, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(cls(3, p=0.0)(x)[0]), x, rtol=1e-6)
    mod = cls(3, p=0.9).eval().train()
    assert mod.training and np.any(np.asarray(mod(x)[0]) == 0)


@pytest.mark.parametrize("name", ["TimeStepDropout", "UnitDropout"])
def test_jax_masks_follow_the_key(name: str) -> None:
    cls = getattr(catalogue("jax"), name)
    x = np.ones((2, 6, 50))
    first, state, _ = cls(50, rng_key=[1, 2])(x)
    again, _, _ = cls(50, rng_key=[1, 2])(x)
    np.testing.assert_array_equal(np.asarray(first), np.asarray(again))
    following, _, _ = cls(50, rng_key=[1, 2]).set_attributes(state)(x)
    assert not np.array_equal(np.asarray(first), np.asarray(following)), "the key is split"


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    [
        (
            "TimeStepDropout",
            ((3, 2),),
            {},
            r"TimeStepDropout: `size_in` must be equal to `size_out`",
        ),
        ("UnitDropout", ((2, 3),), {}, r"UnitDropout: `size_in` must be equal to `size_out`"),
        (
            "TimeStepDropout",
            (3,),
            {"p": 1.5},
            r"TimeStepDropout.p: dropout probability .* \[0, 1\]",
        ),
        ("TimeStepDropout", (3,), {"p": -0.1}, r"TimeStepDropout.p: dropout probability"),
        ("UnitDropout", (3,), {"p": 1.0}, r"UnitDropout.p: dropout probability .* \[0, 1\)"),
        ("UnitDropout", (3,), {"p": float("nan")}, r"UnitDropout.p: dropout probability"),
    ],
)
def test_constructor_errors(name: str, args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        getattr(catalogue("numpy"), name)(*args, **kwargs)


def test_non_numeric_probability_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"UnitDropout.p: expected a probability .* got '0.5'"):
        catalogue("numpy").UnitDropout(3, p="0.5")
