"""aLIFTorch, LIFNeuronTorch, LIFBitshiftTorch: torch-backend.md §3.3–3.5 and their contract.

The catalogue-2 tables run on Torch in ``tests/models/test_catalogue2_torch.py``; the
cross-backend agreement is in ``test_torch_catalogue2_equivalence.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import shoal.nn.modules as modules  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    LIFBitshiftTorch,
    LIFNeuronTorch,
    PeriodicExponential,
    aLIFTorch,
)

X_LIF = torch.tensor([[0.6, 0], [0.6, 0], [0, 3], [0, 0], [0, 0]])


def _numpy(value: torch.Tensor) -> np.ndarray:
    return value.detach().numpy()


# ---------------------------------------------------------------------------- aLIFTorch (§3.3)
def test_alif_torch_example_and_families():
    mod = aLIFTorch(
        2,
        tau_mem=torch.tensor([0.02, 0.01]),
        tau_syn=torch.tensor(0.005),
        bias=torch.tensor([0, 0.1]),
        tau_ahp=torch.tensor([0.03, 0.05]),
        w_ahp=torch.tensor([-0.5, -0.2]),
    )
    out, state, record = mod(X_LIF, record=True)
    np.testing.assert_array_equal(_numpy(out[0]), [[0, 0], [1, 0], [0, 2], [0, 2], [0, 1]])
    iahp = [[0, 0], [0, 0], [-0.483608, 0], [-0.467753, -0.392079], [-0.452419, -0.776395]]
    vmem = [
        [0.491238, 0.1],
        [0.360711, 0.190484],
        [0.59099, 0.728549],
        [0.693298, 0.378099],
        [0.697392, 0.312158],
    ]
    np.testing.assert_allclose(_numpy(record["iahp"][0]), iahp, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_numpy(record["vmem"][0]), vmem, rtol=1e-5)
    assert set(record) == {"vmem", "isyn", "irec", "iahp", "spikes"}
    assert list(mod.state()) == ["vmem", "isyn", "spikes", "iahp"]
    assert not any(value.requires_grad for value in state.values()), "state is detached"
    assert set(mod.parameters("weights")) == {"w_ahp"}
    assert set(mod.parameters("thresholds")) == {"threshold"}
    assert mod.spiking_input and mod.spiking_output and mod.leak_mode == "taus"
    assert aLIFTorch((4, 2))(torch.ones(3, 4))[0].shape == (1, 3, 2)


def test_alif_torch_gradients_reach_every_parameter():
    mod = aLIFTorch(2, has_rec=True, w_ahp=-0.3, bias=0.1)
    mod(torch.ones(20, 2))[0].sum().backward()
    for name, value in mod.parameters().items():
        assert value.grad is not None and torch.all(torch.isfinite(value.grad)), name
        assert torch.any(value.grad != 0), name


# ---------------------------------------------------------------------------- LIFNeuronTorch (§3.4)
def test_lif_neuron_torch_example_and_gradients():
    mod = LIFNeuronTorch(2, tau_mem=[0.02, 0.01], bias=[0, 0.1], threshold=torch.tensor(1.0))
    assert mod.threshold.ndim == 0
    out, state, record = mod(X_LIF, record=True)
    np.testing.assert_array_equal(_numpy(out[0]), [[0, 0], [1, 0], [0, 3], [0, 0], [0, 0]])
    vmem = [
        [0.6, 0.1],
        [0.170738, 0.190484],
        [0.162411, 0.272357],
        [0.15449, 0.346439],
        [0.146955, 0.413471],
    ]
    np.testing.assert_allclose(_numpy(record["vmem"][0]), vmem, rtol=1e-5)
    assert list(state) == ["vmem"] and list(record) == ["vmem", "spikes"]
    out.sum().backward()
    np.testing.assert_allclose(_numpy(mod.tau_mem.grad), [1.42684, 2.5423], rtol=1e-4)
    np.testing.assert_allclose(float(mod.threshold.grad), -4.47236, rtol=1e-4)
    np.testing.assert_allclose(_numpy(mod.bias.grad), [2, 2.72357], rtol=1e-4)


def test_lif_neuron_torch_registration():
    mod = LIFNeuronTorch(3)
    assert list(mod.parameters()) == ["tau_mem", "threshold", "bias"]
    assert mod.bias.ndim == 0 and float(mod.bias.detach()) == 0.0
    assert not mod.spiking_input and mod.spiking_output and mod.n_neurons == 3
    assert mod.learning_window == 0.5


def test_lif_neuron_torch_spike_generation_fn_picks_the_surrogate():
    def grads(**kwargs):
        mod = LIFNeuronTorch(1, **kwargs)
        mod(torch.full((1, 1), 0.7))[0].sum().backward()  # one step: vmem 0.7, θ = 1
        return float(mod.bias.grad)

    assert grads() == 1.0, "StepPWL: 1/θ inside the 0.5 window below θ"
    assert grads(spike_generation_fn=PeriodicExponential) == pytest.approx(np.exp(-0.6), rel=1e-6)
    assert grads(learning_window=0.1) == 0.0, "vmem 0.7 is outside a 0.1 window below θ"


# ---------------------------------------------------------------------------- LIFBitshiftTorch (§3.5)
def test_lif_bitshift_torch_example():
    mod = LIFBitshiftTorch(
        2,
        tau_mem=torch.tensor([0.02, 0.01]),
        tau_syn=torch.tensor([[0.005], [0.003]]),
    )
    np.testing.assert_allclose(_numpy(mod.tau_mem), [0.0154946, 0.00748888], rtol=1e-5)
    np.testing.assert_allclose(_numpy(mod.tau_syn), [[0.00347606], [0.00347606]], rtol=1e-5)
    np.testing.assert_allclose(_numpy(mod.alpha), [0.9375, 0.875], rtol=1e-6)
    out, _, record = mod(X_LIF, record=True)
    np.testing.assert_array_equal(_numpy(out[0]), [[0, 0], [1, 0], [0, 2], [1, 1], [0, 2]])
    vmem = [
        [0.45, 0],
        [0.209375, 0],
        [0.786914, 0.25],
        [0.180701, 0.90625],
        [0.501634, 0.0585938],
    ]
    np.testing.assert_allclose(_numpy(record["vmem"][0]), vmem, rtol=1e-5, atol=1e-6)
    assert mod.max_spikes_per_dt == 31.0
    np.testing.assert_array_equal(_numpy(LIFBitshiftTorch(1)(torch.tensor([[100.0]]))[0]), 31)


def test_lif_bitshift_torch_time_constants_get_zero_gradients():
    """Rockpool leaves ``.grad`` at ``None`` (silently untrainable); shoal gives zeros."""
    mod = LIFBitshiftTorch(2, tau_mem=[0.02, 0.005], bias=0.01)
    _, _, record = mod(torch.full((6, 2), 0.05), record=True)
    record["vmem"].sum().backward()
    assert torch.all(mod.tau_mem.grad == 0) and torch.all(mod.tau_syn.grad == 0)
    assert torch.all(mod.bias.grad != 0)


# ---------------------------------------------------------------------------- shared family
@pytest.mark.parametrize("cls", [aLIFTorch, LIFBitshiftTorch])
def test_family_decays_are_read_only_views(cls):
    mod = cls(2, tau_mem=[0.02, 0.01])
    np.testing.assert_allclose(_numpy(mod.alpha), np.exp(-1e-3 / _numpy(mod.tau_mem)), rtol=1e-6)
    assert mod.beta.shape == (2, 1) and mod.dash_syn.shape == (2, 1)
    with pytest.raises(AttributeError, match=rf"{cls.__name__}.beta is derived .* set tau_syn"):
        mod.beta = torch.tensor(0.5)


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "message"),
    [
        (aLIFTorch, {"leak_mode": "decays"}, NotImplementedError, r"aLIFTorch.leak_mode: only"),
        (aLIFTorch, {"dash_mem": 2.0}, ValueError, r"aLIFTorch: current leak mode is set to taus"),
        (aLIFTorch, {"shape": (5, 2)}, ValueError, r"aLIFTorch: .*Nin = 5 is not a multiple"),
        (aLIFTorch, {"learning_window": 0}, ValueError, r"aLIFTorch.learning_window: expected"),
        (aLIFTorch, {"tau_ahp": [0.01, -1]}, ValueError, r"aLIFTorch.tau_ahp: expected a time"),
        (aLIFTorch, {"rng_key": 1}, TypeError, r"aLIFTorch: unexpected keyword .*rng_key"),
        (
            LIFBitshiftTorch,
            {"leak_mode": "bitshifts"},
            NotImplementedError,
            r"LIFBitshiftTorch.leak_mode: only 'taus' is implemented for LIFBitshiftTorch",
        ),
        (aLIFTorch, {"leak_mode": "x"}, ValueError, r"aLIFTorch.leak_mode: Training of time"),
        (LIFBitshiftTorch, {"alpha": 0.5}, ValueError, r"LIFBitshiftTorch: current leak mode"),
        (LIFBitshiftTorch, {"tau_mem": -1.0}, ValueError, r"LIFBitshiftTorch.tau_mem: expected"),
        (
            LIFBitshiftTorch,
            {"spike_generation_fn": "nope"},
            ValueError,
            r"LIFBitshiftTorch.spike_generation_fn: Unknown surrogate 'nope'",
        ),
        (LIFNeuronTorch, {"shape": (4, 2)}, ValueError, r"LIFNeuronTorch: `shape` must have only"),
        (LIFNeuronTorch, {"threshold": 0.0}, ValueError, r"LIFNeuronTorch.threshold: expected"),
        (LIFNeuronTorch, {"learning_window": -1}, ValueError, r"LIFNeuronTorch.learning_window"),
        (
            LIFNeuronTorch,
            {"spike_generation_fn": "nope"},
            ValueError,
            r"LIFNeuronTorch.spike_generation_fn: Unknown surrogate",
        ),
    ],
)
def test_constructor_errors_name_the_module(cls, kwargs, error, message):
    kwargs = {"shape": 2, **kwargs}
    with pytest.raises(error, match=message):
        cls(**kwargs)


@pytest.mark.parametrize("name", ["aLIFTorch", "LIFNeuronTorch", "LIFBitshiftTorch"])
def test_exported_from_shoal_nn_modules(name):
    assert getattr(modules, name).__name__ == name
    assert name in modules.__all__
