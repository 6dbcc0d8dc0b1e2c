"""``ctc_loss_torch`` (catalogue-2 §7.3): golden numbers, PyTorch's own CTC, gradients."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.training.ctc_loss import ctc_loss_numpy, ctc_loss_torch  # noqa: E402

LOG_PROB = np.log([[0.6, 0.3, 0.1], [0.2, 0.5, 0.3], [0.5, 0.2, 0.3]])
GOLDEN = [([1], 3, 0.996959), ([1, 2], 3, 1.49165), ([2, 2], 3, 5.116), ([1], 2, 0.673345)]


@pytest.mark.parametrize(("label", "steps", "expected"), GOLDEN)
def test_golden_numbers_in_float32(label, steps, expected):
    loss = ctc_loss_torch(label, LOG_PROB, steps)
    assert loss.dtype == torch.float32 and loss.ndim == 0
    assert float(loss) == pytest.approx(expected, rel=1e-5)


def test_equals_torch_ctc_loss_and_numpy():
    rng = np.random.default_rng(0)
    log_prob = torch.log_softmax(torch.tensor(rng.normal(size=(7, 5))), dim=1)  # float64
    for label in ([1], [3, 3], [1, 2, 1, 4], [2, 3]):
        ours = ctc_loss_torch(torch.tensor(label), log_prob, 6)
        reference = torch.nn.functional.ctc_loss(
            log_prob[:6, None, :], torch.tensor([label]), [6], [len(label)], blank=0,
            reduction="sum",
        )  # fmt: skip
        assert ours.dtype == torch.float64
        assert float(ours) == pytest.approx(float(reference), rel=1e-10)
        assert float(ours) == pytest.approx(ctc_loss_numpy(label, log_prob.numpy(), 6), rel=1e-12)


def test_gradient_reaches_log_prob():
    log_prob = torch.tensor(LOG_PROB, dtype=torch.float32, requires_grad=True)
    ctc_loss_torch([1, 2], log_prob, 3).backward()
    expected = [[-0.4, -0.6, 0], [-0.08, -0.6, -0.32], [-0.2, 0, -0.8]]
    np.testing.assert_allclose(log_prob.grad.numpy(), expected, atol=1e-6)


@pytest.mark.parametrize(
    ("label", "steps", "error", "message"),
    [
        ([0, 1], 3, ValueError, r"ctc_loss_torch: labels must be classes 1 … C−1 = 2"),
        ([1], 4, ValueError, r"ctc_loss_torch: `seq_length` must be in \[1, T = 3\], got 4"),
        ([1], 2.0, TypeError, r"ctc_loss_torch: `seq_length` must be an int"),
    ],
)
def test_errors_name_the_function(label, steps, error, message):
    with pytest.raises(error, match=message):
        ctc_loss_torch(label, LOG_PROB, steps)


def test_without_torch_the_error_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"ctc_loss_torch needs .*pip install 'shoal\[torch\]'"):
        ctc_loss_torch([1], LOG_PROB, 3)
