"""``from_nir``: build a shoal module (or network) from a NIR graph or file.

This file knows the graph's structure (input, output, chains, skips, sub-graphs, recurrent
loops), not the models: each model registers the NIR node types it imports
(:func:`~shoal.nn.modules.nir._registry.register_nir_import`, next to its class), and returns
backend-neutral specs that are built here on the chosen backend.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shoal.backend._lazy import require, require_jax
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir import _conversions as conv
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._importing import (
    ImportContext,
    LinearSpec,
    ModuleSpec,
    NodeImport,
)
from shoal.nn.modules.nir._registry import (
    find_nir_import,
    imported_node_types,
    recurrent_node_types,
    register_nir_import,
)
from shoal.nn.modules.nir.export import DT_KEY, KIND_KEY

__all__ = ["from_nir"]

_DEFAULT_DT = 1e-3
_BACKENDS = ("numpy", "jax", "torch")


@dataclass
class _ChainSpec:
    name: str
    kind: str  # "module", "Sequential" or "Residual"
    items: list[Any] = field(default_factory=list)


def from_nir(graph_or_path: Any, dt: float | None = None, backend: str = "numpy") -> Module:
    """Build a shoal module from a :class:`nir.NIRGraph` or a NIR file (``shoal[nir]`` extra).

    Node mappings (conversions and the discretisation of NIR's continuous-time equations:
    :mod:`shoal.nn.modules.nir._conversions`):

    - ``nir.Linear`` / ``nir.Affine`` → ``Linear`` (weight transposed; ``Affine`` adds a bias);
    - ``nir.Scale`` → a gain folded into the ``Linear`` before it, else a diagonal ``Linear``
      named like the node;
    - ``nir.CubaLIF`` → ``LIF`` (one synapse per neuron, ``v_reset`` must be 0: shoal resets by
      subtraction); a ``nir.Linear`` node whose only input and only output is a CubaLIF node
      becomes that LIF's ``w_rec``;
    - ``nir.LIF`` → ``LIFNeuron`` (``v_reset`` must be 0); ``nir.IF`` → ``LIFNeuron`` with
      ``tau_mem = 1e30`` (its decay is exactly 1: no leak);
    - ``nir.LI`` → ``ExpSyn`` (``v_leak`` must be 0); ``nir.I`` → ``ExpSyn`` with
      ``tau = 1e30``;
    - ``nir.CubaLI`` → ``ExpSyn '<name>_syn'`` (τ_syn), a diagonal ``Linear '<name>_r'`` (unless
      its gain is one) and ``ExpSyn '<name>_mem'`` (τ_mem);
    - ``nir.Threshold`` → ``Instant`` with ``HeavisideStep(threshold)`` (``y = x > θ``);
    - ``nir.Flatten`` of a one-dimensional input → nothing (it is the identity);
    - a chain ``input → a → … → output`` → ``Sequential`` of modules named like the nodes; an
      extra edge ``input → output`` → ``Residual``; a ``nir.NIRGraph`` node → a nested one.

    A node's input gain (e.g. ``w_in``, ``r``) other than one is folded into the ``Linear``
    that feeds it, or a diagonal ``Linear '<name>_w_in'`` is inserted. A graph written by
    :func:`~shoal.nn.modules.nir.export.to_nir` comes back as the same structure (a single
    module as itself); a foreign one-node graph gives that module.

    Args:
        graph_or_path: A ``nir.NIRGraph``, or the path (``str``/``os.PathLike``) of a NIR file.
        dt: Time step in seconds for the discretisation. Default: the ``dt`` recorded by
            ``to_nir`` in the graph's metadata, else 1 ms.
        backend: ``"numpy"`` (``Linear``, ``LIF``, ``ExpSyn``, ``ModSequential``...),
            ``"jax"`` (``LinearJax``, ``LIFJax``, ``JaxSequential``...) or ``"torch"``
            (``LinearTorch``, ``LIFTorch``, ``TorchSequential``...).

    Raises:
        ImportError: If ``nir`` (or the backend's JAX or PyTorch) is not installed.
        NIRConversionError: For an unsupported node (named, with its type), a parameter value
            shoal cannot express, a model without a flavour on ``backend``, or a graph that is
            not a chain.
    """
    nir = require("nir", "nir", "NIR import")
    if isinstance(graph_or_path, (str, os.PathLike)):
        graph = nir.read(graph_or_path)
    elif isinstance(graph_or_path, nir.NIRGraph):
        graph = graph_or_path
    else:
        raise TypeError(
            "from_nir: expected a nir.NIRGraph or the path of a NIR file, got "
            f"{type(graph_or_path).__name__}."
        )
    _require_backend(backend)
    metadata = graph.metadata if isinstance(graph.metadata, dict) else {}
    step = float(dt if dt is not None else metadata.get(DT_KEY, _DEFAULT_DT))
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"from_nir: `dt` must be a finite time step > 0 (seconds), got {dt}.")
    spec = _parse_graph(nir, graph, "graph", step, top=True)
    return _build(spec, backend)  # type: ignore[no-any-return]


def _require_backend(backend: str) -> None:
    if backend not in _BACKENDS:
        raise ValueError(f"from_nir: `backend` must be 'numpy', 'jax' or 'torch', got {backend!r}.")
    if backend == "jax":
        require_jax("from_nir(backend='jax')")
    elif backend == "torch":
        require("torch", "torch", "from_nir(backend='torch')")


# ---------------------------------------------------------------------- graph structure
def _parse_graph(nir: Any, graph: Any, path: str, dt: float, top: bool = False) -> _ChainSpec:
    """Read a (sub-)graph as a chain of specs, recurrent loops attached to their neuron."""
    nodes = dict(graph.nodes)
    if top:
        # Types first: an unsupported node (say nir.Conv1d) explains a graph better than the
        # complaint about its image-shaped input node that the structure checks would give.
        _check_node_types(nir, nodes, path)
    edges = [(str(a), str(b)) for a, b in graph.edges]
    source = _single(nir.Input, nodes, path)
    sink = _single(nir.Output, nodes, path)
    recurrent = _recurrent_loops(nir, nodes, edges, path)
    edges = [e for e in edges if e[0] not in recurrent.values() and e[1] not in recurrent.values()]
    skip = (source, sink) in edges
    order = _chain_order(
        [e for e in edges if e != (source, sink)],
        source,
        sink,
        set(nodes) - set(recurrent.values()),
        path,
    )
    metadata = graph.metadata if isinstance(graph.metadata, dict) else {}
    kind = "Residual" if skip else str(metadata.get(KIND_KEY, "module" if top else "Sequential"))
    chain = _ChainSpec(path.rsplit(".", 1)[-1], kind)
    for name in order:
        rec_name = recurrent.get(name)
        rec_node = None if rec_name is None else nodes[rec_name]
        context = ImportContext(nir, name, f"{path}.{name}", dt, rec_node)
        converted = _convert_node(nodes[name], context)
        gain_source = f"{context.path} (nir.{type(nodes[name]).__name__}: input gain)"
        _append_with_gain(chain.items, converted, f"{name}_w_in", gain_source)
    if not chain.items:
        raise NIRConversionError(
            f"{path}: the nodes {order} compute nothing (each is an identity, such as a 1-D "
            "nir.Flatten); shoal builds no module from them. Remove them from the graph."
        )
    if chain.kind == "module" and len(chain.items) != 1:
        chain.kind = "Sequential"
    return chain


def _structural_types(nir: Any) -> tuple[type, ...]:
    return (nir.Input, nir.Output, nir.NIRGraph)


def _supported() -> str:
    return f"Input, Output, {', '.join(imported_node_types())} and NIRGraph"


def _check_node_types(nir: Any, nodes: dict[str, Any], path: str) -> None:
    """Raise for the first node of a type shoal cannot import, looking into sub-graphs."""
    for name, node in nodes.items():
        if isinstance(node, nir.NIRGraph):
            _check_node_types(nir, dict(node.nodes), f"{path}.{name}")
        elif not isinstance(node, _structural_types(nir)) and find_nir_import(node) is None:
            raise NIRConversionError(_unsupported_node_message(name, node, f"{path}.{name}"))


def _single(node_type: Any, nodes: dict[str, Any], path: str) -> str:
    names = [name for name, node in nodes.items() if isinstance(node, node_type)]
    if len(names) != 1:
        raise NIRConversionError(
            f"{path}: shoal needs exactly one nir.{node_type.__name__} node, found "
            f"{len(names)} ({names}). Multi-input/output graphs are not supported."
        )
    shape = np.asarray(
        next(iter((nodes[names[0]].input_type or nodes[names[0]].output_type).values()))
    )
    if shape.size != 1:
        raise NIRConversionError(
            f"{path}: node '{names[0]}' (nir.{node_type.__name__}) has shape {shape.tolist()}; "
            "shoal modules take flat vectors (one dimension)."
        )
    return names[0]


def _recurrent_loops(
    nir: Any, nodes: dict[str, Any], edges: list[tuple[str, str]], path: str
) -> dict[str, str]:
    """``{neuron node: weight node}`` for each ``neuron → nir.Linear → neuron`` loop."""
    loops: dict[str, str] = {}
    for name, node in nodes.items():
        if not isinstance(node, (nir.Linear, nir.Affine)):
            continue
        sources = [a for a, b in edges if b == name]
        targets = [b for a, b in edges if a == name]
        if len(sources) != 1 or sources != targets or sources[0] == name:
            continue
        neuron = sources[0]
        found = find_nir_import(nodes[neuron])
        if found is None or found[1] is None:
            allowed = recurrent_node_types()
            raise NIRConversionError(
                f"{path}.{name}: recurrent loop through nir.{type(node).__name__} onto '{neuron}' "
                f"(nir.{type(nodes[neuron]).__name__}); only a {' or '.join(allowed)} node can "
                f"be recurrent in shoal ({'; '.join(allowed.values())})."
            )
        if isinstance(node, nir.Affine):
            raise NIRConversionError(
                f"{path}.{name}: recurrent nir.Affine onto '{neuron}': shoal's `w_rec` has no "
                "bias. Use nir.Linear for the recurrent weights."
            )
        loops[neuron] = name
    return loops


def _chain_order(
    edges: list[tuple[str, str]], source: str, sink: str, names: set[str], path: str
) -> list[str]:
    """The nodes between ``source`` and ``sink`` if the edges form one simple chain."""
    order: list[str] = []
    current = source
    while len(order) <= len(names):
        targets = [b for a, b in edges if a == current]
        if len(targets) != 1:
            break
        current = targets[0]
        if current == sink:
            if order and len(edges) == len(order) + 1 and set(order) | {source, sink} == names:
                return order
            break
        if [a for a, b in edges if b == current] != [order[-1] if order else source]:
            break
        order.append(current)
    raise NIRConversionError(
        f"{path}: from_nir supports a chain input → … → output of nodes (plus an optional skip "
        f"edge input → output, read as a Residual, and nir.Linear loops on "
        f"{' or '.join(recurrent_node_types())} nodes). These edges are not of that form: "
        f"{sorted(edges)}."
    )


def _append_with_gain(
    items: list[Any], converted: NodeImport, default_name: str, source: str
) -> None:
    """Append the node's specs, with its input gain: folded into a preceding Linear if there
    is one, else a diagonal Linear (``converted.gain_name`` or ``default_name``) is inserted."""
    gain = converted.gain
    if gain is not None and not conv.is_unit(gain):
        previous = items[-1] if items else None
        if isinstance(previous, LinearSpec):
            previous.scale_output(gain)
        else:
            name = converted.gain_name or default_name
            items.append(LinearSpec(name, weight=np.diag(gain), source=source))
    items.extend(converted.items)


# ---------------------------------------------------------------------- nodes
def _convert_node(node: Any, context: ImportContext) -> NodeImport:
    """What one chain node becomes: a nested chain, or what its type's importer returns."""
    if isinstance(node, context.nir.NIRGraph):
        return NodeImport([_parse_graph(context.nir, node, context.path, context.dt)])
    found = find_nir_import(node)
    if found is None:
        raise NIRConversionError(_unsupported_node_message(context.name, node, context.path))
    # A loop onto a type without a recurrent hint was refused by _recurrent_loops already.
    # Huge values may overflow in a conversion: the model then refuses the inf, naming the node.
    with np.errstate(over="ignore", invalid="ignore"):
        return found[0](node, context)  # type: ignore[no-any-return]


def _unsupported_node_message(name: str, node: Any, path: str) -> str:
    kind = type(node).__name__
    return f"{path}: node '{name}' of type nir.{kind} is not supported by shoal. Supported: {_supported()}."


def _flatten(node: Any, context: ImportContext) -> NodeImport:
    """``nir.Flatten`` of a one-dimensional input is the identity: no module."""
    shapes = [np.asarray(shape).tolist() for shape in dict(node.input_type).values()]
    if len(shapes) != 1 or len(shapes[0]) != 1:
        raise NIRConversionError(
            f"{context.path} (nir.Flatten): input shape {shapes[0] if shapes else None} is not "
            "one-dimensional; shoal modules take flat vectors, so only a Flatten of a 1-D input "
            "(the identity) can be imported."
        )
    return NodeImport([])


register_nir_import("Flatten", _flatten)


# ---------------------------------------------------------------------- building modules
def _build(spec: Any, backend: str) -> Module:
    if isinstance(spec, ModuleSpec):
        return spec.build(backend)  # type: ignore[no-any-return]
    children = {item.name: _build(item, backend) for item in spec.items}
    if spec.kind == "module":
        return next(iter(children.values()))
    from shoal.nn.combinators import Residual, Sequential

    factory = Residual if spec.kind == "Residual" else Sequential
    return factory(children)
