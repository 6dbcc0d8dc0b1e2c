"""Bridges to the plain torch API (torch-backend.md §1.8, §9 item 11): ``to_torch()``,
``retain_torch_api=True``, ``from_torch()``, raw ``torch.nn.Module``s in combinators, and
shoal modules inside a plain ``nn.Module``."""

from __future__ import annotations

import copy
import io
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import Module  # noqa: E402
from shoal.nn.modules.torch import LIFTorch, LinearTorch, TorchModule  # noqa: E402


def _net() -> TorchModule:
    return Sequential(LinearTorch((2, 3), weight=torch.full((2, 3), 0.5)), LIFTorch(3))


# ---------------------------------------------------------------------------- to_torch
def test_to_torch_gives_torch_call_parameters_modules_and_repr_in_place():
    net = _net()
    expected = _net()(torch.ones(4, 2))[0]
    assert net.to_torch() is net
    out = net(torch.ones(4, 2))
    assert isinstance(out, torch.Tensor)
    np.testing.assert_array_equal(out.detach(), expected.detach())
    params = list(net.parameters())  # torch's generator: tensors, not names
    assert len(params) == 5 and all(isinstance(p, torch.nn.Parameter) for p in params)
    assert [type(m).__name__ for m in net.modules()] == [
        "TorchSequential",
        "LinearTorch",
        "LIFTorch",
    ]
    assert repr(net) == (
        "TorchSequential(\n  (0_LinearTorch): LinearTorch()\n  (1_LIFTorch): LIFTorch()\n)"
    )
    # Submodules keep the 3-tuple call (the combinator needs it), with torch's parameters().
    assert isinstance(net[1](torch.ones(4, 3)), tuple)
    assert len(list(net[1].parameters())) == 4


def test_to_torch_keeps_the_module_api_that_does_not_clash():
    net = _net().to_torch()
    torch.optim.SGD(net.parameters(), lr=0.1)  # a plain torch optimiser
    assert set(net.state()["1_LIFTorch"]) == {"vmem", "isyn", "spikes"}
    net.set_attributes({"1_LIFTorch": {"bias": torch.ones(3)}})
    assert float(net[1].bias.detach().sum()) == 3.0
    nested = Module.parameters(net)  # the Module API's nested dict, as documented
    assert list(nested) == ["0_LinearTorch", "1_LIFTorch"]


def test_to_torch_module_saves_and_loads(tmp_path):
    net = _net().to_torch()
    net.save(tmp_path / "net.json")
    other = _net()
    other[1].set_attributes({"bias": torch.ones(3)})
    other.load(tmp_path / "net.json")
    np.testing.assert_array_equal(other[1].bias.detach(), np.zeros(3))


def test_retain_torch_api_at_construction():
    lin = LinearTorch((2, 3), retain_torch_api=True)
    out = lin(torch.ones(4, 2))
    assert isinstance(out, torch.Tensor) and out.shape == (1, 4, 3)
    assert repr(lin) == "LinearTorch()"
    with pytest.raises(TypeError, match=r"retain_torch_apx.*did you mean 'retain_torch_api'"):
        LIFTorch(2, retain_torch_apx=True)


def test_instant_torch_has_a_forward_hooks_fire_and_to_torch_works():
    """§10: Rockpool's InstantTorch has no forward (no hooks; to_torch() breaks it)."""
    from shoal.nn.modules.torch import InstantTorch

    mod = InstantTorch(2, function=torch.tanh)
    seen = []
    mod.register_forward_hook(lambda module, args, out: seen.append(out.shape))
    mod(torch.ones(3, 2))
    assert seen == [torch.Size([1, 3, 2])]
    out = mod.to_torch()(torch.ones(3, 2))
    np.testing.assert_allclose(out.numpy(), np.tanh(np.ones((1, 3, 2))), rtol=1e-6)


# ---------------------------------------------------------------------------- from_torch
def test_from_torch_converts_in_place_and_returns_the_module():
    lin = torch.nn.Linear(2, 3)
    weight = lin.weight
    converted = TorchModule.from_torch(lin)
    assert converted is lin and isinstance(lin, TorchModule)  # Rockpool returns None
    assert lin.class_name == "Linear" and lin.shape == (2, 3)
    assert {k: tuple(v.shape) for k, v in lin.parameters().items()} == {
        "weight": (3, 2),
        "bias": (3,),
    }
    assert lin.weight is weight and dict(lin.named_parameters())["weight"] is weight
    assert lin.state() == {}
    out, state, record = lin(torch.ones(4, 2))  # its own forward: no auto-batching
    assert out.shape == (4, 3) and state == {} and record == {}


def test_from_torch_batch_norm_state_and_children():
    bn = TorchModule.from_torch(torch.nn.BatchNorm1d(3))
    assert list(bn.state()) == ["running_mean", "running_var"]  # the int counter stays torch's
    assert "num_batches_tracked" in bn.state_dict()
    bn(torch.randn(5, 3))
    assert int(bn.num_batches_tracked) == 1
    block = TorchModule.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU()))
    assert list(block.modules()) == ["0", "1"]
    assert isinstance(block(torch.ones(4, 2))[0], torch.Tensor)  # children return tensors


