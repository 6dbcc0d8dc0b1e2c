"""LIF neurons without synapses, the one definition behind ``LIFNeuron`` and ``LIFNeuronJax``."""

from __future__ import annotations

import contextlib
from typing import Any, ClassVar

import numpy as np

from shoal.backend import is_tracer
from shoal.backend.surrogates import Surrogate, get_surrogate
from shoal.dynamics import lif_neuron as lif_neuron_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import (
    FINITE,
    NON_NEGATIVE,
    SPIKE_LIMIT,
    THRESHOLD,
    TIME_CONSTANT,
)
from shoal.nn.modules._simulated import SimulatedModule, is_noisy
from shoal.nn.modules.initialisers import filled, zeros
from shoal.nn.modules.nir import _conversions as nir_conversions
from shoal.nn.modules.nir._importing import (
    ImportContext,
    ModuleSpec,
    NodeImport,
    node_vectors,
    require_zero,
)
from shoal.nn.modules.nir._registry import (
    as_vector,
    register_nir_export,
    register_nir_import,
    reject_noise,
)
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["LIFNeuronBase"]


class LIFNeuronBase(SimulatedModule):
    r"""LIF neurons without synaptic state (Rockpool's ``LIFNeuronTorch``).

    Per time step, with :math:`\alpha = e^{-dt/\tau_{mem}}`:

    .. math::

        V \leftarrow \alpha V + i_t + b + \sigma\sqrt{dt}\,\xi_t, \qquad
        S = \mathrm{clip}(\lfloor V/\theta \rfloor\,[V \ge \theta],\ 0,\ S_{max}), \qquad
        V \leftarrow V - S\,\theta

    The input is added straight to the membrane (no synaptic filter). Equations:
    ``shoal/dynamics/lif_neuron.py``.

    Args:
        shape: ``N`` or ``(N,)`` (one-dimensional: one input channel per neuron).
        tau_mem: Membrane time constants (s), ``(N,)`` or scalar; default 20 ms. ``"taus"``.
        threshold: Firing threshold ``(N,)`` or scalar, > 0; default 1.0. ``"thresholds"``.
        bias: Constant membrane input ``(N,)`` or scalar; default the scalar 0.0 (kept 0-d).
            Family ``"bias"``.
        dt: Time step in seconds (default 1 ms).
        noise_std: Membrane noise in units per √second, ≥ 0 (each step adds
            ``noise_std · √dt · ξ``); default 0 (none drawn).
        max_spikes_per_dt: Most spikes per step, ≥ 0 (default 2**16; ``inf``: no limit).
        spiking_input: Whether input is spikes (default ``False``).
        spiking_output: Whether output is spikes (default ``True``).
        surrogate: Surrogate gradient for JAX (default ``"step_pwl"``, Rockpool's).
        rng_key: JAX only: PRNG key for the noise (random when ``None``).

    Input ``(T, N)`` or ``(B, T, N)``; output ``(B, T, N)`` spike counts. State ``vmem (N,)``
    (and ``rng_key`` on JAX). Records (``record=True``): ``vmem``, ``spikes`` ``(B, T, N)``.
    """

    _dynamics: ClassVar[Dynamics] = lif_neuron_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset({"spikes"})
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "LIFNeuron",
        "jax": "LIFNeuronJax",
        "torch": "LIFNeuronTorch",
    }
    _evolve_is_traceable = True  # evolve traces: JAX eager calls run compiled

    tau_mem: Any  # registered through _declare (named errors); declared for type checkers
    threshold: Any
    bias: Any

    def __init__(
        self,
        shape: Any = None,
        tau_mem: Any = None,
        threshold: Any = None,
        bias: Any = 0.0,
        dt: float = 1e-3,
        noise_std: float = 0.0,
        max_spikes_per_dt: float = 2.0**16,
        spiking_input: bool = False,
        spiking_output: bool = True,
        surrogate: str | Surrogate = "step_pwl",
        rng_key: Any = None,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (N,).")
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        if len(self.shape) != 1:
            raise ValueError(
                f"{owner}: `shape` must have only one dimension (N or (N,)); got {self.shape}."
            )
        n = self.size_out
        self.n_neurons = SimulationParameter(n)
        per_neuron = [(n,), ()]
        self._declare(
            "tau_mem",
            Parameter,
            tau_mem,
            "taus",
            init_func=filled(0.02),
            constraint=TIME_CONSTANT,
            shape=per_neuron,
        )
        self._declare(
            "threshold",
            Parameter,
            threshold,
            "thresholds",
            init_func=filled(1.0),
            constraint=THRESHOLD,
            shape=per_neuron,
        )
        self._declare(
            "bias", Parameter, bias, "bias", init_func=zeros, constraint=FINITE, shape=per_neuron
        )
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.noise_std = SimulationParameter(noise_std, constraint=NON_NEGATIVE)
        self.max_spikes_per_dt = SimulationParameter(
            float(max_spikes_per_dt), constraint=SPIKE_LIMIT
        )
        try:
            resolved = get_surrogate(surrogate)
        except ValueError as error:
            raise ValueError(f"{self._path}.surrogate: {error}") from None
        self.surrogate = resolved  # static configuration (see LIFBase)
        self._init_rng_key(rng_key)
        self.vmem = State(shape=(n,), init_func=zeros)

    def _coerce(self, name: str, kind: Any, value: Any) -> Any:
        # The spike cap is static configuration of the compiled program (hashable), as in LIFBase.
        if name == "max_spikes_per_dt" and not is_tracer(value) and np.size(value) == 1:
            with contextlib.suppress(TypeError, ValueError):
                value = float(np.asarray(value))
        return super()._coerce(name, kind, value)

    def _configure(self) -> tuple[Any, Any]:
        config = lif_neuron_dynamics.LIFNeuronConfig(
            is_noisy(self.noise_std), self.max_spikes_per_dt, self.surrogate
        )
        params = lif_neuron_dynamics.LIFNeuronParams(
            self.tau_mem, self.threshold, self.bias, self.dt, self.noise_std
        )
        return config, params


def _lif_neuron_to_nir(
    nir: Any, name: str, module: LIFNeuronBase, dt: float | None
) -> tuple[dict, list]:
    """``nir.IF`` when leak-free and bias-free, else ``nir.LIF`` (see
    :mod:`shoal.nn.modules.nir._conversions`)."""
    reject_noise(module)
    size = module.size_out
    tau_mem, bias = as_vector(module.tau_mem, size), as_vector(module.bias, size)
    threshold, step = as_vector(module.threshold, size), float(module.dt)
    if nir_conversions.is_leak_free(tau_mem) and not np.any(bias):
        return {name: nir.IF(**nir_conversions.if_from_lif_neuron(threshold, step))}, []
    params = nir_conversions.lif_from_lif_neuron(tau_mem, bias, threshold, step)
    return {name: nir.LIF(**params)}, []


register_nir_export(LIFNeuronBase, _lif_neuron_to_nir)


_SUBTRACTIVE_RESET = "shoal's LIFNeuron resets by subtracting the threshold (v ← v − θ per spike)"


def _lif_neuron_from_nir(node: Any, context: ImportContext) -> NodeImport:
    """``nir.LIF`` → ``LIFNeuron``; ``nir.IF`` → ``LIFNeuron`` with ``tau_mem = LEAK_FREE_TAU``."""
    kind = type(node).__name__
    if isinstance(node, context.nir.IF):
        names: tuple[str, ...] = ("v_threshold", "r", "v_reset")
        params = node_vectors(node, names, context.path)
        convert = nir_conversions.lif_neuron_from_if
    else:
        params = node_vectors(node, ("tau", "r", "v_leak", "v_threshold", "v_reset"), context.path)
        convert = nir_conversions.lif_neuron_from_lif
    require_zero(params.v_reset, "v_reset", f"nir.{kind}", context.path, _SUBTRACTIVE_RESET)
    neuron, gain = convert(params, context.dt)
    kwargs = {"shape": neuron["threshold"].size, "dt": context.dt, **neuron}
    spec = ModuleSpec(context.name, "LIFNeuron", kwargs, f"{context.path} (nir.{kind})")
    return NodeImport([spec], gain)


register_nir_import("LIF", _lif_neuron_from_nir)
register_nir_import("IF", _lif_neuron_from_nir)
