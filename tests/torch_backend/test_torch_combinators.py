"""Torch combinators and checkpoints (torch-backend.md §5.7; decisions: records, checkpoints)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.combinators import FFwdStack, Residual, Sequential  # noqa: E402
from shoal.nn.combinators._torch import TorchFFwdStack, TorchResidual, TorchSequential  # noqa: E402
from shoal.nn.modules import LIF, Linear  # noqa: E402
from shoal.nn.modules.torch import LIFTorch, LinearTorch, RateTorch  # noqa: E402


def test_factories_dispatch_on_torch_and_names_follow_rockpool():
    net = Sequential(LinearTorch((2, 3)), LIFTorch(3))
    assert type(net) is TorchSequential
    assert [n for n, _ in net.named_parameters()] == [
        "0_LinearTorch.weight",
        "1_LIFTorch.tau_mem",
        "1_LIFTorch.tau_syn",
        "1_LIFTorch.bias",
        "1_LIFTorch.threshold",
    ]
    out, state, record = net(torch.ones(4, 2))
    assert out.shape == (1, 4, 3) and record == {}
    assert list(state) == ["0_LinearTorch", "1_LIFTorch"]
    _, _, record = net(torch.ones(4, 2), record=True)
    assert set(record) >= {"1_LIFTorch", "1_LIFTorch_output"}
    assert type(Residual(LinearTorch((3, 3)), RateTorch(3))) is TorchResidual
    assert type(FFwdStack(RateTorch(2), RateTorch(3))) is TorchFFwdStack


def test_residual_example():
    net = Residual(LinearTorch((3, 3), weight=torch.eye(3)), RateTorch(3))
    out, _, _ = net(torch.ones(2, 3))
    np.testing.assert_allclose(out[0].detach().numpy(), [[1.05] * 3, [1.0975] * 3], rtol=1e-6)


def test_ffwd_stack_example():
    net = FFwdStack(LIFTorch(2), LIFTorch(3), weight_init_func=lambda s: np.ones(s) * 2)
    assert next(n for n, _ in net.named_parameters()) == "0_1_weight"
    assert net.parameters()["0_1_weight"].shape == (2, 3)
    out, _, _ = net(torch.ones(4, 2))
    np.testing.assert_array_equal(out[0].detach().numpy(), [[0] * 3, [7] * 3, [19] * 3, [29] * 3])


def test_training_step_example():
    """§5.7: one SGD step through Sequential(LinearTorch, LIFTorch)."""
    net = Sequential(
        LinearTorch((2, 3), weight=torch.full((2, 3), 0.5)),
        LIFTorch(3, tau_syn=torch.tensor(0.005)),
    )
    optimiser = torch.optim.SGD(net.parameters().astorch(), lr=1e-3)
    out, _, _ = net(0.3 * torch.ones(1, 20, 2))
    loss = out.sum()
    assert float(loss.detach()) == 60.0
    loss.backward()
    lif = net.modules()["1_LIFTorch"]
    np.testing.assert_allclose(net.modules()["0_LinearTorch"].weight.grad.numpy(), 21.08, rtol=1e-4)
    np.testing.assert_allclose(lif.tau_mem.grad.numpy(), 26.4599, rtol=1e-4)
    np.testing.assert_allclose(lif.threshold.grad.numpy(), -21.08, rtol=1e-4)
    optimiser.step()
    np.testing.assert_allclose(
        net.modules()["0_LinearTorch"].weight.detach().numpy(), 0.47892, rtol=1e-4
    )


def test_checkpoint_loads_across_backends(tmp_path):
    torch_net = Sequential(LinearTorch((2, 3)), LIFTorch(3, tau_mem=0.03))
    torch_net(torch.ones(5, 2))
    path = tmp_path / "net.npz"
    torch_net.save(path)
    numpy_net = Sequential(Linear((2, 3)), LIF(3, tau_mem=0.01)).load(path)
    np.testing.assert_allclose(
        numpy_net.modules()["0_Linear"].weight,
        torch_net.modules()["0_LinearTorch"].weight.detach().numpy(),
        rtol=1e-7,
    )
    assert float(numpy_net.modules()["1_LIF"].tau_mem) == pytest.approx(0.03)
    # ... and back, into existing nn.Parameters (an optimiser keeps them).
    numpy_net.save(path)
    fresh = Sequential(LinearTorch((2, 3)), LIFTorch(3, tau_mem=0.03))
    weight = fresh.modules()["0_LinearTorch"].weight
    fresh.load(path)
    assert fresh.modules()["0_LinearTorch"].weight is weight
    np.testing.assert_allclose(weight.detach().numpy(), numpy_net.modules()["0_Linear"].weight)


def test_timed_wrapper_runs_a_torch_module():
    from shoal.timeseries import TSContinuous

    timed = RateTorch(2, bias=0.1).timed()
    out, _, _ = timed(TSContinuous.from_clocked(np.ones((5, 2)), dt=1e-3))
    expected = RateTorch(2, bias=0.1)(torch.ones(5, 2))[0][0].detach().numpy()
    np.testing.assert_allclose(out.samples, expected, rtol=1e-6)


def test_nir_export_of_a_torch_network_matches_the_numpy_one():
    pytest.importorskip("nir")
    from shoal.nn.modules import to_nir

    weight = np.arange(6.0).reshape(2, 3) / 10
    torch_graph = to_nir(Sequential(LinearTorch((2, 3), weight=weight), LIFTorch(3, bias=0.1)))
    numpy_graph = to_nir(Sequential(Linear((2, 3), weight=weight), LIF(3, bias=0.1)))
    assert list(torch_graph.nodes) == ["input", "0_LinearTorch", "1_LIFTorch", "output"]
    np.testing.assert_allclose(
        torch_graph.nodes["1_LIFTorch"].v_leak, numpy_graph.nodes["1_LIF"].v_leak, rtol=1e-6
    )
    np.testing.assert_allclose(
        torch_graph.nodes["0_LinearTorch"].weight, numpy_graph.nodes["0_Linear"].weight, rtol=1e-6
    )
