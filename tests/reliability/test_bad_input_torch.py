"""The bad-input guarantees on the Torch backend (the Torch block of the bad-input matrix).

Every case raises the documented exception type with a message naming the module path, and
leaves every parameter, state and simulation parameter bit-identical (compared on the host,
detached). The NumPy/JAX matrix is ``test_bad_input_matrix.py``; the messages are the same.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import shoal  # noqa: E402
from shoal import DeviceMismatchError, NonFiniteError  # noqa: E402
from shoal._errors import UnknownAttributeError  # noqa: E402
from shoal.nn.combinators import FFwdStack, Residual, Sequential  # noqa: E402
from shoal.nn.modules import LIF, Rate  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    ExpSynTorch,
    InstantTorch,
    LIFTorch,
    LinearTorch,
    RateTorch,
)


@dataclass(frozen=True)
class Case:
    build: Callable[[], Any]  # the module whose contents must survive the failed call
    action: Callable[[Any], Any]  # the bad call
    error: type[BaseException]
    match: str


def _freeze(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {key: _freeze(value) for key, value in tree.items()}
    if isinstance(tree, torch.Tensor):
        array = tree.detach().cpu().numpy().copy()
        return (str(tree.dtype), str(tree.device), array.shape, array.tobytes())
    return copy.deepcopy(tree) if not callable(tree) else tree


def _snapshot(module: Any) -> Any:
    return (
        _freeze(module.parameters()),
        _freeze(module.state()),
        _freeze(module.simulation_parameters()),
        module.shape,
        repr(module),
    )


def _models() -> dict[str, Callable[[], Any]]:
    return {
        "RateTorch": lambda: RateTorch(3),
        "LIFTorch": lambda: LIFTorch(3),
        "ExpSynTorch": lambda: ExpSynTorch(3),
        "LinearTorch": lambda: LinearTorch((3, 3)),
        "InstantTorch": lambda: InstantTorch(3),
        "TorchSequential": lambda: Sequential(LinearTorch((3, 3)), LIFTorch(3)),
    }


_SHAPES = r"expected input of shape \(T, 3\) or \(B, T, 3\), got shape"
# Every model × every kind of bad input; `{path}` is the module that raises (a combinator's
# first submodule checks the input).
BAD_INPUTS = {
    "wrong channel count": (
        torch.ones(4, 2),
        ValueError,
        "Input has wrong neuron dimension. It is 2, must be 3",
    ),
    "0-d tensor": (torch.tensor(1.0), ValueError, rf"{_SHAPES} \(\) \(0-d\)"),
    "4-d tensor": (torch.ones(1, 2, 4, 3), ValueError, rf"{_SHAPES} \(1, 2, 4, 3\) \(4-d\)"),
    "empty time axis": (torch.ones(0, 3), ValueError, r"input has no time steps \(T = 0\)"),
    "complex tensor": (
        torch.ones(2, 3, dtype=torch.complex64),
        TypeError,
        "expected numeric input .* dtype torch.complex64",
    ),
    "string array": (np.array([["a", "b", "c"]]), TypeError, "expected numeric input"),
    "ragged list": ([[1.0, 2.0, 3.0], [1.0, 2.0]], ValueError, "input could not be converted"),
    "tensor on a data-less device": (
        torch.ones(2, 3, device="meta"),
        DeviceMismatchError,
        "input is on device 'meta', the module on 'cpu'",
    ),
}
# 1-D input is refused by the combinator itself, before any submodule sees it.
ONE_D = (torch.ones(3), ValueError, r"got 1-D input of shape \(3,\), which is ambiguous")


def _path(model: str) -> str:
    return "TorchSequential.0_LinearTorch" if model == "TorchSequential" else model


def _evolve(x: Any) -> Callable[[Any], Any]:
    return lambda mod: mod(x)


CASES: dict[str, Case] = {}
for model, build in _models().items():
    for what, (x, error, match) in BAD_INPUTS.items():
        CASES[f"{model}: {what}"] = Case(build, _evolve(x), error, rf"^{_path(model)}: {match}")
    CASES[f"{model}: 1-d tensor"] = Case(
        build, _evolve(ONE_D[0]), ONE_D[1], rf"^{model}: {ONE_D[2]}"
    )


def _edited_in_place(build: Callable[[], Any], *path: str) -> Callable[[], Any]:
    def make() -> Any:
        module = build()
        target = module
        for name in path[:-1]:
            target = target.modules()[name]
        with torch.no_grad():
            getattr(target, path[-1])[...] = -0.01  # bypasses the assignment checks
        return module

    return make


def _debug(module: Any, x: Any) -> Any:
    with shoal.debug_mode():
        return module(x)


def _edited_parameter() -> Any:
    net = Sequential(LinearTorch((3, 3)), RateTorch(3))
    with torch.no_grad():
        net[1].bias[1] = float("inf")
    return net


_TAU = r"expected a time constant > 0 \(seconds\)"
CASES.update(
    {
        "set_attributes wrong shape": Case(
            lambda: LIFTorch(3),
            lambda m: m.set_attributes({"bias": torch.zeros(4)}),
            ValueError,
            r"^LIFTorch\.bias: expected shape \(3,\), got \(4,\)",
        ),
        "set_attributes NaN": Case(
            lambda: RateTorch(3),
            lambda m: m.set_attributes({"bias": torch.tensor([0.0, float("nan"), 0.0])}),
            ValueError,
            r"^RateTorch\.bias: expected finite values",
        ),
        "set_attributes negative tau among good values": Case(
            lambda: Sequential(LinearTorch((3, 3)), LIFTorch(3)),
            lambda m: m.set_attributes(
                {"1_LIFTorch": {"bias": torch.ones(3), "tau_syn": -torch.ones(3, 1)}}
            ),
            ValueError,
            rf"TorchSequential\.1_LIFTorch\.tau_syn: {_TAU}",
        ),
        "set_attributes unknown key": Case(
            lambda: Sequential(LinearTorch((3, 3)), LIFTorch(3)),
            lambda m: m.set_attributes({"1_LIFTorch": {"treshold": torch.ones(3)}}),
            UnknownAttributeError,
            r"1_LIFTorch\.treshold' \(did you mean 'threshold'",
        ),
        "assign zero tau": Case(
            lambda: ExpSynTorch(3),
            lambda m: setattr(m, "tau", torch.zeros(3)),
            ValueError,
            rf"^ExpSynTorch\.tau: {_TAU}",
        ),
        "assign inf weight": Case(
            lambda: LinearTorch((2, 3)),
            lambda m: setattr(m, "weight", torch.full((2, 3), float("inf"))),
            ValueError,
            r"^LinearTorch\.weight: expected finite values",
        ),
        "assign negative threshold": Case(
            lambda: LIFTorch(3),
            lambda m: setattr(m, "threshold", -torch.ones(3)),
            ValueError,
            r"^LIFTorch\.threshold: expected a threshold > 0",
        ),
        "assign complex weight": Case(
            lambda: LinearTorch((2, 3)),
            lambda m: setattr(m, "weight", torch.ones(2, 3, dtype=torch.complex64)),
            TypeError,
            r"^LinearTorch\.weight: expected real numbers, got complex data",
        ),
        "set_attributes text": Case(
            lambda: LIFTorch(3),
            lambda m: m.set_attributes({"tau_mem": "slow"}),
            TypeError,
            r"^LIFTorch\.tau_mem: expected numbers, got the text 'slow'",
        ),
        "assign text to a parameter": Case(
            lambda: RateTorch(3),
            lambda m: setattr(m, "tau", "fast"),
            TypeError,
            r"^RateTorch\.tau: expected numbers, got the text 'fast'",
        ),
        "assign a NumPy submodule": Case(
            lambda: Sequential(LinearTorch((3, 3)), RateTorch(3)),
            lambda m: setattr(m, "extra", Rate(3)),
            ValueError,
            r"^TorchSequential\.extra: submodules of a TorchModule must themselves be "
            r"TorchModules; got a Rate\. Use the Torch flavour \(e\.g\. RateTorch\)",
        ),
        "append a NumPy module": Case(
            lambda: Sequential(LinearTorch((3, 3)), RateTorch(3)),
            lambda m: m.append(Rate(3)),
            ValueError,
            "backend",
        ),
        "tau edited in place, stateful module first": Case(
            # LIFTorch evolves and commits its state, then RateTorch refuses: rolled back.
            _edited_in_place(lambda: Sequential(LIFTorch(3), RateTorch(3)), "1_RateTorch", "tau"),
            _evolve(torch.ones(4, 3)),
            ValueError,
            rf"^TorchSequential\.1_RateTorch\.tau: {_TAU}",
        ),
        "NaN input in debug mode": Case(
            lambda: Sequential(LinearTorch((3, 3)), LIFTorch(3)),
            lambda m: _debug(m, torch.tensor([[0.0, float("nan"), 0.0]])),
            NonFiniteError,
            r"^TorchSequential: NaN or inf in input",
        ),
        "inf parameter in debug mode": Case(
            _edited_parameter,
            lambda m: _debug(m, torch.ones(2, 3)),
            NonFiniteError,
            r"^TorchSequential: NaN or inf in parameters\['1_RateTorch'\]\['bias'\]",
        ),
    }
)


CONSTRUCTION = {
    "negative tau": (lambda: ExpSynTorch(3, tau=-1.0), ValueError, rf"^ExpSynTorch\.tau: {_TAU}"),
    "zero tau_syn": (lambda: LIFTorch(3, tau_syn=0.0), ValueError, rf"^LIFTorch\.tau_syn: {_TAU}"),
    "non-positive tau tensor": (
        lambda: LIFTorch(2, tau_mem=torch.tensor([-1.0, 1.0])),
        ValueError,
        rf"^LIFTorch\.tau_mem: {_TAU}",
    ),
    "NaN bias": (
        lambda: RateTorch(3, bias=[np.nan, 0, 0]),
        ValueError,
        r"^RateTorch\.bias: .*finite",
    ),
    "complex weight": (
        lambda: LinearTorch((2, 3), weight=np.ones((2, 3)) * 1j),
        TypeError,
        r"^LinearTorch\.weight: expected real numbers, got complex data \(dtype complex128\)",
    ),
    "text tau": (lambda: RateTorch(3, tau="fast"), TypeError, r"^RateTorch\.tau: expected numbers"),
    "synapse count": (
        lambda: LIFTorch((3, 2)),
        ValueError,
        "^LIFTorch: .*integer number of synapses",
    ),
    "Rate in != out": (
        lambda: RateTorch((4, 3)),
        ValueError,
        "^RateTorch: .*`size_out` == `size_in`",
    ),
    "ExpSyn 2-d shape": (
        lambda: ExpSynTorch((4, 2)),
        ValueError,
        "^ExpSynTorch: .*one-dimensional",
    ),
    "learning window": (
        lambda: LIFTorch(3, learning_window=0.0),
        ValueError,
        r"^LIFTorch\.learning_window: expected a value > 0, got 0\.0",
    ),
    "misspelled keyword": (
        lambda: LIFTorch(3, tau_men=0.1),
        TypeError,
        "^LIFTorch: unexpected keyword argument 'tau_men' .did you mean 'tau_mem'",
    ),
    "size mismatch": (
        lambda: Sequential(LinearTorch((2, 3)), RateTorch(4)),
        ValueError,
        r"^TorchSequential: The output of submodule 0 \(LinearTorch\) does not match",
    ),
    "mixed backends, NumPy first": (
        lambda: Sequential(LIF(3), LIFTorch(3)),
        ValueError,
        r"^Sequential: sub-modules mix backends: NumPy modules 0_LIF \(LIF\) and Torch modules "
        r"1_LIFTorch \(LIFTorch\)",
    ),
    "mixed backends in a Residual": (
        lambda: Residual(LinearTorch((3, 3)), Rate(3)),
        ValueError,
        "^Residual: sub-modules mix backends",
    ),
    "mixed backends in an FFwdStack": (
        lambda: FFwdStack(RateTorch(3), Rate(3)),
        ValueError,
        "^FFwdStack: sub-modules mix backends",
    ),
}


def test_the_torch_block_is_large():
    assert len(CASES) + len(CONSTRUCTION) >= 70


@pytest.mark.parametrize("name", sorted(CONSTRUCTION))
def test_bad_torch_construction(name):
    build, error, match = CONSTRUCTION[name]
    with pytest.raises(error, match=match):
        build()


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_torch_input_raises_and_changes_nothing(name):
    case = CASES[name]
    module = case.build()
    before = _snapshot(module)
    with pytest.raises(case.error, match=case.match):
        case.action(module)
    assert _snapshot(module) == before


def test_mixing_backends_with_jax_names_both():
    pytest.importorskip("jax")
    from shoal.nn.modules import LinearJax

    with pytest.raises(ValueError, match=r"JAX modules 1_LinearJax .* Torch modules 0_LIFTorch"):
        Sequential(LIFTorch(2), LinearJax((2, 2)))
