"""The NumPy backend's fused numba loops give the generic loop's numbers (issue 18).

Every covered configuration runs twice, the kernels forced off (`fused_kernels(False)`: the
pure-NumPy loop) and on, from the same noise seed and a non-zero starting state; outputs,
records and final states must agree bit for bit (recurrence included: both routes make the
same BLAS call per step).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from shoal.backend import NUMPY, _blas_threads, _fused, numpy_backend
from shoal.backend._fused import fused_kernels, fused_kernels_enabled, single_threaded_blas
from shoal.dynamics import lif
from shoal.nn.modules import LIF, ExpSyn, LIFBitshift, Rate

pytest.importorskip("numba")


def _run(module, x, record, fused):
    """Two consecutive calls (the second starts from the first's state), seeded noise."""
    np.random.seed(7)
    module = module.reset_state()
    with fused_kernels(fused):
        module(x, record=False)
        out, state, rec = module(x, record=record)
    return np.array(out), {k: np.array(v) for k, v in state.items()}, rec


def _close(actual, desired, tolerance, name):
    """Equal to ``tolerance`` relative to the array's scale (exactly equal for 0)."""
    actual, desired = np.asarray(actual), np.asarray(desired)
    assert actual.shape == desired.shape, name
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    np.testing.assert_allclose(actual, desired, rtol=0, atol=tolerance * scale, err_msg=name)


def _assert_same(module, x, record=True, tolerance=0.0):
    out_a, state_a, rec_a = _run(module, x, record, fused=False)
    out_b, state_b, rec_b = _run(module, x, record, fused=True)
    _close(out_b, out_a, tolerance, "output")
    assert state_a.keys() == state_b.keys() and rec_a.keys() == rec_b.keys()
    for key in state_a:
        _close(state_b[key], state_a[key], tolerance, key)
    for key in rec_a:
        _close(rec_b[key], rec_a[key], tolerance, key)
    return out_a


@pytest.fixture
def spy(monkeypatch):
    """Counts the fused calls per kernel module, both routes (proves the fast path ran)."""
    calls: dict[str, int] = {}
    real_scan, real_simulate = _fused.fused_scan, _fused.fused_simulate

    def count(dynamics, result):
        if result is not None:
            calls[dynamics.FUSED_SCAN] = calls.get(dynamics.FUSED_SCAN, 0) + 1
        return result

    def counting_scan(dynamics, *args):
        return count(dynamics, real_scan(dynamics, *args))

    def counting_simulate(backend, dynamics, *args):
        return count(dynamics, real_simulate(backend, dynamics, *args))

    monkeypatch.setattr(type(NUMPY), "fused_scan", staticmethod(counting_scan))
    monkeypatch.setattr(numpy_backend, "fused_simulate", counting_simulate)
    return calls


_RNG = np.random.default_rng(3)
_X = _RNG.random((3, 60, 8))

_LIF_CASES = {
    "plain": (lambda: LIF(8, tau_mem=0.05, tau_syn=0.02), 2.0),
    "bias and thresholds": (
        lambda: LIF(8, bias=0.1, threshold=np.linspace(0.5, 2.0, 8), dt=1e-3),
        2.0,
    ),
    "noise": (lambda: LIF(8, noise_std=0.3), 2.0),
    "n_syn 2": (lambda: LIF((8, 4)), 2.0),
    "max_spikes 1": (lambda: LIF(8, max_spikes_per_dt=1.0), 40.0),
    "multi-spike": (lambda: LIF(8, threshold=0.2), 40.0),
    "bitshift": (lambda: LIFBitshift(8), 2.0),
}


@pytest.mark.parametrize("name", sorted(_LIF_CASES))
def test_lif_without_recurrence_is_bit_identical(name, spy):
    make, gain = _LIF_CASES[name]
    out = _assert_same(make(), gain * _X)
    assert spy == {"shoal.dynamics._fused.lif": 2}
    assert out.sum() > 0  # the case spikes, so the spike path is compared


@pytest.mark.parametrize("n_syn", [1, 2])
@pytest.mark.parametrize("noise_std", [0.0, 0.2])
def test_lif_with_recurrence_is_bit_identical(n_syn, noise_std, spy):
    # Both routes make the same BLAS call per step (the fused one on a strided view of the
    # spikes): the same numbers, not just close ones.
    w_rec = np.random.default_rng(5).normal(0, 0.05, (8 // n_syn, 8))
    module = LIF((8, 8 // n_syn), has_rec=True, w_rec=w_rec, noise_std=noise_std)
    out = _assert_same(module, 2.0 * _X)
    assert spy == {"shoal.dynamics._fused.lif": 2}
    assert out.sum() > 0


_RATE_CASES = {
    "relu, bias": lambda: Rate(8, bias=0.1),
    "relu, thresholds": lambda: Rate(8, threshold=np.linspace(-0.2, 0.2, 8), tau=0.01),
    "tanh": lambda: Rate(8, bias=0.1, activation_func="tanh"),
    "a callable": lambda: Rate(8, activation_func=lambda x, t: 2 * x - t),
    "noise (prepare, then the kernel)": lambda: Rate(8, bias=0.1, noise_std=0.2),
}


@pytest.mark.parametrize("name", sorted(_RATE_CASES))
def test_rate_is_bit_identical(name, spy):
    out = _assert_same(_RATE_CASES[name](), _X - 0.5)
    assert spy == {"shoal.dynamics._fused.rate": 2}
    assert (out != 0).any()


def test_exp_syn_is_bit_identical(spy):
    _assert_same(ExpSyn(8, tau=np.linspace(0.01, 0.1, 8)), _X)
    assert spy == {"shoal.dynamics._fused.exp_syn": 2}


def test_recurrent_rate_keeps_the_generic_loop(spy):
    # Its step applies the activation, an arbitrary callable: no kernel covers it.
    module = Rate(8, has_rec=True, w_rec=np.eye(8) * 0.1)
    _assert_same(module, _X)
    assert spy == {}


def test_the_switch_really_selects_the_generic_loop(spy):
    with fused_kernels(False):
        assert not fused_kernels_enabled()
        LIF(8)(_X)
    assert spy == {}
    assert fused_kernels_enabled()


@pytest.mark.parametrize("make", [lambda: LIF((8, 4), has_rec=True), lambda: Rate(8)])
def test_a_kernel_never_writes_into_the_module_state_or_the_input(make):
    module = make()
    module(_X)
    before = {k: (v, np.array(v)) for k, v in module.state().items()}
    x = _X.copy()
    module(x)
    for key, (array, copy) in before.items():
        np.testing.assert_array_equal(array, copy, err_msg=key)
    np.testing.assert_array_equal(x, _X)


def test_the_spike_record_is_not_the_output():
    out, _, record = LIF(4)(3 * _X[..., :4], record=True)
    assert not np.shares_memory(out, record["spikes"])
    np.testing.assert_array_equal(out, record["spikes"])


def _both_routes(config, params, inputs, state, record=True):
    """``(generic, fused)`` results of one simulate call on the LIF dynamics.

    The generic route is ``simulate`` itself (LIF's kernel module has no ``scan`` for it).
    """
    from shoal.backend.simulate import simulate

    generic = simulate(NUMPY, lif, config, params, state, inputs, None, record)
    fused = _fused.fused_simulate(NUMPY, lif, config, params, state, inputs, record)
    assert fused is not None
    return generic, fused


def test_a_nan_threshold_takes_the_masked_spike_rule():
    # Only a NaN θ (impossible through the module's validation) disables the θ > 0 shortcut;
    # the kernel's masked branch must still give step's NaN, not a spike count.
    config = lif.LIFConfig(1, False, False, 2.0**16, None)
    params = lif.LIFParams(
        np.full(4, 0.02), np.full(4, 0.01), 0.0, np.array([1.0, np.nan, 0.5, 2.0]), None, 1e-3, 0.0
    )
    state = lif.LIFState(None, np.zeros((2, 1, 4)), np.zeros((2, 4)))
    generic, fused = _both_routes(config, params, _RNG.random((2, 20, 4)) * 3, state)
    np.testing.assert_array_equal(fused[0], generic[0])  # NaN == NaN here
    assert np.isnan(fused[0][:, :, 1]).all() and np.nansum(fused[0]) > 0
    for key in generic[3]:
        np.testing.assert_array_equal(fused[2][key], generic[3][key], err_msg=key)


def test_a_non_finite_recurrent_weight_spreads_as_in_the_generic_loop():
    # 0·inf is NaN in the BLAS product of both routes: silent neurons still poison the result.
    config = lif.LIFConfig(1, True, False, 2.0**16, None)
    w_rec = np.zeros((3, 3))
    w_rec[0, 1] = np.inf
    params = lif.LIFParams(0.02, 0.01, 0.0, 1.0, w_rec, 1e-3, 0.0)
    state = lif.LIFState(np.zeros((1, 3)), np.zeros((1, 1, 3)), np.zeros((1, 3)))
    # Both routes warn as NumPy's product does (warnings are errors in this suite).
    with pytest.warns(RuntimeWarning, match="invalid value encountered in matmul") as caught:
        generic, fused = _both_routes(config, params, np.ones((1, 5, 3)), state, record=False)
    assert len({str(w.message) for w in caught}) == 1 and len(caught) >= 2
    np.testing.assert_array_equal(fused[0], generic[0])
    assert np.isnan(fused[0]).any()


def test_without_numba_the_generic_loop_runs(monkeypatch, spy):
    monkeypatch.setitem(_fused._available, "numba", False)
    assert not fused_kernels_enabled()
    out, _, _ = LIF(8)(2.0 * _X)
    assert spy == {} and out.shape == (3, 60, 8)


def test_the_switch_refuses_a_non_bool():
    message = r"fused_kernels: expected enabled to be a bool, got int"
    with pytest.raises(TypeError, match=message), fused_kernels(0):  # type: ignore[arg-type]
        pass


def test_the_generic_loop_runs_blas_on_one_thread(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    # A fresh controller sees every BLAS loaded by now (it only limits those it saw when built).
    monkeypatch.setattr(_blas_threads, "_blas", {})
    seen = []

    def step(state, x_t):
        blas = [p for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"]
        seen.extend(p["num_threads"] for p in blas)
        return state, x_t, None

    NUMPY.scan(step, None, np.zeros((2, 3)), False)
    assert seen and set(seen) == {1}
    with single_threaded_blas():  # the cached controller, again
        pools = threadpoolctl.threadpool_info()
        assert {p["num_threads"] for p in pools if p["user_api"] == "blas"} == {1}


def test_numba_is_imported_only_by_a_fused_call():
    script = (
        "import sys, numpy as np, shoal, shoal.nn.modules as m\n"
        "assert 'numba' not in sys.modules\n"
        "m.LIF(4)(np.ones((3, 4)))\n"
        "print('numba' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_a_missing_numba_names_the_extra(monkeypatch):
    for name in [m for m in sys.modules if m.startswith("shoal.dynamics._fused")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "numba", None)
    with pytest.raises(ImportError, match=r"pip install 'shoal\[numba\]'"):
        import shoal.dynamics._fused._common  # noqa: F401


def test_strided_and_read_only_inputs_give_the_same_numbers():
    # What a caller handing over views of its own buffers gets (documented in _fused._common):
    # a copy where the kernel needs one, the same numbers, and the input left alone.
    x = np.ascontiguousarray(2.0 * _X)
    wide = np.zeros((3, 60, 16))
    wide[:, :, ::2] = x
    frozen = x.copy()
    frozen.flags.writeable = False
    expected = LIF(8).reset_state()(x)[0]
    for view in (wide[:, :, ::2], frozen, np.asfortranarray(x)):
        np.testing.assert_array_equal(LIF(8).reset_state()(view)[0], expected)
    assert not frozen.flags.writeable


def test_mixed_dtypes_take_the_generic_route():
    # The kernel computes in one dtype; NumPy promotes step by step. Mixed: no fused result.
    config = lif.LIFConfig(1, False, False, 2.0**16, None)
    params = lif.LIFParams(np.float32(0.02), 0.01, 0.0, 1.0, None, 1e-3, 0.0)
    state = lif.LIFState(None, np.zeros((1, 1, 2)), np.zeros((1, 2)))
    assert (
        _fused.fused_simulate(NUMPY, lif, config, params, state, np.ones((1, 4, 2)), False) is None
    )


def test_an_uncovered_noisy_call_draws_its_noise_once(spy, monkeypatch):
    # The kernel module declines before drawing, so the generic route draws the same noise as
    # with the kernels off: the numbers do not depend on which route declined.
    # A per-neuron spike limit (not reachable through LIF's validation) is not covered.
    module = LIF(8, noise_std=0.3)
    config, params = module._configure()
    per_neuron_limit = config._replace(max_spikes=np.full(8, 2.0**16))
    monkeypatch.setattr(type(module), "_configure", lambda self: (per_neuron_limit, params))
    out = _assert_same(module, 2.0 * _X)
    assert spy == {} and out.sum() > 0


@pytest.mark.parametrize("make", [lambda: LIF(8, noise_std=0.1), lambda: Rate(8, bias=0.1)])
def test_rows_split_over_threads_give_the_same_numbers(make, monkeypatch):
    # Without recurrence a call's batch rows are split over the cores (one kernel call per
    # range, on threads): forced here on a small call, the numbers are the one-thread ones.
    from shoal.dynamics._fused import _rows

    x = 2.0 * np.random.default_rng(1).random((5, 40, 8))
    np.random.seed(3)
    whole = make()(x, record=True)
    chunks, threads = [], []
    share_out = _rows.run_rows

    def spy(rows, n_rows, n_threads):
        threads.append(n_threads)

        def recording(start, stop):
            chunks.append((start, stop))
            rows(start, stop)

        share_out(recording, n_rows, n_threads)

    monkeypatch.setattr(_rows, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_rows, "_cores", lambda: 3)
    monkeypatch.setattr(_rows, "run_rows", spy)
    np.random.seed(3)
    split = make()(x, record=True)
    assert threads == [3]
    assert sorted(chunks) == [(k, k + 1) for k in range(5)]  # 5 rows, up to 12 chunks: one each
    np.testing.assert_array_equal(split[0], whole[0])
    for key in whole[2]:
        np.testing.assert_array_equal(split[2][key], whole[2][key], err_msg=key)
    for key in whole[1]:
        np.testing.assert_array_equal(split[1][key], whole[1][key], err_msg=key)


def test_a_forked_child_gets_its_own_row_threads(monkeypatch):
    from shoal.dynamics._fused import _rows

    monkeypatch.setattr(_rows, "_pool", {})
    first = _rows._executor(1)
    assert _rows._executor(1) is first
    monkeypatch.setitem(_rows._pool, "pid", -1)  # as seen from a forked child
    assert _rows._executor(1) is not first


def test_the_row_pool_grows_when_more_threads_are_asked_for(monkeypatch):
    from shoal.dynamics._fused import _rows

    monkeypatch.setattr(_rows, "_pool", {})
    one = _rows._executor(1)
    assert _rows._executor(1) is one
    three = _rows._executor(3)
    assert three is not one and _rows._executor(2) is three


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(0, 3, 2), (1, 1, 1), (3, 7, 5), (32, 100, 512)])
def test_kernel_outputs_are_64_byte_aligned_and_c_contiguous(shape, dtype):
    from shoal.dynamics._fused._common import output_array

    out = output_array(shape, dtype)
    assert out.shape == shape and out.dtype == dtype and out.flags.c_contiguous
    assert out.flags.writeable and (out.size == 0 or out.ctypes.data % 64 == 0)


def test_lif_kernel_output_is_aligned():
    module = LIF(4)
    out, _, _ = module(np.ones((3, 50, 4)))
    assert out.ctypes.data % 64 == 0
