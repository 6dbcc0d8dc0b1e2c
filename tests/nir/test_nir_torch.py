"""NIR on the Torch flavours: ``LIFNeuronTorch`` ↔ ``nir.LIF``, ``from_nir(backend="torch")``."""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")
torch = pytest.importorskip("torch")

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFNeuron  # noqa: E402
from shoal.nn.modules.nir import NIRConversionError, from_nir, to_nir  # noqa: E402
from shoal.nn.modules.torch import (  # noqa: E402
    LIFBitshiftTorch,
    LIFNeuronTorch,
    LinearTorch,
    aLIFTorch,
)

DT = 1e-3
KWARGS = {"tau_mem": [0.02, 0.005], "threshold": [1.0, 0.8], "bias": [0.05, 0.0], "dt": DT}
X = [[0.6, 0.2], [0.6, 0.2], [0, 1.5], [0, 0], [0.9, 0]]


def test_lif_neuron_torch_exports_the_numpy_node():
    exported = to_nir(LIFNeuronTorch(2, **KWARGS)).nodes["LIFNeuronTorch"]
    reference = to_nir(LIFNeuron(2, **KWARGS)).nodes["LIFNeuron"]
    assert type(exported) is nir.LIF
    for field in ("tau", "r", "v_leak", "v_threshold", "v_reset"):
        # The Torch module holds float32 parameters: the node equals to float32 precision.
        np.testing.assert_allclose(getattr(exported, field), getattr(reference, field), rtol=1e-6)


def test_from_nir_builds_lif_neuron_torch_that_evolves_like_numpy():
    original = LIFNeuron(2, **KWARGS)
    restored = from_nir(to_nir(original), backend="torch")
    assert type(restored) is LIFNeuronTorch
    out, _, record = restored(torch.tensor(X), record=True)
    expected, _, expected_record = original(X, record=True)
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    np.testing.assert_allclose(record["vmem"].detach().numpy(), expected_record["vmem"], rtol=1e-5)


def test_lif_neuron_torch_round_trip():
    original = LIFNeuronTorch(2, **KWARGS)
    restored = from_nir(to_nir(original), backend="torch")
    for name in ("tau_mem", "bias", "threshold"):
        np.testing.assert_allclose(
            getattr(restored, name).detach().numpy(),
            getattr(original, name).detach().numpy(),
            rtol=1e-6,
            atol=1e-9,
        )


def test_from_nir_torch_builds_a_torch_network():
    net = Sequential(LinearTorch((2, 2), weight=torch.eye(2)), LIFNeuronTorch(2, **KWARGS))
    restored = from_nir(to_nir(net), backend="torch")
    assert type(restored).__name__ == "TorchSequential"
    assert [type(m).__name__ for m in restored.modules().values()] == [
        "LinearTorch",
        "LIFNeuronTorch",
    ]
    np.testing.assert_array_equal(
        restored(torch.tensor(X))[0].detach().numpy(), net(torch.tensor(X))[0].detach().numpy()
    )


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (aLIFTorch(2), r"^aLIFTorch \(aLIFTorch\): the adaptive \(ahp\) current has no NIR "
         r"node; .* not aLIFTorch\."),
        (LIFBitshiftTorch(2), r"^LIFBitshiftTorch \(LIFBitshiftTorch\): bit-shift decays "
         r"\(rounded time constants\) have no NIR node; .* not LIFBitshiftTorch\."),
    ],
)  # fmt: skip
def test_torch_models_without_a_nir_node_are_refused(module, message):
    with pytest.raises(NIRConversionError, match=message):
        to_nir(module)


def test_lif_torch_in_decays_mode_exports_its_time_constants():
    """The exporter reads tau_mem/tau_syn, which are views in leak_mode 'decays'."""
    from shoal.nn.modules import LIF
    from shoal.nn.modules.torch import LIFTorch

    alpha, beta = np.array([0.9, 0.5]), np.array([0.8, 0.7])
    mod = LIFTorch(2, leak_mode="decays", alpha=torch.tensor(alpha), beta=torch.tensor(beta))
    node = to_nir(mod).nodes["LIFTorch"]
    reference = to_nir(LIF(2, tau_mem=-DT / np.log(alpha), tau_syn=-DT / np.log(beta))).nodes["LIF"]
    assert type(node) is nir.CubaLIF
    for field in ("tau_mem", "tau_syn", "r", "w_in", "v_leak", "v_threshold"):
        np.testing.assert_allclose(getattr(node, field), getattr(reference, field), rtol=1e-6)
