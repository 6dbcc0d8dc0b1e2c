"""NIR node types beyond the neuron models: IF, I, Scale, Threshold, Flatten (issue 16 item 5).

Each import is checked against NIR's equation discretised by hand (the rule documented in
``shoal/nn/modules/nir/_conversions.py``), each export against the node's fields, and each
round trip for exact parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import (  # noqa: E402
    ExpSmooth,
    ExpSyn,
    HeavisideStep,
    Instant,
    LIFNeuron,
    Linear,
)
from shoal.nn.modules.nir import NIRConversionError, from_nir, to_nir  # noqa: E402
from shoal.nn.modules.nir._conversions import LEAK_FREE_TAU  # noqa: E402

DT = 1e-3


def _chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def _graph(nodes, edges, type_check=True):
    return nir.NIRGraph(nodes=nodes, edges=edges, type_check=type_check)


def _integrate_and_fire(r, threshold, drive):
    """``v ← v + r·dt·x``; shoal's multi-spike rule and subtractive reset (v_reset = 0)."""
    v, out = np.zeros_like(threshold), []
    for x in drive:
        v = v + r * DT * x
        spikes = np.floor(v / threshold) * (v >= threshold)
        v = v - spikes * threshold
        out.append(spikes)
    return np.array(out)


# ---------------------------------------------------------------------- IF and I
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_leak_free_time_constant_decays_by_exactly_one(dtype):
    for dt in (1e-6, 1e-3, 1.0):
        assert np.exp(-dtype(dt) / dtype(LEAK_FREE_TAU)) == 1.0


def test_if_imports_as_a_leak_free_lif_neuron_and_integrates_exactly():
    """Sinabs/snnTorch-style IF (r = 1): the gain r·dt sits in the Linear before it."""
    threshold, r = np.array([1.0, 0.5]), np.array([1.0, 1.0])
    weight = np.array([[1.0, 0.5], [0.25, 2.0]])
    graph = _chain(nir.Linear(weight=weight), nir.IF(r=r, v_threshold=threshold))
    net = from_nir(graph)
    assert list(net.modules()) == ["linear", "if"]
    assert type(net[1]) is LIFNeuron
    np.testing.assert_array_equal(net[1].tau_mem, [LEAK_FREE_TAU] * 2)
    np.testing.assert_array_equal(net[1].bias, [0.0, 0.0])
    np.testing.assert_allclose(net[0].weight, weight.T * DT, rtol=1e-15)
    drive = np.random.default_rng(1).uniform(0, 400, size=(60, 2))
    expected = _integrate_and_fire(r, threshold, drive @ weight.T)
    np.testing.assert_allclose(net(drive)[0][0], expected, rtol=0, atol=0)
    assert expected.sum() > 10


def test_leak_free_lif_neuron_exports_as_if_and_round_trips_exactly():
    neuron = LIFNeuron(2, tau_mem=LEAK_FREE_TAU, threshold=[1.0, 0.7], dt=DT)
    node = to_nir(neuron).nodes["LIFNeuron"]
    assert type(node) is nir.IF
    np.testing.assert_allclose(node.r, [1 / DT] * 2, rtol=1e-15)
    np.testing.assert_array_equal(node.v_threshold, [1.0, 0.7])
    np.testing.assert_array_equal(node.v_reset, [0.0, 0.0])
    restored = from_nir(to_nir(neuron))
    assert type(restored) is LIFNeuron  # r·dt is one: no Linear is inserted
    for name in ("tau_mem", "bias", "threshold"):
        np.testing.assert_array_equal(getattr(restored, name), getattr(neuron, name))


def test_a_leaky_or_biased_lif_neuron_still_exports_as_lif():
    """IF has no leak and no bias: a finite τ or a bias needs nir.LIF."""
    assert type(to_nir(LIFNeuron(2, tau_mem=1e3)).nodes["LIFNeuron"]) is nir.LIF
    biased = LIFNeuron(2, tau_mem=LEAK_FREE_TAU, bias=0.1)
    assert type(to_nir(biased).nodes["LIFNeuron"]) is nir.LIF
    mixed = LIFNeuron(2, tau_mem=[LEAK_FREE_TAU, 0.02])
    assert type(to_nir(mixed).nodes["LIFNeuron"]) is nir.LIF


