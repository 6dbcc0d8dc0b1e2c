"""TSContinuous merge, append_t, append_c, concatenate_t, arithmetic (timeseries-compat.md
§3.8-3.11)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TimeSeries, TSContinuous, TSEvent


@pytest.fixture
def a() -> TSContinuous:
    return TSContinuous([0, 0.2, 0.4], [1, 2, 3])


@pytest.fixture
def b() -> TSContinuous:
    return TSContinuous([0, 0.1], [7, 8])


@pytest.fixture
def c() -> TSContinuous:
    return TSContinuous([5.0], [9], t_stop=6.0)


# -- merge (§3.8) -------------------------------------------------------------------------------


def test_merge(a):
    other = TSContinuous([0.1, 0.2], [8, 9])
    merged = a.merge(other)
    np.testing.assert_allclose(merged.times, [0, 0.1, 0.2, 0.4])
    np.testing.assert_array_equal(merged.samples[:, 0], [1, 8, 2, 3])
    kept = a.merge(other, remove_duplicates=False)
    np.testing.assert_array_equal(kept.samples[:, 0], [1, 8, 2, 9, 3])


def test_merge_with_empty_series(a):
    merged = TSContinuous(t_start=3).merge(a)
    np.testing.assert_array_equal(merged.samples, a.samples)
    assert (merged.t_start, merged.t_stop) == (0, 3.0)
    assert a.merge(TSContinuous(t_start=1)).samples.shape == (3, 1)


def test_merge_later_sample_wins():
    first = TSContinuous([0, 1, 2], [0, 1, 2])
    merged = first.merge(TSContinuous([0, 1, 2], [10, 20, 30]), remove_duplicates=False)
    np.testing.assert_array_equal(merged(1.0), [[20.0]])


def test_merge_errors(a):
    with pytest.raises(
        ValueError,
        match=r"must include the same number of traces \(1\)\. Other "
        r"series number 0 has 2",
    ):
        a.merge(TSContinuous([0], [[1, 2]]))
    with pytest.raises(TypeError, match="`other_series` must be `TSContinuous` or iterable"):
        a.merge(5)
    with pytest.raises(TypeError, match="Can only merge with `TSContinuous` objects"):
        a.merge([a, 5])


def test_merge_periodic_becomes_non_periodic():
    periodic = TSContinuous([0, 1], [1, 2], t_stop=2, periodic=True)
    assert periodic.merge(TSContinuous([3], [4])).periodic is False


# -- append_t / concatenate_t (§3.9) ------------------------------------------------------------


def test_append_t_median_offset(a, b, c):
    joined = a.append_t(b)
    np.testing.assert_allclose(joined.times, [0, 0.2, 0.4, 0.6, 0.7])
    assert joined.t_stop == pytest.approx(0.7)
    assert a.append_t(b, offset=0).times.tolist() == pytest.approx([0, 0.2, 0.4, 0.4, 0.5])
    both = a.append_t([b, c])
    np.testing.assert_allclose(both.times, [0, 0.2, 0.4, 0.6, 0.7, 0.8])
    assert both.t_stop == pytest.approx(1.8)
    listed = a.append_t([b, c], offset=[1, 0.5])
    np.testing.assert_allclose(listed.times, [0, 0.2, 0.4, 1.4, 1.5, 2.0])
    assert listed.t_stop == pytest.approx(3.0)


def test_append_t_offset_list_of_wrong_length(a, b, c):
    with pytest.raises(ValueError, match=r"got 1 `offset` values for 2 series"):
        a.append_t([b, c], offset=[1])


def test_concatenate_t(a, b, c):
    expected = a.append_t([b, c])
    for cls in (TSContinuous, TimeSeries):
        joined = cls.concatenate_t([a, b, c])
        np.testing.assert_allclose(joined.times, expected.times)
        np.testing.assert_array_equal(joined.samples, expected.samples)
    assert TSContinuous.concatenate_t([]).isempty()
    assert TSContinuous.concatenate_t(a).times.tolist() == a.times.tolist()


def test_append_t_empty_series(a):
    shifted = TSContinuous(t_start=2).append_t(a)
    np.testing.assert_allclose(shifted.times, [2, 2.2, 2.4])
    assert (shifted.t_start, shifted.t_stop) == pytest.approx((2.0, 2.4))
    unchanged = a.append_t(TSContinuous(t_start=1))
    np.testing.assert_array_equal(unchanged.times, a.times)


def test_append_t_median_of_whole_steps():
    joined = TSContinuous([0, 1, 2], [0, 1, 2]).append_t(TSContinuous([0, 1, 2], [1, 2, 3]))
    np.testing.assert_allclose(joined.times, [0, 1, 2, 3, 4, 5])


def test_append_t_clocked_leaves_a_one_step_hole():
    joined = TSContinuous.from_clocked([1, 2, 3], dt=0.1).append_t(
        TSContinuous.from_clocked([4, 5], dt=0.1)
    )
    np.testing.assert_allclose(joined.times, [0, 0.1, 0.2, 0.4, 0.5])
    assert joined.t_stop == pytest.approx(0.6)


def test_append_t_errors(a):
    with pytest.raises(ValueError, match="would place series number 0 before the last sample"):
        a.append_t(a, offset=-1)
    with pytest.raises(ValueError, match=r"same number of traces \(1\)\. Other series number 0"):
        a.append_t(TSContinuous([0], [[1, 2]]))
    with pytest.raises(TypeError, match="`other_series` must be `TSContinuous` or iterable"):
        a.append_t(5)
    periodic = TSContinuous([0, 1], [1, 2], t_stop=2, periodic=True)
    assert periodic.append_t(a).periodic is False


# -- append_c (§3.10) ---------------------------------------------------------------------------


def test_append_c_samples_on_this_time_base(a):
    joined = a.append_c(TSContinuous([0, 0.3], [[50, 60], [70, 80]], t_stop=0.4))
    np.testing.assert_allclose(joined.times, [0, 0.2, 0.4])
    np.testing.assert_array_equal(joined.samples, [[1, 50, 60], [2, 50, 60], [3, 70, 80]])


def test_append_c_range_rules_of_the_other(a):
    other = TSContinuous([0.1, 0.4], [5, 6])
    with pytest.raises(ValueError, match="beyond the first and last time points"):
        a.append_c(other)
    other.beyond_range_exception = False
    with pytest.warns(UserWarning):
        joined = a.append_c(other)
    np.testing.assert_array_equal(joined.samples, [[1, np.nan], [2, 5], [3, 6]])


def test_append_c_empty_series(a):
    empty = TSContinuous().append_c(a)
    assert empty.isempty() and empty.samples.shape == (0, 1)
    np.testing.assert_array_equal(a.append_c(TSContinuous()).samples, a.samples)
    two = TSContinuous([0, 1], [[1, 2], [3, 4]])
    assert TSContinuous(num_channels=2).append_c(two).samples.shape == (0, 4)
    with pytest.raises(TypeError, match="`other_series` must be a TSContinuous object"):
        a.append_c(5)


# -- arithmetic (§3.11) -------------------------------------------------------------------------


@pytest.fixture
def p() -> TSContinuous:
    return TSContinuous([0, 1, 2], [1, 2, 3])


@pytest.fixture
def q() -> TSContinuous:
    q = TSContinuous([1, 2, 3], [10, 20, 30])
    q.beyond_range_exception = False
    return q


def test_cross_series_arithmetic_on_self_time_base(p, q):
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal((p + q).samples, [[1], [12], [23]])
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal((p - q).samples, [[1], [-8], [-17]])
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal((p * q).samples, [[np.nan], [20], [60]])
    with pytest.warns(UserWarning):
        np.testing.assert_allclose((p / q).samples, [[np.nan], [0.2], [0.15]])
    with pytest.raises(ValueError, match="beyond the first and last time points"):
        p + TSContinuous([1, 2, 3], [10, 20, 30])
    finer = TSContinuous([0, 0.5, 1, 1.5, 2], [100, 200, 300, 400, 500])
    summed = p + finer
    np.testing.assert_array_equal(summed.samples, [[101], [302], [503]])
    np.testing.assert_array_equal(summed.times, p.times)


def test_nan_in_the_data_propagates():
    # Rockpool turns [nan, 4] + 1 into [1, 5]: a trap.
    np.testing.assert_array_equal((TSContinuous([0, 1], [np.nan, 4]) + 1).samples, [[np.nan], [5]])
    np.testing.assert_array_equal((TSContinuous([0, 1], [np.nan, 4]) * 1).samples, [[np.nan], [4]])


def test_broadcasting(p):
    two = TSContinuous([0, 1, 2], [[1, 1], [2, 2], [3, 3]])
    np.testing.assert_array_equal((two + p).samples, [[2, 2], [4, 4], [6, 6]])
    np.testing.assert_array_equal((p * two).samples, [[1, 1], [4, 4], [9, 9]])
    np.testing.assert_array_equal((p + two).samples, [[2, 2], [4, 4], [6, 6]])
    with pytest.raises(
        ValueError,
        match=r"Input data \(shape \(3,\)\) could not be broadcast to samples shape "
        r"\(\(3, 1\)\)",
    ):
        p + np.array([1, 2, 3])
    three = TSContinuous([0, 1, 2], np.ones((3, 3)))
    with pytest.raises(ValueError, match="needs the same number of channels on both sides"):
        two + three
    with pytest.raises(ValueError, match="needs the same number of channels on both sides"):
        p + TSContinuous()
    assert (TSContinuous() + p).isempty()


def test_matmul_and_ufuncs(p):
    two = TSContinuous([0, 1, 2], [[1, 1], [2, 2], [3, 3]])
    np.testing.assert_array_equal((two @ [[1], [2]]).samples, [[3], [6], [9]])
    np.testing.assert_array_equal((p @ [[1, -1, 2]]).samples, [[1, -1, 2], [2, -2, 4], [3, -3, 6]])
    with pytest.raises(TypeError):
        np.ones((2, 3)) @ p
    with pytest.raises(ValueError, match=r"`ts @ M` needs M of shape \(1, K\)"):
        p @ np.ones((2, 2))
    np.testing.assert_array_equal((np.float64(3) * p).samples, [[3], [6], [9]])
    sine = np.sin(p)
    assert isinstance(sine, TSContinuous)
    np.testing.assert_allclose(sine.samples, np.sin([[1], [2], [3]]))
    np.testing.assert_array_equal(np.maximum(p, 2).samples, [[2], [2], [3]])
    np.testing.assert_array_equal((1 // TSContinuous([0], [0.1])).samples, [[9.0]])


def test_in_place_operators_rebind(p):
    alias = p
    p += 1
    p @= [[2]]
    np.testing.assert_array_equal(p.samples, [[4], [6], [8]])
    np.testing.assert_array_equal(alias.samples, [[1], [2], [3]])


def test_bad_operands(p):
    with pytest.raises(TypeError, match="expected a number, an array or a TSContinuous; got str"):
        p + "x"
    with pytest.raises(TypeError, match="got TSEvent"):
        p + TSEvent([0.5], [0], t_stop=1)


def test_notebook_cell_13_difference_with_delayed_series():
    times = np.arange(100) * 0.1
    s = TSContinuous(times, np.sin(times))
    s.beyond_range_exception = False
    cube = (s**3).delay(2)
    cube.beyond_range_exception = False
    with pytest.warns(UserWarning):
        difference = s - cube
    np.testing.assert_array_equal(difference.samples[times < 2], s.samples[times < 2])
    np.testing.assert_allclose(difference.samples[99], np.sin(9.9) - np.sin(7.9) ** 3)
