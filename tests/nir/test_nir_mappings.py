"""NIR export/import: each mapping in both directions, conversions, round trips, files."""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.combinators import FFwdStack, Residual, Sequential  # noqa: E402
from shoal.nn.modules import LIF, ExpSyn, Linear  # noqa: E402
from shoal.nn.modules.nir import from_nir, to_nir  # noqa: E402

DT = 1e-3


def _flat(tree: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = np.asarray(value, dtype=np.float64)
    return out


def _assert_same_parameters(original, restored, rtol=1e-12):
    before, after = _flat(original.parameters()), _flat(restored.parameters())
    assert before.keys() == after.keys()
    for key in before:
        expected = np.broadcast_to(before[key], after[key].shape)
        np.testing.assert_allclose(after[key], expected, rtol=rtol, atol=0, err_msg=key)


# ---------------------------------------------------------------------- exported nodes
def test_linear_exports_as_linear_and_affine():
    weight = np.arange(6.0).reshape(2, 3)
    graph = to_nir(Linear((2, 3), weight=weight))
    node = graph.nodes["Linear"]
    assert type(node) is nir.Linear
    np.testing.assert_array_equal(node.weight, weight.T)
    assert graph.edges == [("input", "Linear"), ("Linear", "output")]

    node = to_nir(Linear((2, 3), weight=weight, bias=[0.1, 0.2, 0.3])).nodes["Linear"]
    assert type(node) is nir.Affine
    np.testing.assert_array_equal(node.bias, [0.1, 0.2, 0.3])


def test_lif_exports_as_cubalif_with_documented_conversions():
    tau_mem, tau_syn = np.array([0.02, 0.01]), np.array([0.005, 0.004])
    lif = LIF(2, tau_mem=tau_mem, tau_syn=tau_syn, bias=[0.0, 0.1], threshold=[1.0, 0.5], dt=DT)
    graph = to_nir(lif)
    node = graph.nodes["LIF"]
    assert type(node) is nir.CubaLIF
    leak = 1 - np.exp(-DT / tau_mem)
    np.testing.assert_allclose(node.tau_mem, tau_mem, rtol=1e-15)
    np.testing.assert_allclose(node.tau_syn, tau_syn, rtol=1e-15)
    np.testing.assert_allclose(node.r, 1 / leak, rtol=1e-13)
    np.testing.assert_allclose(node.w_in, tau_syn / DT, rtol=1e-15)
    np.testing.assert_allclose(node.v_leak, [0.0, 0.1 / leak[1]], rtol=1e-13)
    np.testing.assert_array_equal(node.v_threshold, [1.0, 0.5])
    np.testing.assert_array_equal(node.v_reset, [0.0, 0.0])
    assert graph.metadata == {"dt": DT, "shoal_kind": "module"}


def test_recurrent_lif_exports_a_linear_loop():
    w_rec = np.array([[0.0, 0.5], [-0.5, 0.0]])
    graph = to_nir(LIF(2, has_rec=True, w_rec=w_rec))
    assert type(graph.nodes["LIF_w_rec"]) is nir.Linear
    np.testing.assert_array_equal(graph.nodes["LIF_w_rec"].weight, w_rec.T)
    assert ("LIF", "LIF_w_rec") in graph.edges
    assert ("LIF_w_rec", "LIF") in graph.edges


def test_expsyn_exports_as_li():
    node = to_nir(ExpSyn(2, tau=[0.002, 0.01], dt=DT)).nodes["ExpSyn"]
    assert type(node) is nir.LI
    np.testing.assert_array_equal(node.tau, [0.002, 0.01])
    np.testing.assert_allclose(node.r, [2.0, 10.0], rtol=1e-15)
    np.testing.assert_array_equal(node.v_leak, [0.0, 0.0])


def test_sequential_and_residual_export_as_edges():
    seq = Sequential(Linear((2, 3)), LIF(3), Residual(Linear((3, 3)), ExpSyn(3)))
    graph = to_nir(seq)
    assert list(graph.nodes) == ["input", "0_Linear", "1_LIF", "2_ModResidual", "output"]
    assert graph.edges == [
        ("input", "0_Linear"),
        ("0_Linear", "1_LIF"),
        ("1_LIF", "2_ModResidual"),
        ("2_ModResidual", "output"),
    ]
    sub = graph.nodes["2_ModResidual"]
    assert type(sub) is nir.NIRGraph
    assert ("input", "output") in sub.edges
    assert sub.metadata["shoal_kind"] == "Residual"


def test_ffwd_stack_exports_its_weights_as_linear_nodes():
    stack = FFwdStack(LIF(3), LIF(2))
    graph = to_nir(stack)
    assert list(graph.nodes) == ["input", "0_LIF", "0_1_weight", "1_LIF", "output"]
    np.testing.assert_array_equal(graph.nodes["0_1_weight"].weight, getattr(stack, "0_1_weight").T)
    x = np.random.rand(30, 3)
    restored = from_nir(graph)
    assert list(restored.modules()) == ["0_LIF", "0_1_weight", "1_LIF"]
    np.testing.assert_allclose(restored(x)[0], stack(x)[0], rtol=1e-12)


# ---------------------------------------------------------------------- round trips
def _models():
    return {
        "linear": lambda cls: cls["Linear"]((2, 3)),
        "affine": lambda cls: cls["Linear"]((2, 3), has_bias=True),
        "lif": lambda cls: cls["LIF"](3, tau_mem=[0.02, 0.01, 0.03], tau_syn=0.005, bias=0.05),
        "lif_rec": lambda cls: cls["LIF"](3, has_rec=True, threshold=[1.0, 0.8, 1.2]),
        "expsyn": lambda cls: cls["ExpSyn"](3, tau=[0.002, 0.01, 0.02]),
        "network": lambda cls: Sequential(
            cls["Linear"]((3, 3)),
            cls["LIF"](3, has_rec=True, bias=0.1),
            Residual(cls["Linear"]((3, 3), has_bias=True), cls["ExpSyn"](3)),
            cls["LIF"](3, tau_syn=0.002),
        ),
    }


def _classes(backend):
    if backend == "numpy":
        return {"Linear": Linear, "LIF": LIF, "ExpSyn": ExpSyn}
    from shoal.nn.modules import ExpSynJax, LIFJax, LinearJax

    return {"Linear": LinearJax, "LIF": LIFJax, "ExpSyn": ExpSynJax}


MODEL_NAMES = ["linear", "affine", "lif", "lif_rec", "expsyn", "network"]


def _round_trip(name, backend):
    model = _models()[name](_classes(backend))
    restored = from_nir(to_nir(model), backend=backend)
    assert type(restored) is type(model)
    assert list(restored.modules()) == list(model.modules())
    _assert_same_parameters(model, restored, rtol=1e-12 if backend == "numpy" else 1e-6)
    x = np.random.rand(2, 40, model.size_in) * 3
    expected, restored_out = model(x)[0], restored(x)[0]
    np.testing.assert_allclose(np.asarray(restored_out), np.asarray(expected), rtol=1e-6)
    assert np.asarray(expected).any()


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_round_trip_numpy(name):
    _round_trip(name, "numpy")


def test_round_trip_jax(x64):
    """The network holds every supported JAX model (JAX compiles are slow: one test)."""
    _round_trip("network", "jax")


def test_round_trip_jax_float32():
    """Default float32 JAX: parameters come back to float32 rounding, outputs agree."""
    _round_trip("lif_rec", "jax")


def test_file_round_trip(tmp_path):
    net = Sequential(
        Linear((2, 4), has_bias=True),
        LIF(4, has_rec=True, tau_syn=0.004, bias=0.02, dt=5e-4),
        Residual(Linear((4, 4)), ExpSyn(4, dt=5e-4)),
    )
    path = tmp_path / "net.nir"
    nir.write(path, to_nir(net))
    restored = from_nir(path)  # dt comes from the file's metadata
    assert restored[1].dt == 5e-4
    assert list(restored.modules()) == list(net.modules())
    _assert_same_parameters(net, restored)
    x = np.random.rand(50, 2) * 4
    np.testing.assert_allclose(restored(x)[0], net(x)[0], rtol=1e-6)
    assert type(from_nir(str(path))) is type(net)


def test_dt_argument_overrides_metadata():
    lif = LIF(2, tau_syn=0.01, dt=1e-3)
    restored = from_nir(to_nir(lif), dt=2e-3)
    assert restored[-1].dt == 2e-3
    # Another step re-discretises: the gain is no longer one, so a Linear carries it.
    assert type(restored).__name__ == "ModSequential"
    assert list(restored.modules()) == ["LIF_w_in", "LIF"]


# ---- issue 14: conversions are declared next to each model, export knows no model
def test_export_imports_no_model_and_no_combinator():
    import ast
    from pathlib import Path

    import shoal.nn.modules.nir.export as export

    tree = ast.parse(Path(export.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith("shoal.nn.combinators")}
    assert not imported & {"shoal.nn.modules.lif", "shoal.nn.modules.linear"}


def test_a_user_model_registers_its_own_nir_export():
    pytest.importorskip("nir")
    from shoal.nn.modules import Module
    from shoal.nn.modules.nir import to_nir
    from shoal.nn.modules.nir._registry import register_nir_export

    class Doubler(Module):
        def evolve(self, input_data, record=False):
            return 2 * input_data, {}, {}

    def doubler_to_nir(nir, name, module, dt):
        return {name: nir.Scale(scale=np.full(module.size_out, 2.0))}, []

    register_nir_export(Doubler, doubler_to_nir, shares_dt=False)
    graph = to_nir(Doubler(shape=3))
    assert type(graph.nodes["Doubler"]).__name__ == "Scale"
