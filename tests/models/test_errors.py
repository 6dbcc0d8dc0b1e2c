"""Every error the catalogue models raise: type, message, and a module left as it was."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

from shoal._errors import EulerStabilityWarning

from .registry import BACKENDS, catalogue

jax = pytest.importorskip("jax")


@pytest.fixture(params=BACKENDS)
def c(request: pytest.FixtureRequest) -> Any:
    return catalogue(request.param)


def _snapshot(mod: Any) -> Any:
    leaves = jax.tree_util.tree_leaves((mod.parameters(), mod.state()))
    return [np.array(v, copy=True) for v in leaves], repr(mod)


def _assert_unchanged(mod: Any, before: Any) -> None:
    after = _snapshot(mod)
    assert after[1] == before[1]
    for a, b in zip(after[0], before[0]):
        np.testing.assert_array_equal(a, b)


def _cls(c: Any, name: str) -> str:
    return str(getattr(c, name).__name__)


# ---------------------------------------------------------------------------- constructors
CONSTRUCTOR_ERRORS = [
    ("Rate", (None,), {}, "`shape` must be given: N or (N,)"),
    ("Rate", ((4, 3),), {}, "Rate module must have `size_out` == `size_in`; got shape (4, 3)."),
    ("Rate", ((2, 2, 2),), {}, "Rate module must have `size_out` == `size_in`"),
    ("Rate", (2,), {"w_rec": np.eye(2)}, "`w_rec` may not be provided if `has_rec` is False."),
    (
        "Rate",
        (2,),
        {"activation_func": "softplus"},
        "If `activation_func` is provided as a string argument, it must be one of "
        '["ReLU", "sigmoid", "tanh"]; got \'softplus\'.',
    ),
    (
        "Rate",
        (2,),
        {"activation_func": 3},
        "Argument `activation_func` must be a string or a function; got int.",
    ),
    ("LIF", (None,), {}, "`shape` must be given: N or (Nin, Nout)."),
    (
        "LIF",
        ((2, 2, 2),),
        {},
        "`shape` must be a one- or two-element tuple `(Nin, Nout)`; got (2, 2, 2).",
    ),
    (
        "LIF",
        ((5, 2),),
        {},
        "You must specify an integer number of synapses per neuron: Nin = 5 is not a multiple "
        "of Nout = 2.",
    ),
    # LIF((2, 0)): sizes < 1 are refused first (`LIF.shape: expected sizes >= 1`, the matrix).
    ("LIF", (2,), {"w_rec": np.eye(2)}, "`w_rec` may not be provided if `has_rec` is `False`."),
    ("ExpSyn", (None,), {}, "`shape` must be given: N or (N,)."),
    (
        "ExpSyn",
        ((2, 3),),
        {},
        "The `shape` argument must be one-dimensional for an ExpSyn module; got (2, 3).",
    ),
    (
        "Linear",
        (3,),
        {},
        "`shape` must specify input and output sizes for Linear: (Nin, Nout); got 3.",
    ),
    ("Linear", ((1, 2, 3),), {}, "`shape` must specify input and output sizes for Linear"),
    ("Instant", (None,), {}, "The `shape` argument to `Instant` may not be `None`."),
]


@pytest.mark.parametrize(
    ("name", "args", "kwargs", "message"),
    CONSTRUCTOR_ERRORS,
    ids=[f"{e[0]}-{i}" for i, e in enumerate(CONSTRUCTOR_ERRORS)],
)
def test_constructor_value_errors(c: Any, name: str, args: Any, kwargs: Any, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{_cls(c, name)}: " + re.escape(message)):
        getattr(c, name)(*args, **kwargs)


def test_instant_function_must_be_callable(c: Any) -> None:
    with pytest.raises(TypeError, match=rf"^{_cls(c, 'Instant')}: `function` must be callable"):
        c.Instant(2, function="tanh")


@pytest.mark.parametrize("name", ["Rate", "LIF", "ExpSyn"])
def test_rng_key_errors(name: str) -> None:
    with pytest.raises(TypeError, match=r"^\w+: `rng_key` is only used by JAX modules"):
        getattr(catalogue("numpy"), name)(2, rng_key=[1, 2])
    with pytest.raises(ValueError, match=r"`rng_key` must be a JAX PRNG key of shape \(2,\)"):
        getattr(catalogue("jax"), name)(2, rng_key=[1, 2, 3])
    with pytest.raises(ValueError, match="got shape \\(2,\\) and dtype float"):
        getattr(catalogue("jax"), name)(2, rng_key=[1.0, 2.0])


# ---------------------------------------------------------------------------- Rate warnings
def test_rate_warns_when_euler_step_is_unstable(c: Any) -> None:
    with pytest.warns(EulerStabilityWarning, match=r"dt/tau = 2 > 1 makes the forward-Euler"):
        c.Rate(2, tau=5e-4)
    mod = c.Rate(2)
    with pytest.warns(EulerStabilityWarning, match=r"^\w+: dt/tau = 4 > 1"):
        mod.set_attributes({"tau": np.array([2.5e-4, 0.02])})


# ---------------------------------------------------------------------------- evolve
def _stateful_cases(c: Any) -> list[Any]:
    return [c.Rate(3), c.LIF((4, 2)), c.ExpSyn(3), c.Instant(3), c.Linear((3, 2))]


def test_wrong_channel_count_leaves_module_unchanged(c: Any) -> None:
    for mod in _stateful_cases(c):
        mod(np.ones((3, mod.size_in)))  # give NumPy modules a non-initial state
        before = _snapshot(mod)
        message = f"^{mod.class_name}: Input has wrong neuron dimension. It is 7, must be"
        with pytest.raises(ValueError, match=message):
            mod(np.ones((2, 5, 7)))
        _assert_unchanged(mod, before)


def test_too_many_dimensions_and_empty_time(c: Any) -> None:
    for mod in _stateful_cases(c):
        before = _snapshot(mod)
        n = mod.size_in
        with pytest.raises(ValueError, match=rf"got shape \(1, 2, 3, {n}\) \(4-d\)"):
            mod(np.ones((1, 2, 3, n)))
        with pytest.raises(ValueError, match=r"input has no time steps \(T = 0\)"):
            mod(np.ones((2, 0, n)))
        _assert_unchanged(mod, before)


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_non_numeric_input(backend: str) -> None:
    for mod in _stateful_cases(catalogue(backend)):
        with pytest.raises(TypeError, match="expected numeric input"):
            mod(np.array([["a"] * mod.size_in]))
