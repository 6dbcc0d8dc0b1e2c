"""``UpDownTorch``: catalogue-2.md §4.1 and torch-backend.md §5.5 worked examples on Torch,
the three trap fixes, Rockpool's ``device``/``dtype`` arguments and the surrogate gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.modules import UpDown  # noqa: E402
from shoal.nn.modules.torch import UpDownTorch  # noqa: E402

UPDOWN_INPUT = [[0, 1], [0.23, 1], [0.47, 0.93], [0.52, 0.61], [0.18, 0.66], [0.02, 0.71]]
TABLE = [[0, 0, 0, 0], [2, 0, 0, 0], [2, 0, 0, 0], [1, 0, 0, 1], [0, 1, 0, 0], [0, 1, 0, 0]]
ANALOG = [[0, 1], [0, 1], [0.2, 1], [0.4, 1], [0.5, 0.8], [0.3, 0.8]]
REFRACTORY = [[0, 0, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 1], [0, 1, 0, 0], [0, 0, 0, 0]]
REFRACTORY_ANALOG = [[0, 1], [0, 1], [0.23, 1], [0.47, 1], [0.47, 0.61], [0.18, 0.66]]

# float32 (the default) to its precision; float64 (dtype=torch.float64) to the printed digits.
DTYPES = pytest.mark.parametrize(
    ("dtype", "rtol"), [(torch.float32, 1e-6), (torch.float64, 1e-12)], ids=["f32", "f64"]
)


def _close(actual: Any, expected: Any, rtol: float) -> None:
    np.testing.assert_allclose(actual.detach().numpy(), np.asarray(expected), rtol=rtol, atol=1e-6)


@DTYPES
@pytest.mark.parametrize("repeat", [1, 2])
def test_worked_example(dtype: Any, rtol: float, repeat: int) -> None:
    mod = UpDownTorch(2, thr_up=0.1, thr_down=0.2, repeat_output=repeat, dtype=dtype)
    assert mod.shape == (2, 4) and mod.thr_up.shape == (1, 2) and mod.thr_up.dtype == dtype
    out, _, record = mod(torch.tensor(UPDOWN_INPUT, dtype=dtype)[None], record=True)
    assert out.dtype == dtype and out.shape == (1, 6, 4)
    _close(out[0], repeat * np.array(TABLE), rtol)
    _close(record["analog_value"][0], ANALOG, rtol)


@DTYPES
def test_refractory_worked_example(dtype: Any, rtol: float) -> None:
    mod = UpDownTorch(2, thr_up=0.1, thr_down=0.2, n_ref_steps=2, dtype=dtype)
    out, _, record = mod(UPDOWN_INPUT, record=True)
    _close(out[0], REFRACTORY, rtol)
    _close(record["analog_value"][0], REFRACTORY_ANALOG, rtol)


def test_torch_backend_examples_in_float32() -> None:
    """torch-backend.md §5.5, Rockpool's float32 numbers (``0.6 − 0.5 ≥ 0.1`` in float32)."""
    out, _, record = UpDownTorch(1, thr_up=0.1, thr_down=0.2)(
        [[0], [0.35], [0.1], [-0.5]], record=True
    )
    _close(out[0], [[0, 0], [3, 0], [0, 1], [0, 3]], 1e-6)
    _close(record["analog_value"][0, :, 0], [0, 0, 0.3, 0.1], 1e-6)
    mod = UpDownTorch(1, thr_up=0.1, thr_down=0.1, n_ref_steps=2, repeat_output=3)
    out, _, record = mod(np.array([[0, 0.35, 0.5, 0.6, 0.9, 0.9]]).T, record=True)
    _close(out[0, :, 0], [0, 3, 0, 3, 0, 0], 1e-6)
    _close(out[0, :, 1], np.zeros(6), 1e-6)
    _close(record["analog_value"][0, :, 0], [0, 0, 0.35, 0.5, 0.6, 0.9], 1e-6)


