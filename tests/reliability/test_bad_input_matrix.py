"""Bad input never corrupts anything: each case raises the documented exception type with a
message that names what was wrong, and leaves every parameter, state and simulation parameter
of the object bit-identical.

Decided and documented (README, "Errors and guarantees"): integer and bool input is accepted
and cast to the module's float dtype; strings, objects, ragged lists, 0-d and 4-d arrays and an
empty time axis are rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from shoal._errors import UnknownAttributeError
from shoal.nn.combinators import FFwdStack, Residual, Sequential
from shoal.nn.modules import LIF, ExpSyn, Instant, Linear, Module, Rate
from shoal.parameters import Parameter
from shoal.timeseries import TSContinuous, TSEvent

jax = pytest.importorskip("jax")
from shoal.nn.modules import (  # noqa: E402
    ExpSynJax,
    InstantJax,
    JaxModule,
    LIFJax,
    LinearJax,
    RateJax,
)


@dataclass(frozen=True)
class Case:
    build: Callable[[], Any]  # the object whose contents must survive the failed call
    action: Callable[[Any], Any]  # the bad call
    error: type[BaseException]
    match: str


def _set(name: str, value: Any) -> Callable[[Any], Any]:
    return lambda mod: setattr(mod, name, value)


def _none(_: Any) -> None:
    return None


# Constructors: nothing exists before the call, so there is nothing to compare.
CONSTRUCTION = {
    "parameter needs data or shape": (lambda: Parameter(), ValueError, "`data` or `shape`"),
    "parameter shape as float": (
        lambda: Parameter(shape=3.0),
        TypeError,
        "must be a list, a tuple or an integer.*float",
    ),
    "module shape as float": (lambda: Rate(3.0), TypeError, r"Rate: `shape` must contain integers"),
    "misspelled keyword": (lambda: Rate(3, tua=0.1), TypeError, "did you mean 'tau'"),
    "misspelled LIF keyword": (lambda: LIF(3, tau_men=0.1), TypeError, "did you mean 'tau_mem'"),
    "negative tau_mem": (lambda: LIF(3, tau_mem=-0.01), ValueError, r"LIF\.tau_mem: .*> 0"),
    "zero tau": (lambda: Rate(3, tau=0.0), ValueError, r"Rate\.tau: .*> 0"),
    "zero dt": (lambda: LIF(3, dt=0.0), ValueError, r"LIF\.dt: .*> 0"),
    "negative dt": (lambda: ExpSyn(3, dt=-1e-3), ValueError, r"ExpSyn\.dt: .*> 0"),
    "NaN bias": (lambda: Rate(3, bias=[np.nan, 0, 0]), ValueError, r"Rate\.bias: .*finite"),
    "inf threshold": (lambda: LIFJax(2, threshold=np.inf), ValueError, r"LIFJax\.threshold"),
    "Instant without shape": (lambda: Instant(None), ValueError, "may not be `None`"),
    "ExpSyn 2-d shape": (lambda: ExpSyn((2, 2)), ValueError, "one-dimensional"),
    "LIF synapse count": (lambda: LIF((3, 2)), ValueError, "integer number of synapses"),
    "Linear one size": (lambda: Linear(3), ValueError, "input and output sizes"),
    "mixed backends": (
        lambda: Sequential(Linear((2, 3)), RateJax(3)),
        ValueError,
        "mix backends",
    ),
    "sequential size mismatch": (
        lambda: Sequential(Linear((2, 3)), Rate(4)),
        ValueError,
        "does not match the input shape of submodule 1",
    ),
    "residual size mismatch": (
        lambda: Residual(Linear((2, 3)), Rate(3)),
        ValueError,
        "must be identical for a residual block",
    ),
    "unsorted times": (
        lambda: TSContinuous([0.0, 2.0, 1.0], [[0.0], [1.0], [2.0]]),
        ValueError,
        "sorted and not decreasing",
    ),
    "event t_stop too small": (
        lambda: TSEvent([0.1, 0.5], [0, 1], t_stop=0.3),
        ValueError,
        "strictly greater than the last event",
    ),
    "event t_stop missing": (
        lambda: TSEvent([0.1, 0.5], [0, 1]),
        TypeError,
        "`t_stop` must be a float strictly greater",
    ),
    "timed without dt": (lambda: Linear((2, 3)).timed(), KeyError, "must be passed as an argument"),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTION))
def test_bad_construction(name):
    build, error, match = CONSTRUCTION[name]
    with pytest.raises(error, match=match):
        build()


class _JaxWithNumpyChild(JaxModule):
    def __init__(self) -> None:
        super().__init__(shape=3)

    def evolve(self, input_data, record=False):
        return input_data, {}, {}


def _models() -> dict[str, Callable[[], Any]]:
    return {
        "Rate": lambda: Rate(3),
        "RateJax": lambda: RateJax(3),
        "LIF": lambda: LIF(3),
        "LIFJax": lambda: LIFJax(3),
        "ExpSyn": lambda: ExpSyn(3),
        "ExpSynJax": lambda: ExpSynJax(3),
        "Linear": lambda: Linear((3, 3)),
        "LinearJax": lambda: LinearJax((3, 3)),
        "Instant": lambda: Instant(3),
        "Sequential": lambda: Sequential(Linear((3, 3)), LIF(3)),
        "JaxSequential": lambda: Sequential(LinearJax((3, 3)), LIFJax(3)),
    }


def _evolve(x: Any) -> Callable[[Any], Any]:
    return lambda mod: mod(x)


# Every model × every kind of bad input.
BAD_INPUTS = {
    "wrong channel count": (
        np.ones((4, 2)),
        ValueError,
        "wrong neuron dimension. It is 2, must be 3",
    ),
    "0-d input": (np.float64(1.0), ValueError, r"got shape \(\)"),
    "4-d input": (np.ones((1, 2, 4, 3)), ValueError, "4-d"),
    "empty time axis": (np.ones((0, 3)), ValueError, r"no time steps \(T = 0\)"),
    "string input": (np.array([["a", "b", "c"]]), TypeError, "expected numeric input"),
    "object input": (np.array([[object(), 1, 2]], dtype=object), TypeError, "numeric input"),
    "ragged list": ([[1.0, 2.0, 3.0], [1.0, 2.0]], ValueError, "could not be converted"),
}


def _timed_at_20_ms() -> Any:
    wrapper = Rate(3).timed()
    wrapper(duration=0.02)  # the clock now stands after the input's end
    return wrapper


def _saved_rate() -> str:
    import tempfile
    from pathlib import Path

    path = Path(tempfile.gettempdir()) / "shoal-bad-input-rate3.npz"
    Rate(3, tau=np.array([0.01, 0.02, 0.03])).save(path)
    return str(path)


CASES: dict[str, Case] = {}
for model, build in _models().items():
    for what, (x, error, match) in BAD_INPUTS.items():
        CASES[f"{model}: {what}"] = Case(build, _evolve(x), error, match)

CASES.update(
    {
        "set_attributes unknown key": Case(
            lambda: LIF(3),
            lambda m: m.set_attributes({"tau_mem": np.ones(3), "vmme": np.ones(3)}),
            UnknownAttributeError,
            r"unknown keys: 'LIF\.vmme' \(did you mean 'vmem'\?\)",
        ),
        "set_attributes nested unknown key": Case(
            lambda: Sequential(Linear((3, 3)), LIF(3)),
            lambda m: m.set_attributes({"1_LIF": {"treshold": np.ones(3)}}),
            UnknownAttributeError,
            r"1_LIF\.treshold' \(did you mean 'threshold'",
        ),
        "set_attributes wrong shape": Case(
            lambda: RateJax(3),
            lambda m: m.set_attributes({"tau": np.ones(4)}),
            ValueError,
            r"RateJax\.tau: expected shape \(3,\), got \(4,\)",
        ),
        "set_attributes one bad among good": Case(
            lambda: Rate(3),
            lambda m: m.set_attributes({"bias": np.ones(3), "tau": np.array([0.1, -1.0, 0.1])}),
            ValueError,
            r"Rate\.tau: expected a time constant > 0",
        ),
        "set_attributes NaN": Case(
            lambda: LIFJax(3),
            lambda m: m.set_attributes({"bias": np.array([0.0, np.nan, 0.0])}),
            ValueError,
            r"LIFJax\.bias: expected finite values",
        ),
        "set_attributes not a dict": Case(
            lambda: Rate(3), lambda m: m.set_attributes([1, 2]), TypeError, "nested dict"
        ),
        "assign wrong shape": Case(
            lambda: LIF(4), _set("tau_mem", np.ones(3)), ValueError, r"LIF\.tau_mem: expected shape"
        ),
        "assign zero dt": Case(lambda: Rate(3), _set("dt", 0.0), ValueError, r"Rate\.dt: .*> 0"),
        "assign inf weight": Case(
            lambda: Linear((2, 3)),
            _set("weight", np.full((2, 3), np.inf)),
            ValueError,
            r"Linear\.weight: expected finite values",
        ),
        "re-register a parameter": Case(
            lambda: Rate(3),
            _set("tau", Parameter(np.ones(3))),
            ValueError,
            "Cannot assign a new Parameter or State to an existing attribute",
        ),
        "NumPy child of a JAX module": Case(
            _JaxWithNumpyChild,
            _set("sub", Rate(3)),
            ValueError,
            r"_JaxWithNumpyChild\.sub: submodules of a JaxModule must themselves be JaxModules",
        ),
        "append duplicate name": Case(
            lambda: Sequential(Linear((2, 3)), Rate(3)),
            lambda m: m.append(Rate(3), "1_Rate"),
            ValueError,
            'Submodule "1_Rate" already exists',
        ),
        "append wrong size": Case(
            lambda: Sequential(Linear((2, 3)), Rate(3)),
            lambda m: m.append(Rate(4)),
            ValueError,
            "does not match the input shape",
        ),
        "append other backend": Case(
            lambda: Sequential(Linear((2, 3)), Rate(3)),
            lambda m: m.append(RateJax(3)),
            ValueError,
            "backend",
        ),
        "timed ndarray input": Case(
            lambda: Rate(3).timed(),
            lambda m: m(np.ones((3, 3))),
            TypeError,
            "must be a TSContinuous",
        ),
        "timed input ended": Case(
            _timed_at_20_ms,
            lambda m: m(TSContinuous([0.0, 0.01], np.ones((2, 3)), t_stop=0.015)),
            ValueError,
            "Cannot determine an appropriate evolution duration",
        ),
        "load into another architecture": Case(
            lambda: LIF(3), lambda m: m.load(_saved_rate()), KeyError, "Missing keys"
        ),
        "load wrong sizes": Case(
            lambda: Rate(4), lambda m: m.load(_saved_rate()), ValueError, r"has shape \(3,\)"
        ),
        "load missing file": Case(
            lambda: Rate(3), lambda m: m.load("/nonexistent/net.npz"), FileNotFoundError, "net.npz"
        ),
    }
)


# ---- issue 13, timed API: bad calls change neither the state nor the clock ---------------
CASES.update(
    {
        "timed events into a continuous module": Case(
            lambda: Rate(3).timed(),
            lambda m: m(TSEvent([0.001], [0], t_start=0.0, t_stop=0.01)),
            TypeError,
            "can only receive inputs of class `TSContinuous`",
        ),
        "timed samples into a spiking-input module": Case(
            lambda: ExpSyn(3).timed(),
            lambda m: m(TSContinuous.from_clocked(np.ones((4, 3)), dt=1e-3)),
            TypeError,
            r"TSEvent.from_raster\(raster, dt\)",
        ),
        "timed zero steps": Case(
            lambda: Rate(3).timed(), lambda m: m(num_timesteps=0), ValueError, "must be >= 1"
        ),
        "timed fractional steps": Case(
            lambda: Rate(3).timed(), lambda m: m(num_timesteps=2.5), TypeError, "whole number"
        ),
        "timed duration disagrees with steps": Case(
            lambda: Rate(3).timed(),
            lambda m: m(duration=0.01, num_timesteps=3),
            ValueError,
            "is 10 steps of dt",
        ),
        "timed set_attributes unknown key": Case(
            lambda: Rate(3).timed(),
            lambda m: m.set_attributes({"xx": np.zeros(3)}),
            KeyError,
            "'Rate.xx'",
        ),
    }
)


# ---- end of the issue 13 block ----------------------------------------------------------
# ---------------------------------------------------------------- issue 12 (part B) cases
# 1-D input, garbage values, named construction errors, NumPy modules under JAX transforms and
# shared JAX submodules. Kept in one block so that other additions do not collide with it.
class _UserModule(Module):
    """A user module: its own initial values are trusted, later values must be finite."""

    def __init__(self, shape: Any = 3, tau: Any = None) -> None:
        super().__init__(shape=shape)
        self.tau = Parameter(np.zeros(3) if tau is None else tau, family="taus", shape=(3,))

    def evolve(self, input_data, record=False):
        return input_data, {}, {}


class _JaxParent(JaxModule):
    def __init__(self) -> None:
        super().__init__(shape=(3, 3))
        self.first = LinearJax((3, 3))

    def evolve(self, input_data, record=False):
        return self.first(input_data)


def _under_grad(mod: Any) -> Any:
    return jax.grad(lambda x: mod(x)[0].sum())(jax.numpy.ones((4, mod.size_in)))


def _under_jit(mod: Any) -> Any:
    return jax.jit(lambda x: mod(x)[0])(jax.numpy.ones((4, mod.size_in)))


_ONE_D = r"got 1-D input of shape \(7,\), which is ambiguous\. Input is \(T, N\) or \(B, T, N\); "
_ONE_D += r"for one channel over time use x\[:, None\]"
_shared = LinearJax((3, 3))

CONSTRUCTION_12B = {
    "LIF threshold zero": (lambda: LIF(3, threshold=0.0), ValueError, r"LIF\.threshold: .*> 0"),
    "LIFJax threshold negative": (
        lambda: LIFJax(3, threshold=-1.0),
        ValueError,
        r"LIFJax\.threshold: expected a threshold > 0",
    ),
    "LIF max_spikes_per_dt negative": (
        lambda: LIF(3, max_spikes_per_dt=-1),
        ValueError,
        r"LIF\.max_spikes_per_dt: expected a spike count >= 0, got -1\.0",
    ),
    "LIF noise_std NaN": (
        lambda: LIF(3, noise_std=np.nan),
        ValueError,
        r"LIF\.noise_std: expected finite values",
    ),
    "Rate noise_std negative": (
        lambda: Rate(3, noise_std=-0.1),
        ValueError,
        r"Rate\.noise_std: expected values >= 0, got -0\.1",
    ),
    "ExpSynJax noise_std inf": (
        lambda: ExpSynJax(3, noise_std=np.inf),
        ValueError,
        r"ExpSynJax\.noise_std: expected finite values",
    ),
    "LIF size zero": (lambda: LIF(0), ValueError, r"LIF\.shape: expected sizes >= 1, got \(0, 0\)"),
    "LIF zero neurons": (lambda: LIF((3, 0)), ValueError, r"LIF\.shape: .*got \(3, 0\)"),
    "Rate size zero": (lambda: RateJax(0), ValueError, r"RateJax\.shape: expected sizes >= 1"),
    "Linear size zero": (lambda: Linear((0, 3)), ValueError, r"Linear\.shape: .*\(0, 3\)"),
    "ExpSyn negative size": (lambda: ExpSyn(-1), ValueError, r"ExpSyn\.shape: .*\(-1,\)"),
    "Instant size zero": (lambda: Instant(0), ValueError, r"Instant\.shape: .*\(0,\)"),
    "LIF tau_mem wrong shape": (
        lambda: LIF(4, tau_mem=np.ones(3)),
        ValueError,
        r"^LIF\.tau_mem: expected shape \(4,\) or \(\), got \(3,\)$",
    ),
    "LinearJax weight wrong shape": (
        lambda: LinearJax((2, 3), weight=np.ones((3, 3))),
        ValueError,
        r"^LinearJax\.weight: expected shape \(2, 3\), got \(3, 3\)$",
    ),
    "LIFJax unknown surrogate": (
        lambda: LIFJax(3, surrogate="foo"),
        ValueError,
        r"^LIFJax\.surrogate: Unknown surrogate 'foo': expected one of",
    ),
    "user parameter wrong shape": (
        lambda: _UserModule(tau=np.ones(4)),
        ValueError,
        r"^_UserModule: The shape provided for this Parameter",
    ),
    "shared JAX submodule": (
        lambda: Sequential(_shared, _shared),
        ValueError,
        r"1_LinearJax: this LinearJax object is already the submodule '0_LinearJax'.*"
        "tie weights explicitly",
    ),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTION_12B))
def test_bad_construction_names_module_and_attribute(name):
    build, error, match = CONSTRUCTION_12B[name]
    with pytest.raises(error, match=match):
        build()


for model, build in {
    **_models(),
    "Instant": lambda: Instant(3),
    "InstantJax": lambda: InstantJax(3),
    "Residual": lambda: Residual(Linear((3, 3)), Rate(3)),
    "FFwdStack": lambda: FFwdStack(Rate(3), LIF(3)),
    "Linear-LIF-Linear": lambda: Sequential(Linear((3, 3)), LIF(3), Linear((3, 3))),
    "Sequential of a user module": lambda: Sequential(_UserModule(), Rate(3)),
}.items():
    CASES[f"{model}: 1-D input"] = Case(build, _evolve(np.ones(7)), ValueError, _ONE_D)

CASES.update(
    {
        "set_attributes tau_mem None": Case(
            lambda: LIF(3),
            lambda m: m.set_attributes({"tau_mem": None}),
            ValueError,
            r"LIF\.tau_mem: expected a value of shape \(3,\), got None",
        ),
        "assign None to a JAX weight": Case(
            lambda: LinearJax((3, 3)),
            _set("weight", None),
            ValueError,
            r"LinearJax\.weight: expected a value of shape \(3, 3\), got None",
        ),
        "assign zero threshold": Case(
            lambda: LIF(3), _set("threshold", np.zeros(3)), ValueError, r"LIF\.threshold: .*> 0"
        ),
        "set_attributes negative threshold": Case(
            lambda: Sequential(LinearJax((3, 3)), LIFJax(3)),
            lambda m: m.set_attributes({"1_LIFJax": {"threshold": -np.ones(3)}}),
            ValueError,
            r"JaxSequential\.1_LIFJax\.threshold: expected a threshold > 0",
        ),
        "set_attributes negative max_spikes_per_dt": Case(
            lambda: LIFJax(3),
            lambda m: m.set_attributes({"max_spikes_per_dt": -1.0}),
            ValueError,
            r"LIFJax\.max_spikes_per_dt: expected a spike count >= 0",
        ),
        "assign NaN noise_std": Case(
            lambda: Rate(3), _set("noise_std", np.nan), ValueError, r"Rate\.noise_std: .*finite"
        ),
        "set_attributes negative noise_std": Case(
            lambda: ExpSyn(3),
            lambda m: m.set_attributes({"noise_std": -1.0}),
            ValueError,
            r"ExpSyn\.noise_std: expected values >= 0",
        ),
        "user module: NaN later": Case(
            _UserModule,
            lambda m: m.set_attributes({"tau": np.array([0.1, np.nan, 0.1])}),
            ValueError,
            r"_UserModule\.tau: expected finite values",
        ),
        "NumPy LIF under jax.grad": Case(
            lambda: LIF(3), _under_grad, TypeError, r"^LIF: LIF is a NumPy module .*Use LIFJax"
        ),
        "NumPy Rate under jax.jit": Case(
            lambda: Rate(3), _under_jit, TypeError, r"Rate is a NumPy module .*Use RateJax instead"
        ),
        "NumPy Sequential under jax.jit": Case(
            lambda: Sequential(Linear((3, 3)), LIF(3)),
            _under_jit,
            TypeError,
            r"ModSequential is a NumPy module .*Use a Sequential of JAX modules",
        ),
        "traced weight into a NumPy module": Case(
            lambda: Linear((3, 3)),
            lambda m: jax.grad(lambda w: m.set_attributes({"weight": w}).weight.sum())(
                jax.numpy.ones((3, 3))
            ),
            TypeError,
            r"Linear: .*new value for 'weight' is a JAX tracer.*Use LinearJax instead",
        ),
        "same JAX module assigned twice": Case(
            _JaxParent,
            lambda m: setattr(m, "second", m.first),
            ValueError,
            r"_JaxParent\.second: this LinearJax object is already the submodule 'first'",
        ),
        "append a JAX module already present": Case(
            lambda: Sequential(LinearJax((3, 3)), RateJax(3)),
            lambda m: m.append(m[1]),
            ValueError,
            r"2_RateJax: this RateJax object is already the submodule '1_RateJax'",
        ),
    }
)


# --- issue 12, part A: time constants made out of range without validation (in-place edits,
# functional updates under jit) are refused by the eager call, naming the time constant.
def _edited_in_place(build: Callable[[], Any], name: str) -> Callable[[], Any]:
    def make() -> Any:
        module = build()
        getattr(module, name)[...] = -0.01  # bypasses assignment checks
        return module

    return make


def _negated_under_jit() -> Any:
    net = Sequential(LinearJax((3, 3)), LIFJax(3))
    params = net.parameters()
    params["1_LIFJax"]["tau_mem"] = -params["1_LIFJax"]["tau_mem"]
    return jax.jit(lambda n, p: n.set_attributes(p))(net, params)


_TAU_REFUSED = "expected a time constant > 0 \\(seconds\\)"
CASES.update(
    {
        "LIF tau_syn edited in place": Case(
            _edited_in_place(lambda: LIF(3), "tau_syn"),
            _evolve(np.zeros((2, 3))),
            ValueError,
            rf"^LIF\.tau_syn: {_TAU_REFUSED}",
        ),
        "Rate tau edited in place": Case(
            _edited_in_place(lambda: Rate(3), "tau"),
            _evolve(np.zeros((2, 3))),
            ValueError,
            rf"^Rate\.tau: {_TAU_REFUSED}",
        ),
        "ExpSyn tau edited in place": Case(
            _edited_in_place(lambda: ExpSyn(3), "tau"),
            _evolve(np.zeros((2, 3))),
            ValueError,
            rf"^ExpSyn\.tau: {_TAU_REFUSED}",
        ),
        "JaxSequential tau_mem negated under jit": Case(
            _negated_under_jit,
            _evolve(np.zeros((2, 3), np.float32)),
            ValueError,
            rf"^JaxSequential\.1_LIFJax\.tau_mem: {_TAU_REFUSED}",
        ),
    }
)


def _contents(obj: Any, snapshot: Callable[[Any], Any]) -> Any:
    if hasattr(obj, "parameters"):
        return snapshot(obj)
    return (np.array(obj.times).tobytes(), repr(obj))


def test_the_matrix_is_large():
    assert len(CASES) + len(CONSTRUCTION) >= 50


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_raises_and_changes_nothing(name, snapshot):
    case = CASES[name]
    obj = case.build()
    before = _contents(obj, snapshot)
    with pytest.raises(case.error, match=case.match):
        case.action(obj)
    assert _contents(obj, snapshot) == before


@pytest.mark.parametrize("build", [lambda: Rate(3), lambda: LIFJax(3)], ids=["Rate", "LIFJax"])
@pytest.mark.parametrize("dtype", [np.int64, np.int8, bool])
def test_integer_and_bool_input_is_cast_to_float(build, dtype):
    out, _, _ = build()(np.ones((4, 3), dtype=dtype))
    assert out.dtype.kind == "f"
