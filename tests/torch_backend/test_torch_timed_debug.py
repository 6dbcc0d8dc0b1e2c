"""The timed API and debug mode on Torch modules (issue 15, item 4).

Rockpool's ``TimedModuleWrapper`` cannot call a Torch module (it hands it a NumPy array,
torch-backend.md §1.7); shoal's timed wrapper and debug mode work on every backend.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import shoal  # noqa: E402
from shoal import NonFiniteError  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules.torch import LIFTorch, LinearTorch  # noqa: E402
from shoal.timeseries import TSContinuous, TSEvent  # noqa: E402

DT = 1e-3


def _net() -> Sequential:
    return Sequential(LinearTorch((2, 3), weight=torch.full((2, 3), 2.0)), LIFTorch(3))


def _raster(events: TSEvent) -> np.ndarray:
    return events.raster(dt=DT, add_events=True).astype(float)  # spike counts per step


def test_timed_torch_network_matches_the_untimed_call_and_streams():
    x = 0.3 * np.ones((10, 2))
    timed = _net().timed(dt=DT)
    reference = _net()
    for start in (0.0, 0.01):  # the second call continues from the first call's state
        signal = TSContinuous.from_clocked(x, dt=DT, t_start=start)
        out, state, record = timed(signal, record=True)
        expected = reference(torch.tensor(x, dtype=torch.float32))[0][0].detach().numpy()
        assert isinstance(out, TSEvent) and expected.sum() > 0
        np.testing.assert_array_equal(_raster(out), expected)
    assert set(state["1_LIFTorch"]) == {"vmem", "isyn", "spikes"}
    np.testing.assert_array_equal(
        timed.state()["_module"]["1_LIFTorch"]["vmem"].numpy(), reference[1].vmem.numpy()
    )
    assert "1_LIFTorch" in record


def test_timed_lif_torch_takes_events():
    events = TSEvent([0.001, 0.003], [0, 1], t_start=0.0, t_stop=0.01)
    out, _, record = LIFTorch(2).timed()(events, record=True)
    raster = np.zeros((10, 2), np.float32)
    raster[1, 0] = raster[3, 1] = 1
    expected = LIFTorch(2)(torch.tensor(raster))[0][0].detach().numpy()
    np.testing.assert_array_equal(_raster(out), expected)
    assert list(record) == ["irec", "spikes", "isyn", "vmem"]


def test_debug_mode_names_the_torch_module_and_keeps_gradients():
    net = _net()
    with shoal.debug_mode():
        out, _, _ = net(torch.full((5, 2), 0.3))
        out.sum().backward()  # the checks read detached copies: the graph is intact
        assert net[0].weight.grad is not None
        with pytest.raises(
            NonFiniteError, match=r"^TorchSequential: NaN or inf in input \(1 non-finite value\)"
        ):
            net(torch.tensor([[float("nan"), 0.0]]))
    lif = LIFTorch(2)
    lif.vmem = torch.tensor([float("inf"), 0.0])
    with shoal.debug_mode(), pytest.raises(NonFiniteError, match=r"^LIFTorch: .* state\['vmem'\]"):
        lif(torch.ones(3, 2))
    net(torch.tensor([[float("nan"), 0.0]]))  # off again: nothing is scanned


def test_debug_mode_names_the_innermost_torch_module_and_rolls_back():
    # LIFTorch spikes, then the huge weight overflows float32: the Linear stage's output.
    net = Sequential(
        LIFTorch(2, threshold=0.1), LinearTorch((2, 2), weight=torch.full((2, 2), 3e38))
    )
    before = {k: v.clone() for k, v in net[0].state().items()}
    with (
        shoal.debug_mode(),
        pytest.raises(
            NonFiniteError, match=r"^TorchSequential\.1_LinearTorch: NaN or inf in output"
        ),
    ):
        net(torch.ones(4, 2))
    for key, value in net[0].state().items():  # the LIF stage's committed state is undone
        assert torch.equal(value, before[key])
