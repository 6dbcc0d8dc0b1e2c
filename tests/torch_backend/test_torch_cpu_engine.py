"""Torch forward without autograd on the NumPy engine (shoal/backend/_torch_cpu.py).

Each case runs the same module twice under ``torch.no_grad()``: on the engine, and with it
switched off (the Torch loop, the reference). A spy on the Torch loop tells which path ran.
"""

from __future__ import annotations

import os
import subprocess
import sys
import types

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("numba")

from shoal.backend import _fused, torch_cpu_engine, torch_cpu_engine_enabled  # noqa: E402
from shoal.backend import torch_backend as torch_backend_module  # noqa: E402
from shoal.nn.modules import LIF  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    ExpSynTorch,
    LIFBitshiftTorch,
    LIFTorch,
    RateTorch,
)


@pytest.fixture
def torch_loops(monkeypatch):
    """How many times the Torch time loop ran (the engine never calls it)."""
    calls = []
    original = torch_backend_module._loop

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(torch_backend_module, "_loop", counting)
    return calls


def _spiking_input(dtype, shape=(3, 60, 4), seed=0):
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(shape, generator=generator) < 0.4).to(dtype) * 1.5


def _moderate_input(dtype, size_in, seed=0):
    """Continuous drive of a few spikes per neuron: float32 rounding differences between the
    engines stay at the level of one step's (no multi-spike resets amplifying them)."""
    generator = torch.Generator().manual_seed(seed)
    return (0.6 * torch.rand((2, 40, size_in), generator=generator)).to(dtype)


def _both_paths(module, x, **kwargs):
    """``(engine, torch)`` results of the same call from the same initial state."""
    results = []
    for engine in (True, False):
        module.reset_state()
        torch.manual_seed(1)  # noisy modules draw the same noise on both paths
        with torch_cpu_engine(engine), torch.no_grad():
            out, state, record = module(x, record=True, **kwargs)
        results.append((out, state, record, {k: v.clone() for k, v in module.state().items()}))
    return results


def _assert_same(engine, reference, rtol, atol):
    for got, want in zip(engine, reference, strict=True):
        if isinstance(got, dict):
            assert sorted(got) == sorted(want)
            for key in got:
                _assert_same([got[key]], [want[key]], rtol, atol)
            continue
        assert got.dtype == want.dtype and got.device == want.device
        assert not got.requires_grad
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=rtol, atol=atol)


