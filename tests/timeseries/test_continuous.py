"""TSContinuous: construction, validation, repr and sampling (spec §6)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TSContinuous

TIMES = [0.0, 1.0, 2.0]
SAMPLES = [[0, 1], [1, 2], [2, 3]]


@pytest.fixture
def ts() -> TSContinuous:
    return TSContinuous(TIMES, SAMPLES)


def test_top_level_exports_are_the_same_classes():
    import shoal
    from shoal import timeseries

    assert shoal.TSContinuous is timeseries.TSContinuous
    assert shoal.TSEvent is timeseries.TSEvent
    assert shoal.TimeSeries is timeseries.TimeSeries
    assert issubclass(shoal.TSContinuous, shoal.TimeSeries)


def test_repr_matches_reference(ts):
    assert repr(ts) == (
        "non-periodic TSContinuous object `unnamed` from t=0.0 to 2.0. Samples: 3. Channels: 2"
    )
    named = TSContinuous(TIMES, SAMPLES, periodic=True, name="x")
    assert repr(named) == (
        "periodic TSContinuous object `x` from t=0.0 to 2.0. Samples: 3. Channels: 2"
    )


def test_defaults_and_properties(ts):
    assert ts.t_start == 0.0 and ts.t_stop == 2.0 and ts.duration == 2.0
    assert ts.num_channels == 2 and len(ts) == 3
    assert ts.interp_kind == "previous" and ts.fill_value == "extrapolate"
    assert ts.samples.dtype == np.float64 and ts.times.dtype == np.float64
    assert ts.name is None and ts.units is None and not ts.periodic


def test_one_dimensional_samples_become_one_channel():
    ts = TSContinuous([0.0, 1.0], [3.0, 4.0])
    assert ts.samples.shape == (2, 1)


def test_float32_samples_keep_their_dtype():
    ts = TSContinuous([0.0, 1.0], np.ones((2, 3), dtype=np.float32))
    assert ts.samples.dtype == np.float32
    assert ts(0.5).dtype == np.float32


def test_empty_series():
    empty = TSContinuous()
    assert empty.isempty() and empty.num_channels == 0 and len(empty) == 0
    assert TSContinuous(num_channels=3).samples.shape == (0, 3)
    assert TSContinuous([], np.zeros((0, 2))).num_channels == 2


def test_explicit_range_is_kept():
    ts = TSContinuous([1.0, 2.0], [1.0, 2.0], t_start=0.5, t_stop=3.0)
    assert (ts.t_start, ts.t_stop) == (0.5, 3.0)


def test_previous_interpolation_is_sample_and_hold(ts):
    np.testing.assert_array_equal(ts(0.5), [[0, 1]])
    np.testing.assert_array_equal(ts([0.0, 1.0, 1.999, 2.0]), [[0, 1], [1, 2], [1, 2], [2, 3]])


def test_linear_interpolation():
    ts = TSContinuous(TIMES, SAMPLES, interp_kind="linear")
    np.testing.assert_allclose(ts(0.5), [[0.5, 1.5]])
    np.testing.assert_allclose(ts([1.25, 2.0]), [[1.25, 2.25], [2.0, 3.0]])


def test_sample_times_within_tolerance_pick_that_sample():
    ts = TSContinuous.from_clocked(np.arange(4.0), dt=0.1)
    # 0.1 * 3 is 0.30000000000000004 and 0.3 is a hair smaller: both must give sample 3.
    np.testing.assert_array_equal(ts([0.3, 0.1 * 3]), [[3.0], [3.0]])


def test_extrapolation_between_samples_and_range_ends():
    ts = TSContinuous([1.0, 2.0], [1.0, 3.0], t_start=0.0, t_stop=3.0)
    np.testing.assert_array_equal(ts([0.5, 2.5]), [[1.0], [3.0]])
    ts.interp_kind = "linear"
    np.testing.assert_allclose(ts([0.5, 2.5]), [[0.0], [4.0]])
    filled = TSContinuous([1.0, 2.0], [1.0, 3.0], t_start=0.0, t_stop=3.0, fill_value=-1.0)
    np.testing.assert_array_equal(filled([0.5, 1.5, 2.5]), [[-1.0], [1.0], [-1.0]])


def test_linear_with_repeated_time_is_a_jump():
    ts = TSContinuous([0.0, 1.0, 1.0, 2.0], [0.0, 1.0, 5.0, 6.0], interp_kind="linear")
    np.testing.assert_allclose(ts([0.5, 1.0, 1.5]), [[0.5], [5.0], [5.5]])


def test_single_sample_series():
    ts = TSContinuous([1.0], [[2.0, 3.0]], t_stop=2.0, interp_kind="linear")
    np.testing.assert_array_equal(ts([1.0, 1.5]), [[2.0, 3.0], [2.0, 3.0]])


def test_scalar_and_empty_requests(ts):
    assert ts(1.0).shape == (1, 2)
    assert ts([]).shape == (0, 2)


def test_periodic_series_is_sampled_modulo_duration():
    ts = TSContinuous.from_clocked([[0.0], [1.0], [2.0]], dt=1.0, periodic=True)
    np.testing.assert_array_equal(ts([3.0, 4.5, 8.0, -1.0]), [[0.0], [1.0], [2.0], [2.0]])


def test_from_clocked_times_and_range():
    ts = TSContinuous.from_clocked(np.ones((4, 2)), dt=0.5, t_start=1.0, name="c")
    np.testing.assert_allclose(ts.times, [1.0, 1.5, 2.0, 2.5])
    assert ts.t_stop == 3.0 and ts.name == "c" and ts.interp_kind == "previous"
    assert TSContinuous.from_clocked([1.0, 2.0], dt=1.0).samples.shape == (2, 1)


def test_to_clocked_round_trip_and_rounding():
    data = np.arange(6.0).reshape(3, 2)
    ts = TSContinuous.from_clocked(data, dt=0.1)
    np.testing.assert_array_equal(ts.to_clocked(0.1), data)
    # A trailing partial step is kept (ceil rule): 2 s at dt 0.75 s → 3 steps.
    assert TSContinuous([0.0, 2.0], [0.0, 1.0]).to_clocked(0.75).shape == (3, 1)


# -- errors (each message names the series, what was expected and what came) -----------------


def test_error_out_of_range(ts):
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `unnamed`: Some of the requested time points are beyond the first "
        r"and last time points.*\[0\.0, 2\.0\].*\[2\.5, -1\.0\]",
    ):
        ts([0.5, 2.5, -1.0])


def test_error_nan_request(ts):
    with pytest.raises(
        ValueError, match="TSContinuous `unnamed`: the requested time points contain NaN"
    ):
        ts(np.nan)


def test_error_request_not_1d(ts):
    with pytest.raises(
        ValueError, match=r"must be a scalar or 1-D; got an array of shape \(2, 2\)"
    ):
        ts(np.zeros((2, 2)))


def test_error_sampling_empty_series_with_channels():
    # Without channels an empty series is neutral ((N, 0)); with channels nothing can be sampled.
    with pytest.raises(ValueError, match="TSContinuous `e`: Some of the requested time points"):
        TSContinuous(name="e", num_channels=1)(0.0)


def test_error_unsorted_times():
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `u`: The time trace must be sorted and not decreasing\. "
        r"times\[1\] = 2\.0 is followed by times\[2\] = 1\.0",
    ):
        TSContinuous([0.0, 2.0, 1.0], [1, 2, 3], name="u")


def test_error_times_not_1d():
    with pytest.raises(ValueError, match=r"`times` must be a 1-D array.*shape \(2, 2\)"):
        TSContinuous([[0.0, 1.0], [2.0, 3.0]], [1, 2, 3, 4])


def test_error_nan_times():
    with pytest.raises(
        ValueError, match=r"`times` must be finite; got non-finite values at indices \[1\]"
    ):
        TSContinuous([0.0, np.nan], [1, 2])


def test_error_non_numeric_times():
    with pytest.raises(TypeError, match=r"`times` must hold numbers \(seconds\); got dtype <U1"):
        TSContinuous(["a"], [1])


def test_error_samples_length_mismatch():
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `unnamed`: `samples` must have shape \(T,\) or \(T, C\) with T = 3 "
        r"\(len\(times\)\); got an array of shape \(2, 2\)",
    ):
        TSContinuous(TIMES, [[1, 2], [3, 4]])


def test_error_samples_three_dimensional():
    with pytest.raises(
        ValueError, match=r"`samples` must have shape \(T,\) or \(T, C\).*\(3, 1, 1\)"
    ):
        TSContinuous(TIMES, np.zeros((3, 1, 1)))


def test_error_samples_not_numeric():
    with pytest.raises(TypeError, match="`samples` must hold numbers; got dtype"):
        TSContinuous([0.0], ["x"])


def test_error_samples_without_times():
    with pytest.raises(ValueError, match=r"`times` must be given with `samples`.*from_clocked"):
        TSContinuous(samples=[1.0, 2.0])


def test_error_times_without_samples():
    with pytest.raises(ValueError, match="`samples` must be given with `times`; got 3 time points"):
        TSContinuous(TIMES)


@pytest.mark.parametrize("bad", [-1, 1.5, True])
def test_error_bad_num_channels(bad):
    with pytest.raises(ValueError, match=r"`num_channels` must be a non-negative integer; got"):
        TSContinuous(num_channels=bad)


def test_error_num_channels_disagrees_with_samples():
    with pytest.raises(ValueError, match=r"`num_channels` is 3 but `samples` has 2 channels"):
        TSContinuous(TIMES, SAMPLES, num_channels=3)


def test_error_t_start_after_first_sample():
    with pytest.raises(
        ValueError,
        match=r"`t_start` must not be later than the first time point \(0\.0\); got t_start=0\.5",
    ):
        TSContinuous(TIMES, SAMPLES, t_start=0.5)


def test_error_t_stop_before_last_sample():
    with pytest.raises(
        ValueError,
        match=r"`t_stop` must not be earlier than the last time point \(2\.0\); got t_stop=1\.0",
    ):
        TSContinuous(TIMES, SAMPLES, t_stop=1.0)


def test_error_t_stop_before_t_start():
    with pytest.raises(
        ValueError, match=r"`t_stop` must not be earlier than `t_start` \(1\.0\); got t_stop=0\.0"
    ):
        TSContinuous(t_start=1.0, t_stop=0.0)


def test_error_non_numeric_and_infinite_t_start():
    with pytest.raises(TypeError, match="`t_start` must be a number of seconds; got 'a'"):
        TSContinuous(t_start="a")
    with pytest.raises(ValueError, match="`t_stop` must be finite; got inf"):
        TSContinuous(t_stop=np.inf)


def test_error_periodic_without_duration():
    with pytest.raises(
        ValueError, match=r"a periodic series needs a duration > 0.*t_start=1\.0, t_stop=1\.0"
    ):
        TSContinuous([1.0], [1.0], periodic=True)


def test_error_bad_interp_kind_and_fill_value(ts):
    with pytest.raises(
        ValueError,
        match=r"`interp_kind` must be one of \('previous', 'linear', 'next', 'nearest'\); got 'cubic'",
    ):
        TSContinuous(TIMES, SAMPLES, interp_kind="cubic")
    with pytest.raises(
        ValueError, match="`fill_value` must be 'extrapolate' or a number; got 'nope'"
    ):
        ts.fill_value = "nope"


def test_error_bad_name_and_units():
    with pytest.raises(TypeError, match="TSContinuous: `name` must be a string or None, got int 3"):
        TSContinuous(name=3)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="TSContinuous `unnamed`: `units` must be a string or None; got 1"
    ):
        TSContinuous(units=1)  # type: ignore[arg-type]
    ts = TSContinuous()
    with pytest.raises(TypeError, match="`name` must be a string or None, got list"):
        ts.name = []  # type: ignore[assignment]


@pytest.mark.parametrize("dt", [0.0, -0.1, np.nan])
def test_error_bad_dt(dt):
    with pytest.raises(
        ValueError, match=r"TSContinuous `unnamed`: `dt` must be finite and > 0 seconds"
    ):
        TSContinuous.from_clocked([1.0], dt=dt)


def test_error_non_numeric_dt(ts):
    with pytest.raises(
        TypeError, match="TSContinuous `unnamed`: `dt` must be a number of seconds; got 'x'"
    ):
        ts.to_clocked("x")  # type: ignore[arg-type]


def test_error_from_clocked_three_dimensional():
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `b`: `samples` must have shape \(T,\) or \(T, C\); got shape \(1, 2, 3\)",
    ):
        TSContinuous.from_clocked(np.zeros((1, 2, 3)), dt=1.0, name="b")


def test_error_periodic_infinite_request():
    ts = TSContinuous.from_clocked([1.0, 2.0], dt=1.0, periodic=True, name="p")
    with pytest.raises(
        ValueError, match="TSContinuous `p`: the requested time points must be finite"
    ):
        ts(np.inf)
