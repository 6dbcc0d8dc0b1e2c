"""``Linear → LIF``/``Rate`` in a NumPy ``Sequential`` as one pass (issue 18).

The fused pass (``NumpyBackend.simulate_projected``, ``shoal/dynamics/_fused/projected.py``)
computes the ``Linear``'s product per batch row and chunk of steps into a reused scratch buffer
that the neuron's kernel consumes at once; the ``(B, T, N)`` projection is never stored. It
must give the numbers and states of the two modules called one after the other: float64 within
1e-12 of the values' scale, float32 to its rounding (OpenBLAS sums the edge rows of its row
tiles in another order, and which rows are edge rows depends on the product's height; the
unfused float32 product itself changes bits with BLAS's thread count), the same spikes.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal._debug import debug_mode
from shoal.backend import NUMPY, numpy_float_dtype
from shoal.backend._fused import fused_kernels
from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, Linear, Rate

pytest.importorskip("numba")

from shoal.dynamics._fused import _rows, projected  # after the skip: imports numba

_TOLERANCE = {np.float64: 1e-12, np.float32: 2e-5}


@pytest.fixture
def fused_calls(monkeypatch):
    """How many calls ran the fused pass (and were covered by it)."""
    calls = []
    real = projected.simulate

    def counting(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(result is not None)
        return result

    monkeypatch.setattr(projected, "simulate", counting)
    return calls


def _pair(make_neuron, n_in, dtype, bias):
    rng = np.random.default_rng(11)
    with numpy_float_dtype(dtype):
        neuron = make_neuron()
        n_out = neuron.size_in
        linear = Linear(
            (n_in, n_out),
            weight=rng.normal(0, 0.6, (n_in, n_out)),
            bias=rng.normal(0, 0.2, n_out) if bias else None,
        )
    return linear, neuron


def _unfused(linear, neuron, x, seed):
    """The two modules called one after the other: the reference."""
    np.random.seed(seed)
    projection, _, _ = linear(x)
    out, state, _ = neuron(projection)
    return out, {name: np.array(value) for name, value in state.items()}


def _close(actual, desired, dtype, name):
    scale = max(1.0, float(np.max(np.abs(desired), initial=0.0)))
    np.testing.assert_allclose(
        actual, desired, rtol=0, atol=_TOLERANCE[dtype] * scale, err_msg=name
    )


def _assert_agree(make_neuron, x, dtype, bias=True, calls=None, spikes=True):
    """Two calls (the second from the first's state) fused and unfused agree; states too."""
    linear, neuron = _pair(make_neuron, x.shape[-1], dtype, bias)
    net = Sequential(linear, neuron)
    reference = []
    for seed in (3, 4):
        reference.append(_unfused(linear, neuron, x, seed))
    neuron.reset_state()
    for seed, (out_ref, state_ref) in zip((3, 4), reference, strict=True):
        np.random.seed(seed)
        out, state, record = net(x)
        assert record == {}
        assert out.dtype == out_ref.dtype == np.dtype(dtype)
        if spikes:  # spike counts: the same, exactly
            np.testing.assert_array_equal(out, out_ref)
        _close(out, out_ref, dtype, "output")
        assert state[net._submodule_names[0]] == {}
        neuron_state = state[net._submodule_names[1]]
        assert neuron_state.keys() == state_ref.keys()
        for key, value in state_ref.items():
            _close(neuron_state[key], value, dtype, key)
            # Committed to the module, in its dtype, as its own call commits it.
            assert getattr(neuron, key).dtype == value.dtype
            _close(getattr(neuron, key), value, dtype, f"module {key}")
    if calls is not None:
        assert calls == [True, True]
    return out


_X = np.random.default_rng(2).random((3, 50, 7))

_NEURONS = {
    "LIF": (lambda: LIF(6, tau_mem=0.05, tau_syn=0.02, bias=0.05), True),
    "LIF thresholds, multi-spike": (lambda: LIF(6, threshold=np.linspace(0.2, 1.0, 6)), True),
    "LIF n_syn 2": (lambda: LIF((10, 5)), True),
    "LIF noise": (lambda: LIF(6, noise_std=0.3), True),
    "LIF max_spikes 1": (lambda: LIF(6, max_spikes_per_dt=1.0), True),
    "Rate": (lambda: Rate(6, bias=0.1, tau=0.01), False),
    "Rate tanh": (lambda: Rate(6, activation_func="tanh"), False),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("name", sorted(_NEURONS))
def test_the_fused_pair_gives_the_two_modules_numbers(name, bias, dtype, fused_calls):
    make, spiking = _NEURONS[name]
    out = _assert_agree(make, 3.0 * _X - 0.5, dtype, bias, fused_calls, spikes=spiking)
    assert (out != 0).any()  # the case spikes (or is active), so that path is compared


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("shape", "scratch_bytes"),
    [
        ((3, 50, 7), 24 * 6 * 8),  # 24 steps a chunk: chunks of 24, 24 and 2 steps
        ((3, 50, 7), 25 * 6 * 8),  # 25 rounds down to 24 (the BLAS row tile)
        ((5, 50, 7), 2 * 50 * 6 * 8),  # whole rows: blocks of 2, 2 and 1 rows
        ((1, 50, 7), 10),  # one row, the smallest chunk (24 steps)
        ((1, 1, 7), 10),  # one step
        ((4, 1, 7), 1 << 20),  # one step, every row in one product
    ],
)
def test_chunks_of_any_size_give_the_same_numbers(shape, scratch_bytes, dtype, monkeypatch):
    monkeypatch.setattr(projected, "SCRATCH_BYTES", scratch_bytes)
    x = 3.0 * np.random.default_rng(4).random(shape)
    _assert_agree(lambda: LIF(6, noise_std=0.1), x, dtype)


def test_rows_shared_over_threads_give_the_same_numbers(monkeypatch, fused_calls):
    chunks = []
    share_out = _rows.run_rows

    def recording(rows, n_rows, n_threads):
        def chunk(start, stop):
            chunks.append((start, stop))
            rows(start, stop)

        share_out(chunk, n_rows, n_threads)

    monkeypatch.setattr(_rows, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_rows, "_cores", lambda: 2)
    monkeypatch.setattr(_rows, "run_rows", recording)
    monkeypatch.setattr(projected, "SCRATCH_BYTES", 24 * 6 * 8)
    x = 3.0 * np.random.default_rng(4).random((4, 50, 7))  # two rows per core: shared out
    _assert_agree(lambda: LIF(6, noise_std=0.1), x, np.float64, calls=fused_calls)
    # Two fused calls and the two reference LIF calls, each row of each a chunk of its own.
    assert sorted(chunks) == sorted([(k, k + 1) for k in range(4)] * 4)


@pytest.mark.parametrize(("n_rows", "fuses"), [(3, False), (4, True)])
def test_a_large_call_with_few_rows_keeps_the_unfused_product(
    n_rows, fuses, monkeypatch, fused_calls
):
    # Fewer than two rows per core would leave a core idle, where the unfused product keeps
    # every BLAS thread busy: such a call computes the projection as Linear does.
    monkeypatch.setattr(_rows, "MIN_ELEMENTS", 0)
    monkeypatch.setattr(_rows, "_cores", lambda: 2)
    x = 3.0 * np.random.default_rng(4).random((n_rows, 50, 7))
    _assert_agree(lambda: LIF(6, noise_std=0.1), x, np.float64)
    assert fused_calls == [fuses, fuses]


def test_chunk_steps_is_a_multiple_of_the_row_tile_and_at_most_t():
    assert projected.chunk_steps(512, np.dtype(np.float32), 1000) == 1000
    assert projected.chunk_steps(512, np.dtype(np.float32), 5000) % projected.STEP_MULTIPLE == 0
    assert projected.chunk_steps(1 << 30, np.dtype(np.float64), 5000) == projected.STEP_MULTIPLE
    assert projected.chunk_steps(512, np.dtype(np.float64), 3) == 3


@pytest.mark.parametrize(
    "make",
    [
        # Not covered by the kernels: the projection is computed as Linear does, then the
        # neuron's own simulate runs (its noise drawn once, as the unfused call draws it).
        lambda: LIF((6, 6), has_rec=True, w_rec=np.random.default_rng(1).normal(0, 0.3, (6, 6))),
        lambda: Rate(6, noise_std=0.2),
    ],
)
def test_calls_the_kernels_do_not_cover_fall_back_to_the_two_modules(make, fused_calls):
    _assert_agree(make, 3.0 * _X, np.float64, spikes=False)
    assert fused_calls == [False, False]


def _no_fusion(net, x, fused_calls, **call):
    """``net(x)`` runs without the fused pass and gives the two modules' numbers."""
    linear, neuron = net[0], net[1]
    np.random.seed(5)
    reference = neuron(linear(x)[0])[0]
    neuron.reset_state()
    np.random.seed(5)
    out = net(x, **call)[0]
    assert fused_calls == []
    np.testing.assert_array_equal(out, reference)


def test_switched_off_the_generic_chain_runs(fused_calls):
    linear, neuron = _pair(lambda: LIF(6, noise_std=0.1), 7, np.float64, True)
    with fused_kernels(False):
        assert not NUMPY.takes_projection(neuron._dynamics)
        _no_fusion(Sequential(linear, neuron), 3.0 * _X, fused_calls)


def test_with_records_the_generic_chain_runs(fused_calls):
    linear, neuron = _pair(lambda: LIF(6), 7, np.float64, True)
    net = Sequential(linear, neuron)
    _no_fusion(net, 3.0 * _X, fused_calls, record=True)
    assert set(net(3.0 * _X, record=True)[2]) == {
        "0_Linear",
        "0_Linear_output",
        "1_LIF",
        "1_LIF_output",
    }


def test_in_debug_mode_the_generic_chain_runs(fused_calls):
    linear, neuron = _pair(lambda: LIF(6), 7, np.float64, True)
    with debug_mode():
        _no_fusion(Sequential(linear, neuron), 3.0 * _X, fused_calls)


class _OwnLinear(Linear):
    pass


class _OwnEvolveLIF(LIF):
    def evolve(self, input_data, record=False):
        return super().evolve(input_data, record)


class _OwnCallLIF(LIF):
    def __call__(self, input_data, *args, **kwargs):
        return super().__call__(input_data, *args, **kwargs)


@pytest.mark.parametrize(
    ("linear_type", "neuron_type"),
    [(_OwnLinear, LIF), (Linear, _OwnEvolveLIF), (Linear, _OwnCallLIF)],
)
def test_subclasses_keep_their_own_code(linear_type, neuron_type, fused_calls):
    rng = np.random.default_rng(0)
    net = Sequential(linear_type((7, 6), weight=rng.normal(0, 0.6, (7, 6))), neuron_type(6))
    _no_fusion(net, 3.0 * _X, fused_calls)


def test_a_neuron_of_another_dtype_casts_the_projection_as_unfused(fused_calls):
    # A float32 Linear before a float64 LIF: the LIF casts the float32 product (no fusion).
    with numpy_float_dtype(np.float32):
        linear = Linear((7, 6), weight=np.random.default_rng(0).normal(0, 0.6, (7, 6)))
    _no_fusion(Sequential(linear, LIF(6)), 3.0 * _X, fused_calls)


def test_two_dimensional_input_runs_the_generic_chain(fused_calls):
    linear, neuron = _pair(lambda: LIF(6), 7, np.float64, True)
    _no_fusion(Sequential(linear, neuron), 3.0 * _X[0], fused_calls)


def test_a_longer_chain_fuses_each_pair(fused_calls):
    rng = np.random.default_rng(0)
    modules = [Linear((7, 6), weight=rng.normal(0, 0.6, (7, 6))), LIF(6)]
    modules += [Linear((6, 5), weight=rng.normal(0, 0.9, (6, 5))), Rate(5), Rate(5)]
    net = Sequential(*modules)
    x = 3.0 * _X
    reference = x
    for module in modules:
        reference = module(reference)[0]
    net.reset_state()
    out, state, _ = net(x)
    assert fused_calls == [True, True]
    np.testing.assert_allclose(out, reference, rtol=0, atol=1e-12)
    assert list(state) == ["0_Linear", "1_LIF", "2_Linear", "3_Rate", "4_Rate"]


def test_the_linear_s_errors_are_its_own(fused_calls):
    linear, neuron = _pair(lambda: LIF(6), 7, np.float64, True)
    net = Sequential(linear, neuron)
    with pytest.raises(ValueError, match=r"0_Linear: Input has wrong neuron dimension\. It is 5"):
        net(np.ones((2, 4, 5)))
    with pytest.raises(ValueError, match=r"0_Linear: input has no time steps \(T = 0\)"):
        net(np.ones((2, 0, 7)))
    assert fused_calls == []


def test_a_bad_time_constant_raises_and_leaves_the_state(fused_calls):
    linear, neuron = _pair(lambda: LIF(6), 7, np.float64, True)
    net = Sequential(linear, neuron)
    net(3.0 * _X)
    before = {key: np.array(value) for key, value in neuron.state().items()}
    neuron.tau_mem[2] = -1.0  # edited in place: only the call's check sees it
    with pytest.raises(ValueError, match=r"1_LIF\.tau_mem: expected a time constant > 0"):
        net(3.0 * _X)
    for key, value in before.items():
        np.testing.assert_array_equal(neuron.state()[key], value)
    assert fused_calls == [True]


def test_simulate_projected_without_a_projection_is_simulate():
    neuron = LIF(6, noise_std=0.2)
    x = 3.0 * _X[:, :, :6]
    np.random.seed(1)
    expected, _, _ = neuron(x)
    neuron.reset_state()
    config, params = neuron._configure()
    states = tuple(getattr(neuron, name) for name in neuron._dynamics.STATE_NAMES)
    _, batched = neuron._auto_batch(x, states)
    state = neuron._dynamics.pack_state(np, config, batched)
    np.random.seed(1)
    out, _, key, records = NUMPY.simulate_projected(
        neuron._dynamics, config, params, state, x, None
    )
    assert key is None and records == {}
    np.testing.assert_array_equal(out, expected)


def test_read_only_and_strided_operands_give_the_same_numbers(fused_calls):
    # What a caller handing over views of its own buffers passes (e.g. NumPy views of JAX
    # arrays are read-only): nothing is written to them, and the numbers do not change.
    linear, neuron = _pair(lambda: LIF(6, bias=0.1), 7, np.float64, True)
    x = 3.0 * _X
    expected, _ = _unfused(linear, neuron, x, 0)
    neuron.reset_state()
    config, params = neuron._configure()
    states = tuple(getattr(neuron, name) for name in neuron._dynamics.STATE_NAMES)
    _, batched = neuron._auto_batch(np.zeros((3, 50, 6)), states)
    state = neuron._dynamics.pack_state(np, config, batched)
    inputs = np.asfortranarray(x)  # strided rows
    weight = np.asfortranarray(linear.weight)
    for array in (inputs, weight):
        array.flags.writeable = False
    out, _, _, _ = NUMPY.simulate_projected(
        neuron._dynamics, config, params, state, inputs, None, (weight, linear.bias)
    )
    assert fused_calls == [True]
    np.testing.assert_allclose(out, expected, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(inputs, x)
