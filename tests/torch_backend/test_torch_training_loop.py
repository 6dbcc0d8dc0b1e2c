"""The fused LIF training loop on Torch gives the generic loop's numbers and gradients.

Every configuration runs twice from the same seed: with the fused loop off
(``fused_kernels(False)``: the generic ``scan`` over ``lif.step``, differentiated by autograd)
and on, once per engine (numba kernels, Torch ops). Forward outputs and final states must be
equal (float64: to 1e-12; float32 without recurrence: bit for bit), and the gradients of every
parameter, of the Linear layer before the neurons and of the initial states to 1e-10 (float64).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.backend import _torch_bptt, fused_kernels  # noqa: E402
from shoal.backend.surrogates import FastSigmoid, PeriodicExponential, Sigmoid, StepPWL  # noqa: E402
from shoal.backend.torch_backend import XP  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules.torch import LIFBitshiftTorch, LIFTorch, LinearTorch  # noqa: E402

ENGINES = ["numba", "ops"]


class _DoubledPWL(StepPWL):
    """A user's own surrogate: only the Torch-ops engine runs its ``partials``."""

    def partials(self, xp, v, threshold):
        d_v, d_threshold = super().partials(xp, v, threshold)
        return 2.0 * d_v, 2.0 * d_threshold


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch):
    """Runs the test once per engine; counts the fused calls (proves the fused path ran)."""
    if request.param == "numba":
        pytest.importorskip("numba")
    else:
        monkeypatch.setitem(_torch_bptt._has_numba, "numba", False)
    calls = {"fused": 0, "engine": []}
    real = _torch_bptt._LIFLoop.apply

    def counted(loop_config, *args):
        calls["fused"] += 1
        calls["engine"].append(loop_config[0])
        return real(loop_config, *args)

    monkeypatch.setattr(_torch_bptt._LIFLoop, "apply", counted)
    calls["name"] = request.param
    return calls


def _network(seed, n_in, n, n_syn, dtype, neuron=LIFTorch, batches=3, **kwargs):
    rng = np.random.default_rng(seed)

    def tensor(value):
        return torch.tensor(value, dtype=dtype)

    weight = tensor(rng.normal(0.0, 1.5 / np.sqrt(n_in), (n_in, n * n_syn)))
    leak = {}
    if neuron is LIFTorch and kwargs.get("leak_mode", "taus") == "taus":
        leak = {"tau_mem": tensor(rng.uniform(3e-3, 40e-3, n)),
                "tau_syn": tensor(rng.uniform(2e-3, 20e-3, (n, n_syn)))}  # fmt: skip
    elif kwargs.get("leak_mode") == "decays":
        leak = {"alpha": tensor(rng.uniform(0.5, 1.0, n)),
                "beta": tensor(rng.uniform(0.3, 1.0, (n, n_syn)))}  # fmt: skip
    if kwargs.pop("scalar_threshold", False):
        threshold = tensor(rng.uniform(0.3, 1.5))
    else:
        threshold = tensor(rng.uniform(0.3, 1.5, n))
    if kwargs.get("has_rec"):
        kwargs["w_rec"] = tensor(rng.normal(0.0, 0.5, (n, n * n_syn)))
    lif = neuron((n * n_syn, n), bias=tensor(rng.normal(0.0, 0.3, n)), threshold=threshold,
                 **leak, **kwargs)  # fmt: skip
    net = Sequential(LinearTorch((n_in, n * n_syn), weight=weight), lif)
    if dtype == torch.float64:
        net = net.double()
    # Non-zero initial states that require grad: the gradient reaches them (torch-backend §2).
    lif.vmem = tensor(rng.normal(0.0, 0.5, n)).requires_grad_()
    lif.isyn = tensor(rng.normal(0.0, 0.5, (n, n_syn))).requires_grad_()
    if kwargs.get("has_rec"):
        lif.spikes = tensor(rng.integers(0, 2, n).astype(float)).requires_grad_()
    x = tensor(rng.random((batches, 25, n_in)) < 0.3) * rng.uniform(0.5, 3.0)
    return net, lif, x


