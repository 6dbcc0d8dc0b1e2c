"""``to_nir``: export a shoal module (or a network of them) as a NIR graph."""

from __future__ import annotations

from typing import Any

import numpy as np

from shoal.backend._lazy import require
from shoal.nn.modules._module_base import ModuleBase as Module
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._registry import find_nir_export, find_nir_graph

__all__ = ["nir_nodes", "to_nir"]

# Graph metadata keys written by shoal (read back by ``from_nir``).
KIND_KEY = "shoal_kind"
DT_KEY = "dt"


def to_nir(module: Module) -> Any:
    """Export ``module`` as a :class:`nir.NIRGraph` (needs the ``nir`` extra: ``shoal[nir]``).

    Mappings (conversions and the discretisation: :mod:`shoal.nn.modules.nir._conversions`):

    - ``Linear`` → ``nir.Linear`` (``weight.T``), or ``nir.Affine`` when it has a bias;
    - ``LIF`` (one synapse per neuron) → ``nir.CubaLIF``; a recurrent ``LIF`` adds a
      ``nir.Linear`` node ``'<name>_w_rec'`` (``w_rec.T``) with edges ``LIF → w_rec → LIF``;
    - ``LIFNeuron`` → ``nir.LIF``, or ``nir.IF`` when leak-free (every ``tau_mem ≥ 1e30``) and
      bias-free;
    - ``ExpSyn`` → ``nir.LI``, or ``nir.I`` when leak-free (every ``tau ≥ 1e30``);
    - ``Instant`` with a :class:`~shoal.nn.modules.HeavisideStep` → ``nir.Threshold``;
    - ``Sequential`` → nodes named by the sub-module names, edges
      ``input → first → … → last → output``; ``Residual`` adds the edge ``input → output``
      (NIR sums the edges entering a node); ``FFwdStack`` adds its weights as ``nir.Linear``
      nodes ``'<i>_<i+1>_weight'`` (and reads back as a ``Sequential``). A combinator inside a
      combinator becomes a ``nir.NIRGraph`` node.

    The graph's metadata records ``dt`` (shared by every module) and the combinator kind.

    Args:
        module: The module or network to export (NumPy, JAX or Torch backend).

    Returns:
        The ``nir.NIRGraph``; write it with ``nir.write(path, graph)``.

    Raises:
        ImportError: If ``nir`` is not installed.
        NIRConversionError: For a module NIR cannot express (``Rate``, an ``Instant`` of
            another function, a LIF with several synapses per neuron, noise), naming the module
            and its type; or modules with different ``dt``.
    """
    nir = require("nir", "nir", "NIR export")
    dt = _common_dt(module)
    metadata: dict[str, Any] = {} if dt is None else {DT_KEY: dt}
    build = find_nir_graph(module)
    if build is not None:
        return build(nir, module, dt, metadata)
    name = module.class_name
    nodes, edges = nir_nodes(nir, name, module, dt)
    metadata[KIND_KEY] = "module"
    nodes["input"] = nir.Input(input_type=np.array([module.size_in]))
    nodes["output"] = nir.Output(output_type=np.array([module.size_out]))
    edges += [("input", name), (name, "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges, metadata=metadata)


def _common_dt(module: Module) -> float | None:
    """The ``dt`` every timed module in the tree shares (``None`` if none has one)."""
    found: dict[float, str] = {}
    pending: list[Any] = [module]
    while pending:
        current = pending.pop()
        export = find_nir_export(current)
        if export is not None and export[1]:  # a module whose `dt` must agree
            found.setdefault(float(current.dt), current._path)
        pending.extend(current.modules().values())
    if len(found) > 1:
        listing = ", ".join(f"{path}: dt={dt}" for dt, path in found.items())
        raise NIRConversionError(
            f"{module._path}: every module must share one `dt` to export to NIR; got {listing}."
        )
    return next(iter(found), None)


def nir_nodes(
    nir: Any, name: str, module: Module, dt: float | None
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The NIR nodes (``name`` first) and internal edges for one module.

    A combinator becomes one ``nir.NIRGraph`` node; a model uses the converter it registered
    (:func:`~shoal.nn.modules.nir._registry.register_nir_export`).
    """
    build = find_nir_graph(module)
    if build is not None:
        return {name: build(nir, module, dt, {})}, []
    export = find_nir_export(module)
    if export is None:
        where = f"{module._path} ({module.class_name})"
        raise NIRConversionError(
            f"{where}: no NIR node corresponds to {type(module).__name__}. Supported: Linear, "
            "LIF, LIFNeuron, ExpSyn, Instant(HeavisideStep) and Sequential/Residual/FFwdStack "
            "of them."
        )
    return export[0](nir, name, module, dt)
