"""The registry every contract test runs over: one :class:`ModelCase` per model or combinator.

Adding an entry here is the only step needed to put a model under every contract test in
``test_contract.py`` (shapes, records, reset, set_attributes, pytree, jit, gradients, keywords).
A case builds its module from a :class:`Catalogue` (the NumPy or the JAX classes under the same
names), so one factory serves both backends.
"""

from __future__ import annotations

import warnings
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


def _batched(lead: Shape) -> Shape:
    return lead if len(lead) == 2 else (1, *lead)


def _rate_records(n: int) -> RecordShapes:
    return lambda bt, raw: {"rec_input": (*bt, n), "x": (*bt, n)}


def _lif_records(n: int, n_syn: int) -> RecordShapes:
    return lambda bt, raw: {
        "irec": (*bt, n, n_syn),
        "spikes": (*bt, n),
        "isyn": (*bt, n, n_syn),
        "vmem": (*bt, n),
    }


def _alif_records(n: int, n_syn: int) -> RecordShapes:
    return lambda bt, raw: {**_lif_records(n, n_syn)(bt, raw), "iahp": (*bt, n)}


def _quietly(factory: Callable[..., Any]) -> Callable[..., Any]:
    """``ExpSmoothJax`` warns on construction (Rockpool deprecates it): not under test here."""

    def make(c: SimpleNamespace, **kw: Any) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The module ExpSmoothJax is deprecated")
            return factory(c, **kw)

    return make


def _no_records(bt: Shape, raw: Shape) -> dict[str, Any]:
    return {}


_W_REC_3 = [[0.0, 0.5, -0.2], [-0.5, 0.0, 0.3], [0.1, -0.3, 0.0]]

