"""NIR graphs in the form other libraries export, checked against the documented
discretisation by hand; and every conversion error."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIF, ExpSyn, Instant, Linear, Rate  # noqa: E402
from shoal.nn.modules.nir import NIRConversionError, from_nir, to_nir  # noqa: E402

DT = 1e-3


def _cubalif(tau_syn, tau_mem, r, v_leak, v_threshold, w_in):
    return nir.CubaLIF(
        tau_syn=np.asarray(tau_syn, float),
        tau_mem=np.asarray(tau_mem, float),
        r=np.asarray(r, float),
        v_leak=np.asarray(v_leak, float),
        v_threshold=np.asarray(v_threshold, float),
        w_in=np.asarray(w_in, float),
    )


def _reference(node, drive, w_rec=None):
    """The documented discretisation, in NIR's own variables: spikes and v per step."""
    alpha, beta = np.exp(-DT / node.tau_mem), np.exp(-DT / node.tau_syn)
    current, v, spikes = np.zeros_like(alpha), np.zeros_like(alpha), np.zeros_like(alpha)
    out, vs = [], []
    for u in drive:
        if w_rec is not None:
            u = u + w_rec @ spikes
        current = beta * (current + DT / node.tau_syn * node.w_in * u)
        v = alpha * v + (1 - alpha) * (node.v_leak + node.r * current)
        spikes = np.floor(v / node.v_threshold) * (v >= node.v_threshold)
        v = v - spikes * node.v_threshold
        out.append(spikes)
        vs.append(v)
    return np.array(out), np.array(vs)


def test_snntorch_style_graph_imports_and_runs():
    """Input → Affine → CubaLIF → Output with r = τ_mem/dt, w_in = τ_syn/dt, v_leak = 0."""
    tau_syn, tau_mem = np.array([5e-3, 4e-3, 8e-3]), np.array([1e-2, 2e-2, 5e-3])
    cuba = _cubalif(tau_syn, tau_mem, tau_mem / DT, [0, 0, 0], [1.0, 1.0, 0.5], tau_syn / DT)
    weight, bias = np.array([[1.0, 0.5], [-0.3, 2.0], [0.8, 0.8]]), np.array([0.1, 0.0, 0.2])
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([2])),
            "fc1": nir.Affine(weight=weight, bias=bias),
            "lif1": cuba,
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[("input", "fc1"), ("fc1", "lif1"), ("lif1", "output")],
    )
    net = from_nir(graph)
    assert list(net.modules()) == ["fc1", "lif1"]
    # The gain (1-α) r w_in dt/τ_syn is folded into the Affine's weights and bias.
    gain = (1 - np.exp(-DT / tau_mem)) * (tau_mem / DT)
    np.testing.assert_allclose(net.fc1.weight, weight.T * gain, rtol=1e-14)
    np.testing.assert_allclose(net.fc1.bias, bias * gain, rtol=1e-14)
    x = np.random.rand(60, 2) * 2
    out, _, record = net(x, record=True)
    spikes, v = _reference(cuba, x @ weight.T + bias)
    # First step by hand: I₁ = β·(dt/τ_syn)·w_in·u₀ = β·u₀, v₁ = (1-α)·r·I₁.
    u0 = weight @ x[0] + bias
    v1 = (1 - np.exp(-DT / tau_mem)) * tau_mem / DT * np.exp(-DT / tau_syn) * u0
    np.testing.assert_allclose(
        record["lif1"]["vmem"][0, 0], v1 - spikes[0] * cuba.v_threshold, rtol=1e-12
    )
    np.testing.assert_array_equal(out[0], spikes)
    np.testing.assert_allclose(record["lif1"]["vmem"][0], v, rtol=1e-10, atol=1e-12)
    assert spikes.sum() > 5


def test_norse_style_graph_with_leak_imports_as_bias():
    """Input → Linear → CubaLIF with r = 1, w_in = 1 and v_leak ≠ 0 (a resting level)."""
    cuba = _cubalif([2e-3, 3e-3], [2e-3, 4e-3], [1, 1], [0.5, 2.0], [1.0, 1.0], [1, 1])
    weight = np.array([[3.0, 1.0], [0.0, 4.0]])
    graph = nir.NIRGraph.from_list(nir.Linear(weight=weight), cuba)
    net = from_nir(graph)
    lif = net[-1]
    np.testing.assert_allclose(lif.bias, (1 - np.exp(-DT / cuba.tau_mem)) * cuba.v_leak)
    x = np.random.rand(40, 2) * 3
    out, _, record = net(x, record=True)
    spikes, v = _reference(cuba, x @ weight.T)
    np.testing.assert_array_equal(out[0], spikes)
    np.testing.assert_allclose(record[list(net.modules())[-1]]["vmem"][0], v, rtol=1e-10)
    assert spikes.sum() > 5


