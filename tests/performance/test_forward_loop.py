"""Concrete JAX calls run a forward-only loop: no (T, B, N) temporaries, the traced numbers.

A module call whose arrays are all concrete cannot be differentiated, so its program may read
the batch-major input one step at a time, prepare each step inside the loop and, in a
``Sequential``, apply a ``LinearJax`` per step inside the next neuron's loop
(``JaxBackend.forward_only``, ``simulate_forward``, ``_jax_projection``). These tests pin down
that such calls give the traced path's numbers (bit for bit where no product moves, float32
rounding where the per-step product sums in its own order), allocate no temporary the size of
the output, and that traced calls (``jit``, ``grad``) never take the loop.
"""

import re

import numpy as np
import pytest

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.backend import jax_cpu_engine  # noqa: E402
from shoal.backend.jax_backend import JAX  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import LIFJax, LinearJax, RateJax  # noqa: E402
from shoal.nn.modules.jax import jax_module  # noqa: E402


@pytest.fixture(autouse=True)
def _xla_forward_loop():
    """These tests are about XLA's forward loop: concrete CPU calls stay off the NumPy engine
    (tested in tests/backend/test_jax_cpu_engine.py)."""
    with jax_cpu_engine(False):
        yield


def _traced(module, x, record=False):
    """The same call under the user's ``jit``: the traced path, which gradients go through."""
    return jax.jit(lambda m, x: m(x, record=record))(module, x)


def _leaves(result):
    return [np.asarray(leaf) for leaf in jax.tree_util.tree_leaves(result)]


def _lif(**kwargs):
    rng = np.random.default_rng(3)
    return LIFJax(
        (2 * 5, 5) if kwargs.pop("two_synapses", False) else 5,
        tau_mem=rng.uniform(0.01, 0.05, 5),
        threshold=rng.uniform(0.5, 1.5, 5),
        bias=rng.normal(0, 0.1, 5),
        **kwargs,
    )


LIF_CASES = {
    "plain": {},
    "two synapses": {"two_synapses": True, "tau_syn": [[0.005, 0.02]] * 5},
    "noise": {"noise_std": 0.2, "rng_key": jax.random.PRNGKey(7)},
    "spike cap": {"max_spikes_per_dt": 1.0},
}


@pytest.mark.parametrize("n_batches", [1, 3])
@pytest.mark.parametrize("case", LIF_CASES)
def test_a_concrete_lif_call_gives_the_traced_numbers_bit_for_bit(case, n_batches):
    lif = _lif(**LIF_CASES[case])
    x = np.random.default_rng(0).normal(0.5, 2.0, (n_batches, 40, lif.size_in)).astype(np.float32)
    ours, theirs = lif(x), _traced(lif, x)
    for a, b in zip(_leaves(ours), _leaves(theirs)):
        np.testing.assert_array_equal(a, b)
    assert np.asarray(ours[0]).sum() > 0  # the comparison covered spiking