CASES: list[ModelCase] = [
    ModelCase(
        "Rate",
        lambda c, **kw: c.Rate(3, tau=[0.01, 0.02, 0.05], bias=0.1, **kw),
        3,
        3,
        _rate_records(3),
        misspelled="tua",
        suggestion="did you mean 'tau'",
    ),
    ModelCase(
        "Rate-rec-tanh",
        lambda c, **kw: c.Rate(
            3, has_rec=True, w_rec=_W_REC_3, activation_func="tanh", tau=0.02, **kw
        ),
        3,
        3,
        _rate_records(3),
        misspelled="has_recc",
        suggestion="did you mean 'has_rec'",
    ),
    ModelCase(
        "LIF",
        lambda c, **kw: c.LIF(3, tau_mem=[0.01, 0.02, 0.03], bias=0.05, **kw),
        3,
        3,
        _lif_records(3, 1),
        misspelled="tau_memm",
        suggestion="did you mean 'tau_mem'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "LIF-rec",
        lambda c, **kw: c.LIF(3, has_rec=True, threshold=0.8, **kw),
        3,
        3,
        _lif_records(3, 1),
        misspelled="treshold",
        suggestion="did you mean 'threshold'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "LIF-nsyn2",
        lambda c, **kw: c.LIF((4, 2), tau_syn=[[0.005, 0.02], [0.01, 0.03]], **kw),
        4,
        2,
        _lif_records(2, 2),
        misspelled="tau_sin",
        suggestion="did you mean 'tau_syn'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "LIF-noise",
        lambda c, **kw: c.LIF(
            2, noise_std=0.5, **({"rng_key": [1, 2]} if _is_jax(c) else {}), **kw
        ),
        2,
        2,
        _lif_records(2, 1),
        misspelled="noise_sd",
        suggestion="did you mean 'noise_std'",
        spiking_output=True,
        input_scale=3.0,
    ),
    # ---- second catalogue (catalogue-2.md)
    ModelCase(
        "aLIF",
        lambda c, **kw: c.aLIF(3, tau_ahp=[0.01, 0.02, 0.05], w_ahp=-0.3, bias=0.05, **kw),
        3,
        3,
        _alif_records(3, 1),
        misspelled="tau_ahpp",
        suggestion="did you mean 'tau_ahp'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "aLIF-rec-nsyn2",
        lambda c, **kw: c.aLIF(
            (4, 2), has_rec=True, tau_syn=[[0.005, 0.02]], w_ahp=[-0.5, -0.1], **kw
        ),
        4,
        2,
        _alif_records(2, 2),
        misspelled="w_ahp_init",
        suggestion="did you mean 'w_ahp_init_func'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "aLIF-noise",
        lambda c, **kw: c.aLIF(
            2, noise_std=0.5, **({"rng_key": [1, 2]} if _is_jax(c) else {}), **kw
        ),
        2,
        2,
        _alif_records(2, 1),
        misspelled="noise",
        suggestion="did you mean 'noise_std'",
        spiking_output=True,
        input_scale=3.0,
    ),
    ModelCase(
        "LIFBitshift",
        lambda c, **kw: c.LIFBitshift(3, tau_mem=[0.004, 0.01, 0.03], tau_syn=0.005, **kw),
        3,
        3,
        _lif_records(3, 1),
        misspelled="max_spike_per_dt",
        suggestion="did you mean 'max_spikes_per_dt'",
        spiking_output=True,
        input_scale=3.0,
        tags=frozenset({"flat_taus"}),
    ),
    ModelCase(
        "LIFBitshift-rec-nsyn2",
        lambda c, **kw: c.LIFBitshift((4, 2), has_rec=True, tau_syn=[[0.001, 0.02]], **kw),
        4,
        2,
        _lif_records(2, 2),
        misspelled="tau_syns",
        suggestion="did you mean 'tau_syn'",
        spiking_output=True,
        input_scale=3.0,
        tags=frozenset({"flat_taus"}),
    ),
    ModelCase(
        "UpDown",
        lambda c, **kw: c.UpDown(3, thr_up=[0.1, 0.2, 0.05], thr_down=0.15, **kw),
        3,
        6,
        lambda bt, raw: {"analog_value": (*bt, 3)},
        misspelled="thr_dwn",
        suggestion="did you mean 'thr_down'",
        spiking_output=True,
    ),
    ModelCase(
        "UpDown-refractory",
        lambda c, **kw: c.UpDown(2, thr_up=0.6, thr_down=0.5, n_ref_steps=2, repeat_output=3, **kw),
        2,
        4,
        lambda bt, raw: {"analog_value": (*bt, 2)},
        misspelled="n_ref_step",
        suggestion="did you mean 'n_ref_steps'",
        spiking_output=True,
    ),
    # Random masks: "noise" in the name keeps them out of the deterministic property tests.
    ModelCase(
        "TimeStepDropout-noise",
        lambda c, **kw: c.TimeStepDropout(
            3, p=0.3, **({"rng_key": [1, 2]} if _is_jax(c) else {}), **kw
        ),
        3,
        3,
        _no_records,
        misspelled="training_",
        suggestion="did you mean 'training'",
        stateful=False,
    ),
    ModelCase(
        "UnitDropout-noise",
        lambda c, **kw: c.UnitDropout(
            4, p=0.5, **({"rng_key": [3, 4]} if _is_jax(c) else {}), **kw
        ),
        4,
        4,
        _no_records,
        misspelled="prob",
        suggestion=None,
        stateful=False,
    ),
    # ---- BooleanState (catalogue-2 §4.3): bool output, no parameters to train
    ModelCase(
        "BooleanState",
        lambda c, **kw: c.BooleanState(3, threshold=[0.3, 0.5, 0.7], **kw),
        3,
        3,
        lambda bt, raw: {"bool_state": (*bt, 3)},
        misspelled="treshold",
        suggestion="did you mean 'threshold'",
        tags=frozenset({"bool_output"}),
    ),
    ModelCase(
        "LIFNeuron",
        lambda c, **kw: c.LIFNeuron(3, tau_mem=[0.01, 0.02, 0.03], threshold=[1.0, 0.8, 1.2], **kw),
        3,
        3,
        lambda bt, raw: {"vmem": (*bt, 3), "spikes": (*bt, 3)},
        misspelled="treshold",
        suggestion="did you mean 'threshold'",
        spiking_output=True,
        input_scale=1.5,
    ),
    ModelCase(
        "LIFNeuron-noise",
        lambda c, **kw: c.LIFNeuron(
            2, noise_std=0.5, bias=0.1, **({"rng_key": [1, 2]} if _is_jax(c) else {}), **kw
        ),
        2,
        2,
        lambda bt, raw: {"vmem": (*bt, 2), "spikes": (*bt, 2)},
        misspelled="noise_sdt",
        suggestion="did you mean 'noise_std'",
        spiking_output=True,
        input_scale=1.5,
    ),
    ModelCase(
        "ExpSmooth-tanh",
        _quietly(
            lambda c, **kw: c.ExpSmooth(3, tau=[0.002, 0.01, 0.05], activation_fun=np.tanh, **kw)
        ),
        3,
        3,
        lambda bt, raw: {"activation": (*raw, 3)},
        misspelled="activation_func",
        suggestion="did you mean 'activation_fun'",
        batches=False,
    ),
    ModelCase(
        "Softmax",
        lambda c, **kw: c.Softmax((3, 2), tau=[0.01, 0.05], **kw),
        3,
        2,
        lambda bt, raw: {"linear": {}, "smooth": {"isyn": (*bt, 2)}},
        misspelled="has_bais",
        suggestion="did you mean 'has_bias'",
    ),
    ModelCase(
        "LogSoftmax",
        lambda c, **kw: c.LogSoftmax(weight=np.eye(3)[:, :2], has_bias=False, tau=0.02, **kw),
        3,
        2,
        lambda bt, raw: {"linear": {}, "smooth": {"isyn": (*bt, 2)}},
        misspelled="wieght",
        suggestion="did you mean 'weight'",
    ),
    ModelCase(
        "ExpSyn",
        lambda c, **kw: c.ExpSyn(3, tau=[0.002, 0.01, 0.05], **kw),
        3,
        3,
        lambda bt, raw: {"isyn": (*bt, 3)},
        misspelled="tau_syn",
        suggestion="did you mean 'tau'",
    ),
    ModelCase(
        "Linear",
        lambda c, **kw: c.Linear((3, 2), **kw),
        3,
        2,
        _no_records,
        misspelled="wieght",
        suggestion="did you mean 'weight'",
        batches=False,
        stateful=False,
    ),
    ModelCase(
        "Linear-bias",
        lambda c, **kw: c.Linear((3, 2), has_bias=True, **kw),
        3,
        2,
        _no_records,
        misspelled="has_biass",
        suggestion="did you mean 'has_bias'",
        batches=False,
        stateful=False,
    ),
    ModelCase(
        "Instant",
        lambda c, **kw: c.Instant(3, function=np.tanh, **kw),
        3,
        3,
        _no_records,
        misspelled="func",
        suggestion=None,
        stateful=False,
    ),
]


