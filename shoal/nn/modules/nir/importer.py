"""``from_nir``: build a shoal module (or network) from a NIR graph or file."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from shoal.backend._lazy import require, require_jax
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir import _conversions as conv
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir.export import DT_KEY, KIND_KEY

__all__ = ["from_nir"]

_SUPPORTED = "Input, Output, Linear, Affine, CubaLIF, LIF, LI, CubaLI and NIRGraph"
_DEFAULT_DT = 1e-3


@dataclass
class _LinearSpec:
    name: str
    weight: np.ndarray  # (Nin, Nout), shoal orientation
    bias: np.ndarray | None


@dataclass
class _LIFSpec:
    name: str
    params: dict[str, np.ndarray]
    w_rec: np.ndarray | None  # (N, N), shoal orientation, input gain applied


@dataclass
class _LIFNeuronSpec:
    name: str
    params: dict[str, np.ndarray]


@dataclass
class _ExpSynSpec:
    name: str
    tau: np.ndarray


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
    - ``nir.CubaLIF`` → ``LIF`` (one synapse per neuron, ``v_reset`` must be 0: shoal resets by
      subtraction); a ``nir.Linear`` node whose only input and only output is a CubaLIF node
      becomes that LIF's ``w_rec``;
    - ``nir.LIF`` → ``LIFNeuron`` (``v_reset`` must be 0);
    - ``nir.LI`` → ``ExpSyn`` (``v_leak`` must be 0);
    - ``nir.CubaLI`` → ``ExpSyn '<name>_syn'`` (τ_syn), a diagonal ``Linear '<name>_r'`` (unless
      its gain is one) and ``ExpSyn '<name>_mem'`` (τ_mem);
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
            ``"jax"`` (``LinearJax``, ``LIFJax``, ``ExpSynJax``, ``JaxSequential``...) or
            ``"torch"`` (``LinearTorch``, ``LIFTorch``, ``LIFNeuronTorch``, ``TorchSequential``...).

    Raises:
        ImportError: If ``nir`` (or the backend's JAX / PyTorch) is not installed.
        NIRConversionError: For an unsupported node (named, with its type), a parameter value
            shoal cannot express, or a graph that is not a chain.
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
    classes = _backend_classes(backend)
    metadata = graph.metadata if isinstance(graph.metadata, dict) else {}
    step = float(dt if dt is not None else metadata.get(DT_KEY, _DEFAULT_DT))
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"from_nir: `dt` must be a finite time step > 0 (seconds), got {dt}.")
    spec = _parse_graph(nir, graph, "graph", step, top=True)
    return _build(spec, classes, step)  # type: ignore[no-any-return]


def _backend_classes(backend: str) -> dict[str, Any]:
    if backend == "numpy":
        from shoal.nn.modules.native.exp_syn import ExpSyn
        from shoal.nn.modules.native.lif import LIF
        from shoal.nn.modules.native.lif_neuron import LIFNeuron
        from shoal.nn.modules.native.linear import Linear

        return {"Linear": Linear, "LIF": LIF, "LIFNeuron": LIFNeuron, "ExpSyn": ExpSyn}
    if backend == "jax":
        require_jax("from_nir(backend='jax')")
        from shoal.nn.modules.jax.exp_syn_jax import ExpSynJax
        from shoal.nn.modules.jax.lif_jax import LIFJax
        from shoal.nn.modules.jax.lif_neuron_jax import LIFNeuronJax
        from shoal.nn.modules.jax.linear_jax import LinearJax

        return {"Linear": LinearJax, "LIF": LIFJax, "LIFNeuron": LIFNeuronJax, "ExpSyn": ExpSynJax}
    if backend == "torch":
        require("torch", "torch", "from_nir(backend='torch')")
        import shoal.nn.modules.torch as torch_modules

        return {
            "Linear": torch_modules.LinearTorch,
            "LIF": torch_modules.LIFTorch,
            "LIFNeuron": torch_modules.LIFNeuronTorch,
            "ExpSyn": torch_modules.ExpSynTorch,
        }
    raise ValueError(f"from_nir: `backend` must be 'numpy', 'jax' or 'torch', got {backend!r}.")


# ---------------------------------------------------------------------- graph structure
def _parse_graph(nir: Any, graph: Any, path: str, dt: float, top: bool = False) -> _ChainSpec:
    """Read a (sub-)graph as a chain of specs, recurrent loops attached to their CubaLIF."""
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
        items, gain = _convert_node(nir, name, nodes[name], rec_node, f"{path}.{name}", dt)
        _append_with_gain(chain.items, items, gain, f"{name}_w_in")
    if chain.kind == "module" and len(chain.items) != 1:
        chain.kind = "Sequential"
    return chain


def _check_node_types(nir: Any, nodes: dict[str, Any], path: str) -> None:
    """Raise for the first node of a type shoal cannot import, looking into sub-graphs."""
    supported = (
        nir.Input,
        nir.Output,
        nir.Linear,
        nir.Affine,
        nir.CubaLIF,
        nir.LIF,
        nir.LI,
        nir.CubaLI,
    )
    for name, node in nodes.items():
        if isinstance(node, nir.NIRGraph):
            _check_node_types(nir, dict(node.nodes), f"{path}.{name}")
        elif not isinstance(node, supported):
            raise NIRConversionError(_unsupported_node_message(nir, name, node, f"{path}.{name}"))


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
        if not isinstance(nodes[neuron], nir.CubaLIF):
            raise NIRConversionError(
                f"{path}.{name}: recurrent loop through nir.{type(node).__name__} onto '{neuron}' "
                f"(nir.{type(nodes[neuron]).__name__}); only a CubaLIF node can be recurrent in "
                "shoal (LIF's `w_rec`)."
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
        "edge input → output, read as a Residual, and nir.Linear loops on CubaLIF nodes, read "
        f"as `w_rec`). These edges are not of that form: {sorted(edges)}."
    )


def _append_with_gain(
    items: list[Any], new: list[Any], gain: np.ndarray | None, linear_name: str
) -> None:
    """Append ``new``, with ``gain`` on its input: folded into a preceding Linear if there is
    one, else a diagonal Linear named ``linear_name`` is inserted."""
    if gain is not None and not conv.is_unit(gain):
        previous = items[-1] if items else None
        if isinstance(previous, _LinearSpec):
            previous.weight = previous.weight * gain
            if previous.bias is not None:
                previous.bias = previous.bias * gain
        else:
            items.append(_LinearSpec(linear_name, np.diag(gain), None))
    items.extend(new)


# ---------------------------------------------------------------------- nodes
def _vector(node: Any, attribute: str, size: int, path: str) -> np.ndarray:
    value = np.asarray(getattr(node, attribute), dtype=np.float64)
    if value.size not in (1, size) or value.ndim > 1:
        raise NIRConversionError(
            f"{path}: `{attribute}` has shape {value.shape}; expected ({size},) or a scalar."
        )
    return np.broadcast_to(value.reshape(-1), (size,)).copy()


def _plain(node: Any, names: tuple[str, ...], path: str) -> Any:
    """The node's parameters as float64 ``(N,)`` arrays in a simple namespace."""
    size = np.asarray(getattr(node, names[0])).size
    return SimpleNamespace(**{n: _vector(node, n, size, path) for n in names})


