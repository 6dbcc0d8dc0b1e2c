"""What a model's NIR importer receives and returns, and the helpers it shares.

A model declares its importers next to its class, keyed on the NIR node type's name::

    register_nir_import("LIF", _lif_neuron_from_nir)   # in lif_neuron.py

An importer gets the node and an :class:`ImportContext` (its name, path, ``dt``, the recurrent
weights looping onto it) and returns a :class:`NodeImport`: the specs of the modules to build,
in order, and the gain applied to the node's input. Specs are backend-neutral
(:class:`ModuleSpec` names the model; :func:`~shoal.nn.modules.nir.importer.from_nir` builds
its NumPy, JAX or Torch flavour), so one importer serves every backend. Nothing here imports
``nir``; the context carries it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

from shoal.nn.modules.nir._errors import NIRConversionError

__all__ = [
    "ImportContext",
    "LinearSpec",
    "ModuleSpec",
    "NodeImport",
    "flavour_class",
    "node_vectors",
    "require_zero",
    "vector",
]

# The class-name suffix of each backend's flavour, for models that do not list it yet.
_SUFFIXES = {"numpy": "", "jax": "Jax", "torch": "Torch"}


@dataclass(frozen=True)
class ImportContext:
    """Where a node sits and how to discretise it.

    Attributes:
        nir: The ``nir`` package (imported by ``from_nir``).
        name: The node's name in its graph (also the module's name in the built network).
        path: Dotted path for messages (``"graph.inner.lif"``).
        dt: Time step in seconds.
        recurrent: The ``nir.Linear`` whose only input and output is this node, or ``None``
            (passed only to importers registered with a ``recurrent`` hint).
    """

    nir: Any
    name: str
    path: str
    dt: float
    recurrent: Any = None


@dataclass
class ModuleSpec:
    """A module to build: the model and its keywords.

    ``model`` is the NumPy class name of a shoal model (``"LIFNeuron"``): the backend's flavour
    is looked up by name when the network is built (``LIFNeuronJax``, ``LIFNeuronTorch``), so a
    flavour added later is found without editing the importer. A class (a user's model) is
    built as it is, whatever the backend.
    """

    name: str
    model: str | type
    kwargs: dict[str, Any]
    source: str = ""  # "graph.lif (nir.LIF)", for messages

    def build(self, backend: str) -> Any:
        """The module on ``backend`` (``"numpy"``, ``"jax"`` or ``"torch"``).

        Raises:
            NIRConversionError: If the model refuses a converted value, naming the node.
        """
        return _construct(flavour_class(self.model, backend, self.source), self.source, self.kwargs)


@dataclass
class LinearSpec(ModuleSpec):
    """A ``Linear`` (weights ``(Nin, Nout)``, shoal orientation): gains fold into it.

    ``weight`` and ``bias`` are kept as fields (``kwargs`` stays empty) so that the importer
    can scale them in place.
    """

    model: str = "Linear"
    kwargs: dict[str, Any] = field(default_factory=dict)
    weight: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    bias: np.ndarray | None = None

    def scale_output(self, gain: np.ndarray) -> None:
        """Multiply every output channel ``j`` by ``gain[j]`` (the next node's input gain)."""
        self.weight = self.weight * gain
        if self.bias is not None:
            self.bias = self.bias * gain

    def build(self, backend: str) -> Any:
        cls = flavour_class(self.model, backend, self.source)
        kwargs = {"shape": self.weight.shape, "weight": self.weight, "bias": self.bias}
        return _construct(cls, self.source, kwargs)


def _construct(cls: Any, source: str, kwargs: dict[str, Any]) -> Any:
    try:
        return cls(**kwargs)
    except NIRConversionError:
        raise
    except ValueError as error:  # the model's own check ("Linear.weight: expected finite...")
        raise NIRConversionError(f"{source}: {error}") from error


@dataclass
class NodeImport:
    """What one NIR node becomes.

    Attributes:
        items: Specs in order (``[]`` for a node that computes nothing, e.g. a 1-D ``Flatten``).
        gain: ``(N,)`` gain on the node's input, or ``None`` (one). Folded into the ``Linear``
            before the node, else a diagonal ``Linear`` named ``gain_name`` is inserted.
        gain_name: Name of that diagonal ``Linear`` (default ``'<node>_w_in'``).
    """

    items: list[Any]
    gain: np.ndarray | None = None
    gain_name: str | None = None


def flavour_class(model: str | type, backend: str, source: str = "") -> Any:
    """The ``backend`` flavour of the model whose NumPy class is ``model`` (``"LIF"``).

    A class is returned as it is.

    Raises:
        NIRConversionError: If the model has no flavour on that backend (naming ``source``).
    """
    if isinstance(model, type):
        return model
    modules = importlib.import_module("shoal.nn.modules")
    base = getattr(modules, model)
    name = base._flavours.get(backend, model + _SUFFIXES[backend])
    if backend == "torch":
        # Looked up in the Torch package itself: shoal.nn.modules hands out an unusable
        # placeholder for a Torch name that does not exist yet.
        modules = importlib.import_module("shoal.nn.modules.torch")
    found = getattr(modules, name, None)
    if found is None:
        raise NIRConversionError(
            f"{source}: imports as {model}, which has no {backend} flavour ({name}) in this "
            f"version of shoal. Import with backend='numpy' or backend='jax'."
        )
    return found


def node_vectors(node: Any, names: tuple[str, ...], path: str) -> Any:
    """The node's parameters ``names`` as float64 ``(N,)`` arrays in a simple namespace.

    ``N`` is the size of the first; each other may be ``(N,)`` or a scalar (broadcast). Every
    value must be finite, and time constants (``tau*``) > 0: NIR's equations mean nothing
    otherwise, and the conversions would divide by them.

    Raises:
        NIRConversionError: Naming the node, the attribute and its value.
    """
    size = np.asarray(getattr(node, names[0])).size
    values = {n: vector(node, n, size, path) for n in names}
    kind = f"nir.{type(node).__name__}"
    for name, value in values.items():
        if not np.all(np.isfinite(value)):
            raise NIRConversionError(
                f"{path} ({kind}): `{name}` = {value.tolist()}; expected finite values."
            )
        if name.startswith("tau") and not np.all(value > 0):
            raise NIRConversionError(
                f"{path} ({kind}): `{name}` = {value.tolist()}; expected time constants > 0 "
                "(seconds)."
            )
    return SimpleNamespace(**values)


def vector(node: Any, attribute: str, size: int, path: str) -> np.ndarray:
    """``node.<attribute>`` as a float64 ``(size,)`` array (a scalar broadcasts)."""
    value = np.asarray(getattr(node, attribute), dtype=np.float64)
    if value.size not in (1, size) or value.ndim > 1:
        raise NIRConversionError(
            f"{path}: `{attribute}` has shape {value.shape}; expected ({size},) or a scalar."
        )
    return np.broadcast_to(value.reshape(-1), (size,)).copy()


def require_zero(value: np.ndarray, attribute: str, kind: str, path: str, why: str) -> None:
    """Raise ``NIRConversionError`` unless every element of ``value`` is 0."""
    if np.any(value != 0):
        raise NIRConversionError(
            f"{path} ({kind}): `{attribute}` = {value.tolist()} is not supported: {why}. Only "
            f"{attribute} = 0 can be imported."
        )
