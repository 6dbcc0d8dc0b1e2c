"""Concrete CPU JAX calls on the NumPy engine (shoal/backend/_jax_cpu.py).

Each case runs the same module call twice: on the engine, and with it switched off (XLA, the
reference). A spy on the engine's entry point tells which path ran.
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

jax = pytest.importorskip("jax")
pytest.importorskip("numba")

import jax.numpy as jnp  # noqa: E402

from shoal.backend import (  # noqa: E402
    _fused,
    _jax_cpu,
    _jax_host_arrays,
    jax_cpu_engine,
    jax_cpu_engine_enabled,
)
from shoal.backend import jax_backend as jax_backend_module  # noqa: E402
from shoal.backend import numpy_backend as numpy_backend_module  # noqa: E402
from shoal.backend.numpy_backend import NumpyBackend  # noqa: E402
from shoal.nn.combinators import Sequential  # noqa: E402
from shoal.nn.modules import H_tanh  # noqa: E402
from shoal.nn.modules.jax import _engine_route  # noqa: E402
from shoal.nn.modules.jax.exp_syn_jax import ExpSynJax  # noqa: E402
from shoal.nn.modules.jax.lif_bitshift_jax import LIFBitshiftJax  # noqa: E402
from shoal.nn.modules.jax.lif_jax import LIFJax  # noqa: E402
from shoal.nn.modules.jax.linear_jax import LinearJax  # noqa: E402
from shoal.nn.modules.jax.rate_jax import RateJax  # noqa: E402


@pytest.fixture
def engine_calls(monkeypatch):
    """The calls the engine ran (``cpu_simulate`` returned a result)."""
    calls = []
    original = _jax_cpu.cpu_simulate

    def counting(*args, **kwargs):
        result = original(*args, **kwargs)
        if result is not None:
            calls.append(args[0].__name__)
        return result

    monkeypatch.setattr(jax_backend_module, "cpu_simulate", counting)
    return calls


def _spiking_input(dtype, shape=(3, 60, 4), seed=0):
    generator = np.random.default_rng(seed)
    return jnp.asarray((generator.random(shape) < 0.4) * 1.5, dtype)


def _moderate_input(dtype, shape, seed=0):
    """A few spikes per neuron: float32 rounding differences stay at one step's level."""
    return jnp.asarray(0.6 * np.random.default_rng(seed).random(shape), dtype)


def _both_paths(module, x):
    """``(engine, xla)`` results ``(output, new_state)`` of the same call."""
    results = []
    for engine in (True, False):
        with jax_cpu_engine(engine):
            output, state, record = module(x)
        assert record == {}
        results.append((output, state))
    return results


def _max_difference(got, want):
    differences = jax.tree_util.tree_map(
        lambda a, b: float(np.max(np.abs(np.asarray(a, float) - np.asarray(b, float)), initial=0)),
        got,
        want,
    )
    return max(jax.tree_util.tree_leaves(differences), default=0.0)


def _float_leaves(tree):
    return [leaf for leaf in jax.tree_util.tree_leaves(tree) if leaf.dtype.kind == "f"]


def _assert_same_structure(got, want):
    assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(want)
    for a, b in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want), strict=True):
        assert isinstance(a, jax.Array)
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.devices() == b.devices()
        assert a.committed == b.committed  # jit caches on it: a second compilation otherwise


def _tau(dtype, size=4):
    return np.linspace(0.01, 0.05, size).astype(dtype)


#: Every dynamics the engine takes, as modules of a given float dtype.
MODULES = {
    "lif": lambda d: LIFJax(4, tau_mem=_tau(d), tau_syn=d(0.01), threshold=d(1.0)),
    "lif-synapses": lambda d: LIFJax((8, 4), tau_syn=np.array([[0.01, 0.03]] * 4, d), bias=d(0.1)),
    "lif-noisy": lambda d: LIFJax(
        4, tau_mem=_tau(d), noise_std=d(0.2), rng_key=jax.random.PRNGKey(3)
    ),
    "lif-bitshift-class": lambda d: LIFBitshiftJax(4, tau_mem=_tau(d)),
    "lif-spike-limit": lambda d: LIFJax(4, tau_mem=_tau(d), max_spikes_per_dt=1.0, bias=d(3.0)),
    "exp-syn": lambda d: ExpSynJax(4, tau=_tau(d)),
    "exp-syn-noisy": lambda d: ExpSynJax(
        4, tau=_tau(d), noise_std=d(0.1), rng_key=jax.random.PRNGKey(4)
    ),
    "rate": lambda d: RateJax(4, tau=_tau(d), bias=d(0.1)),
    "rate-noisy": lambda d: RateJax(
        4, tau=_tau(d), noise_std=d(0.1), rng_key=jax.random.PRNGKey(5)
    ),
}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_float64_engine_equals_xla(name, engine_calls, x64):
    module = MODULES[name](np.float64)
    x = _spiking_input(jnp.float64, (3, 60, module.size_in))
    x_before = np.array(x)
    engine, xla = _both_paths(module, x)
    assert len(engine_calls) == 1  # the engine's call only
    # The kernels read the input through a writable view of JAX's buffer: never written to.
    np.testing.assert_array_equal(x, x_before)
    assert engine[0].dtype == jnp.float64
    _assert_same_structure(engine, xla)
    # XLA and NumPy compute exp (the decays) each their own way: ~1 ulp, amplified by nothing.
    assert _max_difference(engine, xla) <= 1e-10


