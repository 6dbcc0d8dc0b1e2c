"""NIR ``LIF`` ↔ ``LIFNeuron`` (catalogue-2 §9), and the LIF-family models NIR cannot express."""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFBitshift, LIFNeuron, Linear, aLIF  # noqa: E402
from shoal.nn.modules.nir import NIRConversionError, from_nir, to_nir  # noqa: E402

DT = 1e-3
TAU = np.array([0.02, 0.005])


def _neuron(**kwargs):
    return LIFNeuron(2, tau_mem=TAU, threshold=[1.0, 0.8], bias=[0.05, 0.0], dt=DT, **kwargs)


def test_lif_neuron_exports_as_nir_lif_with_shoals_discretisation():
    node = to_nir(_neuron()).nodes["LIFNeuron"]
    assert type(node) is nir.LIF
    leak = 1 - np.exp(-DT / TAU)
    np.testing.assert_allclose(node.tau, TAU, rtol=1e-15)
    np.testing.assert_allclose(node.r, 1 / leak, rtol=1e-13)
    np.testing.assert_allclose(node.v_leak, [0.05 / leak[0], 0.0], rtol=1e-13)
    np.testing.assert_array_equal(node.v_threshold, [1.0, 0.8])
    np.testing.assert_array_equal(node.v_reset, [0.0, 0.0])


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_lif_neuron_round_trip_is_exact(backend):
    if backend == "jax":
        pytest.importorskip("jax")
    original = _neuron()
    restored = from_nir(to_nir(original), backend=backend)
    assert type(restored).__name__ == ("LIFNeuron" if backend == "numpy" else "LIFNeuronJax")
    tol = 1e-12 if backend == "numpy" else 1e-6
    for name in ("tau_mem", "bias", "threshold"):
        np.testing.assert_allclose(
            np.asarray(getattr(restored, name)), getattr(original, name), rtol=tol, atol=1e-15
        )
    x = [[0.6, 0.2], [0.6, 0.2], [0, 1.5], [0, 0], [0.9, 0]]
    np.testing.assert_allclose(np.asarray(restored(x)[0]), original(x)[0], rtol=tol)


def test_foreign_nir_lif_follows_the_ode_and_folds_the_gain_into_the_weights():
    """A graph as snnTorch-style writers give it: Linear → LIF (r = 2, v_leak = 0.5)."""
    tau, r, v_leak = np.array([0.01, 0.03]), np.array([2.0, 2.0]), np.array([0.5, 0.0])
    weight = np.array([[1.0, 0.5], [-0.3, 2.0]])  # NIR (out, in)
    graph = nir.NIRGraph.from_list(
        nir.Linear(weight=weight),
        nir.LIF(tau=tau, r=r, v_leak=v_leak, v_threshold=np.array([1.0, 1.0])),
    )
    net = from_nir(graph, dt=DT)
    assert "Sequential" in type(net).__name__ and len(net) == 2
    x = np.random.default_rng(0).uniform(0, 2, (30, 2))
    out, _, _ = net(x)
    # v ← α v + (1 − α)(v_leak + r·W x), then shoal's spike and subtractive reset.
    alpha = np.exp(-DT / tau)
    v, spikes = np.zeros(2), []
    for x_t in x:
        v = alpha * v + (1 - alpha) * (v_leak + r * (weight @ x_t))
        s = np.where(v >= 1.0, np.floor(v), 0.0)
        v = v - s
        spikes.append(s)
    np.testing.assert_allclose(out[0], spikes, atol=0)
    assert np.sum(out) > 0


def test_nir_lif_with_reset_potential_is_refused():
    node = nir.LIF(
        tau=np.ones(2),
        r=np.ones(2),
        v_leak=np.zeros(2),
        v_threshold=np.ones(2),
        v_reset=np.array([0.0, -1.0]),
    )
    with pytest.raises(
        NIRConversionError, match=r"graph.lif \(nir.LIF\): `v_reset` = \[0.0, -1.0\]"
    ):
        from_nir(nir.NIRGraph.from_list(node))


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (aLIF(2), r"^aLIF \(aLIF\): the adaptive \(ahp\) current has no NIR node"),
        (LIFBitshift(2), r"^LIFBitshift \(LIFBitshift\): bit-shift decays"),
        (_neuron(noise_std=0.1), r"^LIFNeuron \(LIFNeuron\): noise_std=0.1 has no NIR"),
        (Sequential(Linear((2, 2)), aLIF(2)), r"aLIF \(aLIF\): the adaptive"),
    ],
)
def test_models_without_a_nir_node_are_refused(module, message):
    with pytest.raises(NIRConversionError, match=message):
        to_nir(module)