def test_from_torch_with_retain_torch_api_and_refusal():
    lin = TorchModule.from_torch(torch.nn.Linear(2, 3), retain_torch_api=True)
    assert isinstance(lin(torch.ones(4, 2)), torch.Tensor)
    assert len(list(lin.parameters())) == 2
    with pytest.raises(TypeError, match=r"from_torch: expected a torch.nn.Module, got a str"):
        TorchModule.from_torch("Linear")


def test_raw_torch_module_in_a_combinator_is_converted_and_trains():
    # Seeded: with some random initial weights no neuron comes near threshold, the surrogate
    # gradient is zero and Adam leaves the weights as they were (the test failed ~1 run in 3).
    torch.manual_seed(0)
    net = Sequential(torch.nn.Linear(2, 3), LIFTorch(3))
    assert type(net).__name__ == "TorchSequential"
    assert [n for n, _ in net.named_parameters()][:2] == ["0_Linear.weight", "0_Linear.bias"]
    optimiser = torch.optim.Adam(net.parameters().astorch(), lr=0.1)
    before = net[0].weight.detach().clone()
    net(torch.rand(10, 2) * 3)[0].sum().backward()
    optimiser.step()
    assert not torch.equal(before, net[0].weight.detach())


def test_converted_modules_pickle_and_torch_save():
    net = Sequential(torch.nn.Linear(2, 3), LIFTorch(3))
    net(torch.ones(4, 2))  # the copies carry this state
    buffer = io.BytesIO()
    torch.save(net, buffer)
    buffer.seek(0)
    copies = (
        pickle.loads(pickle.dumps(net)),
        copy.deepcopy(net),
        torch.load(buffer, weights_only=False),
    )
    expected = net(torch.ones(4, 2))[0]
    for other in copies:
        assert type(other[0]).__name__ == "Linear" and isinstance(other[0], TorchModule)
        np.testing.assert_array_equal(other(torch.ones(4, 2))[0].detach(), expected.detach())


# ---------------------------------------------------------------------------- plain nn.Module
class _Plain(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.lin = LinearTorch((2, 3), weight=torch.full((2, 3), 0.5))
        self.lif = LIFTorch(3)

    def forward(self, x):
        return self.lif(self.lin(x)[0])[0]  # shoal modules return (output, state, record)


def test_inside_a_plain_nn_module():
    net = _Plain()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["lin.weight", "lif.tau_mem", "lif.tau_syn", "lif.bias", "lif.threshold"]
    assert list(net.state_dict())[-3:] == ["lif.vmem", "lif.isyn", "lif.spikes"]
    seen = []
    net.lif.register_forward_hook(lambda mod, args, out: seen.append(out.shape))
    optimiser = torch.optim.Adam(net.parameters(), lr=0.01)  # torch's parameters() here
    net(torch.full((20, 2), 0.3)).sum().backward()
    assert seen == [torch.Size([1, 20, 3])]
    optimiser.step()
    net.zero_grad()
    assert net.lin.weight.grad is None and not torch.equal(
        net.lin.weight.detach(), torch.full((2, 3), 0.5)
    )
    fresh = _Plain()
    fresh.load_state_dict(net.state_dict())
    np.testing.assert_array_equal(fresh.lif.vmem.numpy(), net.lif.vmem.numpy())


def test_plain_torch_module_with_other_backends_is_refused_and_left_alone():
    from shoal.nn.modules import Rate

    lin = torch.nn.Linear(3, 3)
    with pytest.raises(
        ValueError,
        match=r"^Sequential: sub-modules mix backends: a plain torch.nn.Module \(Linear, "
        r"argument 1\) can only join Torch modules, got the NumPy module Rate",
    ):
        Sequential(Rate(3), lin)
    assert type(lin) is torch.nn.Linear  # not converted by the failed call
    from collections import OrderedDict

    named = Sequential(OrderedDict(inp=lin, lif=LIFTorch(3)))
    assert list(named.modules()) == ["inp", "lif"] and isinstance(lin, TorchModule)


def test_plain_torch_child_of_a_torch_module_becomes_a_submodule():
    """§1.1: a plain ``torch.nn.Module`` attribute is converted, keeping torch's call."""

    class Head(TorchModule):
        def __init__(self):
            super().__init__(shape=(2, 3))
            self.proj = torch.nn.Linear(2, 3)

        def evolve(self, input_data, record=False):
            return self.proj(input_data), {}, {}  # a tensor, as in plain torch code

    head = Head()
    assert list(head.modules()) == ["proj"] and isinstance(head.proj, TorchModule)
    assert list(head.parameters()["proj"]) == ["weight", "bias"]
    out, _, _ = head(torch.ones(4, 2))
    assert out.shape == (4, 3)
