"""The JAX LIF training loop (a custom_vjp) gives the generic loop's numbers and gradients.

Every configuration runs twice from the same seed: with the loop off (``jax_fused_grad(False)``:
the generic ``lax.scan`` over ``lif.step``, differentiated by JAX) and on. Outputs and final
states must be equal (float64 to 1e-12; float32 bit for bit), and the float64 gradients of every
parameter, of the Linear layer before the neurons, of the input and of the initial states to
1e-10 (of the gradient's scale).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = jax.numpy

from shoal.backend import _jax_bptt, jax_fused_grad, jax_fused_grad_enabled  # noqa: E402
from shoal.backend.surrogates import FastSigmoid, PeriodicExponential, Sigmoid, StepPWL  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFBitshiftJax, LIFJax, LinearJax  # noqa: E402

SURROGATES = [StepPWL(), StepPWL(0.2), PeriodicExponential(0.3, 2.0**16), Sigmoid(4.0),
              FastSigmoid(8.0)]  # fmt: skip


@pytest.fixture
def calls(monkeypatch):
    """Counts the custom_vjp loop's forward passes (proves the fused backward is what ran)."""
    counted = {"forward": 0}
    real = _jax_bptt._forward

    def forward(*args):
        counted["forward"] += 1
        return real(*args)

    monkeypatch.setattr(_jax_bptt, "_forward", forward)
    _jax_bptt._lif_loop.defvjp(forward, _jax_bptt._backward)
    # A program another test traced (same shapes, same worker) would skip the count.
    jax.clear_caches()
    yield counted
    _jax_bptt._lif_loop.defvjp(real, _jax_bptt._backward)


def _network(seed, n_in, n, n_syn, neuron=LIFJax, batches=3, steps=25, **kwargs):
    rng = np.random.default_rng(seed)
    weight = rng.normal(0.0, 1.5 / np.sqrt(n_in), (n_in, n * n_syn))
    extra = {}
    if neuron is LIFJax:
        extra = {"tau_mem": rng.uniform(3e-3, 40e-3, n),
                 "tau_syn": rng.uniform(2e-3, 20e-3, (n, n_syn))}  # fmt: skip
    if kwargs.pop("scalar_threshold", False):
        threshold = np.asarray(rng.uniform(0.3, 1.5))
    else:
        threshold = rng.uniform(0.3, 1.5, n)
    lif = neuron((n * n_syn, n), bias=rng.normal(0.0, 0.3, n), threshold=threshold,
                 rng_key=jax.random.PRNGKey(seed), **extra, **kwargs)  # fmt: skip
    # Non-zero initial states: their gradient flows through the loop's first step.
    lif = lif.set_attributes({"vmem": rng.normal(0.0, 0.5, n),
                              "isyn": rng.normal(0.0, 0.5, (n, n_syn))})  # fmt: skip
    net = Sequential(LinearJax((n_in, n * n_syn), weight=weight), lif)
    x = (rng.random((batches, steps, n_in)) < 0.3) * rng.uniform(0.5, 3.0)
    return net, jnp.asarray(x)


def _run(net, x, fused, edit=None):
    """Output, final LIF state and the gradients of a loss on both (params, input, states).

    ``edit(params)`` changes the parameters as an optimiser would: traced, unchecked.
    """
    name = net._submodule_names[1]
    rng = np.random.default_rng(99)

    def loss(params, states, x):
        net_ = net.set_attributes(params).set_attributes({name: states})
        out, state, _ = net_(x)
        final = state[name]
        weights = [jnp.asarray(rng.normal(size=value.shape)) for value in
                   (out, final["vmem"], final["isyn"])]  # fmt: skip
        total = jnp.sum(out * weights[0]) + jnp.sum(final["vmem"] * weights[1])
        return total + jnp.sum(final["isyn"] * weights[2]), (out, final)

    lif = getattr(net, name)
    states = {"vmem": lif.vmem, "isyn": lif.isyn}
    with jax_fused_grad(fused):
        grad = jax.jit(jax.grad(loss, argnums=(0, 1, 2), has_aux=True))
        params = net.parameters()
        if edit is not None:
            edit(params)
        (g_params, g_states, g_x), (out, final) = grad(params, states, x)
    grads = {"input": g_x, "vmem0": g_states["vmem"], "isyn0": g_states["isyn"]}
    for module, values in g_params.items():
        grads.update({f"{module}.{key}": value for key, value in values.items()})
    return out, final, grads