def _run(build, fused, seed=0, edit=None):
    """Output, final state and the gradients of a loss on both, from ``build()``."""
    torch.manual_seed(seed)  # the noise, if any
    net, lif, x = build()
    initial = [("vmem0", lif.vmem), ("isyn0", lif.isyn), ("spikes0", lif.spikes)]  # replaced
    with fused_kernels(fused):
        out, state, _ = net(x)
    if edit is not None:
        edit(out)
    rng = np.random.default_rng(99)
    final = state[list(state)[-1]]
    loss = (out * torch.tensor(rng.normal(size=out.shape), dtype=out.dtype)).sum()
    for key in ("vmem", "isyn"):
        if final[key].requires_grad:
            weights = torch.tensor(rng.normal(size=final[key].shape), dtype=out.dtype)
            loss = loss + (final[key] * weights).sum()
    loss.backward()
    named = [(name, value) for name, value in net.named_parameters()]
    named += initial
    grads = {name: value.grad.clone() for name, value in named if value.grad is not None}
    finals = {key: value.detach().clone() for key, value in final.items()}
    return out.detach(), finals, grads


def _assert_same(build, tolerance=1e-10, exact=False):
    out_a, final_a, grads_a = _run(build, fused=False)
    out_b, final_b, grads_b = _run(build, fused=True)
    if exact:
        assert torch.equal(out_a, out_b)
    torch.testing.assert_close(out_b, out_a, rtol=0, atol=1e-12)
    assert final_a.keys() == final_b.keys()
    for key in final_a:
        torch.testing.assert_close(final_b[key], final_a[key], rtol=1e-12, atol=1e-12)
    assert grads_a.keys() == grads_b.keys()
    assert {"0_LinearTorch.weight", "vmem0", "isyn0"} <= grads_a.keys()
    assert any(name.endswith(".threshold") for name in grads_a)
    for name in grads_a:
        scale = max(1.0, float(grads_a[name].abs().max()))
        torch.testing.assert_close(grads_b[name], grads_a[name], rtol=0, atol=tolerance * scale,
                                   msg=lambda m, name=name: f"{name}: {m}")  # fmt: skip
    return out_a


SURROGATES = [StepPWL(), StepPWL(0.2), PeriodicExponential(0.3, 2.0**16), Sigmoid(4.0),
              FastSigmoid(8.0)]  # fmt: skip


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("surrogate", SURROGATES, ids=lambda s: repr(s))
def test_gradients_equal_the_generic_loop(engine, seed, surrogate):
    n = 4 + seed * 3
    n_syn = 1 + seed % 2

    def build():
        return _network(seed, 6, n, n_syn, torch.float64, spike_generation_fn=surrogate,
                        batches=1 + seed)  # fmt: skip

    out = _assert_same(build)
    assert engine["fused"] == 1 and engine["engine"] == [engine["name"]]
    assert float(out.max()) >= 1.0  # spikes happened: the surrogate and reset terms count


@pytest.mark.parametrize("max_spikes", [1.0, 2.0, 2.0**16])
def test_multi_spike_counts_and_their_cap(engine, max_spikes):
    def build():
        net, lif, x = _network(5, 6, 7, 1, torch.float64, max_spikes_per_dt=max_spikes,
                               spike_generation_fn=PeriodicExponential)  # fmt: skip
        return net, lif, 4.0 * x  # strong input: several spikes per step

    out = _assert_same(build)
    assert float(out.max()) == min(max_spikes, 26.0)  # the cap binds, or 26 spikes in a step


@pytest.mark.parametrize("mode", ["decays", "bitshifts"])
def test_leak_modes_and_scalar_threshold(engine, mode):
    def build():
        return _network(3, 5, 6, 2, torch.float64, leak_mode=mode, scalar_threshold=True)

    _assert_same(build)
    assert engine["fused"] == 1


@pytest.mark.parametrize("surrogate", SURROGATES, ids=lambda s: repr(s))
def test_non_positive_thresholds_never_fire(engine, surrogate):
    """θ ≤ 0 never fires (``prepare`` makes it the largest float, outside the fused loop); every
    surrogate's partials stay finite (zero) there, as in the generic loop."""

    def build():
        net, lif, x = _network(2, 5, 6, 1, torch.float64, spike_generation_fn=surrogate)
        with torch.no_grad():
            lif.threshold[0] = -0.5
            lif.threshold[1] = 0.0
        return net, lif, x

    out = _assert_same(build)
    assert float(out[..., :2].abs().max()) == 0.0 and engine["fused"] == 1