def test_snntorch_style_recurrent_subgraph():
    """RSynaptic-style sub-graph: input → lif ⇄ w_rec, lif → output; gain reaches w_rec."""
    tau = np.full(3, 5e-3)
    cuba = _cubalif(tau, tau, tau / DT, [0, 0, 0], [1, 1, 1], tau / DT)
    w_rec = np.array([[0.0, -0.5, 0.2], [0.3, 0.0, -0.4], [-0.2, 0.1, 0.0]])
    inner = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type=np.array([3])),
            "lif": cuba,
            "w_rec": nir.Linear(weight=w_rec),
            "output": nir.Output(output_type=np.array([3])),
        },
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")],
    )
    weight = np.eye(3) * 2.0
    graph = nir.NIRGraph.from_list(nir.Linear(weight=weight), inner)
    net = from_nir(graph)
    names = list(net.modules())
    sub = net[names[1]]
    # The gain cannot be folded across the sub-graph boundary: a diagonal Linear carries it.
    assert list(sub.modules()) == ["lif_w_in", "lif"]
    gain = (1 - np.exp(-DT / tau)) * tau / DT
    np.testing.assert_allclose(sub.lif.w_rec, w_rec.T * gain, rtol=1e-14)
    x = np.random.rand(50, 3) * 2
    spikes, _ = _reference(cuba, x @ weight.T, w_rec=w_rec)
    np.testing.assert_array_equal(net(x)[0][0], spikes)
    assert spikes.sum() > 5


def test_cubali_imports_as_two_expsyns():
    node = nir.CubaLI(
        tau_syn=np.array([4e-3, 6e-3]),
        tau_mem=np.array([1e-2, 2e-2]),
        r=np.array([10.0, 20.0]),
        v_leak=np.zeros(2),
        w_in=np.array([4.0, 6.0]),
    )
    net = from_nir(nir.NIRGraph.from_list(node))
    assert list(net.modules()) == ["cubali_syn", "cubali_r", "cubali_mem"]
    x = np.random.rand(30, 2)
    alpha, beta = np.exp(-DT / node.tau_mem), np.exp(-DT / node.tau_syn)
    current, v, expected = np.zeros(2), np.zeros(2), []
    for u in x:
        current = beta * (current + DT / node.tau_syn * node.w_in * u)
        v = alpha * v + (1 - alpha) * node.r * current
        expected.append(v)
    np.testing.assert_allclose(net(x)[0][0], expected, rtol=1e-12)


def test_li_gain_inserts_a_diagonal_linear():
    tau = np.array([2e-3, 1e-2])
    node = nir.LI(tau=tau, r=2 * tau / DT, v_leak=np.zeros(2))
    net = from_nir(nir.NIRGraph.from_list(node))
    assert list(net.modules()) == ["li_w_in", "li"]
    np.testing.assert_allclose(net.li_w_in.weight, 2 * np.eye(2), rtol=1e-14)
    x = np.random.rand(10, 2)
    v, expected = np.zeros(2), []
    for u in x:
        v = np.exp(-DT / tau) * (v + DT / tau * node.r * u)
        expected.append(v)
    np.testing.assert_allclose(net(x)[0][0], expected, rtol=1e-12)


def test_single_foreign_node_gives_the_module():
    cuba = _cubalif([5e-3], [1e-2], [1 / (1 - np.exp(-0.1))], [0], [1], [5.0])
    module = from_nir(nir.NIRGraph.from_list(cuba))
    assert type(module) is LIF


# ---------------------------------------------------------------------- export errors
@pytest.mark.parametrize(
    ("module", "match"),
    [
        (Rate(3), r"^Rate \(Rate\): NIR has no rate neuron"),
        (Instant(3), r"^Instant \(Instant\): no NIR node corresponds to Instant"),
        (LIF((4, 2)), r"^LIF \(LIF\): has 2 synapses per neuron, but nir.CubaLIF"),
        (LIF(2, noise_std=0.1), r"^LIF \(LIF\): noise_std=0.1 has no NIR counterpart"),
        (ExpSyn(2, noise_std=0.1), r"^ExpSyn \(ExpSyn\): noise_std=0.1 has no NIR"),
        (Sequential(), r"^ModSequential: cannot export an empty ModSequential"),
        (
            Sequential(LIF(2), ExpSyn(2, dt=2e-3)),
            r"every module must share one `dt` to export to NIR; got .*dt=0.002",
        ),
        (Sequential(Linear((2, 2)), Rate(2)), r"^ModSequential.1_Rate \(Rate\): NIR has no"),
    ],
)
def test_export_errors(module, match):
    with pytest.raises(NIRConversionError, match=match):
        to_nir(module)


# ---------------------------------------------------------------------- import errors
def _chain(*nodes):
    return nir.NIRGraph.from_list(*nodes)


def _graph(nodes, edges):
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _io(n=2):
    return {"input": nir.Input(input_type=np.array([n])), "output": nir.Output(np.array([n]))}


LIF_NODE = _cubalif([5e-3] * 2, [1e-2] * 2, [1, 1], [0, 0], [1, 1], [1, 1])