def _is_jax(c: SimpleNamespace) -> bool:
    return bool(c.Rate.__name__.endswith("Jax"))


def _combinator_records(classes: tuple[str, ...], builders: tuple[Any, ...]) -> Any:
    """Record shapes depend on class names (``0_Linear`` vs ``0_LinearJax``): resolved lazily."""

    def shapes(bt: Shape, raw: Shape, backend: str = "numpy") -> dict[str, Any]:
        suffix = {"jax": "Jax", "torch": "Torch"}.get(backend, "")
        out: dict[str, Any] = {}
        for index, (cls, (sub_records, sub_output)) in enumerate(zip(classes, builders)):
            name = f"{index}_{cls}{suffix}"
            out[name] = sub_records(bt, raw)
            sub_raw = bt if backend == "torch" else raw  # LinearTorch adds the batch axis
            out[f"{name}_output"] = sub_output(bt, sub_raw)
        return out

    return shapes


if combinators is not None:
    CASES += [
        ModelCase(
            "Sequential(Linear,LIF)",
            lambda c, **kw: c.Sequential(
                c.Linear((3, 2), weight=np.full((3, 2), 0.8)), c.LIF(2), **kw
            ),
            3,
            2,
            _combinator_records(
                ("Linear", "LIF"),
                (
                    (_no_records, lambda bt, raw: (*raw, 2)),
                    (_lif_records(2, 1), lambda bt, raw: (*bt, 2)),
                ),
            ),
            misspelled="nmae",
            suggestion=None,
            spiking_output=True,
            input_scale=3.0,
        ),
        ModelCase(
            "Sequential(Linear,Rate)",
            lambda c, **kw: c.Sequential(c.Linear((3, 4)), c.Rate(4, bias=0.5), **kw),
            3,
            4,
            _combinator_records(
                ("Linear", "Rate"),
                (
                    (_no_records, lambda bt, raw: (*raw, 4)),
                    (_rate_records(4), lambda bt, raw: (*bt, 4)),
                ),
            ),
            misspelled="shpe",
            suggestion=None,
        ),
        ModelCase(
            "Residual(Linear,Rate)",
            lambda c, **kw: c.Residual(c.Linear((3, 3)), c.Rate(3, bias=0.5), **kw),
            3,
            3,
            _combinator_records(
                ("Linear", "Rate"),
                (
                    (_no_records, lambda bt, raw: (*raw, 3)),
                    (_rate_records(3), lambda bt, raw: (*bt, 3)),
                ),
            ),
            misspelled="spiking_inptu",
            suggestion=None,
        ),
        ModelCase(
            "FFwdStack(Rate,Rate)",
            lambda c, **kw: c.FFwdStack(
                c.Rate(3, bias=0.5), c.Rate(2, bias=0.5), weight_init_func=np.ones, **kw
            ),
            3,
            2,
            _combinator_records(
                ("Rate", "Rate"),
                (
                    (_rate_records(3), lambda bt, raw: (*bt, 3)),
                    (_rate_records(2), lambda bt, raw: (*bt, 2)),
                ),
            ),
            misspelled="weight_init_fn",
            suggestion="`weight_init_func`",
        ),
    ]

CASE_IDS = [case.name for case in CASES]
COMBINATOR_CASES = [case for case in CASES if "(" in case.name]


def expected_records(case: ModelCase, backend: str, bt: Shape, raw: Shape) -> dict[str, Any]:
    """The record shapes ``case`` must produce on ``backend``."""
    if case in COMBINATOR_CASES:
        return case.records(bt, raw, backend)  # type: ignore[call-arg]
    if backend == "torch" and case.name == "ExpSyn":
        return {}  # Rockpool's ExpSynTorch records nothing (its output is isyn)
    if backend == "torch" and case.name in ("Softmax", "LogSoftmax"):
        return {"linear": {}, "smooth": {}}  # their `smooth` is an ExpSynTorch
    if backend == "torch" and case.name.startswith("ExpSmooth"):
        return case.records(bt, bt)  # the Torch rule: (T, N) input gains a batch axis
    return case.records(bt, raw)


def batched_lead(raw: Shape) -> Shape:
    return _batched(raw)
