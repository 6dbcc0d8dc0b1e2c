"""``TimeStepDropoutTorch`` / ``UnitDropoutTorch`` (torch-backend.md §5.6, catalogue-2 §5).

The shared mask rules run on every backend in ``tests/models/test_dropout.py``; here: Rockpool's
random stream (``torch.rand`` after ``torch.manual_seed``), torch's ``training`` flag,
gradients, Rockpool's names in ``shoal.nn.modules.torch`` and the mixed-backend error.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import shoal.nn.modules.torch as torch_modules  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import TimeStepDropout  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    LinearTorch,
    TimeStepDropoutTorch,
    UnitDropoutTorch,
)


def test_time_step_masks_are_rockpools_torch_rand_draws() -> None:
    """After ``torch.manual_seed`` the mask is ``torch.rand(B, T, N) < p``, Rockpool's rule."""
    x = torch.ones(2, 5, 7)
    torch.manual_seed(3)
    expected = torch.where(torch.rand(2, 5, 7) < 0.4, 0.0, 1.0)
    torch.manual_seed(3)
    out, state, record = TimeStepDropoutTorch(7, p=0.4)(x)
    assert torch.equal(out, expected) and state == {} and record == {}


def test_unit_masks_are_one_torch_rand_draw_per_batch_and_unit() -> None:
    x = torch.ones(3, 4, 6)
    torch.manual_seed(5)
    kept = torch.rand(3, 1, 6) >= 0.25
    torch.manual_seed(5)
    out = UnitDropoutTorch(6, p=0.25)(x)[0]
    assert torch.equal(out, (kept / 0.75).expand(3, 4, 6))


def test_manual_seed_reproduces_masks_and_later_calls_differ() -> None:
    mod = UnitDropoutTorch(50, p=0.5)
    x = torch.ones(2, 3, 50)
    torch.manual_seed(0)
    first, second = mod(x)[0], mod(x)[0]
    torch.manual_seed(0)
    assert torch.equal(mod(x)[0], first)
    assert not torch.equal(first, second), "each call draws a new mask"


def test_train_and_eval_drive_the_training_flag_through_a_network() -> None:
    drop = TimeStepDropoutTorch(3, p=0.9)
    net = Sequential(LinearTorch((3, 3), weight=torch.eye(3)), drop)
    x = torch.rand(1, 20, 3) + 0.1
    assert net.eval() is net and drop.training is False
    assert drop.simulation_parameters()["training"] is False
    assert torch.equal(net(x)[0].detach(), x), "evaluation: the identity"
    net.train()
    assert drop.training is True and (net(x)[0] == 0).any()


def test_gradient_flows_through_kept_elements_only() -> None:
    x = torch.ones(1, 4, 5, requires_grad=True)
    torch.manual_seed(1)
    out = UnitDropoutTorch(5, p=0.5)(x)[0]
    out.sum().backward()
    assert torch.equal(x.grad, out.detach()), "∂out/∂x = mask / (1 − p), which out shows for x = 1"
    assert (x.grad == 0).any() and (x.grad == 2).any()


def test_float64_input_keeps_its_precision() -> None:
    x = torch.rand(2, 3, 4, dtype=torch.float64) + 1.0
    torch.manual_seed(2)
    out = UnitDropoutTorch(4, p=0.3)(x)[0]
    assert out.dtype == torch.float64
    kept = out != 0
    assert kept.any()
    np.testing.assert_allclose(out[kept].numpy(), (x[kept] / 0.7).numpy(), rtol=1e-15)
    assert torch.equal(TimeStepDropoutTorch(4, training=False)(x)[0], x), "not via float32"
    with pytest.raises(ValueError, match=r"TimeStepDropoutTorch: .*\(T, N\) or \(B, T, N\)"):
        TimeStepDropoutTorch(4)(torch.ones(4, dtype=torch.float64))


def test_rockpools_names_in_the_torch_package() -> None:
    assert torch_modules.TimeStepDropout is TimeStepDropoutTorch
    assert torch_modules.UnitDropout is UnitDropoutTorch


def test_numpy_dropout_in_a_torch_network_names_the_torch_flavour() -> None:
    """``shoal.nn.modules.TimeStepDropout`` is NumPy's: refused loudly, with the fix."""
    with pytest.raises(ValueError, match=r"mix backends: NumPy modules 1_TimeStepDropout"):
        Sequential(LinearTorch((3, 3)), TimeStepDropout(3))


@pytest.mark.parametrize(
    ("cls", "kwargs", "error", "message"),
    [
        (UnitDropoutTorch, {"p": 1.0}, ValueError, r"UnitDropoutTorch.p: dropout probability"),
        (TimeStepDropoutTorch, {"p": 1.5}, ValueError, r"TimeStepDropoutTorch.p: dropout prob"),
        (UnitDropoutTorch, {"rng_key": [1, 2]}, TypeError, r"UnitDropoutTorch: `rng_key` is only"),
        (TimeStepDropoutTorch, {"shape": (3, 2)}, ValueError, r"TimeStepDropoutTorch: `size_in`"),
    ],
)
def test_constructor_errors_name_the_torch_class(
    cls: type, kwargs: dict, error: type, message: str
) -> None:
    with pytest.raises(error, match=message):
        cls(**{"shape": 3, **kwargs})
