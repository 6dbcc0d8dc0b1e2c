"""``to_nir``: export a shoal module (or a network of them) as a NIR graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.backend._lazy import require
from shoal.nn.combinators.ffwd_stack import FFwdStackBase
from shoal.nn.combinators.residual import ResidualBase
from shoal.nn.combinators.sequential import SequentialBase
from shoal.nn.modules.exp_syn import ExpSynBase
from shoal.nn.modules.lif import LIFBase
from shoal.nn.modules.linear import LinearBase
from shoal.nn.modules.module import Module
from shoal.nn.modules.nir import _conversions as conv
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.rate import RateBase

__all__ = ["to_nir"]

# Graph metadata keys written by shoal (read back by ``from_nir``).
KIND_KEY = "shoal_kind"
DT_KEY = "dt"


def to_nir(module: Module) -> Any:
    """Export ``module`` as a :class:`nir.NIRGraph` (needs the ``nir`` extra: ``shoal[nir]``).

    Mappings (conversions and the discretisation: :mod:`shoal.nn.modules.nir._conversions`):

    - ``Linear`` → ``nir.Linear`` (``weight.T``), or ``nir.Affine`` when it has a bias;
    - ``LIF`` (one synapse per neuron) → ``nir.CubaLIF``; a recurrent ``LIF`` adds a
      ``nir.Linear`` node ``'<name>_w_rec'`` (``w_rec.T``) with edges ``LIF → w_rec → LIF``;
    - ``ExpSyn`` → ``nir.LI``;
    - ``Sequential`` → nodes named by the sub-module names, edges
      ``input → first → … → last → output``; ``Residual`` adds the edge ``input → output``
      (NIR sums the edges entering a node); ``FFwdStack`` adds its weights as ``nir.Linear``
      nodes ``'<i>_<i+1>_weight'`` (and reads back as a ``Sequential``). A combinator inside a
      combinator becomes a ``nir.NIRGraph`` node.

    The graph's metadata records ``dt`` (shared by every module) and the combinator kind.

    Args:
        module: The module or network to export (NumPy or JAX backend).

    Returns:
        The ``nir.NIRGraph``; write it with ``nir.write(path, graph)``.

    Raises:
        ImportError: If ``nir`` is not installed.
        NIRConversionError: For a module NIR cannot express (``Rate``, ``Instant``, a LIF with
            several synapses per neuron, noise), naming the module and its type; or modules
            with different ``dt``.
    """
    nir = require("nir", "nir", "NIR export")
    dt = _common_dt(module)
    metadata: dict[str, Any] = {} if dt is None else {DT_KEY: dt}
    if isinstance(module, SequentialBase):
        return _graph(nir, module, dt, metadata)
    name = module.class_name
    nodes, edges = _nodes(nir, name, module, dt)
    metadata[KIND_KEY] = "module"
    nodes["input"] = nir.Input(input_type=np.array([module.size_in]))
    nodes["output"] = nir.Output(output_type=np.array([module.size_out]))
    edges += [("input", name), (name, "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def _array(value: Any, size: int) -> np.ndarray:
    """A parameter as a float64 ``(size,)`` array (scalars broadcast)."""
    return np.broadcast_to(np.asarray(value, dtype=np.float64).reshape(-1), (size,)).copy()


def _matrix(value: Any) -> np.ndarray:
    return np.array(value, dtype=np.float64)


def _common_dt(module: Module) -> float | None:
    """The ``dt`` every timed module in the tree shares (``None`` if none has one)."""
    found: dict[float, str] = {}
    pending = [module]
    while pending:
        current = pending.pop()
        if isinstance(current, (LIFBase, ExpSynBase)):
            found.setdefault(float(current.dt), current._path)
        pending.extend(current.modules().values())
    if len(found) > 1:
        listing = ", ".join(f"{path}: dt={dt}" for dt, path in found.items())
        raise NIRConversionError(
            f"{module._path}: every module must share one `dt` to export to NIR; got {listing}."
        )
    return next(iter(found), None)


def _graph(nir: Any, module: SequentialBase, dt: float | None, metadata: dict) -> Any:
    """A combinator as a graph: one node (or sub-graph) per sub-module, chained by edges."""
    if len(module) == 0:
        raise NIRConversionError(f"{module._path}: cannot export an empty {module.class_name}.")
    nodes: dict[str, Any] = {"input": nir.Input(input_type=np.array([module.size_in]))}
    edges: list[tuple[str, str]] = []
    previous = "input"
    for index, (name, child) in enumerate(module.modules().items()):
        if isinstance(module, FFwdStackBase) and index > 0:
            weight_name = f"{index - 1}_{index}_weight"
            nodes[weight_name] = nir.Linear(weight=_matrix(getattr(module, weight_name)).T)
            edges.append((previous, weight_name))
            previous = weight_name
        child_nodes, child_edges = _nodes(nir, name, child, dt)
        nodes.update(child_nodes)
        edges += [*child_edges, (previous, name)]
        previous = name
    nodes["output"] = nir.Output(output_type=np.array([module.size_out]))
    edges.append((previous, "output"))
    kind = "Residual" if isinstance(module, ResidualBase) else "Sequential"
    if kind == "Residual":
        edges.append(("input", "output"))
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata={**metadata, KIND_KEY: kind})


def _nodes(
    nir: Any, name: str, module: Module, dt: float | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The NIR nodes (``name`` first) and internal edges for one module."""
    if isinstance(module, SequentialBase):
        return {name: _graph(nir, module, dt, {})}, []
    if isinstance(module, LinearBase):
        weight = _matrix(module.weight).T
        if module._has_bias:
            bias = _array(module.bias, module.size_out)
            return {name: nir.Affine(weight=weight, bias=bias)}, []
        return {name: nir.Linear(weight=weight)}, []
    if isinstance(module, LIFBase):
        return _lif_nodes(nir, name, module, dt)
    if isinstance(module, ExpSynBase):
        _reject_noise(module)
        tau = _array(module.tau, module.size_out)
        return {name: nir.LI(**conv.li_from_expsyn(tau, float(module.dt)))}, []
    raise NIRConversionError(_unsupported_module_message(module))


