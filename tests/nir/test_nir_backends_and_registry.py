"""Every importable NIR node type on every backend; the import registry (issue 14 item 4).

Each graph is built on NumPy, JAX (float64) and Torch and must give the NumPy numbers: to 1e-10
on JAX, to float32 precision on Torch (its modules store float32 parameters, as Rockpool's do;
they then run in float64 after ``.double()``, so spikes are not flipped by float32
arithmetic). The Torch flavour of a model that has none yet is skipped (and its error is
tested on its own).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.modules.nir import (  # noqa: E402
    NIRConversionError,
    _registry,
    from_nir,
    to_nir,
)
from shoal.nn.modules.nir._importing import ModuleSpec, NodeImport  # noqa: E402

DT = 1e-3
RNG = np.random.default_rng(7)
TAU = np.array([0.01, 0.02, 0.005])


def _cubalif():
    return nir.CubaLIF(
        tau_syn=TAU / 2,
        tau_mem=TAU,
        r=np.full(3, 1.5),
        v_leak=np.array([0.0, 0.2, 0.0]),
        v_threshold=np.array([1.0, 0.5, 0.8]),
        w_in=np.full(3, 4.0),
    )


def _recurrent():
    nodes = {
        "input": nir.Input(np.array([2])),
        "fc": nir.Affine(weight=RNG.normal(size=(3, 2)) * 3, bias=np.array([0.1, 0.0, 0.2])),
        "lif": _cubalif(),
        "w_rec": nir.Linear(weight=RNG.normal(size=(3, 3)) * 0.3),
        "output": nir.Output(np.array([3])),
    }
    edges = [("input", "fc"), ("fc", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _w():
    return nir.Linear(weight=RNG.uniform(0, 2, size=(3, 2)))


#: name → (graph, models built on the way: their NumPy class names)
GRAPHS = {
    "affine_scale": (
        nir.NIRGraph.from_list(
            nir.Affine(weight=np.ones((3, 2)), bias=np.ones(3)), nir.Scale(np.array([1, 2, 3.0]))
        ),
        {"Linear"},
    ),
    "cubalif_recurrent": (_recurrent(), {"Linear", "LIF"}),
    "lif": (
        nir.NIRGraph.from_list(_w(), nir.LIF(TAU, np.full(3, 20.0), np.zeros(3), np.ones(3))),
        {"Linear", "LIFNeuron"},
    ),
    "if": (
        nir.NIRGraph.from_list(_w(), nir.IF(r=np.full(3, 100.0), v_threshold=np.ones(3))),
        {"Linear", "LIFNeuron"},
    ),
    "li_i": (
        nir.NIRGraph.from_list(
            _w(), nir.LI(TAU, TAU / DT, np.zeros(3)), nir.I(r=np.array([1.0, 2.0, 3.0]))
        ),
        {"Linear", "ExpSyn"},
    ),
    "cubali": (
        nir.NIRGraph.from_list(_w(), nir.CubaLI(TAU / 2, TAU, np.full(3, 2.0), np.zeros(3))),
        {"Linear", "ExpSyn"},
    ),
    "flatten_threshold": (
        nir.NIRGraph.from_list(
            _w(),
            nir.Flatten(input_type={"input": np.array([3])}, start_dim=0),
            nir.Threshold(np.array([0.5, 1.0, 1.5])),
        ),
        {"Linear", "Instant"},
    ),
}
SUFFIX = {"numpy": "", "jax": "Jax", "torch": "Torch"}


def _leaves(module):
    children = module.modules()
    if not children:
        return [module]
    return [leaf for child in children.values() for leaf in _leaves(child)]


def _torch_flavour_missing(models):
    import shoal.nn.modules.torch as torch_modules

    return [m for m in models if not hasattr(torch_modules, f"{m}Torch")]


@pytest.mark.parametrize("backend", ["numpy", "jax", "torch"])
@pytest.mark.parametrize("name", list(GRAPHS))
def test_every_node_type_builds_on_every_backend(name, backend, request):
    graph, models = GRAPHS[name]
    if backend == "jax":
        pytest.importorskip("jax")
        request.getfixturevalue("x64")
    if backend == "torch":
        pytest.importorskip("torch")
        missing = _torch_flavour_missing(models)
        if missing:
            pytest.skip(f"no Torch flavour yet for {missing}")
    reference = from_nir(graph)
    net = from_nir(graph, backend=backend)
    assert {type(m).__name__ for m in _leaves(net)} == {m + SUFFIX[backend] for m in models}
    if backend == "torch":
        net = net.double()
    x = RNG.uniform(0, 1.5, size=(2, 40, 2))
    expected = reference(x)[0]
    out = net(x)[0]
    out = out.detach().numpy() if backend == "torch" else np.asarray(out)
    tolerance = 1e-6 if backend == "torch" else 1e-10
    np.testing.assert_allclose(out, expected, rtol=tolerance, atol=tolerance * 1e-2)
    assert np.any(expected)


def test_torch_network_exports_the_same_graph():
    pytest.importorskip("torch")
    graph = _recurrent()
    exported = to_nir(from_nir(graph, backend="torch").double())
    original = to_nir(from_nir(graph))
    assert exported.edges == original.edges
    for key, node in original.nodes.items():
        for field in ("weight", "bias", "tau_mem", "r", "v_threshold"):
            if hasattr(node, field):
                np.testing.assert_allclose(
                    getattr(exported.nodes[key], field), getattr(node, field), rtol=1e-6
                )


def test_a_model_without_a_torch_flavour_is_named(monkeypatch):
    pytest.importorskip("torch")
    import shoal.nn.modules.torch as torch_modules

    monkeypatch.delattr(torch_modules, "ExpSynTorch")
    graph = nir.NIRGraph.from_list(nir.LI(TAU, TAU / DT, np.zeros(3)))
    with pytest.raises(
        NIRConversionError,
        match=r"^graph.li \(nir.LI\): imports as ExpSyn, which has no torch flavour "
        r"\(ExpSynTorch\)",
    ):
        from_nir(graph, backend="torch")


# ---------------------------------------------------------------------- the registry
def test_importer_knows_no_model():
    """Node types are registered by the models: importer.py's code names none of them."""
    import shoal.nn.modules.nir.importer as importer

    tree = ast.parse(Path(importer.__file__).read_text(encoding="utf-8"))
    attributes = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    # nir.Linear/nir.Affine stay: a weight node looping onto a neuron is graph structure.
    models = {"CubaLIF", "LIF", "LI", "CubaLI", "IF", "I", "Scale", "Threshold"}
    assert not attributes & models
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not {m for m in imported if m.split(".")[-1] in {"lif", "linear", "exp_syn"}}