@pytest.mark.parametrize("name", sorted(MODULES))
def test_float32_engine_agrees_with_xla_to_float32_precision(name, engine_calls):
    module = MODULES[name](np.float32)
    x = _moderate_input(jnp.float32, (2, 40, module.size_in))
    engine, xla = _both_paths(module, x)
    assert len(engine_calls) == 1
    _assert_same_structure(engine, xla)
    if name.startswith("lif"):
        np.testing.assert_array_equal(engine[0], xla[0])  # the spikes
    # XLA contracts a·b + c into one FMA and computes v/θ as v·(1/θ); NumPy rounds each
    # operation: a few ulp per step, of the largest value a state reaches (~80 ulp over 40
    # steps; measured up to 1.5e-4 on a membrane reaching 163).
    scale = max(float(np.max(np.abs(leaf))) for leaf in _float_leaves(xla))
    assert _max_difference(engine, xla) <= 1e-5 * max(1.0, scale)


@pytest.mark.parametrize("name", ["lif-noisy", "exp-syn-noisy", "rate-noisy"])
def test_noise_is_jax_draw_from_the_module_key(name, engine_calls, x64):
    module = MODULES[name](np.float64)
    x = _moderate_input(jnp.float64, (2, 30, module.size_in))
    engine, xla = _both_paths(module, x)
    assert len(engine_calls) == 1
    np.testing.assert_array_equal(engine[1]["rng_key"], xla[1]["rng_key"])
    assert not np.array_equal(engine[1]["rng_key"], module.rng_key)  # the key moved on
    assert _max_difference(engine, xla) <= 1e-10
    # Noise really was drawn: without it the output differs.
    quiet, _, _ = module.set_attributes({"noise_std": 0.0})(x)
    assert _max_difference(quiet, engine[0]) > 1e-3


def test_input_placed_on_a_device_gives_results_placed_there(engine_calls):
    module = MODULES["lif"](np.float32)
    x = jax.device_put(_moderate_input(jnp.float32, (2, 30, 4)), jax.devices("cpu")[0])
    engine, xla = _both_paths(module, x)
    assert len(engine_calls) == 1
    assert engine[0].committed
    _assert_same_structure(engine, xla)


@pytest.mark.parametrize("name", ["lif", "rate"])
def test_unbatched_input(name, engine_calls):
    module = MODULES[name](np.float32)
    x = _moderate_input(jnp.float32, (30, 4))
    engine, xla = _both_paths(module, x)
    assert len(engine_calls) == 1
    assert engine[0].shape == xla[0].shape == (1, 30, 4)  # batched, as Rockpool returns it
    _assert_same_structure(engine, xla)


def test_states_after_the_call_carry_on_as_on_xla(engine_calls, x64):
    module = MODULES["lif"](np.float64)
    x = _spiking_input(jnp.float64, (3, 40, 4))
    evolved = {}
    for engine in (True, False):
        with jax_cpu_engine(engine):
            current = module
            for _ in range(3):
                _, state, _ = current(x)
                current = current.set_attributes(state)
            evolved[engine] = current.state()
    assert len(engine_calls) == 3
    assert _max_difference(evolved[True], evolved[False]) <= 1e-10
    # The module and its input are untouched (the engine read views of their memory).
    np.testing.assert_array_equal(module.vmem, np.zeros(4))
    np.testing.assert_array_equal(x, _spiking_input(jnp.float64, (3, 40, 4)))