def test_bitshift_neurons_use_the_same_loop(engine):
    _assert_same(lambda: _network(4, 5, 6, 1, torch.float64, neuron=LIFBitshiftTorch))
    assert engine["fused"] == 1


def test_noise_gets_its_gradient_too(engine):
    _assert_same(lambda: _network(6, 5, 6, 1, torch.float64, noise_std=0.3))
    assert engine["fused"] == 1


def test_float32_forward_is_bit_identical(engine):
    for seed in range(3):
        _assert_same(lambda seed=seed: _network(seed, 8, 16, 1, torch.float32), 1e-4, exact=True)


@pytest.mark.parametrize("seed", [7, 8])
def test_recurrence(engine, seed):
    """``w_rec`` gets its gradient, and so do the initial spikes (they feed the first step)."""
    out = _assert_same(lambda: _network(seed, 5, 6, 1 + seed % 2, torch.float64, has_rec=True,
                                        noise_std=0.1))  # fmt: skip
    assert engine["engine"] == [engine["name"]] and float(out.max()) >= 1.0


def test_float32_recurrent_forward_is_bit_identical(engine):
    _assert_same(lambda: _network(3, 8, 16, 1, torch.float32, has_rec=True), 1e-4, exact=True)


def test_a_user_surrogate_runs_its_own_partials(engine):
    surrogate = _DoubledPWL()
    _assert_same(lambda: _network(8, 5, 6, 1, torch.float64, spike_generation_fn=surrogate))
    assert engine["engine"] == ["ops"]


@pytest.mark.parametrize("case", ["record", "no_grad", "switch_off"])
def test_uncovered_calls_run_the_generic_loop(engine, case):
    net, _, x = _network(0, 5, 6, 1, torch.float64)
    if case == "no_grad":
        with torch.no_grad():
            net(x)
    elif case == "switch_off":
        with fused_kernels(False):
            net(x)
    else:
        out, _, records = net(x, record=True)
        assert out.requires_grad and records
    assert engine["fused"] == 0


def test_nothing_requiring_grad_runs_the_generic_loop(engine):
    net, lif, x = _network(0, 5, 6, 1, torch.float64)
    net.requires_grad_(False)
    lif.vmem = lif.vmem.detach()
    lif.isyn = lif.isyn.detach()
    net(x)
    assert engine["fused"] == 0