def test_registration_matches_rockpool() -> None:
    mod = UpDownTorch(3, thr_up=0.1)
    assert mod.spiking_input is False and mod.spiking_output is True
    assert list(dict(mod.named_parameters())) == ["thr_up", "thr_down"]
    assert set(mod.parameters("thresholds")) == {"thr_up", "thr_down"}
    assert mod.simulation_parameters()["n_ref_steps"] == 0
    assert list(mod.state_dict()) == ["thr_up", "thr_down", "reference", "ref_count", "started"]


def test_trap_fixes() -> None:
    """Vector thr_down honoured, input untouched (Rockpool wrote into it), calls stream."""
    mod = UpDownTorch(2, thr_up=[0.1, 0.2], thr_down=[0.3, 0.4], n_ref_steps=1)
    np.testing.assert_allclose(mod.thr_down.detach().numpy(), [[0.3, 0.4]])
    x = torch.tensor(UPDOWN_INPUT)[None]
    before = x.clone()
    whole = mod(x)[0]
    assert torch.equal(x, before)
    down = UpDownTorch(1, thr_up=1.0, thr_down=0.3)([[0.0], [-0.65]])[0]
    np.testing.assert_array_equal(down[0, :, 1].detach().numpy(), [0, 2])
    streamed = UpDownTorch(2, thr_up=[0.1, 0.2], thr_down=[0.3, 0.4], n_ref_steps=1)
    first, second = streamed(x[:, :3])[0], streamed(x[:, 3:])[0]
    assert torch.equal(torch.cat([first, second], dim=1), whole)
    streamed.reset_state()
    assert torch.equal(streamed(x)[0], whole), "reset_state() restarts from the next sample"
    assert mod.dt == 1e-3 and "dt" in mod.simulation_parameters()


def test_equals_numpy_updown_in_float64() -> None:
    rng = np.random.default_rng(3)
    x = np.cumsum(0.2 * rng.standard_normal((2, 40, 3)), axis=1)
    kwargs: dict[str, Any] = dict(thr_up=[0.1, 0.15, 0.05], thr_down=[0.2, 0.1, 0.07])
    for n_ref in (0, 3):
        reference = UpDown(3, n_ref_steps=n_ref, **kwargs)(x, record=True)
        result = UpDownTorch(3, n_ref_steps=n_ref, dtype=torch.float64, **kwargs)(
            torch.tensor(x), record=True
        )
        assert result[0].detach().sum() > 0
        np.testing.assert_allclose(result[0].detach().numpy(), reference[0], atol=1e-10)
        for key in ("reference", "ref_count", "started"):
            np.testing.assert_allclose(result[1][key].numpy(), reference[1][key], atol=1e-10)
        analog = result[2]["analog_value"].detach().numpy()
        np.testing.assert_allclose(analog, reference[2]["analog_value"], atol=1e-10)


def test_surrogate_gradient_passes_where_the_count_argument_reaches_one_half() -> None:
    """One up step of 3.5 thresholds: ∂out/∂x = ±1/thr_up; the down count (−1.75) gets none."""
    mod = UpDownTorch(1, thr_up=0.1, thr_down=0.2)
    x = torch.tensor([[0.0], [0.35]], requires_grad=True)
    mod(x)[0].sum().backward()
    np.testing.assert_allclose(x.grad.numpy().ravel(), [-10.0, 10.0], rtol=1e-6)
    np.testing.assert_allclose(mod.thr_up.grad.numpy(), [[-35.0]], rtol=1e-5)  # −d/thr²
    assert mod.thr_down.grad.item() == 0.0


