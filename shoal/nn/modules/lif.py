"""Leaky integrate-and-fire neurons, the one definition behind ``LIF`` and ``LIFJax``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.backend import is_tracer
from shoal.backend.surrogates import Surrogate, get_surrogate
from shoal.dynamics import lif as lif_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import (
    FINITE,
    NON_NEGATIVE,
    SPIKE_LIMIT,
    THRESHOLD,
    TIME_CONSTANT,
    Constraint,
)
from shoal.nn.modules._simulated import SimulatedModule, is_noisy
from shoal.nn.modules.initialisers import filled, kaiming, zeros
from shoal.nn.modules.nir import _conversions as nir_conversions
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._importing import (
    ImportContext,
    ModuleSpec,
    NodeImport,
    node_vectors,
    require_zero,
)
from shoal.nn.modules.nir._registry import (
    as_matrix,
    as_vector,
    register_nir_export,
    register_nir_import,
    reject_noise,
)
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["LIFBase"]


class LIFBase(SimulatedModule):
    """Current-based LIF neurons: several exponential synapses per neuron, multi-spike output.

    Per time step, with α = exp(−dt/τ_mem) and β = exp(−dt/τ_syn)::

        I_syn ← β · (I_syn + i_t + I_rec)      I_rec = S · W_rec, reshaped to (N, n_syn)
        V     ← α · V + Σ_syn I_syn + b + σ · √dt · ξ_t
        S     = clip(⌊V / θ⌋ · [V ≥ θ], 0, S_max)
        V     ← V − S · θ

    ``i_t`` is the input, ``S`` the spikes (counts) of the step before for the recurrent
    current, ``b`` the bias, ``σ`` ``noise_std``, ``ξ_t ~ N(0, 1)``, ``θ`` the threshold and
    ``S_max`` ``max_spikes_per_dt``.

    Input reaches the synapse *before* the decay, so a single input of 1 adds β to ``vmem`` in
    the same step. Under ``jit``, where values are not validated, the decays stay in ``[0, 1]``
    for any τ (τ ≤ 0 gives 0) and a threshold ≤ 0 never fires, so outputs and gradients stay
    finite; eager calls refuse τ ≤ 0, naming it. Outputs are spike counts per step (float). In JAX the spike function carries
    a surrogate gradient (default :class:`~shoal.backend.surrogates.StepPWL`: the derivative of
    ``v/θ`` where ``v ≥ θ − 0.5``).

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)`` with ``Nin = Nout · n_synapses``;
            input channel ``c`` feeds neuron ``c // n_synapses``, synapse ``c % n_synapses``.
        tau_mem: Membrane time constants (s), ``(Nout,)`` or scalar; default 20 ms. ``"taus"``.
        tau_syn: Synaptic time constants (s), ``(Nout, n_syn)``, ``(1, n_syn)`` or scalar;
            default 20 ms. Family ``"taus"``.
        bias: Constant membrane input ``(Nout,)`` or scalar; default 0. Family ``"bias"``.
        w_rec: Recurrent weights ``(Nout, Nin)``, only with ``has_rec=True``. ``"weights"``.
        has_rec: Whether the module has recurrent weights.
        weight_init_func: Initialiser for ``w_rec`` (default :func:`kaiming`).
        threshold: Firing threshold ``(Nout,)`` or scalar, > 0; default 1.0. Family
            ``"threshold"``.
        noise_std: Membrane noise in units per √second, ≥ 0: each step adds
            ``noise_std · √dt · ξ`` with ``ξ ~ N(0, 1)`` to ``vmem``; default 0 (none drawn).
        max_spikes_per_dt: Most spikes a neuron may emit in one step, ≥ 0 (``inf``: no limit).
            Default 2**16 = 65536, as in Rockpool: outputs are spike *counts*; pass 1 for
            binary spikes.
        dt: Time step in seconds (default 1 ms).
        spiking_input: Whether input is spikes (default ``False``).
        spiking_output: Whether output is spikes (default ``True``).
        surrogate: Surrogate gradient for JAX: ``"step_pwl"`` (default), ``"sigmoid"``,
            ``"fast_sigmoid"`` or a :class:`~shoal.backend.surrogates.Surrogate`.
        rng_key: JAX only: PRNG key for the noise (random when ``None``).

    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, Nout)``. State ``spikes (Nout,)``,
    ``isyn (Nout, n_syn)``, ``vmem (Nout,)`` (and ``rng_key`` on JAX). Records
    (``record=True``): ``irec``, ``isyn`` ``(B, T, Nout, n_syn)``; ``spikes``, ``vmem``
    ``(B, T, Nout)``.
    """

    _dynamics: ClassVar[Dynamics] = lif_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset({"spikes"})
    _flavours: ClassVar[dict[str, str]] = {"numpy": "LIF", "jax": "LIFJax", "torch": "LIFTorch"}
    # Rockpool's LIFTorch files its threshold under "thresholds"; LIF and LIFJax "threshold".
    _threshold_family: ClassVar[str] = "threshold"
    # evolve traces: JAX flavours run eager calls through one compiled program.
    _evolve_is_traceable = True
    # LIFBitshift stores τ = 0 for a zero shift (α = 0), a meaningful value there.
    _tau_constraint: ClassVar[Constraint] = TIME_CONSTANT

    # Registered through _declare (named errors); declared here for type checkers.
    tau_mem: Any
    tau_syn: Any
    bias: Any
    threshold: Any

    def __init__(
        self,
        shape: Any,
        tau_mem: Any = None,
        tau_syn: Any = None,
        bias: Any = None,
        w_rec: Any = None,
        has_rec: bool = False,
        weight_init_func: Callable[[Any], Any] = kaiming,
        threshold: Any = None,
        noise_std: float = 0.0,
        max_spikes_per_dt: float = 2.0**16,
        dt: float = 1e-3,
        spiking_input: bool = False,
        spiking_output: bool = True,
        surrogate: str | Surrogate = "step_pwl",
        rng_key: Any = None,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (Nin, Nout).")
        shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if len(shape) == 1:
            shape = (shape[0], shape[0])
        if len(shape) != 2:
            raise ValueError(
                f"{owner}: `shape` must be a one- or two-element tuple `(Nin, Nout)`; got {shape}."
            )
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        n_in, n_out = self.shape
        if n_out <= 0 or n_in % n_out != 0:
            raise ValueError(
                f"{owner}: You must specify an integer number of synapses per neuron: "
                f"Nin = {n_in} is not a multiple of Nout = {n_out}."
            )
        if w_rec is not None and not has_rec:
            raise ValueError(f"{owner}: `w_rec` may not be provided if `has_rec` is `False`.")
        n_syn = n_in // n_out
        self.n_synapses = n_syn
        self._has_rec = bool(has_rec)
        if has_rec:
            self._declare(
                "w_rec",
                Parameter,
                w_rec,
                "weights",
                init_func=weight_init_func,
                shape=(n_out, n_in),
                constraint=FINITE,
            )
        else:
            self.w_rec = None
        per_neuron = [(n_out,), ()]  # or a scalar shared by all neurons
        self._declare(
            "tau_mem",
            Parameter,
            tau_mem,
            "taus",
            init_func=filled(0.02),
            constraint=self._tau_constraint,
            shape=per_neuron,
        )
        self._declare(
            "tau_syn",
            Parameter,
            tau_syn,
            "taus",
            init_func=filled(0.02),
            shape=[(n_out, n_syn), (1, n_syn), ()],
            constraint=self._tau_constraint,
        )
        self._declare(
            "bias", Parameter, bias, "bias", init_func=zeros, constraint=FINITE, shape=per_neuron
        )
        self._declare(
            "threshold",
            Parameter,
            threshold,
            self._threshold_family,
            init_func=filled(1.0),
            constraint=THRESHOLD,
            shape=per_neuron,
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
        # Static configuration, not a simulation parameter: `simulation_parameters()` stays
        # numeric, so it compares across backends as Rockpool's does (dt, noise_std, ...).
        self.surrogate = resolved
        self._init_rng_key(rng_key)
        self.spikes = State(shape=(n_out,), init_func=zeros)
        self.isyn = State(shape=(n_out, n_syn), init_func=zeros)
        self.vmem = State(shape=(n_out,), init_func=zeros)

    def _coerce(self, name: str, kind: Any, value: Any) -> Any:
        # The spike cap is static configuration of the compiled program (it must be hashable):
        # a concrete array, e.g. from set_attributes or a checkpoint, becomes a Python float.
        if name == "max_spikes_per_dt" and not is_tracer(value) and np.size(value) == 1:
            with contextlib.suppress(TypeError, ValueError):  # not numeric: left to the checks
                value = float(np.asarray(value))
        return super()._coerce(name, kind, value)

    def _lif_config(self) -> lif_dynamics.LIFConfig:
        """The dynamics' static configuration (shared by every LIF parametrisation)."""
        return lif_dynamics.LIFConfig(
            self.n_synapses,
            self._has_rec,
            is_noisy(self.noise_std),
            self.max_spikes_per_dt,
            self.surrogate,
        )

    def _configure(self) -> tuple[Any, Any]:
        config = self._lif_config()
        params = lif_dynamics.LIFParams(
            self.tau_mem,
            self.tau_syn,
            self.bias,
            self.threshold,
            self.w_rec,
            self.dt,
            self.noise_std,
        )
        return config, params