def _convert_node(
    nir: Any, name: str, node: Any, rec: Any, path: str, dt: float
) -> tuple[list[Any], np.ndarray | None]:
    """The specs for one chain node and the gain applied to its input (``None``: one)."""
    if isinstance(node, nir.NIRGraph):
        return [_parse_graph(nir, node, path, dt)], None
    if isinstance(node, (nir.Linear, nir.Affine)):
        weight = np.asarray(node.weight, dtype=np.float64)
        if weight.ndim != 2:
            raise NIRConversionError(
                f"{path}: nir.{type(node).__name__} weight has shape {weight.shape}; shoal's "
                "Linear needs a 2-D (out, in) matrix."
            )
        bias = None
        if isinstance(node, nir.Affine):
            bias = _vector(node, "bias", weight.shape[0], path)
        return [_LinearSpec(name, weight.T.copy(), bias)], None
    if isinstance(node, nir.CubaLIF):
        return _convert_cubalif(name, node, rec, path, dt)
    if isinstance(node, nir.LIF):
        params = _plain(node, ("tau", "r", "v_leak", "v_threshold", "v_reset"), path)
        _require_zero(
            params.v_reset,
            "v_reset",
            "nir.LIF",
            path,
            "shoal's LIFNeuron resets by subtracting the threshold (v ← v − θ per spike)",
        )
        neuron_params, gain = conv.lif_neuron_from_lif(params, dt)
        return [_LIFNeuronSpec(name, neuron_params)], gain
    if isinstance(node, nir.LI):
        params = _plain(node, ("tau", "r", "v_leak"), path)
        _require_zero(params.v_leak, "v_leak", "nir.LI", path, "ExpSyn has no resting level")
        tau, gain = conv.expsyn_from_li(params, dt)
        return [_ExpSynSpec(name, tau)], gain
    if isinstance(node, nir.CubaLI):
        params = _plain(node, ("tau_syn", "tau_mem", "r", "v_leak", "w_in"), path)
        _require_zero(params.v_leak, "v_leak", "nir.CubaLI", path, "ExpSyn has no resting level")
        gain, membrane_gain = conv.cubali_gains(params, dt)
        items: list[Any] = [_ExpSynSpec(f"{name}_syn", params.tau_syn)]
        membrane = [_ExpSynSpec(f"{name}_mem", params.tau_mem)]
        _append_with_gain(items, membrane, membrane_gain, f"{name}_r")
        return items, gain
    raise NIRConversionError(_unsupported_node_message(nir, name, node, path))


