"""Per-step overhead of the Torch loop: the spike skips its ``[v ≥ θ]`` mask when every
``θ > 0`` (checked once per tensor), and small steps run on one intra-op thread."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.utils._python_dispatch import TorchDispatchMode  # noqa: E402

from shoal.backend import torch_backend  # noqa: E402
from shoal.backend.torch_backend import spike  # noqa: E402
from shoal.nn.modules.torch import LIFTorch  # noqa: E402


class _Operations(TorchDispatchMode):
    """Records the name of every ATen operation run inside the block."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        self.names.append(func.__name__)
        return func(*args, **(kwargs or {}))


@pytest.fixture(autouse=True)
def generic_training_loop(monkeypatch):
    """These tests measure the generic Torch loop: keep the fused training loop out of it (it
    takes grad-recording LIF calls otherwise)."""
    monkeypatch.setattr(
        torch_backend.TorchBackend, "fused_scan", staticmethod(lambda *args, **kwargs: None)
    )


def _count(names: list[str], prefix: str) -> int:
    return sum(name.startswith(prefix) for name in names)


def test_lif_step_runs_without_the_mask_for_positive_thresholds():
    module = LIFTorch(3, bias=1.5)
    calls = []
    for n_steps in (10, 30):
        module.reset_state()
        with _Operations() as operations:
            out, _, _ = module(torch.rand(2, n_steps, 3))  # autograd records: the Torch loop
        assert out.sum() > 0
        calls.append(operations.names)
    assert _count(calls[1], "floor") - _count(calls[0], "floor") == 20  # one per step
    # prepare uses `where` (guards) once per call; the steps none.
    for prefix in ("where", "ge", "mul"):
        assert _count(calls[1], prefix) == _count(calls[0], prefix), prefix


def test_counts_equal_the_masked_rule_for_positive_thresholds():
    # v just below θ: v/θ must still floor to 0 (IEEE division never rounds it up to 1).
    threshold = torch.tensor([1.0, 0.3, 7.0, 1e-3])
    below = torch.nextafter(threshold, torch.zeros(4))
    v = torch.stack([below, threshold, 2.5 * threshold, -threshold, threshold * float("nan")])
    counts = spike(v, threshold, 2.0**16)
    expected = np.clip(np.floor(v.numpy() / threshold.numpy()), 0, 2.0**16)
    expected[v.numpy() < threshold.numpy()] = 0.0
    np.testing.assert_array_equal(counts.numpy(), expected)


def test_a_threshold_edited_in_place_is_checked_again():
    threshold = torch.tensor([1.0, 1.0])
    v = torch.tensor([-3.0, 0.5])
    np.testing.assert_array_equal(spike(v, threshold, 10.0).numpy(), [0.0, 0.0])
    threshold.fill_(-1.0)  # same tensor, new version: the masked rule applies again
    # Unmasked, v = −3 would give floor(−3/−1) = 3 spikes; v ≥ θ is false there.
    np.testing.assert_array_equal(spike(v, threshold, 10.0).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(spike(torch.tensor([-0.5]), -1.0, 10.0).numpy(), [0.0])


@pytest.mark.parametrize(("n_neurons", "threads_in_loop"), [(3, 1), (70_000, 2)])
def test_small_steps_run_on_one_thread_and_threads_come_back(
    n_neurons, threads_in_loop, monkeypatch
):
    seen = []
    original = torch_backend._run_steps

    def spy(*args, **kwargs):
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(torch_backend, "_run_steps", spy)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        LIFTorch(n_neurons)(torch.zeros(1, 2, n_neurons))
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    assert seen == [threads_in_loop]