def _lif_to_nir(nir: Any, name: str, module: LIFBase, dt: float | None) -> tuple[dict, list]:
    """``nir.CubaLIF`` (one synapse per neuron); recurrence adds a ``'<name>_w_rec'`` node."""
    reject_noise(module)
    if module.n_synapses != 1:
        raise NIRConversionError(
            f"{module._path} ({module.class_name}): has {module.n_synapses} synapses per "
            "neuron, but nir.CubaLIF has one synaptic current per neuron. Export a LIF with "
            "shape (N, N) (one synapse per neuron)."
        )
    size = module.size_out
    params = nir_conversions.cubalif_from_lif(
        as_vector(module.tau_mem, size),
        as_vector(module.tau_syn, size),
        as_vector(module.bias, size),
        as_vector(module.threshold, size),
        float(module.dt),
    )
    nodes: dict[str, Any] = {name: nir.CubaLIF(**params)}
    if not module._has_rec:
        return nodes, []
    rec_name = f"{name}_w_rec"
    nodes[rec_name] = nir.Linear(weight=as_matrix(module.w_rec).T)
    return nodes, [(name, rec_name), (rec_name, name)]


register_nir_export(LIFBase, _lif_to_nir)


def _lif_from_cubalif(node: Any, context: ImportContext) -> NodeImport:
    """``nir.CubaLIF`` → ``LIF`` (one synapse per neuron); a ``nir.Linear`` loop → ``w_rec``."""
    names = ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in")
    params = node_vectors(node, names, context.path)
    require_zero(
        params.v_reset,
        "v_reset",
        "nir.CubaLIF",
        context.path,
        "shoal's LIF resets by subtracting the threshold (v ← v − θ per spike)",
    )
    lif, gain = nir_conversions.lif_from_cubalif(params, context.dt)
    size = params.v_threshold.size
    w_rec = None
    if context.recurrent is not None:
        weight = np.asarray(context.recurrent.weight, dtype=np.float64)
        if weight.shape != (size, size):
            raise NIRConversionError(
                f"{context.path}: recurrent weights have shape {weight.shape}; expected "
                f"({size}, {size})."
            )
        # The loop enters the node like its input does, so it carries the same gain.
        w_rec = weight.T * (1.0 if nir_conversions.is_unit(gain) else gain)
    kwargs = {
        "shape": (size, size),
        "tau_mem": lif["tau_mem"],
        "tau_syn": lif["tau_syn"].reshape(size, 1),
        "bias": lif["bias"],
        "threshold": lif["threshold"],
        "has_rec": w_rec is not None,
        "w_rec": w_rec,
        "dt": context.dt,
    }
    source = f"{context.path} (nir.CubaLIF)"
    return NodeImport([ModuleSpec(context.name, "LIF", kwargs, source)], gain)


register_nir_import("CubaLIF", _lif_from_cubalif, recurrent="LIF's `w_rec`")