def _lif_nodes(
    nir: Any, name: str, module: LIFBase, dt: float | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    _reject_noise(module)
    if module.n_synapses != 1:
        raise NIRConversionError(
            f"{module._path} ({module.class_name}): has {module.n_synapses} synapses per "
            "neuron, but nir.CubaLIF has one synaptic current per neuron. Export a LIF with "
            "shape (N, N) (one synapse per neuron)."
        )
    size = module.size_out
    params = conv.cubalif_from_lif(
        _array(module.tau_mem, size),
        _array(module.tau_syn, size),
        _array(module.bias, size),
        _array(module.threshold, size),
        float(module.dt),
    )
    nodes: dict[str, Any] = {name: nir.CubaLIF(**params)}
    if not module._has_rec:
        return nodes, []
    rec_name = f"{name}_w_rec"
    nodes[rec_name] = nir.Linear(weight=_matrix(module.w_rec).T)
    return nodes, [(name, rec_name), (rec_name, name)]


def _reject_noise(module: Any) -> None:
    if float(module.noise_std) != 0.0:
        raise NIRConversionError(
            f"{module._path} ({module.class_name}): noise_std={float(module.noise_std)} has no "
            "NIR counterpart. Set `noise_std=0` before exporting."
        )


def _unsupported_module_message(module: Module) -> str:
    where = f"{module._path} ({module.class_name})"
    if isinstance(module, RateBase):
        return (
            f"{where}: NIR has no rate neuron (Euler-integrated leaky state followed by an "
            "activation function), so a Rate module cannot be exported. Supported: Linear, "
            "LIF, ExpSyn and Sequential/Residual/FFwdStack of them."
        )
    return (
        f"{where}: no NIR node corresponds to {type(module).__name__}. Supported: Linear, "
        "LIF, ExpSyn and Sequential/Residual/FFwdStack of them."
    )
