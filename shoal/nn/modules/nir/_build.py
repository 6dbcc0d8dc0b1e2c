"""From parsed NIR nodes to shoal modules: the specs the importer fills, and the builder.

:mod:`~shoal.nn.modules.nir.importer` reads and checks the graph into these plain specs
(NumPy arrays in shoal's orientation); :func:`build` turns them into modules of one backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shoal.backend._lazy import require_jax
from shoal.nn.modules.module import Module

__all__ = [
    "ChainSpec",
    "ExpSynSpec",
    "LIFNeuronSpec",
    "LIFSpec",
    "LinearSpec",
    "backend_classes",
    "build",
]


@dataclass
class LinearSpec:
    name: str
    weight: np.ndarray  # (Nin, Nout), shoal orientation
    bias: np.ndarray | None


@dataclass
class LIFSpec:
    name: str
    params: dict[str, np.ndarray]
    w_rec: np.ndarray | None  # (N, N), shoal orientation, input gain applied


@dataclass
class LIFNeuronSpec:
    name: str
    params: dict[str, np.ndarray]


@dataclass
class ExpSynSpec:
    name: str
    tau: np.ndarray


@dataclass
class ChainSpec:
    name: str
    kind: str  # "module", "Sequential" or "Residual"
    items: list[Any] = field(default_factory=list)


def backend_classes(backend: str) -> dict[str, Any]:
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
    raise ValueError(f"from_nir: `backend` must be 'numpy' or 'jax', got {backend!r}.")


def build(spec: Any, classes: dict[str, Any], dt: float) -> Module:
    if isinstance(spec, LinearSpec):
        return classes["Linear"](spec.weight.shape, weight=spec.weight, bias=spec.bias)  # type: ignore[no-any-return]
    if isinstance(spec, LIFSpec):
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
    if isinstance(spec, LIFNeuronSpec):
        return classes["LIFNeuron"](  # type: ignore[no-any-return]
            spec.params["threshold"].size, dt=dt, **spec.params
        )
    if isinstance(spec, ExpSynSpec):
        return classes["ExpSyn"](spec.tau.size, tau=spec.tau, dt=dt)  # type: ignore[no-any-return]
    children = {item.name: build(item, classes, dt) for item in spec.items}
    if spec.kind == "module":
        return next(iter(children.values()))
    from shoal.nn.combinators import Residual, Sequential

    factory = Residual if spec.kind == "Residual" else Sequential
    return factory(children)