def _import_error_cases():
    reset = nir.CubaLIF(
        tau_syn=np.ones(2),
        tau_mem=np.ones(2),
        r=np.ones(2),
        v_leak=np.zeros(2),
        v_threshold=np.ones(2),
        v_reset=np.array([0.0, -0.5]),
    )
    integrate_and_fire = nir.IF(r=np.ones(2), v_threshold=np.ones(2))  # nir.LIF: LIFNeuron
    leaky = nir.LI(tau=np.ones(2), r=np.ones(2), v_leak=np.array([0.0, 1.0]))
    cubali = nir.CubaLI(tau_syn=np.ones(2), tau_mem=np.ones(2), r=np.ones(2), v_leak=np.ones(2))
    branch = _graph(
        {**_io(), "a": nir.Linear(np.eye(2)), "b": nir.Linear(np.eye(2))},
        [("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")],
    )
    li_loop = _graph(
        {**_io(), "li": nir.LI(np.ones(2), np.ones(2), np.zeros(2)), "w": nir.Linear(np.eye(2))},
        [("input", "li"), ("li", "w"), ("w", "li"), ("li", "output")],
    )
    affine_loop = _graph(
        {**_io(), "lif": LIF_NODE, "w": nir.Affine(np.eye(2), np.ones(2))},
        [("input", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "output")],
    )
    two_inputs = _graph(
        {**_io(), "in2": nir.Input(np.array([2])), "a": nir.Linear(np.eye(2))},
        [("input", "a"), ("in2", "a"), ("a", "output")],
    )
    image = _graph(
        {"input": nir.Input(np.array([1, 2])), "output": nir.Output(np.array([1, 2]))},
        [("input", "output")],
    )
    return [
        (_chain(reset), r"graph.cubalif \(nir.CubaLIF\): `v_reset` = \[0.0, -0.5\] is not"),
        (_chain(integrate_and_fire), r"graph.if: node 'if' of type nir.IF is not supported by"),
        (_chain(nir.Scale(np.ones(2))), r"node 'scale' of type nir.Scale is not supported"),
        (_chain(leaky), r"graph.li \(nir.LI\): `v_leak` = \[0.0, 1.0\] is not supported"),
        (_chain(cubali), r"graph.cubali \(nir.CubaLI\): `v_leak` = \[1.0, 1.0\]"),
        (branch, r"graph: from_nir supports a chain input → … → output"),
        (li_loop, r"graph.w: recurrent loop through nir.Linear onto 'li' \(nir.LI\)"),
        (affine_loop, r"graph.w: recurrent nir.Affine onto 'lif': shoal's `w_rec` has no bias"),
        (two_inputs, r"graph: shoal needs exactly one nir.Input node, found 2"),
        (image, r"graph: node 'input' \(nir.Input\) has shape \[1, 2\]"),
        (_graph(_io(), [("input", "output")]), r"graph: from_nir supports a chain"),
    ]


@pytest.mark.parametrize(("graph", "match"), _import_error_cases())
def test_import_errors(graph, match):
    with pytest.raises(NIRConversionError, match=match):
        from_nir(graph)


def test_bad_arguments():
    graph = to_nir(Linear((2, 2)))
    with pytest.raises(ValueError, match=r"`backend` must be 'numpy', 'jax' or 'torch', got 'tf'"):
        from_nir(graph, backend="tf")
    with pytest.raises(ValueError, match=r"`dt` must be a finite time step > 0"):
        from_nir(graph, dt=0.0)
    with pytest.raises(TypeError, match=r"expected a nir.NIRGraph or the path .* got int"):
        from_nir(3)


def test_missing_nir_raises_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "nir", None)
    with pytest.raises(ImportError, match=r"NIR export needs .*pip install 'shoal\[nir\]'"):
        to_nir(Linear((2, 2)))
    with pytest.raises(ImportError, match=r"NIR import needs .*pip install 'shoal\[nir\]'"):
        from_nir("model.nir")


def test_importing_the_package_does_not_import_nir():
    code = "import sys, shoal.nn.modules.nir; assert 'nir' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------- issue 12: types first
def test_an_unsupported_node_is_named_before_the_input_shape():
    conv = nir.Conv1d(
        input_shape=16,
        weight=np.ones((4, 2, 3)),
        stride=1,
        padding=0,
        dilation=1,
        groups=1,
        bias=np.zeros(4),
    )
    graph = _graph(
        {
            "input": nir.Input(input_type=np.array([2, 16])),
            "conv": conv,
            "output": nir.Output(output_type=np.array([4, 14])),
        },
        [("input", "conv"), ("conv", "output")],
    )
    with pytest.raises(NIRConversionError, match=r"^graph.conv: node 'conv' of type nir.Conv1d"):
        from_nir(graph)


def test_an_unsupported_node_inside_a_subgraph_is_named_first():
    inner = _graph(
        {**_io(), "scale": nir.Scale(np.ones(2))}, [("input", "scale"), ("scale", "output")]
    )
    graph = _graph(  # also a second input, which the structure checks would report first
        {**_io(), "in2": nir.Input(np.array([2])), "inner": inner},
        [("input", "inner"), ("in2", "inner"), ("inner", "output")],
    )
    with pytest.raises(NIRConversionError, match=r"^graph.inner.scale: node 'scale' of type"):
        from_nir(graph)
