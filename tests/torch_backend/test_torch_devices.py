"""Devices, dtypes and the torch methods that iterate parameters (torch-backend.md §1.1, §1.7;
decisions: "dtypes never drift", ".double() and .to(device) give working modules").

Only the CPU and torch's data-less "meta" device exist here; CUDA behaves as "meta" does for
the device bookkeeping tested (every tensor follows ``.to()``, input is moved to the module).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal import DeviceMismatchError  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules.torch import LIFTorch, LinearTorch, RateTorch  # noqa: E402

X = torch.tensor([[0.6, 0.0], [0.6, 0.0], [0.0, 3.0], [0.0, 0.0]])


def _net() -> Sequential:
    w_rec = torch.tensor([[0.0, 0.5], [-0.5, 0.0]])
    return Sequential(
        LinearTorch((2, 2), weight=torch.eye(2)), LIFTorch(2, has_rec=True, w_rec=w_rec)
    )


def _all_tensors(net) -> list:
    return [*net.parameters().astorch(), *net.state().astorch()]


def test_lif_torch_names_and_state_order_follow_rockpool():
    """§1.1: parameter, buffer and state_dict names and order; §5.7 for combinators."""
    mod = LIFTorch(3)
    assert list(mod.state()) == ["vmem", "isyn", "spikes"]
    assert [n for n, _ in mod.named_buffers()] == ["vmem", "isyn", "spikes"]
    assert list(mod.state_dict()) == [
        *["tau_mem", "tau_syn", "bias", "threshold"],
        *["vmem", "isyn", "spikes"],
    ]
    rec = LIFTorch(3, has_rec=True)
    assert next(iter(rec.named_parameters()))[0] == "w_rec"
    assert next(iter(rec.state_dict())) == "w_rec"
    assert list(_net().state_dict())[-3:] == [f"1_LIFTorch.{k}" for k in ("vmem", "isyn", "spikes")]


def test_to_cpu_and_to_float64_give_working_modules_without_drift():
    net = _net().to("cpu")
    assert all(t.device.type == "cpu" for t in _all_tensors(net))
    reference = _net()
    np.testing.assert_array_equal(net(X)[0].detach(), reference(X)[0].detach())
    net = net.to(torch.float64)
    assert all(t.dtype == torch.float64 for t in _all_tensors(net))
    for _ in range(2):  # float32 input, twice: computed and stored in float64
        out, _, record = net(X, record=True)
        assert out.dtype == torch.float64
        assert record["1_LIFTorch"]["vmem"].dtype == torch.float64
        assert all(t.dtype == torch.float64 for t in _all_tensors(net))
    net.reset_state().reset_parameters()
    net.set_attributes({"1_LIFTorch": {"bias": np.zeros(2, np.float32)}})
    assert all(t.dtype == torch.float64 for t in _all_tensors(net))


def test_float32_module_does_not_drift_on_float64_input():
    mod = LIFTorch(2)
    out, _, _ = mod(X.double())
    assert out.dtype == torch.float32 and mod.vmem.dtype == torch.float32
    assert mod(X)[0].dtype == torch.float32


def test_half_module_computes_in_half():
    mod = LIFTorch(2).half()
    out, _, _ = mod(X * 5)  # large counts: the spike cap 2**16 exceeds float16's range
    assert out.dtype == torch.float16 and mod.vmem.dtype == torch.float16
    np.testing.assert_array_equal(out[0].detach().float(), LIFTorch(2)(X * 5)[0][0].detach())


def test_meta_device_infers_shapes_without_data():
    net = _net().to("meta")
    assert all(t.device.type == "meta" for t in _all_tensors(net))
    out, _, record = net(X.to("meta"), record=True)
    assert out.device.type == "meta" and out.shape == (1, 4, 2)
    assert record["1_LIFTorch"]["vmem"].device.type == "meta"
    assert net[1].vmem.device.type == "meta"
    net.reset_state()
    assert net[1].vmem.device.type == "meta"
    # CPU input reaches a meta module (moved there, as to any device).
    assert RateTorch(2).to("meta")(X)[0].device.type == "meta"


def test_input_that_cannot_reach_the_module_names_both_devices():
    mod = LIFTorch(2)
    before = mod.vmem.clone()
    with pytest.raises(
        DeviceMismatchError,
        match=r"^LIFTorch: input is on device 'meta', the module on 'cpu'.*Move one of them",
    ):
        mod(X.to("meta"))
    assert torch.equal(mod.vmem, before)
    assert issubclass(DeviceMismatchError, ValueError)
    assert issubclass(DeviceMismatchError, RuntimeError)  # what torch raises for devices


def test_zero_grad_keep_and_requires_grad_round_trip():
    net = _net()
    net(X)[0].sum().backward()
    weight = net[0].weight
    net.zero_grad(set_to_none=False)
    assert torch.equal(weight.grad, torch.zeros(2, 2))
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters().astorch())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters().astorch())


def test_reset_parameters_keeps_an_optimisers_references():
    net = _net()
    optimiser = torch.optim.SGD(net.parameters().astorch(), lr=0.5)
    held = list(net.parameters().astorch())
    net(X)[0].sum().backward()
    optimiser.step()
    net.reset_parameters()
    assert list(net.parameters().astorch()) == held  # same objects (identity compare)
    assert all(a is b for a, b in zip(net.parameters().astorch(), held, strict=True))
    np.testing.assert_array_equal(net[0].weight.detach(), np.eye(2))
    optimiser.zero_grad()
    net(X)[0].sum().backward()
    optimiser.step()  # still trains the module's own parameters
    assert not np.array_equal(net[0].weight.detach(), np.eye(2))


def test_register_buffer_registers_state_or_simulation_parameter():
    """§1.1: persistent buffers are States, non-persistent ones simulation parameters."""
    from shoal.nn.modules.torch import TorchModule

    class Mine(TorchModule):
        def __init__(self):
            super().__init__(shape=(2,))
            self.register_buffer("counts", torch.ones(2))
            self.register_buffer("scale", torch.ones(2), persistent=False)

        def evolve(self, input_data, record=False):
            return input_data * self.scale, {}, {}

    mod = Mine()
    assert list(mod.state()) == ["counts"] and list(mod.simulation_parameters()) == ["scale"]
    assert list(mod.state_dict()) == ["counts"]
    assert {n for n, _ in mod.named_buffers()} == {"counts", "scale"}


def test_gradient_flows_into_a_state_the_user_made_trainable():
    """§1.6 worked example: ``vmem.grad = [0.951229, 0.904837]``."""
    mod = LIFTorch(2, tau_mem=torch.tensor([0.02, 0.01]))
    mod.vmem = torch.tensor([0.5, 0.5], requires_grad=True)
    vmem = mod.vmem
    mod(torch.full((6, 2), 0.4))[0].sum().backward()
    np.testing.assert_allclose(vmem.grad.numpy(), [0.951229, 0.904837], rtol=1e-5)
    assert not mod.vmem.requires_grad  # the stored new state is detached
