"""NIR parameter values shoal cannot use: refused with the node's path, never silent garbage."""

from __future__ import annotations

import numpy as np
import pytest

nir = pytest.importorskip("nir")

from shoal.nn.modules.nir import NIRConversionError, from_nir  # noqa: E402

ONES, ZEROS = np.ones(2), np.zeros(2)


@pytest.mark.parametrize(
    ("node", "match"),
    [
        (
            nir.LIF(np.array([0.0, 1.0]), ONES, ZEROS, ONES),
            r"^graph.lif \(nir.LIF\): `tau` = \[0.0, 1.0\]; expected time constants > 0",
        ),
        (
            nir.LI(np.array([-1.0, 1.0]), ONES, ZEROS),
            r"^graph.li \(nir.LI\): `tau` = \[-1.0, 1.0\]; expected time constants > 0",
        ),
        (
            nir.CubaLIF(
                tau_mem=ONES, tau_syn=np.array([0.0, 1.0]), r=ONES, v_leak=ZEROS, v_threshold=ONES
            ),
            r"^graph.cubalif \(nir.CubaLIF\): `tau_syn` = \[0.0, 1.0\]; expected time constants",
        ),
        (
            nir.I(r=np.array([np.nan, 1.0])),
            r"^graph.i \(nir.I\): `r` = \[nan, 1.0\]; expected finite values\.$",
        ),
        (
            nir.IF(ONES, np.array([-1.0, 1.0])),
            r"^graph.if \(nir.IF\): LIFNeuron.threshold: expected a threshold > 0",
        ),
        (
            nir.Affine(np.eye(2), np.array([np.nan, 1.0])),
            r"^graph.affine \(nir.Affine\): Linear.bias: expected finite values",
        ),
        (
            nir.Scale(np.array([np.inf, 1.0])),
            r"^graph.scale \(nir.Scale: input gain\): Linear.weight: expected finite values",
        ),
    ],
)
def test_bad_values_name_the_node(node, match):
    with pytest.raises(NIRConversionError, match=match):
        from_nir(nir.NIRGraph.from_list(node))


def test_the_chain_message_lists_the_recurrent_types():
    nodes = {
        "input": nir.Input(np.array([2])),
        "a": nir.Linear(np.eye(2)),
        "b": nir.Linear(np.eye(2)),
        "output": nir.Output(np.array([2])),
    }
    edges = [("input", "a"), ("input", "b"), ("a", "output"), ("b", "output")]
    with pytest.raises(
        NIRConversionError,
        match=r"^graph: from_nir supports a chain .* and nir.Linear loops on CubaLIF nodes\)\. "
        r"These edges are not of that form: \[",
    ):
        from_nir(nir.NIRGraph(nodes=nodes, edges=edges))
