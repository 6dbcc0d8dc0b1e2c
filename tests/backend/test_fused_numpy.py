"""The NumPy backend's fused numba loops give the generic loop's numbers (issue 18).

Every covered configuration runs twice, the kernels forced off (`fused_kernels(False)`: the
pure-NumPy loop) and on, from the same noise seed and a non-zero starting state; outputs,
records and final states must agree to 1e-12 (bit-for-bit without recurrence).
"""

from __future__ import annotations

import subprocess
import sys
from functools import partial

import numpy as np
import pytest

from shoal.backend import NUMPY, _fused
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
    """Counts the calls of each fused kernel module's ``scan`` (proves the fast path ran)."""
    calls: dict[str, int] = {}
    real = _fused.fused_scan

    def counting(dynamics, *args):
        result = real(dynamics, *args)
        if result is not None:
            calls[dynamics.FUSED_SCAN] = calls.get(dynamics.FUSED_SCAN, 0) + 1
        return result

    monkeypatch.setattr(type(NUMPY), "fused_scan", staticmethod(counting))
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


@pytest.fixture
def sparse_recurrence(monkeypatch):
    """The kernel's recurrent path, which modules only reach when asked for it."""
    from shoal.dynamics._fused import lif as fused_lif

    monkeypatch.setattr(fused_lif, "scan", partial(fused_lif.scan, sparse_recurrence=True))


@pytest.mark.parametrize("n_syn", [1, 2])
@pytest.mark.parametrize("noise_std", [0.0, 0.2])
def test_lif_with_recurrence_agrees_to_1e_12(n_syn, noise_std, sparse_recurrence, spy):
    # The sparse recurrent product sums in another order than BLAS: equal to rounding.
    w_rec = np.random.default_rng(5).normal(0, 0.05, (8 // n_syn, 8))
    module = LIF((8, 8 // n_syn), has_rec=True, w_rec=w_rec, noise_std=noise_std)
    out = _assert_same(module, 2.0 * _X, tolerance=1e-12)
    assert spy == {"shoal.dynamics._fused.lif": 2}
    assert out.sum() > 0


def test_recurrent_lif_takes_the_generic_loop_by_default(spy):
    LIF(8, has_rec=True)(2.0 * _X)
    assert spy == {}


def test_rate_and_exp_syn_are_bit_identical(spy):
    _assert_same(Rate(8, bias=0.1, noise_std=0.2), _X - 0.5)
    _assert_same(ExpSyn(8, tau=np.linspace(0.01, 0.1, 8)), _X)
    assert spy == {"shoal.dynamics._fused.rate": 2, "shoal.dynamics._fused.exp_syn": 2}


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


def test_a_kernel_never_writes_into_the_module_state(sparse_recurrence):
    module = LIF((8, 4), has_rec=True)
    module(_X)
    before = {k: (v, np.array(v)) for k, v in module.state().items()}
    module(_X)
    for key, (array, copy) in before.items():
        np.testing.assert_array_equal(array, copy, err_msg=key)


def test_the_spike_record_is_not_the_output():
    out, _, record = LIF(4)(3 * _X[..., :4], record=True)
    assert not np.shares_memory(out, record["spikes"])
    np.testing.assert_array_equal(out, record["spikes"])


def test_a_nan_threshold_takes_the_masked_spike_rule():
    # Only a NaN θ (impossible through the module's validation) disables the θ > 0 shortcut;
    # the kernel's masked branch must still give step's NaN, not a spike count.
    config = lif.LIFConfig(1, False, False, 2.0**16, None)
    params = lif.LIFParams(
        np.full(4, 0.02), np.full(4, 0.01), 0.0, np.array([1.0, np.nan, 0.5, 2.0]), None, 1e-3, 0.0
    )
    inputs = _RNG.random((20, 2, 4)) * 3
    xs, consts = lif.prepare(NUMPY, config, params, inputs, None)
    state = lif.LIFState(None, np.zeros((2, 1, 4)), np.zeros((2, 4)))
    generic = NUMPY.scan(partial(lif.step, NUMPY, config, consts), state, xs, True)
    fused = NUMPY.fused_scan(lif, config, consts, state, xs, True)
    np.testing.assert_array_equal(fused[1], generic[1])  # NaN == NaN here
    assert np.isnan(fused[1][:, :, 1]).all() and np.nansum(fused[1]) > 0
    for key in generic[2]:
        np.testing.assert_array_equal(fused[2][key], generic[2][key])


def test_a_non_finite_recurrent_weight_keeps_the_generic_loop(spy):
    # The sparse product would skip 0·inf (NaN in BLAS): the generic loop runs instead.
    config = lif.LIFConfig(1, True, False, 2.0**16, None)
    w_rec = np.zeros((3, 3))
    w_rec[0, 1] = np.inf
    params = lif.LIFParams(0.02, 0.01, 0.0, 1.0, w_rec, 1e-3, 0.0)
    xs, consts = lif.prepare(NUMPY, config, params, np.zeros((5, 1, 3)), None)
    state = lif.LIFState(np.zeros((1, 3)), np.zeros((1, 1, 3)), np.zeros((1, 3)))
    from shoal.dynamics._fused import lif as fused_lif

    assert fused_lif.scan(config, consts, state, xs, False, sparse_recurrence=True) is None


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
    monkeypatch.setattr(_fused, "_blas", {})
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
