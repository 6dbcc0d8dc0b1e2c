r"""Parameter conversions between shoal's discrete-time models and NIR's continuous-time nodes.

NIR describes neurons by ODEs; shoal steps them with a time step ``dt``. One discretisation is
used for every node shoal imports, and its inverse for every node shoal exports. With
:math:`\alpha = e^{-dt/\tau_{mem}}` and :math:`\beta = e^{-dt/\tau_{syn}}` (or
:math:`e^{-dt/\tau}` for ``LI``), and :math:`x_t` the node's input during step ``t``:

**Leaky integrators driven by the node's input** (the synapse of ``CubaLIF``/``CubaLI``,
:math:`\tau_{syn}\dot I = -I + w_{in} x`; and ``LI``, :math:`\tau\dot v = (v_{leak} - v) + r x`):
the input is held over the step and delivered at its start (an impulse of area
:math:`x_t\,dt`), then the state decays exactly:

.. math:: I_{t+1} = \beta\,(I_t + \tfrac{dt}{\tau_{syn}} w_{in} x_t)

**The membrane driven by the synaptic current** (:math:`\tau_{mem}\dot v = (v_{leak}-v) + rI`):
exponential Euler with the current held at its new value:

.. math:: v_{t+1} = \alpha v_t + (1-\alpha)(v_{leak} + r I_{t+1})

Spikes and reset use shoal's rule (multi-spike ``floor(v/θ)`` where ``v ≥ θ``, subtractive
reset), NIR's ``v > v_threshold`` / reset-to-``v_reset`` is matched for ``v_reset = 0`` only.

In shoal's variables (``isyn = (1-α) r I``) this is exactly shoal's LIF step with

=================  ===========================================  ==============================
shoal              from NIR (import)                            to NIR (export, gain = 1)
=================  ===========================================  ==============================
``tau_mem``        ``tau_mem``                                  ``tau_mem``
``tau_syn``        ``tau_syn``                                  ``tau_syn``
``threshold``      ``v_threshold``                              ``v_threshold``; ``v_reset=0``
``bias``           ``(1 - α) · v_leak``                         ``v_leak = bias / (1 - α)``
input gain ``g``   ``(1 - α) · r · w_in · dt / tau_syn``        ``r = 1/(1 - α)``,
                                                                ``w_in = tau_syn / dt``
=================  ===========================================  ==============================

``LIFNeuron`` ↔ ``LIF`` (:math:`\tau\dot v = (v_{leak} - v) + r x`, no synapse): the
membrane step above with the input in place of the current,
:math:`v_{t+1} = \alpha v_t + (1-\alpha)(v_{leak} + r x_t)`, i.e. ``bias = (1 − α)·v_leak``
and input gain ``g = (1 − α)·r`` (export ``r = 1/(1 − α)``, ``v_leak = bias/(1 − α)``,
``v_reset = 0``).

``ExpSyn`` ↔ ``LI``: ``tau`` ↔ ``tau``, ``v_leak = 0``, gain ``g = r · dt / tau`` (export
``r = tau / dt``). A gain other than one multiplies the node's input; the importer folds it into
the weights that feed the node (or inserts a diagonal ``Linear``). ``r = 1/(1-α) ≈ τ_mem/dt``
and ``w_in = τ_syn/dt`` are the values snnTorch writes for its own CubaLIF, to first order in
``dt/τ``.

**Nodes without leak** (``IF``, :math:`\dot v = r x`; ``I``, :math:`\dot v = r x`): the same
held-input rule gives :math:`v_{t+1} = v_t + r\,dt\,x_t`. shoal's time constants are finite,
but with :data:`LEAK_FREE_TAU` (``1e30`` s) the decay :math:`e^{-dt/\tau}` rounds to exactly
``1.0`` in float32 and float64 for any ``dt < 1e13`` s, so ``LIFNeuron``/``ExpSyn`` with that
``τ`` step exactly as the integrator: ``IF`` ↔ ``LIFNeuron(tau_mem=LEAK_FREE_TAU, bias=0)``
and ``I`` ↔ ``ExpSyn(tau=LEAK_FREE_TAU)``, input gain ``g = r·dt`` (export ``r = 1/dt``). A
model exports as ``IF``/``I`` when every ``τ ≥ LEAK_FREE_TAU`` (and, for ``LIFNeuron``, the
bias is 0: ``IF`` has none); otherwise as ``LIF``/``LI`` as above. ``IF`` spikes and resets as
``LIF`` (``v_reset = 0`` only).

**Stateless nodes**: ``Scale`` (:math:`y = s x`) is an input gain ``s`` on what follows (folded
into the ``Linear`` before it, or a diagonal ``Linear`` named like the node); ``Threshold``
(:math:`y = H(x - θ)`, ``H(0) = 0``) ↔ ``Instant(function=HeavisideStep(θ))``; ``Flatten`` of a
one-dimensional input is the identity (no module).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "LEAK_FREE_TAU",
    "UNIT_GAIN_RTOL",
    "expsyn_from_i",
    "i_from_expsyn",
    "if_from_lif_neuron",
    "is_leak_free",
    "lif_neuron_from_if",
    "cubali_gains",
    "cubalif_from_lif",
    "expsyn_from_li",
    "is_unit",
    "li_from_expsyn",
    "lif_from_cubalif",
    "lif_from_lif_neuron",
    "lif_neuron_from_lif",
]

# Gains this close to one are taken as exactly one: a shoal export read back computes its gain
# through a few roundings, and folding 1 ± 4 ulp into the weights would change the structure.
UNIT_GAIN_RTOL = 1e-12

# A time constant whose decay exp(−dt/τ) is exactly 1.0 in float32 and float64 (dt/τ = 1e-33
# at dt = 1 ms, far below half an ulp of 1), yet finite and a normal float32: shoal's models
# refuse an infinite τ, and this one steps identically to no leak at all.
LEAK_FREE_TAU = 1e30


def _one_minus_decay(dt: float, tau: np.ndarray) -> np.ndarray:
    """``1 - exp(-dt/τ)``, accurate also for ``dt ≪ τ``."""
    return -np.expm1(-dt / tau)


def is_unit(gain: np.ndarray) -> bool:
    """Whether every element of ``gain`` is one to within :data:`UNIT_GAIN_RTOL`."""
    return bool(np.all(np.abs(gain - 1.0) <= UNIT_GAIN_RTOL))


def cubalif_from_lif(
    tau_mem: np.ndarray, tau_syn: np.ndarray, bias: np.ndarray, threshold: np.ndarray, dt: float
) -> dict[str, np.ndarray]:
    """NIR ``CubaLIF`` keyword arguments for a one-synapse shoal LIF (all arrays ``(N,)``)."""
    leak_fraction = _one_minus_decay(dt, tau_mem)
    return {
        "tau_syn": tau_syn,
        "tau_mem": tau_mem,
        "r": 1.0 / leak_fraction,
        "v_leak": bias / leak_fraction,
        "v_threshold": threshold,
        "v_reset": np.zeros_like(threshold),
        "w_in": tau_syn / dt,
    }


def lif_from_cubalif(node: Any, dt: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """shoal LIF parameters ``(tau_mem, tau_syn, bias, threshold)`` and the input gain."""
    tau_mem, tau_syn = node.tau_mem, node.tau_syn
    leak_fraction = _one_minus_decay(dt, tau_mem)
    params = {
        "tau_mem": tau_mem,
        "tau_syn": tau_syn,
        "bias": leak_fraction * node.v_leak,
        "threshold": node.v_threshold,
    }
    gain = leak_fraction * node.r * node.w_in * (dt / tau_syn)
    return params, gain


def lif_from_lif_neuron(
    tau_mem: np.ndarray, bias: np.ndarray, threshold: np.ndarray, dt: float
) -> dict[str, np.ndarray]:
    """NIR ``LIF`` keyword arguments for a shoal ``LIFNeuron`` (all arrays ``(N,)``)."""
    leak_fraction = _one_minus_decay(dt, tau_mem)
    return {
        "tau": tau_mem,
        "r": 1.0 / leak_fraction,
        "v_leak": bias / leak_fraction,
        "v_threshold": threshold,
        "v_reset": np.zeros_like(threshold),
    }


def lif_neuron_from_lif(node: Any, dt: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """shoal ``LIFNeuron`` parameters ``(tau_mem, bias, threshold)`` and the input gain."""
    leak_fraction = _one_minus_decay(dt, node.tau)
    params = {
        "tau_mem": node.tau,
        "bias": leak_fraction * node.v_leak,
        "threshold": node.v_threshold,
    }
    return params, leak_fraction * node.r


def li_from_expsyn(tau: np.ndarray, dt: float) -> dict[str, np.ndarray]:
    """NIR ``LI`` keyword arguments for a shoal ExpSyn (all arrays ``(N,)``)."""
    return {"tau": tau, "r": tau / dt, "v_leak": np.zeros_like(tau)}


def expsyn_from_li(node: Any, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """shoal ExpSyn ``tau`` and the input gain for a NIR ``LI`` with ``v_leak = 0``."""
    return node.tau, node.r * (dt / node.tau)


def cubali_gains(node: Any, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """Gains of the ``ExpSyn(tau_syn) → ×g_mem → ExpSyn(tau_mem)`` decomposition of ``CubaLI``.

    The synapse ExpSyn holds ``I``: its input gain is ``w_in · dt / tau_syn``. The membrane
    ExpSyn computes ``v ← α (v + g_mem I)``, which equals ``α v + (1 - α) r I`` for
    ``g_mem = (1 - α) r / α``.
    """
    alpha = np.exp(-dt / node.tau_mem)
    return node.w_in * (dt / node.tau_syn), _one_minus_decay(dt, node.tau_mem) * node.r / alpha


def is_leak_free(tau: np.ndarray) -> bool:
    """Whether every time constant is at least :data:`LEAK_FREE_TAU` (exports as ``IF``/``I``)."""
    return bool(np.all(tau >= LEAK_FREE_TAU))


def if_from_lif_neuron(threshold: np.ndarray, dt: float) -> dict[str, np.ndarray]:
    """NIR ``IF`` keyword arguments for a leak-free, bias-free shoal ``LIFNeuron``."""
    return {
        "r": np.full_like(threshold, 1.0 / dt),
        "v_threshold": threshold,
        "v_reset": np.zeros_like(threshold),
    }


def lif_neuron_from_if(node: Any, dt: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """shoal ``LIFNeuron`` parameters for a NIR ``IF`` (``τ = LEAK_FREE_TAU``) and input gain."""
    params = {
        "tau_mem": np.full_like(node.v_threshold, LEAK_FREE_TAU),
        "bias": np.zeros_like(node.v_threshold),
        "threshold": node.v_threshold,
    }
    return params, node.r * dt


def i_from_expsyn(size: int, dt: float) -> dict[str, np.ndarray]:
    """NIR ``I`` keyword arguments for a leak-free shoal ``ExpSyn`` of ``size`` channels."""
    return {"r": np.full(size, 1.0 / dt)}


def expsyn_from_i(node: Any, dt: float) -> tuple[np.ndarray, np.ndarray]:
    """shoal ``ExpSyn`` ``tau`` (``LEAK_FREE_TAU``) and the input gain for a NIR ``I``."""
    return np.full_like(node.r, LEAK_FREE_TAU), node.r * dt