@pytest.mark.parametrize(
    "neuron",
    [
        lambda: LIFJax(6, tau_mem=0.03, threshold=0.5),
        lambda: RateJax(6, tau=0.03),
        lambda: ExpSynJax(6, tau=0.03),
        lambda: LIFJax(6, noise_std=0.1, rng_key=jax.random.PRNGKey(9)),
    ],
    ids=["lif", "rate", "exp-syn", "lif-noisy"],
)
def test_sequential_linear_neuron_pair(neuron, engine_calls, x64):
    weight = np.sin(np.arange(48.0)).reshape(8, 6)
    net = Sequential(
        LinearJax((8, 6), weight=weight, bias=0.1 * np.ones(6), has_bias=True), neuron()
    )
    x = _spiking_input(jnp.float64, (3, 50, 8))
    engine, xla = _both_paths(net, x)
    assert len(engine_calls) == 1  # one loop for the pair: its projection was the engine's
    _assert_same_structure(engine, xla)
    assert _max_difference(engine, xla) <= 1e-10


def test_sequential_pair_runs_numpy_simulate_projected(engine_calls, monkeypatch):
    projected_calls = []
    original = NumpyBackend.simulate_projected

    def simulate_projected(self, dynamics, config, params, state, inputs, rng_key, projection):
        projected_calls.append(inputs.shape)
        return original(self, dynamics, config, params, state, inputs, rng_key, projection)

    monkeypatch.setattr(NumpyBackend, "simulate_projected", simulate_projected)
    net = Sequential(LinearJax((8, 6), weight=np.eye(8, 6)), LIFJax(6))
    x = _spiking_input(jnp.float32, (2, 30, 8))
    engine, xla = _both_paths(net, x)
    assert projected_calls == [(2, 30, 8)]
    np.testing.assert_array_equal(engine[0], xla[0])


def test_switch_off_keeps_xla(engine_calls):
    module = MODULES["lif"](np.float32)
    with jax_cpu_engine(False):
        assert not jax_cpu_engine_enabled()
        module(_spiking_input(jnp.float32))
    assert engine_calls == []
    assert jax_cpu_engine_enabled()


def test_environment_switch_off():
    code = "import shoal.backend as b, sys; print(b.jax_cpu_engine_enabled(), 'jax' in sys.modules)"
    env = {**os.environ, "SHOAL_JAX_CPU": "0"}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]  # and importing it imports no JAX


def test_switch_refuses_non_bool():
    message = r"shoal.backend.jax_cpu_engine: expected enabled to be a bool, got int"
    with pytest.raises(TypeError, match=message), jax_cpu_engine(1):  # type: ignore[arg-type]
        pass
    assert jax_cpu_engine_enabled()


def test_traced_calls_do_not_route(engine_calls):
    module = MODULES["lif"](np.float32)
    x = _spiking_input(jnp.float32)
    jax.jit(lambda m, data: m(data)[0])(module, x)
    jax.grad(lambda data: module(data)[0].sum())(x)
    jax.vmap(lambda data: module(data)[0])(x[:, None])
    net = Sequential(LinearJax((4, 4)), LIFJax(4))
    jax.grad(lambda data: net(data)[0].sum())(x)
    jax.jit(lambda n, data: n(data)[0])(net, x)
    assert engine_calls == []


@pytest.mark.parametrize(
    "module",
    [
        lambda: RateJax(4, activation_func=lambda x, threshold: jnp.tanh(x - threshold)),
        lambda: RateJax(4, activation_func=H_tanh),  # shoal's own, but not the kernel's
        lambda: LIFJax(4, has_rec=True, w_rec=0.1 * np.eye(4)),  # slower on the engine
        lambda: Sequential(LinearJax((4, 4)), RateJax(4, activation_func=lambda x, t: x)),
    ],
    ids=["user-activation", "tanh", "recurrent", "sequential-user-activation"],
)
def test_calls_the_engine_does_not_take_stay_on_xla(module, engine_calls):
    module = module()
    x = _moderate_input(jnp.float32, (2, 20, 4))
    with jax_cpu_engine(True):
        assert not _engine_route.runs_outside_jit(module, x, False)
        module(x)
    assert engine_calls == []


def test_record_stays_on_xla(engine_calls):
    _, _, record = MODULES["lif"](np.float32)(_spiking_input(jnp.float32), record=True)
    assert engine_calls == [] and "vmem" in record


