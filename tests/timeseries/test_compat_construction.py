"""Names, construction and setters (timeseries-compat.md §1, §2, §3.1, §4.1, §4.9).

Golden values are the spec's worked examples (measured on Rockpool 3.1.0).
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TSContinuous, TSEvent


def test_seven_names_from_package_and_timeseries():
    import shoal
    from shoal import timeseries

    names = [
        "TimeSeries",
        "TSContinuous",
        "TSEvent",
        "TSDictOnDisk",
        "set_global_ts_plotting_backend",
        "get_global_ts_plotting_backend",
        "load_ts_from_file",
    ]
    for name in names:
        assert getattr(shoal, name) is getattr(timeseries, name)
        assert name in timeseries.__all__ and name in shoal.__all__


def test_tsevent_positional_order_is_rockpools():
    ev = TSEvent([1.0, 2.0], [0, 1], True, t_stop=3)
    assert ev.periodic is True and ev.t_start == 1.0 and ev.t_stop == 3.0
    named = TSEvent([1.0], [0], False, 0.0, 2.0, "ev", 4)
    assert (named.name, named.num_channels, named.t_start) == ("ev", 4, 0.0)


def test_tsevent_decreasing_times_raise():
    with pytest.raises(ValueError, match=r"TSEvent `unnamed`: The time trace must be sorted"):
        TSEvent([2.0, 1.0], [0, 1], t_stop=3)


@pytest.mark.parametrize(
    ("times", "samples", "expected"),
    [
        ([0.5], [2.0], [[2.0]]),
        (4.0, [7, 8], [[7.0, 8.0]]),
        (2, 3, [[3.0]]),
        ([2], 3, [[3.0]]),
        ([0, 1], [3, 2], [[3.0], [2.0]]),
        ([[0, 1]], [3, 2], [[3.0], [2.0]]),
        (np.array([[0.0], [1.0]]), [3, 2], [[3.0], [2.0]]),
    ],
)
def test_one_row_and_scalar_samples(times, samples, expected):
    ts = TSContinuous(times, samples)
    np.testing.assert_array_equal(ts.samples, expected)
    assert ts.samples.dtype == np.float64


def test_one_sample_range():
    ts = TSContinuous([0.5], [2.0])
    assert ts.t_start == ts.t_stop == 0.5 and ts.num_channels == 1


@pytest.mark.parametrize(
    ("times", "samples"),
    [
        ([0, 1, 2], [9]),
        ([0, 1], 3),
        ([0, 1, 2], [1, 2, 3, 4, 5, 6]),  # Rockpool silently makes 2 channels: a trap
        ([0, 1, 2], [[1, 2, 3, 4, 5, 6]]),
        ([0, 1], np.zeros((2, 2, 2))),
    ],
)
def test_other_sample_shapes_raise(times, samples):
    with pytest.raises(ValueError, match=r"`samples` must have shape \(T,\) or \(T, C\)"):
        TSContinuous(times, samples)


def test_times_of_other_2d_shapes_raise():
    with pytest.raises(ValueError, match=r"\(or a \(T, 1\) / \(1, T\) array\); got an array"):
        TSContinuous(np.zeros((2, 2)), np.zeros((4, 1)))


def test_samples_without_times_raise():
    with pytest.raises(ValueError, match="`times` must be given with `samples`"):
        TSContinuous(samples=[1, 2])


def test_empty_with_channels():
    assert TSContinuous(num_channels=3).samples.shape == (0, 3)


def test_from_clocked_scalars_and_rows():
    c = TSContinuous.from_clocked(3.5, dt=0.2)
    np.testing.assert_array_equal(c.times, [0.0])
    np.testing.assert_array_equal(c.samples, [[3.5]])
    assert c.t_stop == 0.2
    two = TSContinuous.from_clocked([6, 7], dt=10)
    np.testing.assert_array_equal(two.times, [0, 10])
    assert two.samples.shape == (2, 1) and two.t_stop == 20.0
    row = TSContinuous.from_clocked([[6, 7]], dt=10)
    assert row.samples.shape == (1, 2) and row.t_stop == 10.0


def test_from_clocked_none_is_a_type_error():
    with pytest.raises(TypeError, match="`samples` must not be `None`"):
        TSContinuous.from_clocked(None, dt=0.1)


# -- setters (§2.3) -----------------------------------------------------------------------------


def test_continuous_range_setters_snap_within_tolerance():
    x = TSContinuous([0, 1, 2], [0, 1, 2])
    x.t_stop = 2 - 5e-10
    x.t_start = 5e-10
    assert (x.t_start, x.t_stop) == (0.0, 2.0)


def test_continuous_range_setter_errors():
    x = TSContinuous([0, 1, 2], [0, 1, 2])
    with pytest.raises(ValueError, match=r"t_stop must be greater or equal to 2\.0\. It was 1\.5"):
        x.t_stop = 1.5
    with pytest.raises(ValueError, match=r"t_start must be less or equal to 0\.0\. It was 0\.5"):
        x.t_start = 0.5
    with pytest.raises(ValueError, match=r"t_start must be less or equal to 0\.0\. It was 5"):
        TSContinuous().t_start = 5
    with pytest.raises(TypeError, match=r"`t_stop` must be a number of seconds; got 'x'"):
        x.t_stop = "x"
    with pytest.raises(ValueError, match=r"`t_stop` must be finite; got nan"):
        x.t_stop = float("nan")
    assert (x.t_start, x.t_stop) == (0.0, 2.0)


def test_extended_t_stop_holds_the_last_sample():
    ts = TSContinuous([0.0, 1.0], [1.0, 2.0])
    ts.t_stop = 5
    np.testing.assert_array_equal(ts(4.0), [[2.0]])


def test_event_range_setters():
    e = TSEvent([0.5, 1.5, 2.0, 3.5], [1, 0, 2, 1], t_stop=4.0)
    e.t_stop = 3.5 - 2e-10
    assert e.t_stop == 3.500000000000001
    with pytest.raises(ValueError, match=r"greater or equal to 3\.500000000000001\. It was 3\.0"):
        e.t_stop = 3.0
    e.t_start = 0.5 + 5e-10
    assert e.t_start == 0.5


def test_times_setter():
    ts = TSContinuous([0.0, 1.0, 2.0], [0, 1, 2])
    ts.times = [0.0, 1.0, 3.0]
    assert ts.t_stop == 3.0
    with pytest.raises(ValueError, match="New time trace must have the same number of elements"):
        ts.times = [0.0, 1.0]
    with pytest.raises(ValueError, match="The time trace must be sorted and not decreasing"):
        ts.times = [0.0, 2.0, 1.0]
    ev = TSEvent([0.1, 0.2], [0, 1], t_start=0, t_stop=1)
    ev.times = [0.5, 1.0]
    assert ev.t_stop > 1.0


def test_samples_setter():
    ts = TSContinuous([0.0, 1.0, 2.0], [0, 1, 2])
    ts.samples = [[1, 2], [3, 4], [5, 6]]
    assert ts.num_channels == 2 and ts.samples.dtype == np.float64
    with pytest.raises(ValueError, match=r"got an array of shape \(2,\)"):
        ts.samples = [1, 2]


def test_event_channels_setter():
    e = TSEvent([0.5, 1.5, 2.0, 3.5], [1, 0, 2, 1], t_stop=4.0)
    e.channels = [4, 4, 4, 4]
    assert e.num_channels == 5
    e.channels = 7
    np.testing.assert_array_equal(e.channels, [7, 7, 7, 7])
    assert e.num_channels == 8
    with pytest.raises(ValueError, match="`new_channels` must be the same size as `times`"):
        e.channels = [1, 2]
    with pytest.raises(ValueError, match="channel ids must be non-negative"):
        e.channels = [0, -1, 0, 0]


def test_flags_accept_only_booleans():
    ts = TSContinuous([0.0, 1.0], [1.0, 2.0])
    ts.beyond_range_exception = 0
    assert ts.beyond_range_exception is False
    with pytest.raises(
        TypeError, match=r"`beyond_range_exception` must be True or False; got 'no'"
    ):
        ts.beyond_range_exception = "no"
    with pytest.raises(TypeError, match=r"`approx_limit_times` must be True or False; got 2"):
        ts.approx_limit_times = 2


def test_event_channels_none_or_empty_mean_channel_zero():
    assert TSEvent([0.1, 0.2], [], t_stop=1).channels.tolist() == [0, 0]
    assert TSEvent([0.1, 0.2], None, t_stop=1).num_channels == 1


def test_numpy_cannot_read_a_series_as_a_sequence():
    # NumPy would otherwise index it by position, which is sampling at 0 s, 1 s, ...
    with pytest.raises(TypeError, match=r"a TSContinuous is not an array; use `ts\.samples`"):
        np.asarray(TSContinuous([0.0, 1.0], [1.0, 2.0]))
