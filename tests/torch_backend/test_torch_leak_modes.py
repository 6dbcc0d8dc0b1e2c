"""LIFTorch ``leak_mode`` ``"taus"`` / ``"decays"`` / ``"bitshifts"`` (catalogue-2.md §1.0)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from shoal.nn.modules import LIF  # noqa: E402
from shoal.nn.modules.torch import LIFBitshiftTorch, LIFTorch  # noqa: E402

DT = 1e-3


def _numpy(value: torch.Tensor) -> np.ndarray:
    return value.detach().numpy()


# ---------------------------------------------------------------------------- conversions
def test_bitshifts_mode_conversions():
    mod = LIFTorch(2, leak_mode="bitshifts", dash_mem=[4, 2.5])
    np.testing.assert_allclose(_numpy(mod.alpha), [0.9375, 0.823223], rtol=1e-6)
    # −dt/ln(1 − 2^−2.5) = 0.00514065 (catalogue-2 §1.0 prints 0.00514099, which does not
    # satisfy its own formula; dash 4 and dash 2 below match it to the digits printed).
    np.testing.assert_allclose(_numpy(mod.tau_mem), [0.0154946, 0.00514065], rtol=1e-5)
    np.testing.assert_allclose(_numpy(mod.dash_syn), [[1.0], [1.0]])  # the default
    np.testing.assert_allclose(_numpy(mod.beta), [[0.5], [0.5]])
    two = LIFTorch(1, leak_mode="bitshifts", dash_mem=2.0)
    np.testing.assert_allclose(float(two.alpha.detach()), 0.75)
    np.testing.assert_allclose(float(two.tau_mem.detach()), 0.00347606, rtol=1e-5)


def test_decays_mode_conversions():
    mod = LIFTorch(2, leak_mode="decays", alpha=[0.9, 0.5])
    np.testing.assert_allclose(_numpy(mod.tau_mem), [0.00949122, 0.00144270], rtol=1e-5)
    np.testing.assert_allclose(_numpy(mod.dash_mem), [3.32193, 1], rtol=1e-5)
    np.testing.assert_allclose(_numpy(mod.beta), [[0.5], [0.5]])  # the default


def test_taus_mode_views_follow_dt():
    mod = LIFTorch(1)
    mod.set_attributes({"dt": 2e-3})
    np.testing.assert_allclose(float(mod.alpha.detach()), 0.904837, rtol=1e-6)


@pytest.mark.parametrize(
    ("mode", "trained", "family"),
    [("taus", ["tau_mem", "tau_syn"], "taus"), ("decays", ["alpha", "beta"], "decays"),
     ("bitshifts", ["dash_mem", "dash_syn"], "bitshifts")],
)  # fmt: skip
def test_each_mode_registers_its_own_parameters(mode, trained, family):
    mod = LIFTorch((4, 2), leak_mode=mode)
    assert list(mod.parameters(family)) == trained
    assert [n for n, _ in mod.named_parameters()] == [
        *([] if mode != "taus" else trained),
        "bias",
        "threshold",
        *([] if mode == "taus" else trained),
    ]
    assert mod.leak_mode == mode and set(mod.state_dict()) == {*trained, "bias", "threshold",
                                                               *mod.state()}  # fmt: skip
    assert getattr(mod, trained[1]).shape == (2, 2), "per neuron and synapse by default"
    for name in {"tau_mem", "tau_syn", "alpha", "beta", "dash_mem", "dash_syn"} - set(trained):
        assert getattr(mod, name).requires_grad, f"{name}: a view carries gradients"
        with pytest.raises(
            AttributeError, match=rf"LIFTorch.{name} is derived from .* in leak_mode '{mode}'"
        ):
            setattr(mod, name, torch.tensor(0.5))


# ---------------------------------------------------------------------------- dynamics
def test_decays_mode_evolves_as_lif_with_the_matching_time_constants():
    """float64: the decays mode is LIF's step with α, β given (NumPy LIF from τ = −dt/ln α)."""
    rng = np.random.default_rng(0)
    alpha, beta = rng.uniform(0.5, 0.99, 3), rng.uniform(0.3, 0.99, (3, 2))
    w_rec = 0.5 * rng.standard_normal((3, 6))
    x = 2 * rng.uniform(size=(2, 25, 6))
    mod = LIFTorch((6, 3), leak_mode="decays", alpha=torch.tensor(alpha), beta=torch.tensor(beta),
                   has_rec=True, w_rec=torch.tensor(w_rec)).double()  # fmt: skip
    reference = LIF((6, 3), tau_mem=-DT / np.log(alpha), tau_syn=-DT / np.log(beta),
                    has_rec=True, w_rec=w_rec)  # fmt: skip
    out, state, record = mod(torch.tensor(x), record=True)
    expected, expected_state, expected_record = reference(x, record=True)
    assert np.sum(expected) > 0
    np.testing.assert_array_equal(_numpy(out), expected)
    for key in expected_record:
        np.testing.assert_allclose(_numpy(record[key]), expected_record[key], atol=1e-10)
    for key in state:
        np.testing.assert_allclose(_numpy(state[key]), expected_state[key], atol=1e-10)