def test_i_imports_as_a_leak_free_expsyn_that_sums_its_input():
    r = np.array([2.0, 0.5])
    net = from_nir(_chain(nir.I(r=r)))
    assert list(net.modules()) == ["i_w_in", "i"]
    assert type(net.i) is ExpSyn
    np.testing.assert_array_equal(net.i.tau, [LEAK_FREE_TAU] * 2)
    drive = np.random.default_rng(2).normal(size=(30, 2))
    expected = np.cumsum(r * DT * drive, axis=0)  # v ← v + r·dt·x
    np.testing.assert_allclose(net(drive)[0][0], expected, rtol=1e-13, atol=1e-16)


def test_leak_free_expsyn_exports_as_i_and_round_trips_exactly():
    synapse = ExpSyn(3, tau=LEAK_FREE_TAU, dt=DT)
    node = to_nir(synapse).nodes["ExpSyn"]
    assert type(node) is nir.I
    np.testing.assert_allclose(node.r, [1 / DT] * 3, rtol=1e-15)
    restored = from_nir(to_nir(synapse))
    assert type(restored) is ExpSyn
    np.testing.assert_array_equal(restored.tau, synapse.tau)
    assert type(to_nir(ExpSyn(3, tau=[LEAK_FREE_TAU, 1.0, 1.0])).nodes["ExpSyn"]) is nir.LI


def test_float32_jax_leak_free_models_export_as_if_and_i():
    """float32 rounds 1e30 up, so the leak-free test still holds after a float32 round trip."""
    pytest.importorskip("jax")
    graph = _chain(
        nir.IF(r=np.full(2, 1 / DT), v_threshold=np.ones(2)), nir.I(r=np.full(2, 1 / DT))
    )
    net = from_nir(graph, backend="jax")
    assert [type(m).__name__ for m in net.modules().values()] == ["LIFNeuronJax", "ExpSynJax"]
    exported = to_nir(net)
    assert [type(exported.nodes[name]) for name in ("if", "i")] == [nir.IF, nir.I]


# ---------------------------------------------------------------------- Scale
def test_scale_folds_into_the_affine_before_it():
    weight, bias, scale = np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.1, 0.2]), [3.0, -0.5]
    graph = _chain(nir.Affine(weight=weight, bias=bias), nir.Scale(scale=np.array(scale)))
    net = from_nir(graph)
    assert type(net) is Linear  # one module: the Scale lives in its weights
    np.testing.assert_array_equal(net.weight, weight.T * scale)
    np.testing.assert_array_equal(net.bias, bias * scale)


def test_scale_first_becomes_a_diagonal_linear_named_like_the_node():
    tau = np.array([0.01, 0.02])
    graph = _chain(nir.Scale(scale=np.array([2.0, 4.0])), nir.LI(tau, tau / DT, np.zeros(2)))
    net = from_nir(graph)
    assert list(net.modules()) == ["scale", "li"]
    np.testing.assert_array_equal(net.scale.weight, np.diag([2.0, 4.0]))
    x = np.random.default_rng(3).normal(size=(20, 2))
    reference = from_nir(_chain(nir.LI(tau, tau / DT, np.zeros(2))))
    np.testing.assert_allclose(net(x)[0], reference(x * [2.0, 4.0])[0], rtol=1e-13)


def test_a_unit_scale_adds_nothing():
    graph = _chain(nir.Linear(weight=np.eye(2) * 3), nir.Scale(scale=np.ones(2)))
    assert type(from_nir(graph)) is Linear


