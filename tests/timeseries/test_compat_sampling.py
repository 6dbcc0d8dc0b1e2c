"""Sampling: range, NaN mode, snapping, empty series, members (timeseries-compat.md §3.3, §3.12)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from shoal.timeseries import TSContinuous

BEYOND = "Some of the requested time points are beyond the first and last time points"


def make_u(**kwargs) -> TSContinuous:
    return TSContinuous(
        [0.0, 0.5, 1.0, 1.5], [[0, 10], [1, 11], [2, 12], [3, 13]], t_stop=2.0, **kwargs
    )


def test_previous_sampling_up_to_t_stop():
    u = make_u()
    np.testing.assert_array_equal(u(0.75), [[1.0, 11.0]])
    np.testing.assert_array_equal(u(1.9), [[3.0, 13.0]])
    np.testing.assert_array_equal(u._interpolate(0.75), u(0.75))


def test_linear_inside_the_range_extrapolates():
    # Rockpool raises here (after the last sample but inside [t_start, t_stop]): a trap.
    np.testing.assert_allclose(make_u(interp_kind="linear")(1.9), [[3.8, 13.8]])


def test_beyond_range_raises_by_default():
    with pytest.raises(ValueError, match=BEYOND + r".*offending times: \[2\.1\]"):
        make_u()(2.1)


def test_beyond_range_exception_false_gives_nan_and_one_warning():
    u = make_u()
    u.beyond_range_exception = False
    with pytest.warns(UserWarning, match=BEYOND + r".*Will return `NaN`") as record:
        values = u([-0.1, 0.75, 2.1])
    assert len(record) == 1
    np.testing.assert_array_equal(values, [[np.nan, np.nan], [1, 11], [np.nan, np.nan]])


def test_approx_limit_times_snaps_silently():
    u = make_u()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(u(2.0 + 5e-10), [[3.0, 13.0]])
    with pytest.raises(ValueError, match=BEYOND):
        u(2.0 + 2e-9)
    u.approx_limit_times = False
    u.beyond_range_exception = False
    with pytest.warns(UserWarning, match=BEYOND):
        np.testing.assert_array_equal(u(2.0 + 5e-10), [[np.nan, np.nan]])


def test_snapping_tolerance_scales_with_short_durations():
    short = TSContinuous([0.0, 1e-4], [1.0, 2.0])
    np.testing.assert_array_equal(short(1e-4 + 5e-11), [[2.0]])
    with pytest.raises(ValueError, match=BEYOND):
        short(1e-4 + 5e-10)


def test_fill_value_between_last_sample_and_t_stop():
    u = make_u()
    u.fill_value = -1
    np.testing.assert_array_equal(u([0.25, 1.75]), [[0, 10], [-1, -1]])
    with pytest.raises(ValueError, match="`fill_value` must be 'extrapolate' or a number"):
        u.fill_value = "bogus"


def test_nan_query_raises():
    with pytest.raises(ValueError, match="the requested time points contain NaN"):
        make_u()(np.nan)


def test_periodic_sampling_wraps():
    ts = TSContinuous([0, 1], [5, 6], t_stop=2, periodic=True)
    np.testing.assert_array_equal(ts([2.5, -0.5, 7.25]), [[5.0], [6.0], [6.0]])


def test_one_sample_series():
    s = TSContinuous(4.0, [7, 8])
    s.beyond_range_exception = False
    with pytest.warns(UserWarning, match=BEYOND):
        values = s([3.9, 4.0, 4.1])
    np.testing.assert_array_equal(values, [[np.nan, np.nan], [7, 8], [np.nan, np.nan]])
    np.testing.assert_array_equal(TSContinuous(4.0, [7, 8], t_start=3, t_stop=5)([4.5]), [[7, 8]])
    c = TSContinuous.from_clocked(3.5, dt=0.2)
    for t in (0.1, [0.1], 0.2):
        np.testing.assert_array_equal(c(t), [[3.5]])
    c.beyond_range_exception = False
    for t in (-0.1, 0.3):
        with pytest.warns(UserWarning):
            np.testing.assert_array_equal(c(t), [[np.nan]])


def test_empty_series_is_neutral():
    assert TSContinuous()([0.3, 7]).shape == (2, 0)
    assert TSContinuous()(1).shape == (1, 0)


def test_empty_series_with_channels_is_out_of_range_everywhere():
    # Rockpool returns (N, 0) although the series has 2 channels: a trap.
    empty = TSContinuous(num_channels=2)
    with pytest.raises(ValueError, match=BEYOND):
        empty([0.3])
    empty.beyond_range_exception = False
    with pytest.warns(UserWarning):
        assert np.isnan(empty([0.3])).all() and empty([0.3]).shape == (1, 2)


def test_notebook_cells_8_to_12():
    times = np.arange(0, 10, 0.1)
    ts = TSContinuous(times, np.stack([np.sin(times), np.cos(times)], axis=1))
    ts.t_stop = 12
    np.testing.assert_array_equal(ts(11), ts.samples[-1:])  # the last sample is held
    ts.fill_value = 42
    np.testing.assert_array_equal(ts(11), [[42.0, 42.0]])
    ts.fill_value = "extrapolate"
    with pytest.raises(ValueError, match=BEYOND):
        ts(13)
    ts.beyond_range_exception = False
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(ts(13), [[np.nan, np.nan]])
    t = 12.000000000000004  # the notebook's sum of 12000 steps of 1 ms, just after t_stop
    np.testing.assert_allclose(ts(t), ts(12))
    ts.approx_limit_times = False
    with pytest.warns(UserWarning):
        assert np.isnan(ts(t)).all()


def test_notebook_cell_24_linear_with_nan():
    times = [2, 3, 5, 7.5, 8, 10.25]
    samples = np.array([[1, 12], [6, 11], [5, 8], [3, 7], [2.5, 8.5], [9, 11]], dtype=float)
    ts = TSContinuous(times, samples, interp_kind="linear")
    ts.beyond_range_exception = False
    query = 0.75 * np.arange(15)
    with pytest.warns(UserWarning) as record:
        values = ts(query)
    assert len(record) == 1
    # NaN exactly for t = 0, 0.75, 1.5 and 10.5 (outside [2, 10.25]); linear in between.
    np.testing.assert_array_equal(np.isnan(values[:, 0]), (query < 2) | (query > 10.25))
    inside = (query >= 2) & (query <= 10.25)
    for channel in range(2):
        expected = np.interp(query[inside], times, samples[:, channel])
        np.testing.assert_allclose(values[inside, channel], expected)


def test_min_max_num_traces_iter():
    ts = TSContinuous([0, 1], [[-2, 5], [np.nan, 1]])
    assert (ts.min, ts.max, ts.num_traces) == (-2.0, 5.0, 2)
    with pytest.raises(ValueError, match="`min` of a series without samples is undefined"):
        TSContinuous().min
    v = TSContinuous(np.arange(5) * 0.25, [[k, 10 + k, 20 + k] for k in range(5)])
    pairs = list(v)[:2]
    assert pairs[0][0] == 0.0 and pairs[1][0] == 0.25
    np.testing.assert_array_equal(pairs[1][1], [1.0, 11.0, 21.0])


def test_next_and_nearest_interpolation():
    ts = TSContinuous([0.0, 1.0, 2.0], [0.0, 10.0, 20.0], interp_kind="next")
    np.testing.assert_array_equal(ts([0.0, 0.2, 1.0, 1.9]), [[0], [10], [10], [20]])
    ts.interp_kind = "nearest"
    np.testing.assert_array_equal(ts([0.2, 0.5, 0.7, 2.0]), [[0], [0], [10], [20]])
    with pytest.raises(ValueError, match="`interp_kind` must be one of"):
        ts.interp_kind = "cubic"
