"""Training on JAX: LIF's time loop as one ``jax.custom_vjp`` with a hand-written backward.

Why: differentiating the generic ``lax.scan`` over ``lif.step``, JAX's autodiff stores six
``(T, B, N)`` residuals per loop (tangent masks, the surrogate's partials, …) and its reverse
loop runs about a dozen small fusions per step; on workload (d) (Linear 256→512 + LIF 512,
B 32, T 200) the backward took twice the forward, and on XLA's CPU runtime each large
temporary is a fresh buffer whose page faults cost about as much as its arithmetic. Here the
forward loop stacks only the pre-reset membrane ``V`` and the synaptic currents ``I`` (the
spikes are its output anyway), the reverse loop reads one step of them at a time, writes the
input's gradient in place and accumulates every parameter gradient per element (one reduction
after the loop), and both loops work batch-major, so no batch↔time transposition is made.

The backward is the chain rule of exactly the graph the generic loop differentiates (see
:mod:`shoal.dynamics._bptt.lif` for the equations, shared with Torch's kernels): the reset is
not detached, the surrogate's partials are taken at ``(V_t, θ)``, nothing flows through the
``max_spikes`` clip. ``prepare``'s decays from τ (with their guards), firing threshold and noise
scaling stay under JAX's autodiff, so every leak mode gets its gradients unchanged; only its
``β·input`` product is formed inside the loops, per step (see :func:`training_simulate`).

Selection (:func:`training_simulate`, from :func:`shoal.backend.simulate.simulate` when the switch
:func:`~shoal.backend.jax_fused_grad` is on): ``lif.step``'s equations (LIFJax,
LIFBitshiftJax), no recurrence, no records. Undifferentiated, the custom_vjp runs the generic
loop itself (the same numbers). Forward-mode (``jvp``, ``jacfwd``, ``hessian``) cannot go
through a custom_vjp: shoal's compiled calls then retrace with the generic loop (see
:func:`~shoal.backend._jax_bptt_switch.with_forward_mode_fallback`).
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
from jax import lax

from shoal.dynamics import lif, lif_bitshift
from shoal.dynamics._multiply_add import multiply_add, subtract_product
from shoal.dynamics._spikes import spike_counts

__all__ = ["training_simulate"]


def training_simulate(
    backend: Any,
    dynamics: Any,
    config: Any,
    params: Any,
    state: Any,
    inputs: Any,
    noise: Any,
    record: bool,
) -> tuple[Any, Any] | None:
    """``(spikes (B, T, N), final state)`` through the custom_vjp loop, or ``None`` (generic).

    Batch-major throughout: ``prepare`` is elementwise in time and only splits the last axis,
    so it prepares the ``(B, T, Nin)`` input as it is (the same values; no batch↔time
    transposition), and the loops read and write ``(B, T, …)`` slices in place. The Linear's
    output, the loss's gradient and the Linear's weight gradient then need no transposed copy
    either. The synaptic drive ``β·input`` is formed per step inside the loops (its backward
    likewise), not as a ``(B, T, N)`` array before them: on XLA's CPU runtime every such
    temporary costs a fresh buffer's page faults, about as much as the loop's arithmetic.
    """
    if record or dynamics.prepare not in _PREPARES or config.has_rec:
        return None
    if not isinstance(state, lif.LIFState) or inputs.ndim != 3 or 0 in inputs.shape[:2]:
        return None
    # The prepared drive β·input is not used (XLA drops it): the loop forms it per step.
    (_, vdrive), consts = dynamics.prepare(backend, config, params, inputs, noise)
    operands = (inputs, vdrive, consts.alpha, consts.beta, consts.bias, consts.threshold,
                state.isyn, state.vmem)  # fmt: skip
    if any(jnp.result_type(value).kind != "f" for value in operands if value is not None):
        return None
    spikes, isyn, vmem = _lif_loop((backend, config), *operands)
    return spikes, lif.LIFState(None, isyn, vmem)


# The preparations whose synaptic drive is ``β·input`` (synapse-major), as the loops form it.
_PREPARES = (lif.prepare, lif_bitshift.prepare)


def _swap(value: Any) -> Any:
    """``(B, T, ...)`` ↔ ``(T, B, ...)``."""
    return None if value is None else jnp.swapaxes(value, 0, 1)


def _generic(setup: Any, inputs: Any, vdrive: Any, alpha: Any, beta: Any, bias: Any,
             threshold: Any, isyn: Any, vmem: Any) -> tuple[Any, Any, Any]:  # fmt: skip
    """The loop undifferentiated: ``prepare``'s drive and the generic scan (switch-off numbers)."""
    backend, config = setup
    n_batches, n_steps, n_in = inputs.shape
    synaptic = jnp.reshape(inputs, (n_batches, n_steps, n_in // config.n_synapses, -1))
    drive = beta * lif.to_synapse_major(jnp, synaptic)
    consts = lif._Consts(alpha, beta, bias, threshold, None)
    step = partial(lif.step, backend, config, consts)
    state = lif.LIFState(None, isyn, vmem)
    final, spikes, _ = backend.scan(step, state, (_swap(drive), _swap(vdrive)), False)
    return _swap(spikes), final.isyn, final.vmem


_lif_loop = jax.custom_vjp(_generic, nondiff_argnums=(0,))


def _step_of(value: Any, t: Any) -> Any:
    """``value[:, t]`` for a traced ``t`` (a dynamic slice of the batch-major array)."""
    return None if value is None else lax.dynamic_index_in_dim(value, t, axis=1, keepdims=False)


def _synaptic_step(inputs: Any, t: Any, n_syn: int) -> Any:
    """Step ``t`` of the ``(B, T, N·S)`` input as ``(B, S, N)`` (synapse-major), as prepare
    reads it. The loops take the 3-D input as it is: a 4-D ``(B, T, 1, N)`` operand got a
    permuted layout from XLA and a full copy."""
    x_t = _step_of(inputs, t)
    return lif.to_synapse_major(jnp, jnp.reshape(x_t, (x_t.shape[0], -1, n_syn)))


def _forward(setup: Any, inputs: Any, vdrive: Any, alpha: Any, beta: Any, bias: Any,
             threshold: Any, isyn: Any, vmem: Any) -> tuple[Any, Any]:  # fmt: skip
    """``lif.step``'s loop, also keeping the pre-reset membrane ``V`` and the currents ``I``.

    Spikes are written into the batch-major output in place; ``V`` and ``I``, which only the
    backward reads, are stacked time-major (contiguous per step).
    """
    _, config = setup
    n_batches, n_steps, n_in = inputs.shape
    n_syn = config.n_synapses
    n_neurons = n_in // n_syn
    isyn0 = jnp.broadcast_to(isyn, (n_batches, n_syn, n_neurons))
    vmem0 = jnp.broadcast_to(vmem, (n_batches, n_neurons))
    dtype = jnp.result_type(inputs, beta, vmem0, alpha, bias, threshold)

    def body(carry: Any, t: Any) -> Any:
        i_prev, u_prev, spikes = carry
        # prepare's product, then lif.step's operations in its order (no recurrence), so the
        # spikes are its spikes. The barrier keeps XLA from contracting β·input into the
        # multiply-add (prepare rounds the product on its own).
        drive_t = lax.optimization_barrier(beta * _synaptic_step(inputs, t, n_syn))
        i_t = multiply_add(jnp, beta, i_prev, drive_t)
        total = i_t[..., 0, :] if n_syn == 1 else jnp.sum(i_t, axis=-2)
        v_t = multiply_add(jnp, alpha, u_prev, total) + bias
        if vdrive is not None:
            v_t = v_t + _step_of(vdrive, t)
        s_t = spike_counts(jnp, v_t, threshold, config.max_spikes)
        u_t = subtract_product(jnp, v_t, s_t, threshold)
        spikes = lax.dynamic_update_index_in_dim(spikes, s_t, t, axis=1)
        return (i_t, u_t, spikes), (v_t, i_t)

    spikes0 = jnp.zeros((n_batches, n_steps, n_neurons), dtype)
    (i_final, u_final, spikes), (v_all, i_all) = lax.scan(
        body, (isyn0, vmem0, spikes0), jnp.arange(n_steps)
    )
    operands = (inputs, vdrive, alpha, beta, bias, threshold, isyn, vmem)
    return (spikes, i_final, u_final), (operands, spikes, v_all, i_all)


def _backward(setup: Any, residuals: Any, cotangents: Any) -> tuple[Any, ...]:
    """The reverse loop (see :mod:`shoal.dynamics._bptt.lif`) and the parameter gradients.

    One pass over the stored trajectory: each step reads ``V_t``, ``I_t`` (time-major),
    ``S_t`` and ``∂L/∂S_t`` (batch-major) and writes ``∂L/∂input_t = β·∂L/∂I_t`` in place;
    the parameter gradients are accumulated per ``(B, …)`` element in the loop and reduced
    once after it.
    ``Σ_t gV_t·U_{t−1}`` (α) and ``Σ_t gI_t·I_{t−1}`` (β) are summed as ``Σ_t gV_{t+1}·U_t``
    and ``Σ_t gI_{t+1}·I_t`` (plus the initial-state term), so that each step reads only its
    own slice of the trajectory.
    """
    _, config = setup
    operands, spikes, v_all, i_all = residuals
    inputs, vdrive, alpha, beta, _, threshold, isyn, vmem = operands
    g_spikes, g_isyn, g_vmem = cotangents
    n_batches, n_steps, n_in = inputs.shape
    n_syn = config.n_synapses
    n_neurons = n_in // n_syn
    dtype = v_all.dtype
    surrogate = config.surrogate
    rows = (n_batches, n_neurons)
    synapses = (n_batches, n_syn, n_neurons)
    g_spikes = g_spikes.astype(dtype)

    def body(carry: Any, x_t: Any) -> Any:
        g_u, g_i, g_v_next, g_it_next, acc, g_input, g_vdrive = carry
        t, v_t, i_t = x_t
        s_t = _step_of(spikes, t)
        d_v, d_theta = surrogate.partials(jnp, v_t, threshold)
        g_s = _step_of(g_spikes, t) - g_u * threshold  # ∂L/∂S_t: the output's and the reset's
        g_v = g_u + g_s * d_v  # ∂L/∂V_t
        g_it = g_i + g_v[:, None, :]  # ∂L/∂I_t in full, = ∂L/∂drive_t
        u_t = subtract_product(jnp, v_t, s_t, threshold)  # the reset membrane, as forward had it
        acc = (
            acc[0] + g_v_next * u_t,  # α: gV_{t+1}·U_t
            # β: gI_{t+1}·I_t (the decay) and gI_t·input_t (prepare's product)
            acc[1] + (g_it_next * i_t + g_it * _synaptic_step(inputs, t, n_syn)),
            acc[2] + g_v,  # bias
            acc[3] + (g_s * d_theta - g_u * s_t),  # θ
        )
        g_input_t = jnp.reshape(lif.from_synapse_major(jnp, g_it * beta), (n_batches, n_in))
        g_input = lax.dynamic_update_index_in_dim(g_input, g_input_t, t, axis=1)
        if g_vdrive is not None:  # ∂L/∂V_t is ∂L/∂noise_t
            g_vdrive = lax.dynamic_update_index_in_dim(g_vdrive, g_v, t, axis=1)
        return (g_v * alpha, g_it * beta, g_v, g_it, acc, g_input, g_vdrive), None

    def zeros(shape: tuple[int, ...]) -> Any:
        return jnp.zeros(shape, dtype)

    initial = (
        jnp.broadcast_to(g_vmem, rows).astype(dtype),
        jnp.broadcast_to(g_isyn, synapses).astype(dtype),
        zeros(rows),
        zeros(synapses),
        (zeros(rows), zeros(synapses), zeros(rows), zeros(rows)),
        zeros(inputs.shape),
        None if vdrive is None else zeros(vdrive.shape),
    )
    final, _ = lax.scan(body, initial, (jnp.arange(n_steps), v_all, i_all), reverse=True)
    g_vmem0, g_isyn0, g_v0, g_i0, accumulated, g_input, g_vdrive = final
    acc_alpha, acc_beta, acc_bias, acc_theta = accumulated
    grads = (
        g_input,
        g_vdrive,
        acc_alpha + g_v0 * vmem,
        acc_beta + g_i0 * isyn,
        acc_bias,
        acc_theta,
        g_isyn0,
        g_vmem0,
    )
    return tuple(
        None if operand is None else _sum_to(grad, operand)
        for grad, operand in zip(grads, operands)
    )


def _sum_to(grad: Any, operand: Any) -> Any:
    """``grad`` summed over the axes ``operand`` was broadcast along, in ``operand``'s dtype."""
    shape = jnp.shape(operand)
    leading = grad.ndim - len(shape)
    if leading:
        grad = jnp.sum(grad, axis=tuple(range(leading)))
    axes = tuple(i for i, size in enumerate(shape) if size == 1 and grad.shape[i] != 1)
    if axes:
        grad = jnp.sum(grad, axis=axes, keepdims=True)
    return jnp.reshape(grad, shape).astype(jnp.result_type(operand))


_lif_loop.defvjp(_forward, _backward)