def _assert_same(net, x, tolerance=1e-10, exact=False, edit=None):
    out_a, final_a, grads_a = _run(net, x, False, edit)
    out_b, final_b, grads_b = _run(net, x, True, edit)
    if exact:
        np.testing.assert_array_equal(out_b, out_a)
    np.testing.assert_allclose(out_b, out_a, rtol=0, atol=1e-12)
    for key in final_a:
        np.testing.assert_allclose(final_b[key], final_a[key], rtol=1e-12, atol=1e-12)
    assert grads_a.keys() == grads_b.keys()
    assert {"0_LinearJax.weight", "vmem0", "isyn0", "input"} <= grads_a.keys()
    assert any(name.endswith(".threshold") for name in grads_a)
    for name in grads_a:
        scale = max(1.0, float(jnp.max(jnp.abs(grads_a[name]))))
        np.testing.assert_allclose(grads_b[name], grads_a[name], rtol=0,
                                   atol=tolerance * scale, err_msg=name)  # fmt: skip
    return out_a


# Each surrogate once, alternating seeds (n_syn 1 and 2, one and two batches): the suite's time.
@pytest.mark.parametrize(
    ("seed", "surrogate"), [(i % 2, s) for i, s in enumerate(SURROGATES)], ids=lambda s: repr(s)
)
def test_gradients_equal_the_generic_loop(x64, calls, seed, surrogate):
    net, x = _network(seed, 6, 4 + 3 * seed, 1 + seed % 2, surrogate=surrogate,
                      batches=1 + seed)  # fmt: skip
    out = _assert_same(net, x)
    assert calls["forward"] == 1
    assert float(out.max()) >= 1.0  # spikes happened: the surrogate and reset terms count


@pytest.mark.parametrize("max_spikes", [1.0, 2.0, 2.0**16])
def test_multi_spike_counts_and_their_cap(x64, calls, max_spikes):
    net, x = _network(5, 6, 7, 1, max_spikes_per_dt=max_spikes, surrogate="periodic_exponential")
    out = _assert_same(net, 4.0 * x)  # strong input: several spikes per step
    assert float(out.max()) == min(max_spikes, 26.0)
    assert calls["forward"] == 1


def test_scalar_threshold_and_bitshift_neurons(x64, calls):
    _assert_same(*_network(3, 5, 6, 2, scalar_threshold=True))
    _assert_same(*_network(4, 5, 6, 1, neuron=LIFBitshiftJax))
    assert calls["forward"] == 2


@pytest.mark.parametrize("surrogate", SURROGATES[1:3], ids=lambda s: repr(s))
def test_non_positive_thresholds_never_fire(x64, calls, surrogate):
    net, x = _network(2, 5, 6, 1, surrogate=surrogate)

    def edit(params):
        threshold = params["1_LIFJax"]["threshold"]
        params["1_LIFJax"]["threshold"] = threshold.at[:2].set(jnp.asarray([-0.5, 0.0]))

    out = _assert_same(net, x, edit=edit)
    assert float(jnp.abs(out[..., :2]).max()) == 0.0 and calls["forward"] == 1


def test_noise_gets_its_gradient_too(x64, calls):
    _assert_same(*_network(6, 5, 6, 1, noise_std=0.3))
    assert calls["forward"] == 1


def test_float32_forward_is_bit_identical(calls):
    net, x = _network(7, 16, 32, 1, batches=4, steps=60)
    _assert_same(net, x.astype(jnp.float32), tolerance=1e-5, exact=True)
    assert calls["forward"] == 1


def test_recurrent_lif_keeps_the_generic_loop(x64, calls):
    net, x = _network(8, 5, 6, 1, has_rec=True)
    _assert_same(net, x)
    assert calls["forward"] == 0


def test_the_spec_worked_gradient(calls):
    """reference-behaviour.md: LIFJax(2) on ones((10, 2)), loss Σ spikes, jit(grad)."""
    mod = LIFJax(2)

    def loss(params):
        return jnp.sum(mod.set_attributes(params)(jnp.ones((10, 2)))[0])

    grads = jax.jit(jax.grad(loss))(mod.parameters())
    expected = {"bias": 10.0, "tau_mem": 10.8003, "tau_syn": 420.8273, "threshold": -45.361}
    for name, value in expected.items():
        np.testing.assert_allclose(grads[name], value, rtol=2e-5, err_msg=name)
    assert calls["forward"] == 1


