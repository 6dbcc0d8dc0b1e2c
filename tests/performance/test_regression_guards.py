"""Performance regression guards that are not timing tests.

* repeated eager calls of a JAX module compile once (the jit cache does not grow);
* ``record=False`` builds no record arrays (NumPy: peak memory; JAX: the scan's outputs);
* no noise is drawn when ``noise_std = 0`` and no recurrent product exists without ``w_rec``.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import LIF, Rate

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.backend import jax_backend  # noqa: E402
from shoal.nn.modules import LIFJax, RateJax  # noqa: E402
from shoal.nn.modules.jax import jax_module  # noqa: E402


def test_repeated_eager_calls_compile_once():
    lif = LIFJax(8)
    x = np.random.rand(2, 30, 8).astype(np.float32)
    lif(x)
    evolve_cache = jax_module._compiled_evolve._cache_size()
    simulate_cache = jax_backend._compiled_simulate._cache_size()
    for _ in range(3):
        _, new_state, _ = lif(x)
        lif = lif.set_attributes(new_state)
    assert jax_module._compiled_evolve._cache_size() == evolve_cache
    assert jax_backend._compiled_simulate._cache_size() == simulate_cache


@pytest.mark.usefixtures("_xla_only")
def test_a_second_module_of_the_same_structure_reuses_the_compiled_program():
    # Different random rng keys, equal concrete data: the same program serves both.
    x = np.random.rand(1, 10, 5).astype(np.float32)
    RateJax(5, tau=np.full(5, 0.03))(x)
    before = jax_module._compiled_evolve._cache_size()
    RateJax(5, tau=np.full(5, 0.03))(x)
    LIFJax(5)(x)
    after_lif = jax_module._compiled_evolve._cache_size()
    LIFJax(5)(x)
    assert jax_module._compiled_evolve._cache_size() == after_lif == before + 1


def _equations(jaxpr):
    """Every equation of ``jaxpr`` and of the jaxprs nested in it (jit, custom_vjp, scan)."""
    for eqn in jaxpr.eqns:
        yield eqn
        for value in eqn.params.values():
            inner = getattr(value, "jaxpr", value)  # a ClosedJaxpr holds its Jaxpr
            if hasattr(inner, "eqns"):
                yield from _equations(inner)


@pytest.fixture
def _xla_only():
    """Concrete CPU calls of LIF and Rate otherwise run on the NumPy engine, not compiled."""
    from shoal.backend import jax_cpu_engine

    with jax_cpu_engine(False):
        yield


def _scan_output_count(module, x, record):
    jaxpr = jax.make_jaxpr(lambda m, x: m.evolve(x, record=record))(module, x)
    # Undifferentiated, LIF's training loop (a custom_vjp, shoal.backend._jax_bptt) runs the
    # generic scan inside its custom_vjp equation.
    scans = [eqn for eqn in _equations(jaxpr.jaxpr) if eqn.primitive.name == "scan"]
    assert len(scans) == 1
    return len(scans[0].outvars)


def test_jax_record_false_stacks_only_the_output():
    lif = LIFJax(4)
    x = jnp.ones((1, 5, 4))
    # Carry: isyn, vmem (spikes only with recurrence); stacked: the spikes output only
    # (vs four record arrays with record=True).
    assert _scan_output_count(lif, x, record=False) == 2 + 1
    assert _scan_output_count(lif, x, record=True) > 2 + 1


@pytest.mark.parametrize("cls", [LIF, Rate])
def test_numpy_record_false_allocates_no_record_arrays(cls, peak_bytes):
    n_steps, n = 4000, 16
    x = np.random.rand(1, n_steps, n)
    output_bytes = x.nbytes
    # Warm up first: a process's first fused call imports numba and loads its kernels (tens of
    # MB of Python allocations, once), which is not what this guard measures.
    cls(n)(x[:, :2], record=True)
    quiet = peak_bytes(lambda: cls(n)(x, record=False))
    loud = peak_bytes(lambda: cls(n)(x, record=True))
    # Without records: the output plus the vectorised input work, a few times the input size.
    assert quiet < 5 * output_bytes
    if cls is LIF:  # LIF records four (B, T, N) arrays, so the difference shows
        assert loud > quiet + 2 * output_bytes


def test_no_noise_drawn_when_noise_std_is_zero(monkeypatch):
    calls = []
    real = np.random.standard_normal
    monkeypatch.setattr(
        np.random, "standard_normal", lambda *a, **k: calls.append(a) or real(*a, **k)
    )
    LIF(3)(np.ones((5, 3)))
    Rate(3)(np.ones((5, 3)))
    assert calls == []
    LIF(3, noise_std=0.1)(np.ones((5, 3)))
    assert len(calls) == 1


def test_parameter_updates_do_not_retrace_a_jitted_step():
    # Scalars such as tau_mem=0.02 must not be stored weakly typed: after one optimiser update
    # the parameters would change abstract type and every later step would compile again.
    optax = pytest.importorskip("optax")
    net = LIFJax(4, tau_mem=0.02, tau_syn=0.01, threshold=1.0)
    x = jnp.ones((1, 6, 4))
    optimiser = optax.adam(1e-3)

    def loss(params, net, x):
        out, _, _ = net.set_attributes(params)(x)
        return jnp.sum(out)

    @jax.jit
    def step(params, opt_state, net, x):
        grads = jax.grad(loss)(params, net, x)
        updates, opt_state = optimiser.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    params = net.parameters()
    opt_state = optimiser.init(params)
    for _ in range(3):
        params, opt_state = step(params, opt_state, net, x)
    assert step._cache_size() == 1


def test_import_shoal_loads_no_optional_backend():
    """`import shoal` and the NumPy catalogue stay light: no JAX, matplotlib, NIR or optax."""
    import subprocess
    import sys

    code = (
        "import sys, shoal, shoal.nn.modules, shoal.nn.combinators, shoal.timeseries, "
        "shoal.parameters, shoal.training, shoal.utilities.tree_utils\n"
        "from shoal.nn.modules import LIF, Linear, Rate\n"
        "loaded = [m for m in ('jax', 'matplotlib', 'nir', 'optax', 'torch') if m in sys.modules]\n"
        "print(','.join(loaded))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