def _convert_cubalif(
    name: str, node: Any, rec: Any, path: str, dt: float
) -> tuple[list[Any], np.ndarray]:
    names = ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in")
    params = _plain(node, names, path)
    _require_zero(
        params.v_reset,
        "v_reset",
        "nir.CubaLIF",
        path,
        "shoal's LIF resets by subtracting the threshold (v ← v − θ per spike)",
    )
    lif_params, gain = conv.lif_from_cubalif(params, dt)
    w_rec = None
    if rec is not None:
        weight = np.asarray(rec.weight, dtype=np.float64)
        size = params.v_threshold.size
        if weight.shape != (size, size):
            raise NIRConversionError(
                f"{path}: recurrent weights have shape {weight.shape}; expected ({size}, {size})."
            )
        w_rec = weight.T * (1.0 if conv.is_unit(gain) else gain)
    return [_LIFSpec(name, lif_params, w_rec)], gain


def _require_zero(value: np.ndarray, attribute: str, kind: str, path: str, why: str) -> None:
    if np.any(value != 0):
        raise NIRConversionError(
            f"{path} ({kind}): `{attribute}` = {value.tolist()} is not supported: {why}. Only "
            f"{attribute} = 0 can be imported."
        )


def _unsupported_node_message(nir: Any, name: str, node: Any, path: str) -> str:
    kind = type(node).__name__
    hint = ""
    if isinstance(node, (nir.IF, nir.I)):
        hint = (
            " shoal's neurons leak: express the neuron as nir.LIF with a long tau "
            "(LIFNeuron) or as nir.CubaLIF (LIF)."
        )
    return f"{path}: node '{name}' of type nir.{kind} is not supported by shoal.{hint} Supported: {_SUPPORTED}."


# ---------------------------------------------------------------------- building modules
def _build(spec: Any, classes: dict[str, Any], dt: float) -> Module:
    if isinstance(spec, _LinearSpec):
        return classes["Linear"](spec.weight.shape, weight=spec.weight, bias=spec.bias)  # type: ignore[no-any-return]
    if isinstance(spec, _LIFSpec):
        params = spec.params
        size = params["threshold"].size
        return classes["LIF"](  # type: ignore[no-any-return]
            (size, size),
            tau_mem=params["tau_mem"],
            tau_syn=params["tau_syn"].reshape(size, 1),
            bias=params["bias"],
            threshold=params["threshold"],
            has_rec=spec.w_rec is not None,
            w_rec=spec.w_rec,
            dt=dt,
        )
    if isinstance(spec, _LIFNeuronSpec):
        return classes["LIFNeuron"](  # type: ignore[no-any-return]
            spec.params["threshold"].size, dt=dt, **spec.params
        )
    if isinstance(spec, _ExpSynSpec):
        return classes["ExpSyn"](spec.tau.size, tau=spec.tau, dt=dt)  # type: ignore[no-any-return]
    children = {item.name: _build(item, classes, dt) for item in spec.items}
    if spec.kind == "module":
        return next(iter(children.values()))
    from shoal.nn.combinators import Residual, Sequential

    factory = Residual if spec.kind == "Residual" else Sequential
    return factory(children)