def test_supported_types_come_from_the_registry():
    graph = nir.NIRGraph.from_list(nir.Delay(np.ones(2)))
    with pytest.raises(
        NIRConversionError,
        match=r"Supported: Input, Output, Affine, CubaLI, CubaLIF, Flatten, I, IF, LI, LIF, "
        r"Linear, Scale, Threshold and NIRGraph\.$",
    ):
        from_nir(graph)


def test_a_model_registers_its_own_import(monkeypatch):
    """A new node type needs one registration next to the model, no edit of importer.py."""
    from shoal.nn.modules import Module

    monkeypatch.setattr(_registry, "_IMPORTS", dict(_registry._IMPORTS))  # undone afterwards

    class Echo(Module):  # a user's model: stands in for a zero delay
        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    def delay_from_nir(node, context):
        assert context.dt == DT and context.path == "graph.delay"
        kwargs = {"shape": np.asarray(node.delay).size}
        return NodeImport([ModuleSpec(context.name, Echo, kwargs)], gain=3 * np.ones(2))

    _registry.register_nir_import("Delay", delay_from_nir)
    net = from_nir(nir.NIRGraph.from_list(nir.Delay(np.zeros(2))))
    assert list(net.modules()) == ["delay_w_in", "delay"]
    assert type(net.delay) is Echo
    np.testing.assert_array_equal(net(np.ones((1, 2)))[0], [[3.0, 3.0]])
    assert "Delay" in _registry.imported_node_types()


def test_recurrent_loops_go_only_to_types_registered_as_recurrent():
    nodes = {
        "input": nir.Input(np.array([3])),
        "lif": nir.LIF(TAU, np.ones(3), np.zeros(3), np.ones(3)),
        "w": nir.Linear(np.eye(3)),
        "output": nir.Output(np.array([3])),
    }
    graph = nir.NIRGraph(
        nodes=nodes, edges=[("input", "lif"), ("lif", "w"), ("w", "lif"), ("lif", "output")]
    )
    with pytest.raises(
        NIRConversionError,
        match=r"^graph.w: recurrent loop through nir.Linear onto 'lif' \(nir.LIF\); only a "
        r"CubaLIF node can be recurrent in shoal \(LIF's `w_rec`\)\.$",
    ):
        from_nir(graph)


def test_new_node_types_survive_a_file(tmp_path):
    """Written with nir.write and read back, each new node type imports as before."""
    graph = nir.NIRGraph.from_list(
        nir.Scale(np.array([2.0, 0.5])),
        nir.Flatten(input_type={"input": np.array([2])}, start_dim=0),
        nir.IF(r=np.full(2, 500.0), v_threshold=np.ones(2)),
        nir.I(r=np.full(2, 1000.0)),
        nir.Threshold(np.array([0.5, 1.5])),
    )
    path = tmp_path / "graph.nir"
    nir.write(path, graph)
    from_file, direct = from_nir(path), from_nir(graph)
    assert list(from_file.modules()) == ["scale", "if", "i", "threshold"]
    x = RNG.uniform(0, 3, size=(30, 2))
    np.testing.assert_array_equal(from_file(x)[0], direct(x)[0])
    assert np.any(direct(x)[0])