# ---------------------------------------------------------------------- Threshold
def test_threshold_imports_as_a_heaviside_instant():
    net = from_nir(_chain(nir.Threshold(threshold=np.array([0.5, -1.0]))))
    assert type(net) is Instant
    assert isinstance(net.function, HeavisideStep)
    assert net.spiking_output
    x = np.array([[0.4, -1.0], [0.5, -0.9], [0.6, -2.0]])
    np.testing.assert_array_equal(net(x)[0][0], [[0, 0], [0, 1], [1, 0]])  # H(0) = 0


def test_heaviside_instant_exports_as_threshold_and_round_trips():
    module = Instant(3, function=HeavisideStep([0.1, 0.2, 0.3]))
    node = to_nir(module).nodes["Instant"]
    assert type(node) is nir.Threshold
    np.testing.assert_array_equal(node.threshold, [0.1, 0.2, 0.3])
    restored = from_nir(to_nir(module))
    np.testing.assert_array_equal(restored.function.threshold, [0.1, 0.2, 0.3])
    scalar = to_nir(Instant(2, function=HeavisideStep(0.5))).nodes["Instant"]
    np.testing.assert_array_equal(scalar.threshold, [0.5, 0.5])


def test_heaviside_step_is_called_directly_on_arrays():
    step = HeavisideStep(1.0)
    np.testing.assert_array_equal(step([0.0, 1.0, 2.0]), [0.0, 0.0, 1.0])
    assert repr(step) == "HeavisideStep(threshold=1.0)"


# ---------------------------------------------------------------------- Flatten
def test_flatten_of_a_vector_is_dropped():
    flatten = nir.Flatten(input_type={"input": np.array([2])}, start_dim=0)
    graph = _chain(nir.Linear(weight=np.eye(2)), flatten, nir.Linear(weight=2 * np.eye(2)))
    net = from_nir(graph)
    assert list(net.modules()) == ["linear", "linear_1"]
    x = np.array([[1.0, -2.0]])
    np.testing.assert_array_equal(net(x)[0], 2 * x)


