"""What a contract case is (:class:`ModelCase`) and the catalogue of classes it builds from.

A case builds its module from a catalogue (the NumPy, JAX or Torch classes under the same
names), so one factory serves every backend. The cases themselves are in
:mod:`tests.models._model_cases` and :mod:`tests.models.registry`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import shoal.nn.modules as modules
from shoal.backend import backend_names

try:  # combinators may land after the catalogue; the registry must import without them
    import shoal.nn.combinators as combinators
except ImportError:  # pragma: no cover - only while the package is being written
    combinators = None  # type: ignore[assignment]

# Every registered backend: a new backend joins every contract test by registering itself.
BACKENDS = backend_names()

Shape = tuple[int, ...]
# (batched lead (B, T), raw input lead (T,) or (B, T)) -> nested dict of record shapes
RecordShapes = Callable[[Shape, Shape], dict[str, Any]]


def catalogue(backend: str) -> SimpleNamespace:
    """The model classes of ``backend`` under backend-neutral names (``Rate``, ``LIF``...)."""
    # Each backend-neutral model names its final class per backend (`_flavours`).
    classes = {name: _flavour(getattr(modules, name), backend, name) for name in _NAMES}
    if combinators is not None:
        for name in ("Sequential", "Residual", "FFwdStack"):
            classes[name] = getattr(combinators, name)
    return SimpleNamespace(**classes)


def _flavour(generic: Any, backend: str, name: str) -> Any:
    """The final class, or a stand-in that skips the test when ``backend`` lacks the model."""
    final = generic._flavours.get(backend)
    if final is None:

        def missing(*args: Any, **kwargs: Any) -> Any:
            pytest.skip(f"{name} has no {backend} flavour yet")

        return missing
    return getattr(modules, final)


_NAMES = (
    "Rate",
    "LIF",
    "ExpSyn",
    "Linear",
    "Instant",
    "aLIF",
    "LIFNeuron",
    "ExpSmooth",
    "Softmax",
    "LogSoftmax",
    "LIFBitshift",
    "UpDown",
    "TimeStepDropout",
    "UnitDropout",
    "BooleanState",
)


@dataclass(frozen=True)
class ModelCase:
    """One model configuration under contract.

    Attributes:
        name: Test id.
        make: ``make(catalogue, **extra)`` builds a fresh module; ``extra`` keywords go to the
            outermost constructor (used for the misspelled-keyword check).
        n_in: Input channels.
        n_out: Output channels.
        records: Expected record shapes for ``record=True``.
        misspelled: A keyword close to a real one that the constructor must refuse.
        suggestion: Text the error must contain, e.g. ``"did you mean 'tau'"`` (``None``: none).
        batches: Whether a ``(T, N)`` input gains a batch axis (``Linear`` does not; as in
            Rockpool, ``LinearTorch`` does: see :meth:`output_shape`).
        spiking_output: Whether outputs are spike counts.
        stateful: Whether the module has state (evolving changes it).
        input_scale: Inputs are ``U(0, 1) · input_scale`` (strong enough to make LIF spike).
    """

    name: str
    make: Callable[..., Any]
    n_in: int
    n_out: int
    records: RecordShapes
    misspelled: str
    suggestion: str | None
    batches: bool = True
    spiking_output: bool = False
    stateful: bool = True
    input_scale: float = 1.0
    tags: frozenset[str] = field(default_factory=frozenset)

    def build(self, backend: str, **extra: Any) -> Any:
        """A fresh module; random initialisers are seeded, so every build is identical."""
        np.random.seed(0)
        if backend == "torch":  # Torch modules draw noise from torch's global generator
            import torch

            torch.manual_seed(0)
        return self.make(catalogue(backend), **extra)

    def output_shape(self, lead: Shape, backend: str = "numpy") -> Shape:
        if (self.batches or backend == "torch") and len(lead) == 1:
            return (1, *lead, self.n_out)
        return (*lead, self.n_out)

    def inputs(self, lead: Shape, seed: int = 0) -> np.ndarray:
        rng = np.random.default_rng(seed)
        return self.input_scale * rng.uniform(0.0, 1.0, (*lead, self.n_in))


def host(value: Any) -> Any:
    """``value`` as a NumPy array (torch tensors detached and copied to the host)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def plain(tree: Any) -> Any:
    """A nested ``dict`` of NumPy arrays (dict subclasses such as ``TorchModuleParameters``
    are leaves to JAX's tree utilities, so they are converted first)."""
    if isinstance(tree, dict):
        return {key: plain(value) for key, value in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(plain(value) for value in tree)
    return host(tree)


def batched_lead(lead: Shape) -> Shape:
    """``(B, T)`` of a raw input lead: ``(T,)`` gains a batch of one."""
    return lead if len(lead) == 2 else (1, *lead)