MODULES = {
    "lif": lambda: LIFTorch(4, tau_mem=0.02, tau_syn=0.01, threshold=1.0),
    "lif-synapses": lambda: LIFTorch((8, 4), tau_syn=[[0.01, 0.03]] * 4, bias=0.1),
    "lif-recurrent": lambda: LIFTorch(
        4, has_rec=True, w_rec=0.1 * np.sin(np.arange(16.0)).reshape(4, 4)
    ),
    "lif-noisy": lambda: LIFTorch(4, noise_std=0.2),
    "lif-decays": lambda: LIFTorch(4, leak_mode="decays", alpha=0.9, beta=0.7),
    "lif-bitshifts": lambda: LIFTorch(4, leak_mode="bitshifts", dash_mem=3.0),
    "lif-bitshift-class": lambda: LIFBitshiftTorch(4, tau_mem=0.02),
    "lif-spike-limit": lambda: LIFTorch(4, max_spikes_per_dt=1.0, bias=3.0),
    "exp-syn": lambda: ExpSynTorch(4, tau=0.02),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_float64_engine_equals_torch_path(name, torch_loops):
    module = MODULES[name]().double()
    engine, reference = _both_paths(module, _spiking_input(torch.float64, (3, 60, module.size_in)))
    assert len(torch_loops) == 1  # the reference only
    _assert_same(engine, reference, rtol=0, atol=1e-10)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_float32_engine_agrees_with_torch_path_to_float32_precision(name, torch_loops):
    module = MODULES[name]()
    engine, reference = _both_paths(module, _moderate_input(torch.float32, module.size_in))
    assert len(torch_loops) == 1
    assert engine[0].dtype == torch.float32
    np.testing.assert_array_equal(engine[0].numpy(), reference[0].numpy())
    # NumPy rounds `a·b + c` twice where Torch's addcmul rounds once (see _multiply_add.py):
    # unfused float32 differed by up to 4.7e-5 over 40 steps there.
    _assert_same(engine, reference, rtol=0, atol=5e-5)


def test_float64_engine_equals_numpy_lif():
    params = {"tau_mem": [0.02, 0.03, 0.05, 0.01], "tau_syn": 0.01, "bias": 0.05}
    # float64 tensors: a float32 parameter converted by .double() would be 0.0199999995.
    torch_lif = LIFTorch(4, **{k: torch.tensor(v, dtype=torch.float64) for k, v in params.items()})
    numpy_lif = LIF(4, **params)
    x = _spiking_input(torch.float64)
    with torch.no_grad():
        out, state, record = torch_lif(x, record=True)
    expected_out, expected_state, expected_record = numpy_lif(x.numpy(), record=True)
    np.testing.assert_allclose(out.numpy(), expected_out, rtol=1e-10, atol=1e-12)
    for key in ("vmem", "isyn", "spikes"):
        np.testing.assert_allclose(state[key].numpy(), expected_state[key], atol=1e-12)
        np.testing.assert_allclose(record[key].numpy(), expected_record[key], atol=1e-12)


def test_engine_results_are_plain_tensors_and_state_is_kept(torch_loops):
    module = LIFTorch(4, bias=2.0)
    x = _spiking_input(torch.float32, shape=(1, 30, 4))
    with torch.inference_mode():
        out, state, _ = module(x)
    assert not torch_loops
    assert out.shape == (1, 30, 4) and out.dtype == torch.float32 and out.device.type == "cpu"
    assert out.sum() > 0
    np.testing.assert_array_equal(module.vmem.numpy(), state["vmem"].numpy())
    assert not module.vmem.requires_grad


def test_no_tensor_requiring_grad_is_enough(torch_loops):
    module = LIFTorch(4).requires_grad_(False)
    module(_spiking_input(torch.float32))  # grad mode on, nothing to differentiate
    assert not torch_loops


@pytest.mark.parametrize(
    "case",
    ["grad-recording", "input-requires-grad", "float16", "meta", "switch-off", "fused-off",
     "no-numba", "rate"],
)  # fmt: skip
def test_fallbacks_take_the_torch_path(case, torch_loops, monkeypatch):
    module = RateTorch(4) if case == "rate" else LIFTorch(4).requires_grad_(False)
    x = _spiking_input(torch.float32)
    if case in ("grad-recording", "input-requires-grad"):
        # Under autograd LIF's fused training loop would take the call; what is tested here is
        # that the no-grad engine declines it, so keep the generic loop.
        monkeypatch.setattr(
            torch_backend_module.TorchBackend, "fused_scan", staticmethod(lambda *a, **k: None)
        )
    if case == "grad-recording":
        module.requires_grad_(True)
    if case == "input-requires-grad":
        x.requires_grad_(True)
    if case == "float16":
        module, x = module.half(), x.half()
    if case == "meta":
        module, x = module.to("meta"), x.to("meta")
    if case == "no-numba":
        monkeypatch.setitem(_fused._available, "numba", False)
    with torch_cpu_engine(case != "switch-off"), _fused.fused_kernels(case != "fused-off"):
        out, _, _ = module(x)
    assert len(torch_loops) == 1
    assert out.shape == x.shape


def test_grad_recording_call_still_differentiates():
    module = LIFTorch(4, bias=2.0)
    out, _, _ = module(_spiking_input(torch.float32))
    out.sum().backward()
    assert module.bias.grad is not None and torch.isfinite(module.bias.grad).all()


def test_nan_input_propagates_without_warning_as_on_torch():
    x = _spiking_input(torch.float64)
    x[0, 5, 1] = float("nan")
    x[1, 3, 2] = float("inf")
    engine, reference = _both_paths(LIFTorch(4).double(), x)  # warnings are errors here
    np.testing.assert_array_equal(engine[0].isnan().numpy(), reference[0].isnan().numpy())
    assert engine[0].isnan().any()


def test_switch_refuses_a_non_bool():
    message = r"torch_cpu_engine: expected enabled to be a bool, got int"
    with pytest.raises(TypeError, match=message), torch_cpu_engine(1):  # type: ignore[arg-type]
        pass
    assert torch_cpu_engine_enabled()


def test_environment_switch_turns_the_engine_off():
    code = "from shoal.backend import torch_cpu_engine_enabled as e; print(e())"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "SHOAL_TORCH_CPU": "0"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------- torch.compile
def test_compiled_module_without_autograd_runs_the_engine_eagerly(torch_loops, monkeypatch):
    """Under no_grad the compiled call leaves dynamo at once (torch_module.__call__); the
    backend="eager" compiler keeps this test fast, the frame handling is dynamo's either way."""
    from shoal.nn.modules.torch import torch_module

    diverted = []
    original = torch_module._call_eagerly

    @torch.compiler.disable
    def counting(*args, **kwargs):
        diverted.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(torch_module, "_call_eagerly", counting)
    module = LIFTorch(4, tau_mem=0.02, bias=0.5)
    compiled = torch.compile(module, backend="eager")
    x = _spiking_input(torch.float32)
    outputs = []
    for call in (compiled, compiled, module):
        module.reset_state()
        with torch.no_grad():
            out, state, _ = call(x)
        outputs.append((out, state["vmem"]))
    assert not torch_loops and len(diverted) == 2  # the eager call is not diverted
    for out, vmem in outputs[:2]:
        np.testing.assert_array_equal(out.numpy(), outputs[2][0].numpy())
        np.testing.assert_array_equal(vmem.numpy(), outputs[2][1].numpy())


@pytest.mark.slow
# Dynamo's own tracing warns (as in test_torch_module's compile test); torch internals.
@pytest.mark.filterwarnings("ignore:.*should not be instantiated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:The .grad attribute of a Tensor that is not a leaf:UserWarning")
def test_compiled_training_call_is_not_retraced_after_an_import(monkeypatch):
    """torch.compile guarded on len(sys.modules) (the backend registry's is_tracer looked a
    library up there): every import between two calls re-traced the module."""
    from torch._dynamo.utils import counters

    module = LIFTorch(3)
    compiled = torch.compile(module, backend="eager")
    x = torch.rand(1, 5, 3)
    compiled(x)
    compiled(x)
    graphs = counters["stats"]["unique_graphs"]
    monkeypatch.setitem(sys.modules, "shoal_test_new_module", types.ModuleType("new"))
    out, _, _ = compiled(x)
    assert counters["stats"]["unique_graphs"] == graphs
    assert out.requires_grad


@pytest.mark.parametrize("leak_mode", ["taus", "decays", "bitshifts"])
def test_lif_torch_without_autograd_runs_the_fused_kernel(leak_mode, monkeypatch):
    # LIFTorch's dynamics is `lif_decays` (its leak modes), not `lif`: it must still name the
    # fused loop, or the engine silently runs NumPy's step-by-step loop (70x slower on (e)).
    pytest.importorskip("numba")
    from shoal.dynamics._fused import lif as fused_lif

    calls = []
    real = fused_lif.simulate

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(fused_lif, "simulate", spy)
    module = LIFTorch(4, leak_mode=leak_mode)
    x = _spiking_input(torch.float32)
    with torch.no_grad():
        out, _, _ = module(x)
    assert calls == [True]
    with torch_cpu_engine(False), torch.no_grad():
        module.reset_state()
        expected, _, _ = module(x)
    np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-5)