def test_environment_switch_turns_it_off():
    code = (
        "import torch\n"
        "from shoal.backend import _torch_bptt\n"
        "from shoal.nn.modules.torch import LIFTorch\n"
        "_torch_bptt._LIFLoop.apply = None  # calling it would fail\n"
        "out, _, _ = LIFTorch(3)(torch.ones(1, 5, 3))\n"
        "out.sum().backward()\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "SHOAL_FUSED": "0"},
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_trains_without_waiting_on_the_parents_threads():
    pytest.importorskip("numba")
    code = (
        "import os, torch\n"
        "from shoal.dynamics._fused import _rows\n"
        "from shoal.nn.modules.torch import LIFTorch\n"
        "torch.set_num_threads(2)\n"
        "def train():\n"
        "    out, _, _ = LIFTorch(3)(torch.ones(4, 5, 3))\n"
        "    out.sum().backward()\n"
        "train()\n"
        "assert _rows._pool  # the parent's pool exists\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    train()\n"
        "    os._exit(0)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "assert status == 0, status\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True,
                            text=True, check=False, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_editing_the_output_in_place_changes_no_gradient(engine):
    """The backward keeps its own spike counts: ``out.add_(…)`` (allowed on the generic path,
    whose stacked output is a copy) must not leak into the reset and threshold terms."""

    def build():
        return _network(1, 5, 6, 1, torch.float64)

    def edit(out):
        out.add_(7.0)

    _, _, grads_a = _run(build, fused=False, edit=edit)
    _, _, grads_b = _run(build, fused=True, edit=edit)
    for name in grads_a:
        torch.testing.assert_close(grads_b[name], grads_a[name], rtol=1e-10, atol=1e-10)


def test_an_in_place_parameter_change_before_backward_raises(engine):
    net, lif, x = _network(0, 5, 6, 1, torch.float64)
    out, _, _ = net(x)
    with torch.no_grad():
        lif.bias.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_a_second_derivative_raises_rather_than_being_zero(engine):
    net, _, x = _network(0, 5, 6, 1, torch.float64)
    out, _, _ = net(x)
    weight = next(iter(net.parameters().astorch()))
    with pytest.raises(NotImplementedError, match=r"second derivatives \(backward with "
                       r"create_graph=True\) are not implemented by the fused LIF training loop; "
                       r"run the module inside shoal.backend.fused_kernels\(False\)"):  # fmt: skip
        torch.autograd.grad(out.sum(), weight, create_graph=True)
    with fused_kernels(False):  # the generic loop differentiates twice
        out, _, _ = net(x)
        (grad,) = torch.autograd.grad(out.sum(), weight, create_graph=True)
    assert grad.requires_grad


def test_gradcheck_below_threshold():
    """Where no neuron comes near θ the loop is linear and the surrogate gate closed: the
    backward is then the exact derivative, which finite differences confirm."""
    rng = np.random.default_rng(0)
    steps, batches, n_syn, n = 6, 2, 2, 3

    def tensor(shape, low=-0.3, high=0.3):
        return torch.tensor(rng.uniform(low, high, shape), requires_grad=True)

    operands = (tensor((steps, batches, n_syn, n)), None, tensor((n,), 0.5, 0.9),
                tensor((n_syn, n), 0.5, 0.9), tensor((n,)), tensor((n,), 20.0, 30.0),
                tensor((batches, n_syn, n)), tensor((batches, n)), None, None)  # fmt: skip
    for name in ENGINES:
        if name == "numba":
            pytest.importorskip("numba")

        def loop(*values, name=name):
            return _torch_bptt._LIFLoop.apply((name, 2.0**16, StepPWL(), XP), *values)

        assert torch.autograd.gradcheck(loop, operands)


def test_batch_rows_split_over_threads(engine, monkeypatch):
    """More Torch threads than one: the numba engine runs batch chunks in parallel threads."""
    monkeypatch.setattr(torch, "get_num_threads", lambda: 3)
    _assert_same(lambda: _network(9, 5, 6, 1, torch.float64, batches=5))
    assert engine["fused"] == 1


def test_batch_chunks_cover_every_row_once_and_errors_reach_the_caller(monkeypatch):
    pytest.importorskip("numba")
    from shoal.backend import _torch_bptt_numba

    monkeypatch.setattr(torch, "get_num_threads", lambda: 4)
    seen = []
    _torch_bptt_numba._in_threads(lambda start, stop: seen.extend(range(start, stop)), 37)
    assert sorted(seen) == list(range(37))

    def failing(start, stop):
        if start > 0:
            raise ValueError(f"chunk {start}")

    with pytest.raises(ValueError, match="chunk"):
        _torch_bptt_numba._in_threads(failing, 37)


# Dynamo itself reads `.grad` of non-leaf tensors while tracing a Sequential (a UserWarning
# from inside torch, raised as an error by the suite's filterwarnings=error).
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf")
def test_torch_compile_uses_the_fused_loop(engine):
    """Under ``torch.compile`` the loop is a graph break (as the generic one): same gradients."""
    if engine["name"] == "ops":
        pytest.skip("one engine is enough: compilation is slow")

    def gradients(compile_it):
        torch.manual_seed(0)
        weight = torch.tensor(np.random.default_rng(0).normal(0.0, 1.0, (5, 6)))
        net = Sequential(LinearTorch((5, 6), weight=weight), LIFTorch(6, threshold=0.5)).double()
        call = torch.compile(net, backend="eager") if compile_it else net  # no inductor: fast
        x = torch.rand(2, 20, 5, dtype=torch.float64) * 3.0
        with fused_kernels(compile_it):
            out, _, _ = call(x)
        out.sum().backward()
        return [p.grad for p in net.parameters().astorch()]

    eager = gradients(False)
    assert engine["fused"] == 0
    compiled = gradients(True)
    assert engine["fused"] == 1
    for a, b in zip(eager, compiled):
        torch.testing.assert_close(b, a, rtol=0, atol=1e-10)
