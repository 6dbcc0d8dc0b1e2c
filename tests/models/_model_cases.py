"""The contract cases of single models (the combinators' are in :mod:`tests.models.registry`).

Adding an entry to :data:`MODEL_CASES` puts a model under every contract test.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from ._case import ModelCase, RecordShapes, Shape

__all__ = ["MODEL_CASES", "alif_records", "lif_records", "no_records", "rate_records"]


def rate_records(n: int) -> RecordShapes:
    return lambda bt, raw: {"rec_input": (*bt, n), "x": (*bt, n)}


def lif_records(n: int, n_syn: int) -> RecordShapes:
    return lambda bt, raw: {
        "irec": (*bt, n, n_syn),
        "spikes": (*bt, n),
        "isyn": (*bt, n, n_syn),
        "vmem": (*bt, n),
    }


def alif_records(n: int, n_syn: int) -> RecordShapes:
    return lambda bt, raw: {**lif_records(n, n_syn)(bt, raw), "iahp": (*bt, n)}


def _quietly(factory: Callable[..., Any]) -> Callable[..., Any]:
    """``ExpSmoothJax`` warns on construction (Rockpool deprecates it): not under test here."""

    def make(c: SimpleNamespace, **kw: Any) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The module ExpSmoothJax is deprecated")
            return factory(c, **kw)

    return make


def no_records(bt: Shape, raw: Shape) -> dict[str, Any]:
    return {}


_W_REC_3 = [[0.0, 0.5, -0.2], [-0.5, 0.0, 0.3], [0.1, -0.3, 0.0]]

MODEL_CASES: list[ModelCase] = [
    ModelCase(
        "Rate",
        lambda c, **kw: c.Rate(3, tau=[0.01, 0.02, 0.05], bias=0.1, **kw),
        3,
        3,
        rate_records(3),
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
        rate_records(3),
        misspelled="has_recc",
        suggestion="did you mean 'has_rec'",
    ),
    ModelCase(
        "LIF",
        lambda c, **kw: c.LIF(3, tau_mem=[0.01, 0.02, 0.03], bias=0.05, **kw),
        3,
        3,
        lif_records(3, 1),
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
        lif_records(3, 1),
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
        lif_records(2, 2),
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
        lif_records(2, 1),
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
        alif_records(3, 1),
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
        alif_records(2, 2),
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
        alif_records(2, 1),
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
        lif_records(3, 1),
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
        lif_records(2, 2),
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
        no_records,
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
        no_records,
        misspelled="prob",
        suggestion=None,
        stateful=False,
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
        no_records,
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
        no_records,
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
        no_records,
        misspelled="func",
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
]


def _is_jax(c: SimpleNamespace) -> bool:
    return bool(c.Rate.__name__.endswith("Jax"))