def test_forward_mode_falls_back_to_the_generic_loop(x64):
    """jvp / jacfwd / hessian cannot run through a custom_vjp: they take the generic loop."""
    net, x = _network(9, 4, 3, 1, batches=1, steps=8, surrogate=Sigmoid(4.0))

    def loss(bias):
        out, _, _ = net.set_attributes({"1_LIFJax": {"bias": bias}})(x)
        return jnp.sum(out * jnp.arange(out.size).reshape(out.shape))

    bias = net.parameters()["1_LIFJax"]["bias"]
    results = {}
    for fused in (False, True):
        with jax_fused_grad(fused):
            results[fused] = (jax.jacfwd(loss)(bias), jax.hessian(loss)(bias),
                              jax.jvp(loss, (bias,), (jnp.ones_like(bias),))[1],
                              jax.grad(loss)(bias))  # fmt: skip
    for off, on in zip(results[False], results[True]):
        np.testing.assert_allclose(on, off, rtol=1e-12, atol=1e-12)


def test_vmap_over_inputs(x64, calls):
    net, x = _network(10, 5, 4, 1, batches=2)
    xs = jnp.stack([x, 2.0 * x])

    def loss(params, x):
        return jnp.sum(net.set_attributes(params)(x)[0] ** 2)

    results = {}
    for fused in (False, True):
        with jax_fused_grad(fused):
            per_input = jax.vmap(jax.grad(loss), in_axes=(None, 0))
            results[fused] = jax.tree_util.tree_leaves(per_input(net.parameters(), xs))
    assert calls["forward"] >= 1
    for off, on in zip(results[False], results[True]):
        np.testing.assert_allclose(on, off, rtol=0, atol=1e-10 * max(1.0, float(abs(off).max())))


def test_switch_is_part_of_the_compiled_call_key(calls):
    """Switching off after a call compiled with the loop on must not reuse that program."""
    net, x = _network(11, 5, 4, 1)

    def loss(params):
        return jnp.sum(net.set_attributes(params)(x)[0])

    jax.grad(loss)(net.parameters())
    assert calls["forward"] == 1
    with jax_fused_grad(False):
        jax.grad(loss)(net.parameters())
    assert calls["forward"] == 1
    jax.grad(loss)(net.parameters())
    assert calls["forward"] == 1  # the cached program with the loop, not a new trace


def test_switch_refuses_a_non_bool():
    message = r"shoal.backend.jax_fused_grad: expected enabled to be a bool, got int"
    with pytest.raises(TypeError, match=message), jax_fused_grad(0):  # type: ignore[arg-type]
        pass
    assert jax_fused_grad_enabled()


def test_environment_switch_turns_it_off():
    code = ("from shoal.backend import jax_fused_grad_enabled as on; "
            "import sys; sys.exit(0 if on() is False else 1)")  # fmt: skip
    env = {**os.environ, "SHOAL_JAX_FUSED_GRAD": "0"}
    assert subprocess.run([sys.executable, "-c", code], env=env).returncode == 0


def test_import_shoal_backend_does_not_import_jax():
    code = "import shoal.backend, sys; sys.exit(1 if 'jax' in sys.modules else 0)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_forward_mode_around_a_users_jit_needs_the_switch(x64):
    """jacfwd of the user's own jit sees the custom_vjp from outside: JAX's error, then the
    switch (as the docstring of jax_fused_grad says)."""
    net, x = _network(12, 4, 3, 1, batches=1, steps=8)

    def make_loss():  # a new function each time: jax.jit caches traces per function
        def loss(bias):
            return jnp.sum(net.set_attributes({"1_LIFJax": {"bias": bias}})(x)[0])

        return loss

    bias = net.parameters()["1_LIFJax"]["bias"]
    with pytest.raises(TypeError, match="forward-mode autodiff"):
        jax.jacfwd(jax.jit(make_loss()))(bias)
    with jax_fused_grad(False):
        off = jax.jacfwd(jax.jit(make_loss()))(bias)
    np.testing.assert_allclose(off, jax.grad(make_loss())(bias), rtol=1e-12, atol=1e-12)
