"""NIR conversions, declared by each model next to its class, in both directions.

A model registers how it becomes NIR nodes (``register_nir_export(LIFBase, lif_to_nir)`` in
``lif.py``); a combinator registers how it becomes a graph (in ``shoal.nn.combinators``).
:func:`~shoal.nn.modules.nir.export.to_nir` looks the class up along the MRO, so it knows no
model and imports no combinator. The other way, a model registers how NIR nodes of a type
become it (``register_nir_import("CubaLIF", cubalif_to_lif)``, keyed on the node type's name
because ``nir`` is not imported until ``from_nir`` runs); ``from_nir`` looks the node's type up
along its MRO and knows no model either. Nothing here imports ``nir``: converters receive it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shoal.backend._inputs import host_array
from shoal.nn.modules.nir._errors import NIRConversionError

__all__ = [
    "as_matrix",
    "as_vector",
    "find_nir_export",
    "find_nir_graph",
    "find_nir_import",
    "imported_node_types",
    "recurrent_node_types",
    "register_nir_export",
    "register_nir_graph",
    "register_nir_import",
    "reject_noise",
]

#: ``convert(nir, name, module, dt) -> (nodes, edges)``; ``nodes`` holds ``name`` first.
NodeConverter = Callable[[Any, str, Any, "float | None"], tuple[dict[str, Any], list]]
#: ``build(nir, module, dt, metadata) -> nir.NIRGraph``.
GraphBuilder = Callable[[Any, Any, "float | None", dict], Any]

# class → (converter, whether its `dt` must agree with the rest of the graph)
_NODES: dict[type, tuple[NodeConverter, bool]] = {}
_GRAPHS: dict[type, GraphBuilder] = {}

#: ``convert(node, context) -> NodeImport`` (see :mod:`shoal.nn.modules.nir._importing`).
NodeImporter = Callable[[Any, Any], Any]
# NIR node type name → (importer, recurrent hint: what a `Linear` loop onto the node becomes)
_IMPORTS: dict[str, tuple[NodeImporter, str | None]] = {}


def register_nir_export(cls: type, convert: NodeConverter, shares_dt: bool = True) -> None:
    """Declare how modules of ``cls`` (and subclasses) export to NIR nodes."""
    _NODES[cls] = (convert, shares_dt)


def register_nir_graph(cls: type, build: GraphBuilder) -> None:
    """Declare how a combinator class exports as a ``nir.NIRGraph``."""
    _GRAPHS[cls] = build


def register_nir_import(
    node_type: str, convert: NodeImporter, recurrent: str | None = None
) -> None:
    """Declare how NIR nodes of type ``node_type`` (``"CubaLIF"``, its class name) import.

    Args:
        node_type: Name of the ``nir`` node class; subclasses of it import the same way.
        convert: ``convert(node, context) -> NodeImport``.
        recurrent: ``None`` if the node cannot carry a recurrent ``nir.Linear`` loop; else what
            the loop becomes, for messages (``"LIF's `w_rec`"``), and the importer receives the
            loop's node as ``context.recurrent``.
    """
    _IMPORTS[node_type] = (convert, recurrent)


def find_nir_import(node: Any) -> tuple[NodeImporter, str | None] | None:
    """The importer registered for ``node``'s type (or a base type), and its recurrent hint."""
    for klass in type(node).__mro__:
        if klass.__name__ in _IMPORTS:
            return _IMPORTS[klass.__name__]
    return None


def imported_node_types() -> list[str]:
    """Names of the NIR node types with a registered importer, sorted."""
    return sorted(_IMPORTS)


def recurrent_node_types() -> dict[str, str]:
    """``{node type: what its recurrent loop becomes}`` for types that accept a loop."""
    return {name: hint for name, (_, hint) in sorted(_IMPORTS.items()) if hint is not None}


def _lookup(table: dict[type, Any], module: Any) -> Any:
    for klass in type(module).__mro__:
        if klass in table:
            return table[klass]
    return None


def find_nir_export(module: Any) -> tuple[NodeConverter, bool] | None:
    """The registered node converter of ``module``'s class, and whether it shares ``dt``."""
    return _lookup(_NODES, module)  # type: ignore[no-any-return]


def find_nir_graph(module: Any) -> GraphBuilder | None:
    """The registered graph builder of ``module``'s class (combinators)."""
    return _lookup(_GRAPHS, module)  # type: ignore[no-any-return]


def as_vector(value: Any, size: int) -> np.ndarray:
    """A parameter as a float64 ``(size,)`` array (scalars broadcast)."""
    return np.broadcast_to(host_array(value, np.float64).reshape(-1), (size,)).copy()


def as_matrix(value: Any) -> np.ndarray:
    return host_array(value, np.float64).copy()


def reject_noise(module: Any) -> None:
    """NIR has no noise: refuse a noisy module, naming it."""
    if float(module.noise_std) != 0.0:
        raise NIRConversionError(
            f"{module._path} ({module.class_name}): noise_std={float(module.noise_std)} has no "
            "NIR counterpart. Set `noise_std=0` before exporting."
        )