@pytest.mark.parametrize("n_batches", [1, 3])
def test_a_concrete_recurrent_lif_call_gives_the_traced_numbers(n_batches):
    w_rec = np.random.default_rng(1).normal(0, 0.3, (5, 5))
    lif = _lif(has_rec=True, w_rec=w_rec)
    x = np.random.default_rng(0).normal(0.5, 2.0, (n_batches, 40, 5)).astype(np.float32)
    ours, theirs = lif(x), _traced(lif, x)
    np.testing.assert_array_equal(ours[0], theirs[0])  # the same spikes
    for a, b in zip(_leaves(ours), _leaves(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("has_bias", [False, True])
@pytest.mark.parametrize("n_batches", [1, 3])
def test_linear_then_lif_runs_as_one_loop_with_the_traced_numbers(n_batches, has_bias):
    rng = np.random.default_rng(2)
    net = Sequential(
        LinearJax((4, 5), weight=rng.normal(0, 1, (4, 5)), has_bias=has_bias),
        _lif(),
        LinearJax((5, 2)),
        RateJax(2),  # not a LIF: called as it is
    )
    x = rng.normal(0.5, 1.0, (n_batches, 60, 4)).astype(np.float32)
    ours, theirs = net(x), _traced(net, x)
    assert jax.tree_util.tree_structure(ours) == jax.tree_util.tree_structure(theirs)
    # The same spikes, so what follows the LIF (called as it is) gives the same output.
    np.testing.assert_array_equal(ours[0], theirs[0])
    # The chunked product sums in its own order: float32 rounding of each array's largest
    # values (a membrane near 0 carries the rounding of the -500 it came from), no more.
    for a, b in zip(_leaves(ours), _leaves(theirs)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(b).max()))


def _temp_bytes(module, x, forward_only):
    compiled = jax_module._compiled_evolve.lower(
        module, x, False, forward_only=forward_only
    ).compile()
    return compiled.memory_analysis().temp_size_in_bytes


@pytest.mark.parametrize("n_batches", [1, 4])
def test_the_forward_loop_allocates_no_temporary_the_size_of_its_output(n_batches):
    x = jnp.ones((n_batches, 500, 8))
    net = Sequential(LinearJax((8, 16)), LIFJax(16))
    output_bytes = n_batches * 500 * 16 * 4
    # Traced: the projection, the prepared input (and with B > 1 the transposes).
    assert _temp_bytes(net, x, forward_only=False) >= output_bytes
    assert _temp_bytes(net, x, forward_only=True) < output_bytes / 4
    lif = LIFJax(8)
    assert _temp_bytes(lif, x, forward_only=False) >= n_batches * 500 * 8 * 4
    assert _temp_bytes(lif, x, forward_only=True) < n_batches * 500 * 8 * 4 / 4


def _refuse_forward_loop(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a traced call took the forward-only loop")

    monkeypatch.setattr(JAX, "_simulate_forward", refuse)


def test_grad_and_user_jit_never_take_the_forward_loop(monkeypatch):
    net = Sequential(LinearJax((3, 4)), LIFJax(4, threshold=0.5))
    x = np.random.default_rng(5).normal(1.0, 1.0, (2, 30, 3)).astype(np.float32)
    net(x)  # a concrete call first: its program must not be reused under grad
    _refuse_forward_loop(monkeypatch)

    def loss(params):
        out, _, _ = net.set_attributes(params)(x)
        return jnp.sum(out)

    grads = jax.grad(loss)(net.parameters())
    assert all(np.all(np.isfinite(g)) for g in jax.tree_util.tree_leaves(grads))
    _traced(net, x)
    jax.vmap(lambda x: net(x)[0])(x[:, None])


def test_calls_with_records_keep_the_traced_loop(monkeypatch):
    _refuse_forward_loop(monkeypatch)
    net = Sequential(LinearJax((3, 4)), LIFJax(4))
    x = np.ones((2, 10, 3), np.float32)
    _, _, records = net(x, record=True)
    assert "1_LIFJax" in records and "0_LinearJax_output" in records
    # The control: a concrete call without records does take it (a new shape: no cached program).
    with pytest.raises(AssertionError, match="took the forward-only loop"):
        Sequential(LinearJax((3, 7)), LIFJax(7))(x)


def test_a_subclass_with_its_own_evolve_is_not_fused():
    class ShiftedLIF(LIFJax):
        def evolve(self, input_data, record=False):
            out, state, rec = super().evolve(input_data + 1.0, record)
            return out, state, rec

    net = Sequential(LinearJax((3, 4)), ShiftedLIF(4))
    x = np.random.default_rng(6).normal(0.0, 1.0, (2, 30, 3)).astype(np.float32)
    ours, theirs = net(x), _traced(net, x)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5, atol=1e-6)
    assert np.asarray(ours[0]).sum() > 0


def test_the_forward_only_flag_is_off_outside_a_call_and_restored_after_it():
    assert not JAX.is_forward_only()
    with JAX.forward_only():
        assert JAX.is_forward_only()
        with JAX.forward_only(False):
            assert not JAX.is_forward_only()
        assert JAX.is_forward_only()
    assert not JAX.is_forward_only()


@pytest.mark.parametrize("forward_only", [False, True])
def test_a_single_batch_lif_program_copies_no_time_long_array(forward_only):
    # Scalar time constants: XLA gave the prepared (T, 1, 1, N) input a permuted layout and
    # copied it whole into the loop's layout (200 MB per call on workload (e)); a reshape
    # instead of a transpose for size-1 axes and 2-D loop inputs leave nothing to copy.
    n_steps = 300
    lif = LIFJax(16, tau_mem=0.02, tau_syn=0.01)
    compiled = jax_module._compiled_evolve.lower(
        lif, jnp.ones((1, n_steps, 16)), False, forward_only=forward_only
    ).compile()
    copies = [
        line
        for line in compiled.as_text().splitlines()
        if re.search(rf"%\S*copy\S* = f32\[{n_steps},", line)
    ]
    assert copies == []
