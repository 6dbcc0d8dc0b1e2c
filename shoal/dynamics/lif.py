"""Current-based leaky integrate-and-fire neurons with multi-synapse input and multi-spike output.

Per time step, with ``α = exp(−dt/τ_mem)`` and ``β = exp(−dt/τ_syn)``::

    irec   = (spikes @ w_rec).reshape(N, n_syn)          (only with recurrence)
    isyn   = β (isyn + input_t + irec)
    vmem   = α vmem + Σ_syn isyn + bias + noise_std·√dt·ξ_t
    spikes = clip(floor(vmem/θ) · [vmem ≥ θ], 0, max_spikes_per_dt)
    vmem   = vmem − spikes θ

``β·input_t`` for every ``t`` is one vectorised product before the loop; the recurrent product
is skipped entirely without recurrence, and noise is only drawn when ``noise_std ≠ 0``.

Inside the loop the synaptic current is kept *synapse-major*, ``(B, n_syn, N)``, so the fastest
axis is always the neurons (a trailing synapse axis of size 1 defeats vectorisation); callers
convert the ``(B, N, n_syn)`` state at the boundaries with :func:`to_synapse_major` and
:func:`from_synapse_major`, and records come back as ``(T, B, N, n_syn)``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from shoal.dynamics._guards import exp_decay, firing_threshold
from shoal.dynamics._multiply_add import multiply_add, subtract_product

__all__ = [
    "STATE_NAMES",
    "LIFConfig",
    "LIFParams",
    "LIFState",
    "finish",
    "from_synapse_major",
    "noise_shape",
    "pack_state",
    "prepare",
    "prepare_with_decays",
    "step",
    "to_synapse_major",
    "unpack_state",
]

#: The module's states, in the order :func:`pack_state` takes them.
STATE_NAMES: tuple[str, ...] = ("spikes", "isyn", "vmem")

#: The fused numba loop of :func:`step` the NumPy backend runs when numba is installed
#: (see :mod:`shoal.backend._fused`); imported only then.
FUSED_SCAN = "shoal.dynamics._fused.lif"

#: ``prepare`` is elementwise in time: a compiled backend may run it one step at a time inside
#: the loop (see :func:`shoal.backend.simulate.simulate`), with bit-identical results.
PREPARE_PER_STEP = True


class LIFConfig(NamedTuple):
    """Static configuration: changes the computation, never traced."""

    n_synapses: int
    has_rec: bool
    noisy: bool
    max_spikes: float
    surrogate: Any


class LIFParams(NamedTuple):
    tau_mem: Any
    tau_syn: Any
    bias: Any
    threshold: Any
    w_rec: Any  # None without recurrence
    dt: Any
    noise_std: Any


class LIFState(NamedTuple):
    spikes: Any
    isyn: Any
    vmem: Any


class _Consts(NamedTuple):
    alpha: Any
    beta: Any
    bias: Any
    threshold: Any
    w_rec: Any


def noise_shape(config: LIFConfig, input_shape: tuple[int, ...]) -> tuple[int, ...]:
    """Noise enters the membrane: one value per neuron, ``(B, T, N)``."""
    n_batches, n_steps, n_in = input_shape
    return (n_batches, n_steps, n_in // config.n_synapses)


def to_synapse_major(xp: Any, isyn: Any) -> Any:
    """``(..., N, n_syn)`` → ``(..., n_syn, N)``.

    With one synapse (or one neuron) the swap is a reshape: the same values in the same memory
    order. XLA lays a transposed result out as a transpose and then copies it into the layout
    its loop reads, a full pass over a fresh ``(T, B, N)`` buffer (on (e), T = 100 000, 200 MB).
    """
    if 1 in isyn.shape[-2:]:
        return xp.reshape(isyn, (*isyn.shape[:-2], isyn.shape[-1], isyn.shape[-2]))
    return xp.matrix_transpose(isyn)


from_synapse_major = to_synapse_major  # the same swap, back


def pack_state(xp: Any, config: LIFConfig, states: tuple[Any, ...]) -> LIFState:
    """The loop's state from the module's ``spikes (B, N)``, ``isyn (B, N, n_syn)``, ``vmem``.

    Spikes only feed the next step through ``w_rec``: without recurrence they are not carried
    (the final spikes are the last output), which saves a copy per step in the loop.
    """
    spikes, isyn, vmem = states
    return LIFState(spikes if config.has_rec else None, to_synapse_major(xp, isyn), vmem)


def unpack_state(xp: Any, config: LIFConfig, final: LIFState, outputs: Any) -> dict[str, Any]:
    """The module's new states from the loop's final state and the ``(B, T, N)`` outputs."""
    return {
        "spikes": final.spikes if config.has_rec else outputs[:, -1, ...],
        "isyn": from_synapse_major(xp, final.isyn),
        "vmem": final.vmem,
    }


def prepare(backend: Any, config: LIFConfig, p: LIFParams, inputs: Any, noise: Any) -> Any:
    xp = backend.xp
    # Guarded: under jit an optimiser may move τ or θ anywhere (see _guards).
    alpha = exp_decay(xp, p.dt, p.tau_mem)
    beta = exp_decay(xp, p.dt, p.tau_syn)
    return prepare_with_decays(backend, config, p, inputs, noise, alpha, beta)


def prepare_with_decays(
    backend: Any, config: LIFConfig, p: LIFParams, inputs: Any, noise: Any, alpha: Any, beta: Any
) -> Any:
    """:func:`prepare` with the decays given (bit-shift LIF computes its own from τ)."""
    xp = backend.xp
    n_steps, n_batches, n_in = inputs.shape
    n_syn = config.n_synapses
    n_neurons = n_in // n_syn
    if beta.ndim == 2:  # (N or 1, n_syn) → synapse-major (n_syn, N or 1)
        beta = to_synapse_major(xp, beta)
    # Input channel c feeds neuron c // n_syn, synapse c % n_syn.
    syn_inputs = xp.reshape(inputs, (n_steps, n_batches, n_neurons, n_syn))
    syn_drive = beta * to_synapse_major(xp, syn_inputs)
    vmem_drive = (
        None
        if noise is None
        else (p.noise_std * xp.sqrt(xp.asarray(p.dt, dtype=noise.dtype))) * noise
    )
    w_rec = p.w_rec
    if config.has_rec:  # reorder the columns once so that spikes @ w_rec is synapse-major
        w_rec = to_synapse_major(xp, xp.reshape(w_rec, (n_neurons, n_neurons, n_syn)))
        w_rec = xp.reshape(w_rec, (n_neurons, n_syn * n_neurons))
    threshold = firing_threshold(xp, p.threshold)
    return (syn_drive, vmem_drive), _Consts(alpha, beta, p.bias, threshold, w_rec)


def step(backend: Any, config: LIFConfig, c: _Consts, state: LIFState, x_t: Any) -> Any:
    xp = backend.xp
    syn_drive, vmem_drive = x_t
    isyn = multiply_add(xp, c.beta, state.isyn, syn_drive)
    irec = None
    if config.has_rec:
        irec = xp.reshape(state.spikes @ c.w_rec, isyn.shape)
        isyn = multiply_add(xp, c.beta, irec, isyn)
    # One synapse per neuron (the common case): a view instead of a reduction.
    total = isyn[..., 0, :] if config.n_synapses == 1 else xp.sum(isyn, axis=-2)
    vmem = multiply_add(xp, c.alpha, state.vmem, total) + c.bias
    if vmem_drive is not None:
        vmem = vmem + vmem_drive
    spikes = backend.spike(vmem, c.threshold, config.max_spikes, config.surrogate)
    vmem = subtract_product(xp, vmem, spikes, c.threshold)
    record = {"spikes": spikes, "isyn": isyn, "vmem": vmem}
    if irec is not None:
        record["irec"] = irec
    # Spikes are carried only with recurrence (see pack_state).
    return LIFState(spikes if config.has_rec else None, isyn, vmem), spikes, record


def finish(
    backend: Any, config: LIFConfig, p: LIFParams, spikes: Any, records: dict, record: bool
) -> tuple[Any, dict]:
    if not record:
        return spikes, {}
    xp = backend.xp
    isyn = from_synapse_major(xp, records["isyn"])
    irec = from_synapse_major(xp, records["irec"]) if config.has_rec else xp.zeros_like(isyn)
    return spikes, {
        "irec": irec,
        "spikes": records["spikes"],
        "isyn": isyn,
        "vmem": records["vmem"],
    }
