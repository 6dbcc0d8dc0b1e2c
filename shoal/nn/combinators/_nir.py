"""How the combinators export to NIR: one graph per combinator, nested graphs for nesting.

Registered with :func:`~shoal.nn.modules.nir._registry.register_nir_graph` by each
combinator's own file; this lives above ``shoal.nn.modules.nir`` and imports it, never the
other way round.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._registry import as_matrix
from shoal.nn.modules.nir.export import KIND_KEY, nir_nodes

__all__ = ["chain_graph"]


def chain_graph(
    nir: Any, module: Any, dt: float | None, metadata: dict, kind: str, weights: bool
) -> Any:
    """A combinator as a graph: one node (or sub-graph) per sub-module, chained by edges.

    Args:
        kind: ``"Sequential"`` or ``"Residual"`` (which adds the edge ``input → output``).
        weights: Whether ``'<i>_<i+1>_weight'`` matrices sit between the sub-modules
            (``FFwdStack``), exported as ``nir.Linear`` nodes.
    """
    if len(module) == 0:
        raise NIRConversionError(f"{module._path}: cannot export an empty {module.class_name}.")
    nodes: dict[str, Any] = {"input": nir.Input(input_type=np.array([module.size_in]))}
    edges: list[tuple[str, str]] = []
    previous = "input"
    for index, (name, child) in enumerate(module.modules().items()):
        if weights and index > 0:
            weight_name = f"{index - 1}_{index}_weight"
            nodes[weight_name] = nir.Linear(weight=as_matrix(getattr(module, weight_name)).T)
            edges.append((previous, weight_name))
            previous = weight_name
        child_nodes, child_edges = nir_nodes(nir, name, child, dt)
        nodes.update(child_nodes)
        edges += [*child_edges, (previous, name)]
        previous = name
    nodes["output"] = nir.Output(output_type=np.array([module.size_out]))
    edges.append((previous, "output"))
    if kind == "Residual":
        edges.append(("input", "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={**metadata, KIND_KEY: kind})
