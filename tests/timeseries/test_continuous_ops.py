"""TSContinuous: clip, delay, append_t, append_c, merge, resample, indexing, arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TSContinuous, TSEvent


@pytest.fixture
def ts() -> TSContinuous:
    return TSContinuous([0.0, 1.0, 2.0], [[0, 1], [1, 2], [2, 3]], name="a")


# -- clip -------------------------------------------------------------------------------------


def test_clip_keeps_values_and_adds_start_sample(ts):
    clipped = ts.clip(0.5, 1.5)
    assert (clipped.t_start, clipped.t_stop) == (0.5, 1.5)
    np.testing.assert_array_equal(clipped.times, [0.5, 1.0, 1.5])  # include_stop=True
    probe = np.linspace(0.5, 1.5, 11)
    np.testing.assert_array_equal(clipped(probe), ts(probe))
    assert not clipped.periodic and clipped.name == "a"


def test_clip_linear_adds_stop_sample():
    ts = TSContinuous([0.0, 2.0], [0.0, 2.0], interp_kind="linear")
    clipped = ts.clip(0.5, 1.5)
    np.testing.assert_allclose(clipped.times, [0.5, 1.5])
    np.testing.assert_allclose(clipped([0.5, 1.0, 1.5]), ts([0.5, 1.0, 1.5]))


def test_clip_channels_and_default_range(ts):
    only = ts.clip(channels=[1])
    np.testing.assert_array_equal(only.samples, [[1], [2], [3]])
    np.testing.assert_array_equal(only.times, ts.times)
    assert ts.clip(channels=1).num_channels == 1


def test_clip_inplace(ts):
    result = ts.clip(1.0, 2.0, inplace=True)
    assert result is ts and ts.t_start == 1.0 and len(ts) == 2


def test_clip_periodic_unrolls():
    ts = TSContinuous.from_clocked([[0.0], [1.0]], dt=1.0, periodic=True)
    clipped = ts.clip(1.5, 4.5)
    np.testing.assert_array_equal(clipped.times, [1.5, 2.0, 3.0, 4.0, 4.5])
    np.testing.assert_array_equal(clipped.samples.ravel(), [1.0, 0.0, 1.0, 0.0, 0.0])
    assert not clipped.periodic


def test_clip_empty_series():
    clipped = TSContinuous(num_channels=2, t_stop=1.0).clip(0.2, 0.4)
    assert clipped.isempty() and clipped.num_channels == 2 and clipped.t_start == 0.2


def test_error_clip_outside_range(ts):
    with pytest.raises(
        ValueError, match=r"TSContinuous `a`: Some of the requested time points.*\[3\.0\]"
    ):
        ts.clip(1.0, 3.0)


def test_error_clip_reversed(ts):
    with pytest.raises(ValueError, match=r"`clip` needs t_start <= t_stop; got \[1\.5, 0\.5\]"):
        ts.clip(1.5, 0.5)


def test_error_clip_bad_channels(ts):
    with pytest.raises(
        IndexError,
        match=r"TSContinuous `a`: Channels must be between 0 and 1\.",
    ):
        ts.clip(channels=[0, 2])
    with pytest.raises(
        TypeError, match="`channels` must be an integer or a 1-D sequence of integers"
    ):
        ts.clip(channels=[0.5])


# -- delay / start_at / copy ------------------------------------------------------------------


def test_delay_shifts_everything(ts):
    moved = ts.delay(1.5)
    np.testing.assert_array_equal(moved.times, ts.times + 1.5)
    assert (moved.t_start, moved.t_stop) == (1.5, 3.5)
    np.testing.assert_array_equal(moved(2.0), ts(0.5))
    assert ts.t_start == 0.0  # the original is untouched


def test_delay_inplace_and_start_at(ts):
    assert ts.delay(-1.0, inplace=True) is ts and ts.t_start == -1.0
    assert ts.start_at_zero().t_start == 0.0
    assert ts.start_at(5.0).t_stop == 7.0


def test_copy_is_independent(ts):
    twin = ts.copy()
    twin.samples[0, 0] = 99.0
    assert ts.samples[0, 0] == 0.0


def test_error_delay_not_a_number(ts):
    with pytest.raises(
        TypeError, match="TSContinuous `a`: `offset` must be a number of seconds; got 'x'"
    ):
        ts.delay("x")  # type: ignore[arg-type]


# -- append_t / append_c / merge --------------------------------------------------------------


def test_append_t(ts):
    joined = ts.append_t(ts, offset=1.0)
    np.testing.assert_array_equal(joined.times, [0, 1, 2, 3, 4, 5])
    assert joined.t_stop == 5.0
    np.testing.assert_array_equal(joined(3.5), [[0, 1]])
    assert len(ts.append_t([ts, ts])) == 9


def test_append_t_to_empty():
    other = TSContinuous([0.0, 1.0], [1.0, 2.0])
    joined = TSContinuous().append_t(other)
    np.testing.assert_array_equal(joined.samples, other.samples)


def test_error_append_t_overlap(ts):
    with pytest.raises(
        ValueError,
        match=r"`append_t` with offset -1\.0 s would place series number 0 before the last sample",
    ):
        ts.append_t(ts, offset=-1.0)


def test_error_append_t_channels(ts):
    other = TSContinuous([0.0], [1.0])
    with pytest.raises(
        ValueError,
        match=r"`other_series` must include the same number of traces \(2\)\. Other series number "
        r"0 has 1\.",
    ):
        ts.append_t(other)


def test_error_append_wrong_type(ts):
    with pytest.raises(
        TypeError,
        match="TSContinuous `a`: `other_series` must be `TSContinuous` or iterable thereof; got int",
    ):
        ts.append_t(3)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match="`other_series` must be a TSContinuous object; got TSEvent"
    ):
        ts.append_c(TSEvent())  # type: ignore[arg-type]


def test_append_c_samples_on_this_time_base(ts):
    other = TSContinuous([0.0, 0.5, 2.0], [5.0, 6.0, 7.0])
    stacked = ts.append_c(other)
    np.testing.assert_array_equal(stacked.times, [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(stacked.samples, [[0, 1, 5], [1, 2, 6], [2, 3, 7]])
    empty = TSContinuous().append_c(ts)
    assert empty.isempty() and empty.num_channels == 2


def test_error_append_c_range(ts):
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `a`: Some of the requested time points.*range \[1\.0, 3\.0\]",
    ):
        ts.append_c(ts.delay(1.0))


def test_merge_sorts_and_removes_duplicates(ts):
    other = TSContinuous([0.5, 1.0, 3.0], [[9, 9], [8, 8], [7, 7]])
    merged = ts.merge(other)
    np.testing.assert_array_equal(merged.times, [0.0, 0.5, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(merged(1.0), [[1, 2]])  # this series wins at t=1
    assert merged.t_stop == 3.0
    assert len(ts.merge(other, remove_duplicates=False)) == 6


def test_error_merge_channels(ts):
    with pytest.raises(
        ValueError, match=r"`other_series` must include the same number of traces \(2\)"
    ):
        ts.merge(TSContinuous([0.0], [1.0]))


# -- resample / indexing ----------------------------------------------------------------------


def test_resample(ts):
    new = ts.resample([0.0, 0.5, 1.5], channels=0)
    np.testing.assert_array_equal(new.samples, [[0], [0], [1]])
    assert (new.t_start, new.t_stop) == (0.0, 1.5)  # the range moves to the new points


def test_resample_periodic_outside_period():
    ts = TSContinuous.from_clocked([0.0, 1.0], dt=1.0, periodic=True)
    new = ts.resample([0.0, 1.0, 2.0, 3.0])
    np.testing.assert_array_equal(new.samples.ravel(), [0, 1, 0, 1])
    assert not new.periodic and new.t_stop == 3.0
    assert not ts.resample([0.5, 1.5]).periodic
    assert ts.resample([0.0, 2.0]).periodic  # the same range keeps the period


def test_getitem_is_by_time(ts):
    assert ts[1].samples.shape == (1, 2) and ts[1].times.tolist() == [1.0]  # 1 s, not row 1
    np.testing.assert_array_equal(ts[1:].times, [1.0, 2.0])
    np.testing.assert_array_equal(ts[:, 1].samples, [[1], [2], [3]])
    np.testing.assert_array_equal(ts[[0, 2], 0].samples, [[0], [2]])
    assert ts[1:].t_start == 1.0  # the range starts at the slice


def test_error_getitem(ts):
    with pytest.raises(ValueError, match=r"TSContinuous `a`: Some of the requested time points"):
        ts[5]  # 5 seconds
    with pytest.raises(IndexError, match=r"TSContinuous `a`: Channels must be between 0 and 1"):
        ts[:, 2]
    np.testing.assert_array_equal(ts[::-1].times, [1.0, 0.0])  # resampled at arange(0, 2, 1)


# -- arithmetic -------------------------------------------------------------------------------


def test_arithmetic_with_scalars(ts):
    np.testing.assert_array_equal((ts + 1).samples, ts.samples + 1)
    np.testing.assert_array_equal((1 - ts).samples, 1 - ts.samples)
    np.testing.assert_array_equal((ts * 2).samples, ts.samples * 2)
    np.testing.assert_array_equal((np.float64(2) * ts).samples, ts.samples * 2)
    np.testing.assert_array_equal((ts / 2).samples, ts.samples / 2)
    np.testing.assert_array_equal((2 / (ts + 1)).samples, 2 / (ts.samples + 1))
    np.testing.assert_array_equal((ts // 2).samples, ts.samples // 2)
    np.testing.assert_array_equal((7 // (ts + 1)).samples, 7 // (ts.samples + 1))
    np.testing.assert_array_equal((ts**2).samples, ts.samples**2)
    np.testing.assert_array_equal((2**ts).samples, 2**ts.samples)
    np.testing.assert_array_equal((-ts).samples, -ts.samples)
    np.testing.assert_array_equal(abs(ts - 2).samples, np.abs(ts.samples - 2))
    np.testing.assert_array_equal((+ts).samples, ts.samples)
    result = ts + 1
    assert result.name == "a" and result.t_stop == ts.t_stop


def test_arithmetic_with_arrays(ts):
    np.testing.assert_array_equal((ts * np.array([1, 10])).samples, [[0, 10], [1, 20], [2, 30]])


def test_arithmetic_between_series_uses_this_time_base(ts):
    other = TSContinuous([0.0, 0.5], [[10.0], [20.0]], t_stop=2.0)
    total = ts + other
    np.testing.assert_array_equal(total.times, ts.times)
    np.testing.assert_array_equal(total.samples, ts.samples + other(ts.times))
    difference = other - ts
    np.testing.assert_array_equal(difference.times, other.times)
    np.testing.assert_array_equal(difference.samples, other.samples - ts(other.times))


def test_iadd_returns_new_series(ts):
    before = ts
    ts += 1
    assert ts is not before and ts.samples[0, 0] == 1.0


def test_error_arithmetic_ranges(ts):
    with pytest.raises(
        ValueError,
        match=r"TSContinuous `a`: Some of the requested time points.*offending times: \[0\.0\]",
    ):
        ts + ts.delay(0.5)


def test_error_arithmetic_channels(ts):
    three = TSContinuous([0.0], [[1.0, 2.0, 3.0]], t_stop=2.0)
    with pytest.raises(
        ValueError, match=r"`\*` needs the same number of channels on both sides.*got 2 and 3"
    ):
        ts * three


def test_arithmetic_empty():
    empty = TSContinuous(num_channels=1)
    assert (empty - empty).isempty() and (empty - empty).num_channels == 1


def test_error_arithmetic_bad_operands(ts):
    with pytest.raises(
        ValueError,
        match=r"Input data \(shape \(3,\)\) could not be broadcast to samples shape \(\(3, 2\)\)",
    ):
        ts + np.ones(3)
    with pytest.raises(
        TypeError,
        match="unsupported operand for `/`: expected a number, an array or a TSContinuous; got str",
    ):
        ts / "x"
    with pytest.raises(TypeError, match=r"unsupported operand for `\+`.*got TSEvent"):
        ts + TSEvent()
