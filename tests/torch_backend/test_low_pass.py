"""``LowPass`` (catalogue-2.md §4.2): Rockpool's deprecated, time-first Torch low-pass filter,
on the exponential smoothing dynamics."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import shoal.nn.modules as modules  # noqa: E402
from shoal.nn.modules.torch import ExpSmoothTorch, LowPass  # noqa: E402

X = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])[:, None, :]  # (T, B=1, N)
EXPECTED = [[1, 0], [0.606531, 0], [0.367879, 1], [0.22313, 0.904837]]


def _low_pass(*args: object, **kwargs: object) -> LowPass:
    with pytest.warns(DeprecationWarning, match=r"`LowPass` is deprecated\. Use `ExpSynTorch`"):
        return LowPass(*args, **kwargs)  # type: ignore[arg-type]


def test_worked_example_time_first() -> None:
    mod = _low_pass(2, 1e-3, tau_mem=[0.002, 0.01])
    out, state, record = mod(X, record=True)
    assert out.shape == (4, 1, 2), "time first, as Rockpool's LowPass"
    np.testing.assert_allclose(out[:, 0].detach().numpy(), EXPECTED, rtol=1e-5, atol=1e-7)
    assert torch.equal(record["vmem"], out)
    np.testing.assert_allclose(state["vmem"].numpy(), EXPECTED[-1], rtol=1e-5)
    assert torch.equal(mod.vmem, state["vmem"]), "vmem keeps the last value: calls continue"
    again = mod(torch.zeros(1, 1, 2))[0]
    np.testing.assert_allclose(again[0, 0].detach().numpy(), [0.135335, 0.818731], rtol=1e-5)


def test_same_filter_as_exp_smooth_torch() -> None:
    x = torch.rand(30, 3, 2)  # (T, B, N)
    low_pass = _low_pass(2, 1e-3, tau_mem=torch.tensor([0.005, 0.02]))
    smooth = ExpSmoothTorch(2, tau=[0.005, 0.02])
    assert torch.equal(low_pass(x)[0], smooth(x.transpose(0, 1))[0].transpose(0, 1))


def test_rockpool_api_alpha_init_states_detach_and_gradient() -> None:
    mod = _low_pass(2, 1e-3, tau_mem=0.01)
    np.testing.assert_allclose(mod.alpha_mem.detach().numpy(), np.exp(-0.1), rtol=1e-6)
    mod(torch.ones(5, 2, 2))[0].sum().backward()
    assert mod.tau_mem.grad is not None and mod.tau_mem.grad.item() > 0
    assert mod.detach() is mod
    mod.init_states(batch_size=4)
    assert torch.equal(mod.vmem, torch.zeros(2))
    assert list(mod.state_dict()) == ["tau_mem", "vmem"]
    assert mod.parameters("taus")["tau_mem"] is mod.tau_mem


def test_exported_from_shoal_nn_modules() -> None:
    assert modules.LowPass is LowPass


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((2, 1e-3), {"tau_mem": 0.0}, r"LowPass.tau_mem: expected a time constant > 0"),
        ((2, 1e-3), {"tau_mem": [0.01] * 3}, r"LowPass.tau_mem: expected shape"),
        ((2, -1.0), {"tau_mem": 0.01}, r"LowPass.dt: expected a time constant > 0"),
    ],
)
def test_constructor_errors_name_the_attribute(args: tuple, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _low_pass(*args, **kwargs)


def test_input_that_is_not_time_first_3d_is_refused_and_state_kept() -> None:
    mod = _low_pass(2, 1e-3, tau_mem=0.01)
    mod(X)
    before = mod.vmem.clone()
    with pytest.raises(ValueError, match=r"LowPass: input is time-first \(T, B, N\)"):
        mod(torch.ones(4, 2))
    assert torch.equal(mod.vmem, before)