def test_whole_bitshifts_equal_lif_bitshift_torch():
    kwargs = {"bias": [0.0, 0.1], "threshold": [1.0, 0.7]}
    mod = LIFTorch(2, leak_mode="bitshifts", dash_mem=[4, 2], dash_syn=[[2], [6]], **kwargs)
    shifted = LIFBitshiftTorch(2, tau_mem=[0.02, 0.005], tau_syn=[[0.004], [0.05]], **kwargs)
    x = torch.tensor([[0.6, 0], [0.6, 0], [0, 3], [0, 0], [0, 0]])
    out, _, record = mod(x, record=True)
    expected, _, expected_record = shifted(x, record=True)
    np.testing.assert_array_equal(_numpy(out), _numpy(expected))
    np.testing.assert_allclose(_numpy(record["vmem"]), _numpy(expected_record["vmem"]), rtol=1e-6)


@pytest.mark.parametrize(("mode", "names"), [("decays", ("alpha", "beta")),
                                             ("bitshifts", ("dash_mem", "dash_syn"))])  # fmt: skip
def test_gradients_reach_the_trained_leaks(mode, names):
    mod = LIFTorch(2, leak_mode=mode, has_rec=True)
    mod(torch.ones(10, 2))[0].sum().backward()
    for name in (*names, "w_rec", "bias", "threshold"):
        grad = getattr(mod, name).grad
        assert grad is not None and torch.all(torch.isfinite(grad)) and torch.any(grad != 0), name


def test_out_of_range_decays_set_in_training_stay_bounded():
    """An optimiser may push a decay past [0, 1]; the dynamics clip it (no growth, no NaN)."""
    mod = LIFTorch(1, leak_mode="decays", threshold=1e6)  # never fires: vmem shows the leak
    with torch.no_grad():
        mod.alpha.fill_(1.5)
        mod.beta.fill_(-0.5)
    _, _, record = mod(torch.ones(50, 1), record=True)
    assert torch.all(record["isyn"] == 0), "β clipped to 0"
    with torch.no_grad():
        mod.beta.fill_(0.5)
    mod.reset_state()
    _, _, record = mod(torch.ones(50, 1), record=True)
    # α = 1.5 clipped to 1 (no leak): vmem sums isyn_t = 1 − 0.5^(t+1); unclipped it grows as 1.5^t.
    expected = np.cumsum(1 - 0.5 ** np.arange(1, 51))
    np.testing.assert_allclose(_numpy(record["vmem"][0, :, 0]), expected, rtol=1e-6)


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"leak_mode": "decay"}, ValueError, r"LIFTorch.leak_mode: Training of time constants "
         r"in `LIFTorch` neurons can be done only in one of the following modes: 'taus', "
         r"'decays', 'bitshifts'. .* got 'decay'"),
        ({"leak_mode": "decays", "tau_mem": 0.02}, ValueError, r"LIFTorch: current leak mode is "
         r"set to decays and only parameters from this family .* \(alpha and beta\); got \['tau_mem'\]"),
        ({"leak_mode": "bitshifts", "alpha": 0.9, "beta": 0.5}, ValueError,
         r"leak mode is set to bitshifts .* \(dash_mem and dash_syn\); got \['alpha', 'beta'\]"),
        ({"dash_syn": 2.0}, ValueError, r"set to taus .* \(tau_mem and tau_syn\); got \['dash_syn'\]"),
        ({"leak_mode": "decays", "alpha": [0.5, 1.2]}, ValueError,
         r"LIFTorch.alpha: expected a decay in \[0, 1\]"),
        ({"leak_mode": "decays", "beta": [0.5, 0.2, 0.1]}, ValueError,
         r"LIFTorch.beta: expected shape \(2, 1\) or \(1, 1\) or \(\)"),
        ({"leak_mode": "bitshifts", "dash_mem": -1.0}, ValueError,
         r"LIFTorch.dash_mem: expected values >= 0"),
        ({"leak_mode": "bitshifts", "dash_syn": np.nan}, ValueError,
         r"LIFTorch.dash_syn: expected finite values"),
    ],
)  # fmt: skip
def test_leak_mode_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        LIFTorch(2, **kwargs)


def test_set_attributes_checks_the_decays():
    mod = LIFTorch(2, leak_mode="decays")
    with pytest.raises(ValueError, match=r"LIFTorch.alpha: expected a decay in \[0, 1\]"):
        mod.set_attributes({"alpha": [0.5, -0.1]})
    np.testing.assert_array_equal(_numpy(mod.alpha), [0.5, 0.5]), "left unchanged"