def test_recurrent_subgraph_inside_a_chain_with_scale_and_threshold():
    """snnTorch-style RLeaky sub-graph between a Scale and a Threshold readout."""
    cuba = nir.CubaLIF(
        tau_syn=np.full(2, 5e-3),
        tau_mem=np.full(2, 1e-2),
        r=np.full(2, 1 / (1 - np.exp(-0.1))),
        v_leak=np.zeros(2),
        v_threshold=np.ones(2),
        w_in=np.full(2, 5.0),
    )
    inner = _graph(
        {
            "input": nir.Input(np.array([2])),
            "lif": cuba,
            "w_rec": nir.Linear(weight=np.array([[0.0, 0.3], [0.3, 0.0]])),
            "output": nir.Output(np.array([2])),
        },
        [("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    graph = _chain(nir.Scale(scale=np.array([2.0, 3.0])), inner, nir.Threshold(np.full(2, 0.5)))
    net = from_nir(graph)
    assert [type(m).__name__ for m in net.modules().values()] == [
        "Linear",
        "ModSequential",
        "Instant",
    ]
    np.testing.assert_allclose(net[1].lif.w_rec, [[0.0, 0.3], [0.3, 0.0]], rtol=1e-12)
    out = net(np.random.default_rng(4).uniform(0, 3, size=(50, 2)))[0]
    assert set(np.unique(out)) <= {0.0, 1.0}


# ---------------------------------------------------------------------- errors
def _one_node_graph(name, node):
    """Flat input and output around ``node``, unchecked (as a tool skipping NIR's check writes)."""
    nodes = {"input": nir.Input(np.array([4])), name: node, "output": nir.Output(np.array([4]))}
    return _graph(nodes, [("input", name), (name, "output")], type_check=False)


def _flatten_2d():
    return nir.Flatten(input_type={"input": np.array([2, 3])}, start_dim=0)


@pytest.mark.parametrize(
    ("graph", "match"),
    [
        (
            _one_node_graph("scale", nir.Scale(scale=np.ones((2, 2)))),
            r"^graph.scale \(nir.Scale\): `scale` has shape \(2, 2\); expected \(N,\)",
        ),
        (
            _one_node_graph("threshold", nir.Threshold(threshold=np.ones((2, 2)))),
            r"^graph.threshold \(nir.Threshold\): `threshold` has shape \(2, 2\)",
        ),
        (
            _graph(
                {
                    "input": nir.Input(np.array([6])),
                    "flat": _flatten_2d(),
                    "output": nir.Output(np.array([6])),
                },
                [("input", "flat"), ("flat", "output")],
                type_check=False,  # a file written by a tool that skips NIR's check
            ),
            r"^graph.flat \(nir.Flatten\): input shape \[2, 3\] is not one-dimensional",
        ),
        (
            _chain(nir.Flatten(input_type={"input": np.array([2])}, start_dim=0)),
            r"^graph: the nodes \['flatten'\] compute nothing",
        ),
    ],
)
def test_node_type_errors(graph, match):
    with pytest.raises(NIRConversionError, match=match):
        from_nir(graph)


@pytest.mark.parametrize(
    ("module", "match"),
    [
        (
            Instant(2, function=np.tanh),
            r"^Instant \(Instant\): no NIR node corresponds to .*'tanh'",
        ),
        (
            Instant((2, 1), function=HeavisideStep(0.5)),
            r"^Instant \(Instant\): .* shape \(2, 1\)\. Only an Instant of shape \(N,\)",
        ),
        (
            Sequential(Linear((2, 2)), Instant(2, function=np.tanh)),
            r"^ModSequential.1_Instant \(Instant\): no NIR node",
        ),
        (
            ExpSmooth(2),
            r"^ExpSmooth \(ExpSmooth\): no NIR node corresponds to ExpSmooth\. Supported: Linear, "
            r"LIF, LIFNeuron, ExpSyn, Instant\(HeavisideStep\) and Sequential",
        ),
    ],
)
def test_export_errors(module, match):
    with pytest.raises(NIRConversionError, match=match):
        to_nir(module)


# ---------------------------------------------------------------------- shapes a reader refuses
def _loop_graph(weight):
    cuba = nir.CubaLIF(
        tau_syn=np.ones(2),
        tau_mem=np.ones(2),
        r=np.ones(2),
        v_leak=np.zeros(2),
        v_threshold=np.ones(2),
    )
    nodes = {
        "input": nir.Input(np.array([2])),
        "lif": cuba,
        "w": nir.Linear(weight=weight),
        "output": nir.Output(np.array([2])),
    }
    edges = [("input", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "output")]
    return _graph(nodes, edges, type_check=False)


@pytest.mark.parametrize(
    ("graph", "match"),
    [
        (
            _one_node_graph("affine", nir.Affine(weight=np.eye(4), bias=np.ones(3))),
            r"^graph.affine: `bias` has shape \(3,\); expected \(4,\) or a scalar\.$",
        ),
        (
            _one_node_graph("linear", nir.Linear(weight=np.ones((4, 4, 1)))),
            r"^graph.linear: nir.Linear weight has shape \(4, 4, 1\); shoal's Linear needs a 2-D",
        ),
        (
            _loop_graph(np.ones((3, 3))),
            r"^graph.lif: recurrent weights have shape \(3, 3\); expected \(2, 2\)\.$",
        ),
    ],
)
def test_malformed_nodes_are_named(graph, match):
    with pytest.raises(NIRConversionError, match=match):
        from_nir(graph)


@pytest.mark.parametrize(("backend", "package"), [("jax", "jax"), ("torch", "torch")])
def test_a_missing_backend_is_named(backend, package, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, package, None)
    graph = _chain(nir.Linear(weight=np.eye(2)))
    with pytest.raises(
        ImportError,
        match=rf"from_nir\(backend='{backend}'\) needs .*pip install 'shoal\[{package}\]'",
    ):
        from_nir(graph, backend=backend)