def test_gradients_agree_with_updown_jax() -> None:
    jax = pytest.importorskip("jax")
    from shoal.nn.modules import UpDownJax

    x = np.array([[0.0], [0.35], [0.1], [-0.5], [0.05]], dtype=np.float32)
    mod = UpDownTorch(1, thr_up=0.1, thr_down=0.2)
    xt = torch.tensor(x, requires_grad=True)
    mod(xt)[0].sum().backward()
    jmod = UpDownJax(1, thr_up=0.1, thr_down=0.2)

    def total(data: Any, params: Any) -> Any:
        return jmod.set_attributes(params)(data)[0].sum()

    dx, dp = jax.grad(total, argnums=(0, 1))(x, jmod.parameters())
    assert np.abs(xt.grad.numpy()).sum() > 0
    np.testing.assert_allclose(xt.grad.numpy(), np.asarray(dx), rtol=1e-5, atol=1e-5)
    for name in ("thr_up", "thr_down"):
        torch_grad = getattr(mod, name).grad.numpy()
        np.testing.assert_allclose(torch_grad, np.asarray(dp[name]), rtol=1e-5)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"shape": (2, 4)}, ValueError, r"UpDownTorch: `shape` must be a one-element tuple"),
        ({"shape": 2, "thr_up": 0.0}, ValueError, r"UpDownTorch.thr_up: expected a threshold > 0"),
        ({"shape": 2, "thr_down": [0.1] * 3}, ValueError, r"UpDownTorch.thr_down: expected shape"),
        ({"shape": 2, "n_ref_steps": 1.5}, ValueError, r"UpDownTorch.n_ref_steps: expected an"),
        ({"shape": 2, "dtype": torch.int32}, TypeError, r"UpDownTorch.dtype: expected a floating"),
        ({"shape": 2, "device": "nowhere"}, ValueError, r"UpDownTorch.device: expected a torch"),
        ({"shape": 2, "thr_up": "a"}, TypeError, r"UpDownTorch.thr_up: expected a number or an"),
    ],
)
def test_constructor_errors(kwargs: dict, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        UpDownTorch(**kwargs)


def test_threshold_tensors_keep_their_dtype_and_are_taken_by_value() -> None:
    """A float64 tensor stays float64; one that requires grad is copied (it used to raise
    "Can't call numpy() on Tensor that requires grad" on its trip through NumPy)."""
    given = torch.tensor([0.1, 0.2], requires_grad=True)
    mod = UpDownTorch(2, thr_up=given, thr_down=torch.tensor(0.3, dtype=torch.float64))
    assert mod.thr_up is not given and mod.thr_up.dtype == torch.float32
    assert mod.thr_down.dtype == torch.float64 and mod.thr_down.shape == (1, 2)
    exact = UpDownTorch(2, thr_up=[0.15, 0.2], dtype=torch.float64)
    assert exact.thr_up[0, 0].item() == 0.15, "not rounded through float32"
    exact.reset_parameters()
    assert exact.thr_up[0, 0].item() == 0.15


def test_wrong_channel_count_names_the_module() -> None:
    mod = UpDownTorch(2)
    state = {key: value.clone() for key, value in mod.state().items()}
    with pytest.raises(ValueError, match=r"UpDownTorch"):
        mod(torch.zeros(1, 4, 3))
    assert all(torch.equal(state[key], value) for key, value in mod.state().items())


def test_numpy_checkpoint_loads_into_the_torch_flavour(tmp_path: Any) -> None:
    """Checkpoints cross backends (decisions.md): thresholds and the streaming state."""
    source = UpDown(2, thr_up=[0.1, 0.2], thr_down=0.3)
    source(np.array(UPDOWN_INPUT))
    source.save(tmp_path / "updown.npz")
    loaded = UpDownTorch(2).load(tmp_path / "updown.npz")
    np.testing.assert_allclose(loaded.thr_up.detach().numpy(), [[0.1, 0.2]], rtol=1e-7)
    np.testing.assert_allclose(loaded.thr_down.detach().numpy(), [[0.3, 0.3]], rtol=1e-7)
    np.testing.assert_allclose(loaded.reference.numpy(), source.reference, rtol=1e-7)
    assert loaded.started.sum() == 2, "the loaded module continues the stream"
