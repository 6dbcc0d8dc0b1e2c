"""TSContinuous indexing by time and channel, clip and resample (timeseries-compat.md §3.4-3.6)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import ChannelIndexError, TSContinuous


@pytest.fixture
def v() -> TSContinuous:
    return TSContinuous(np.arange(5) * 0.25, [[k, 10 + k, 20 + k] for k in range(5)])


@pytest.fixture
def w() -> TSContinuous:
    return TSContinuous([0, 1, 2, 3], [[0, 0], [2, 20], [4, 40], [6, 60]], interp_kind="linear")


def check(ts, times, samples, start, stop):
    np.testing.assert_allclose(ts.times, times)
    np.testing.assert_array_equal(ts.samples, samples)
    assert ts.t_start == pytest.approx(start) and ts.t_stop == pytest.approx(stop)


def test_time_slice_without_step(v):
    check(v[0.25:0.75], [0.25, 0.5], [[1, 11, 21], [2, 12, 22]], 0.25, 0.75)
    assert v[0.25:].times.tolist() == [0.25, 0.5, 0.75, 1.0] and v[0.25:].t_stop == 1.0


def test_time_slice_with_steps(v):
    check(v[0.2:0.9:0.3], [0.2, 0.5, 0.8], [[0, 10, 20], [2, 12, 22], [3, 13, 23]], 0.2, 0.8)
    reverse = v[0.2:0.9:-0.3]
    np.testing.assert_allclose(reverse.times, [0.8, 0.5, 0.2])
    np.testing.assert_array_equal(reverse.samples, [[3, 13, 23], [2, 12, 22], [0, 10, 20]])
    # The range is min/max (Rockpool inverts it, so the result cannot be sampled: a trap).
    assert (reverse.t_start, reverse.t_stop) == pytest.approx((0.2, 0.8))
    np.testing.assert_array_equal(reverse(0.5), [[2, 12, 22]])
    np.testing.assert_allclose(v[0.1:5:0.5].times, [0.1, 0.6])


def test_times_equal_arange_points():
    ts = TSContinuous(np.arange(10) * 0.1, np.arange(10))
    assert ts[0:1:0.1].times[3] == 3 * 0.1


def test_list_and_scalar_times(v):
    check(v[[0.75, 0.25]], [0.75, 0.25], [[3, 13, 23], [1, 11, 21]], 0.25, 0.75)
    check(v[0.6], [0.6], [[2, 12, 22]], 0.6, 0.6)
    with pytest.raises(ValueError, match="beyond the first and last time points"):
        v[2]  # an integer is 2 seconds, not a position


def test_slice_beyond_the_range_extends_it_with_a_warning(v):
    with pytest.warns(UserWarning, match="extends beyond the series' range"):
        sliced = v[0.25:3]
    assert sliced.times.tolist() == [0.25, 0.5, 0.75, 1.0] and sliced.t_stop == 3


def test_channel_indexing(v):
    check(v[:0.5, 1], [0, 0.25], [[10], [11]], 0, 0.5)
    np.testing.assert_array_equal(v[None, [2, 0]].samples[:2], [[20, 0], [21, 1]])
    np.testing.assert_array_equal(v[:, 0::-2].samples[0], [20, 0])
    np.testing.assert_array_equal(v[:, -2:].samples[0], [10, 20])  # Rockpool: 5 columns
    np.testing.assert_array_equal(v[:, -1].samples[:, 0], [20, 21, 22, 23, 24])
    assert v[()].samples.shape == (5, 3) and v[(0.5,)].times.tolist() == [0.5]


def test_indexing_errors(v):
    with pytest.raises(
        IndexError, match=r"TSContinuous `unnamed`: Channels must be between 0 and 2"
    ):
        v[:, 5]
    with pytest.raises(
        IndexError, match=r"TSContinuous `unnamed`: Channels must be between 0 and 2"
    ):
        v[:, 1:7]
    with pytest.raises(
        IndexError,
        match=r"TSContinuous: `unnamed`: Supports at most 2 indices \(times and channels\)",
    ):
        v[0.5, 1, 2]
    with pytest.raises(TypeError, match="a boolean mask is not a time index"):
        v[np.array([True, False, True, False, False])]
    with pytest.raises(ValueError, match="a time slice step must not be 0"):
        v[0:1:0]


def test_notebook_cell_7_slice_and_print(capsys):
    times = np.arange(0, 10, 0.1)
    ts = TSContinuous(times, np.stack([times, -times], axis=1), name="sine and cosine")
    sliced = ts[:1:0.09, 0]
    assert sliced.times.size == 12 and sliced.num_channels == 1
    assert sliced.t_stop == pytest.approx(0.99)
    sliced.print()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "non-periodic TSContinuous object `sine and cosine` from t=0.0 to 0.99. "
        "Samples: 12. Channels: 1"
    )
    assert lines[1] == "0.0: \t [0.]" and lines[5] == "\t..." and len(lines) == 10


def test_iteration_is_not_positional_indexing(v):
    assert len(list(v)) == 5


# -- clip (§3.5) --------------------------------------------------------------------------------


def test_clip_include_stop_and_sample_limits(w):
    check(w.clip(1, 2), [1, 2], [[2, 20], [4, 40]], 1, 2)
    assert w.clip(1, 2, include_stop=False).times.tolist() == [1]
    check(w.clip(0.5, 2.5), [0.5, 1, 2, 2.5], [[1, 10], [2, 20], [4, 40], [5, 50]], 0.5, 2.5)
    assert w.clip(0.5, 2.5, include_stop=False).times.tolist() == [0.5, 1, 2]
    check(w.clip(0.5, 2.5, sample_limits=False), [1, 2], [[2, 20], [4, 40]], 0.5, 2.5)


def test_clip_beyond_the_range(w):
    with pytest.raises(ValueError, match="beyond the first and last time points"):
        w.clip(2, 4)
    with pytest.warns(UserWarning, match="extends beyond the series' range"):
        beyond = w.clip(2, 4, sample_limits=False)
    check(beyond, [2, 3], [[4, 40], [6, 60]], 2, 4)


def test_clip_reversed_bounds_and_channels(w):
    with pytest.raises(ValueError, match=r"`clip` needs t_start <= t_stop; got \[2\.0, 1\.0\]"):
        w.clip(2, 1)
    np.testing.assert_array_equal(w.clip(channels=[1, 0]).samples[1], [20, 2])
    with pytest.raises(ChannelIndexError, match="Channels must be between 0 and 1"):
        w.clip(channels=2)
    assert issubclass(ChannelIndexError, IndexError) and issubclass(ChannelIndexError, ValueError)


def test_clip_adds_a_sample_at_t_stop():
    u = TSContinuous([0.0, 0.5, 1.0, 1.5], [[0, 10], [1, 11], [2, 12], [3, 13]], t_stop=2.0)
    assert u.clip().times.tolist() == [0, 0.5, 1, 1.5, 2.0]


def test_clip_periodic_is_not_periodic():
    clipped = TSContinuous([0, 1], [5, 6], t_stop=2, periodic=True).clip(1.5, 3.5)
    check(clipped, [1.5, 2, 3, 3.5], [[6], [5], [6], [6]], 1.5, 3.5)
    assert clipped.periodic is False


def test_clip_empty_series():
    empty = TSContinuous().clip(1, 2)
    assert empty.isempty() and (empty.t_start, empty.t_stop) == (1, 2)
    assert TSContinuous().clip(1, 2, sample_limits=False).isempty()
    with pytest.raises(IndexError, match="TSContinuous `unnamed` does not have any channels"):
        TSContinuous().clip(channels=0)
    assert TSContinuous(num_channels=2).clip(channels=0).num_channels == 1


def test_clip_inplace_returns_self(w):
    assert w.clip(1, 2, inplace=True) is w and w.t_start == 1


# -- resample (§3.6) ----------------------------------------------------------------------------


def test_resample_moves_the_range():
    u = TSContinuous([0.0, 0.5, 1.0, 1.5], [[0, 10], [1, 11], [2, 12], [3, 13]], t_stop=2.0)
    check(u.resample([0.25, 1.25]), [0.25, 1.25], [[0, 10], [2, 12]], 0.25, 1.25)
    check(u.resample([1.25, 0.25]), [1.25, 0.25], [[2, 12], [0, 10]], 0.25, 1.25)
    u.delay(1, inplace=True)
    u.beyond_range_exception = False
    with pytest.warns(UserWarning):
        assert u.resample([0.5, 1.5, 2.5], inplace=True) is u
    check(u, [0.5, 1.5, 2.5], [[np.nan, np.nan], [1, 11], [3, 13]], 0.5, 2.5)


def test_resample_periodic_is_not_periodic():
    ts = TSContinuous([0, 1, 2, 3], [0, 1, 2, 3], t_stop=4, periodic=True)
    assert ts.resample([0.5, 4.5]).periodic is False


def test_resample_channel_errors():
    with pytest.raises(IndexError, match="does not have any channels"):
        TSContinuous().resample([0.0], channels=0)


def test_to_clocked():
    u = TSContinuous([0.0, 0.5, 1.0, 1.5], [[0, 10], [1, 11], [2, 12], [3, 13]], t_stop=2.0)
    np.testing.assert_array_equal(
        u.to_clocked(0.3), [[0, 10], [0, 10], [1, 11], [1, 11], [2, 12], [3, 13], [3, 13]]
    )