@pytest.mark.parametrize("case", ["device", "no-numba", "fused-off"])
def test_not_cpu_or_no_numba_stays_on_xla(case, engine_calls, monkeypatch):
    if case == "device":  # as an array on a GPU would be
        monkeypatch.setattr(_jax_host_arrays, "on_cpu", lambda array: False)
        monkeypatch.setattr(_jax_cpu, "on_cpu", lambda array: False)
        monkeypatch.setattr(_engine_route, "on_cpu", lambda array: False)
    if case == "no-numba":
        monkeypatch.setitem(_fused._available, "numba", False)
    module = MODULES["lif"](np.float32)
    x = _spiking_input(jnp.float32)
    with _fused.fused_kernels(case != "fused-off"):
        out, _, _ = module(x)
        with jax_cpu_engine(False):
            reference, _, _ = module(x)
    assert engine_calls == []
    np.testing.assert_array_equal(out, reference)


@pytest.mark.parametrize(
    "module",
    [
        lambda: MODULES["exp-syn"](np.float32),
        lambda: Sequential(LinearJax((4, 4), weight=np.eye(4)), MODULES["exp-syn"](np.float32)),
        lambda: Sequential(LinearJax((4, 4), weight=np.eye(4)), MODULES["lif"](np.float32)),
    ],
    ids=["exp-syn", "linear-exp-syn", "linear-lif"],
)
def test_configuration_without_kernel_goes_back_to_xla(module, engine_calls, monkeypatch):
    # A call the fused kernel declines would run the engine's generic Python loop: XLA runs it
    # (a pair without XLA's forward-only loop: Linear's product, then the neuron's simulate).
    monkeypatch.setattr(_jax_cpu._KeyedEngine, "simulate", _declining_simulate)
    # ... and a pair whose fused pass declines too (then simulate runs on the projection).
    monkeypatch.setattr(numpy_backend_module, "fused_projected", lambda *args: None)
    module = module()
    x = _moderate_input(jnp.float32, (2, 20, 4))
    out, _, _ = module(x)
    with jax_cpu_engine(False):
        reference, _, _ = module(x)
    assert engine_calls == []
    np.testing.assert_array_equal(out, reference)


def _declining_simulate(self, dynamics, config, params, state, inputs, rng_key, record):
    return self.scan(None, state, inputs, record)  # what the generic loop would call


def test_large_results_alias_aligned_memory():
    result = np.arange(3 << 18, dtype=np.float32).reshape(3, -1)[:, ::2]  # 1.5 MiB, strided
    copy = _jax_host_arrays.aligned_copy(result)
    assert copy.ctypes.data % 64 == 0 and copy.flags.c_contiguous
    np.testing.assert_array_equal(copy, result)
    as_jax = _jax_host_arrays.to_jax(copy, jax.devices("cpu")[0])
    assert as_jax.unsafe_buffer_pointer() == copy.ctypes.data  # no copy
    converted = _jax_host_arrays.to_jax(result, jax.devices("cpu")[0])
    np.testing.assert_array_equal(converted, result)
    assert _jax_host_arrays.to_jax(None, jax.devices("cpu")[0]) is None


def test_input_views_share_memory():
    x = _spiking_input(jnp.float32)
    assert np.shares_memory(_jax_host_arrays.host_view(x), np.asarray(x))
    assert _jax_host_arrays.host_view(x).ctypes.data == x.unsafe_buffer_pointer()
    view = _jax_host_arrays.input_view(x)
    assert view.flags.writeable and view.flags.c_contiguous  # the kernels copy nothing
    assert view.ctypes.data == x.unsafe_buffer_pointer()
    np.testing.assert_array_equal(view, x)
    empty = jnp.zeros((2, 0, 3))
    assert _jax_host_arrays.input_view(empty).shape == (2, 0, 3)


@pytest.mark.parametrize("name", ["lif", "exp-syn"])
def test_large_engine_outputs_reach_jax_without_a_copy(name, engine_calls, monkeypatch):
    # The kernels allocate their outputs 64-byte aligned, which XLA adopts as they are.
    def no_copy(array):
        raise AssertionError(f"copied a {array.nbytes}-byte output")

    monkeypatch.setattr(_jax_host_arrays, "aligned_copy", no_copy)
    module = MODULES[name](np.float32)
    out, _, _ = module(_spiking_input(jnp.float32, (4, 20000, 4)))  # 1.3 MB of output
    assert engine_calls and out.nbytes >= _jax_host_arrays._ALIAS_MIN_BYTES
    assert out.unsafe_buffer_pointer() % 64 == 0
