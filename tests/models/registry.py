"""The registry every contract test runs over: one :class:`ModelCase` per model or combinator.

Adding an entry to :data:`~tests.models._model_cases.MODEL_CASES` (single models) or to the
combinator cases below is the only step needed to put a model under every contract test in
``test_contract.py`` (shapes, records, reset, set_attributes, pytree, jit, gradients, keywords).
What a case is, and the per-backend catalogue it builds from, is in :mod:`tests.models._case`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._case import (
    BACKENDS,
    ModelCase,
    RecordShapes,
    Shape,
    batched_lead,
    catalogue,
    combinators,
    host,
    plain,
)
from ._model_cases import MODEL_CASES, lif_records, no_records, rate_records

__all__ = [
    "BACKENDS",
    "CASES",
    "CASE_IDS",
    "COMBINATOR_CASES",
    "ModelCase",
    "RecordShapes",
    "Shape",
    "batched_lead",
    "catalogue",
    "expected_records",
    "host",
    "plain",
]

CASES: list[ModelCase] = list(MODEL_CASES)


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
                    (no_records, lambda bt, raw: (*raw, 2)),
                    (lif_records(2, 1), lambda bt, raw: (*bt, 2)),
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
                    (no_records, lambda bt, raw: (*raw, 4)),
                    (rate_records(4), lambda bt, raw: (*bt, 4)),
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
                    (no_records, lambda bt, raw: (*raw, 3)),
                    (rate_records(3), lambda bt, raw: (*bt, 3)),
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
                    (rate_records(3), lambda bt, raw: (*bt, 3)),
                    (rate_records(2), lambda bt, raw: (*bt, 2)),
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
