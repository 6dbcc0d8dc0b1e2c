"""TSEvent: construction, validation, repr, raster, from_raster and editing (spec §6)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TSContinuous, TSEvent, num_timesteps


@pytest.fixture
def ev() -> TSEvent:
    return TSEvent([0.1, 0.5, 0.7], [0, 1, 0], t_start=0.0, t_stop=1.0, name="ev")


def test_repr_matches_reference(ev):
    assert (
        repr(ev) == "non-periodic `TSEvent` object `ev` from t=0.0 to 1.0. Channels: 2. Events: 3"
    )
    periodic = TSEvent([0.1], [0], t_start=0.0, t_stop=1.0, periodic=True)
    assert repr(periodic).startswith("periodic `TSEvent` object `unnamed`")


def test_defaults():
    ev = TSEvent([0.3, 0.4], t_stop=1.0)
    assert ev.t_start == 0.3  # the first event
    np.testing.assert_array_equal(ev.channels, [0, 0])
    assert ev.num_channels == 1 and ev.channels.dtype == np.int64
    assert TSEvent([0.3, 0.4], 2, t_stop=1.0).num_channels == 3


def test_unsorted_events_are_rejected():
    with pytest.raises(
        ValueError,
        match=r"TSEvent `unnamed`: The time trace must be sorted and not decreasing\. "
        r"times\[0\] = 0\.5 is followed by times\[1\] = 0\.1",
    ):
        TSEvent([0.5, 0.1, 0.3], [2, 0, 1], t_stop=1.0)


def test_empty_series():
    empty = TSEvent()
    assert empty.isempty() and empty.num_channels == 0 and (empty.t_start, empty.t_stop) == (0, 0)
    assert TSEvent([], [], t_stop=2.0).t_stop == 2.0
    assert TSEvent(num_channels=4).raster(0.1, t_stop=0.2).shape == (2, 4)


def test_num_channels_setter(ev):
    ev.num_channels = 5
    assert ev.raster(0.5).shape == (2, 5)
    with pytest.raises(
        ValueError, match=r"TSEvent `ev`: channel ids must be < num_channels \(1\); got channel 1"
    ):
        ev.num_channels = 1


def test_call_selects_window_and_channels(ev):
    times, ids = ev(0.2, 0.8)
    np.testing.assert_array_equal(times, [0.5, 0.7])
    np.testing.assert_array_equal(ids, [1, 0])
    times, _ = ev(0.0, channels=[0])
    np.testing.assert_array_equal(times, [0.1, 0.7])
    assert ev(0.1, 0.7, include_t_stop=True)[0].size == 3
    assert ev(2.0, 3.0)[0].size == 0  # beyond a non-periodic series: nothing


def test_periodic_events_repeat():
    ev = TSEvent([0.1], [0], t_start=0.0, t_stop=0.5, periodic=True)
    times, _ = ev(0.0, 1.5)
    np.testing.assert_allclose(times, [0.1, 0.6, 1.1])
    raster = ev.raster(0.1, t_stop=1.5)
    np.testing.assert_array_equal(np.flatnonzero(raster[:, 0]), [1, 6, 11])


# -- raster -----------------------------------------------------------------------------------


def test_raster_bool_and_counts():
    ev = TSEvent([0.05, 0.06, 0.25], [0, 0, 1], t_start=0.0, t_stop=0.3)
    with pytest.warns(UserWarning, match="multiple events per time step"):
        raster = ev.raster(0.1)
    assert raster.dtype == np.bool_ and raster.shape == (3, 2)
    np.testing.assert_array_equal(raster, [[True, False], [False, False], [False, True]])
    counts = ev.raster(0.1, add_events=True)
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(counts, [[2, 0], [0, 0], [0, 1]])


def test_raster_window_and_channel_selection(ev):
    # Bins [0.25, 0.5) and [0.5, 0.75); columns are channels 1, 0 and 3 (beyond num_channels).
    raster = ev.raster(0.25, t_start=0.25, num_timesteps=2, channels=[1, 0, 3])
    np.testing.assert_array_equal(raster, [[False, False, False], [True, True, False]])
    assert ev.raster(0.25, t_start=0.0, t_stop=0.5).shape == (2, 2)


def test_raster_step_rounding():
    assert num_timesteps(0.3, 0.1) == 3
    assert num_timesteps(0.7, 0.1) == 7
    assert num_timesteps(0.25, 0.1) == 3  # a trailing partial bin is kept
    ev = TSEvent([0.0, 0.29], [0, 0], t_start=0.0, t_stop=0.3)
    assert ev.raster(0.1).shape == (3, 1) and ev.raster(0.1)[2, 0]


def test_raster_events_on_bin_edges_land_in_their_bin():
    steps = np.arange(10)
    ev = TSEvent(steps * 0.1, 0, t_start=0.0, t_stop=1.0)
    np.testing.assert_array_equal(ev.raster(0.1).ravel(), np.ones(10, dtype=bool))


def test_consecutive_rasters_equal_one_long_raster():
    rng = np.random.default_rng(0)
    ev = TSEvent(np.sort(rng.uniform(0, 1, 50)), rng.integers(0, 3, 50), t_start=0.0, t_stop=1.0)
    full = ev.raster(0.01, add_events=True)
    parts = [ev.raster(0.01, t_start=k * 0.25, num_timesteps=25, add_events=True) for k in range(4)]
    np.testing.assert_array_equal(np.concatenate(parts), full)


def test_error_raster_arguments(ev):
    with pytest.raises(
        ValueError, match=r"TSEvent `ev`: give `t_stop` or `num_timesteps` to `raster`, not both"
    ):
        ev.raster(0.1, t_stop=1.0, num_timesteps=3)
    with pytest.raises(ValueError, match="`num_timesteps` must be >= 0; got -1"):
        ev.raster(0.1, num_timesteps=-1)
    with pytest.raises(TypeError, match=r"`num_timesteps` must be an integer; got 2\.5"):
        ev.raster(0.1, num_timesteps=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"`raster` needs t_start <= t_stop; got \[0\.5, 0\.2\]"):
        ev.raster(0.1, t_start=0.5, t_stop=0.2)
    with pytest.raises(ValueError, match=r"`channels` must not repeat; got \[0, 0\]"):
        ev.raster(0.1, channels=[0, 0])
    with pytest.raises(
        ValueError, match=r"TSEvent `ev`: channel ids must be non-negative; got \[-1\]"
    ):
        ev.raster(0.1, channels=[-1])
    with pytest.raises(
        ValueError, match="TSEvent `ev`: `dt` must be finite and > 0 seconds; got 0"
    ):
        ev.raster(0)


# -- from_raster ------------------------------------------------------------------------------


def test_from_raster_bin_centres():
    ev = TSEvent.from_raster(np.array([[1, 0], [0, 1], [1, 1]], dtype=bool), dt=0.1)
    np.testing.assert_allclose(ev.times, [0.05, 0.15, 0.25, 0.25])
    np.testing.assert_array_equal(ev.channels, [0, 1, 0, 1])
    assert ev.t_start == 0.0 and ev.t_stop == pytest.approx(0.3) and ev.num_channels == 2


def test_from_raster_counts_repeat_events():
    ev = TSEvent.from_raster([[3], [0], [1.0]], dt=1.0, t_start=2.0, name="c")
    np.testing.assert_allclose(ev.times, [2.5, 2.5, 2.5, 4.5])
    np.testing.assert_array_equal(ev.raster(1.0, add_events=True).ravel(), [3, 0, 1])


def test_from_raster_options():
    ev = TSEvent.from_raster(
        [1, 0, 1], dt=0.5, spikes_at_bin_start=True, num_channels=3, t_stop=2.0, periodic=True
    )
    np.testing.assert_allclose(ev.times, [0.0, 1.0])
    assert ev.num_channels == 3 and ev.t_stop == 2.0 and ev.periodic
    empty = TSEvent.from_raster(np.zeros((4, 2)), dt=0.1)
    assert empty.isempty() and empty.t_stop == pytest.approx(0.4) and empty.num_channels == 2


def test_error_from_raster_values():
    with pytest.raises(
        ValueError,
        match=r"TSEvent `r`: `raster` must hold whole event counts; got non-integer values such as \[0\.5\]",
    ):
        TSEvent.from_raster([[0.5]], name="r")
    with pytest.raises(
        ValueError, match=r"`raster` must hold non-negative event counts; got values such as \[-1\]"
    ):
        TSEvent.from_raster([[-1]])
    with pytest.raises(
        ValueError,
        match=r"`raster` must have shape \(T,\) or \(T, C\); got an array of shape \(1, 1, 1\)",
    ):
        TSEvent.from_raster(np.zeros((1, 1, 1)))
    with pytest.raises(TypeError, match="`raster` must hold booleans or counts; got dtype"):
        TSEvent.from_raster(["a"])
    with pytest.raises(
        ValueError,
        match=r"`num_channels` \(1\) must not be smaller than the number of raster columns \(2\)",
    ):
        TSEvent.from_raster([[1, 1]], num_channels=1)


# -- construction errors ----------------------------------------------------------------------


def test_error_t_stop_missing():
    with pytest.raises(
        TypeError,
        match=r"If `times` is not `None`, `t_stop` must be a float strictly greater than the "
        r"largest entry in `times`\.",
    ):
        TSEvent([0.1, 0.2], [0, 1])


def test_error_t_stop_too_small():
    with pytest.raises(
        ValueError,
        match=r"TSEvent `x`: `t_stop` must be strictly greater than the last event time \(0\.2\); got t_stop=0\.2",
    ):
        TSEvent([0.1, 0.2], [0, 1], t_stop=0.2, name="x")


def test_error_t_start_after_first_event():
    with pytest.raises(
        ValueError,
        match=r"TSEvent `unnamed`: `t_start` must not be later than the first time point \(0\.1\); got t_start=0\.15",
    ):
        TSEvent([0.1, 0.2], t_start=0.15, t_stop=1.0)


def test_error_channels_out_of_range():
    with pytest.raises(
        ValueError, match=r"channel ids must be < num_channels \(2\); got channel 2"
    ):
        TSEvent([0.1, 0.2], [0, 2], t_stop=1.0, num_channels=2)


def test_error_channel_validation():
    with pytest.raises(
        ValueError,
        match=r"`channels` must have one entry per event: expected shape \(2,\) \(len\(times\)\), got \(3,\)",
    ):
        TSEvent([0.1, 0.2], [0, 1, 1], t_stop=1.0)
    with pytest.raises(ValueError, match=r"channel ids must be non-negative; got \[-1\]"):
        TSEvent([0.1], [-1], t_stop=1.0)
    with pytest.raises(TypeError, match=r"`channels` must hold integer channel ids; got \[0\.5\]"):
        TSEvent([0.1], [0.5], t_stop=1.0)
    assert TSEvent([0.1], [1.0], t_stop=1.0).channels.dtype == np.int64


def test_error_negative_num_channels():
    with pytest.raises(
        ValueError, match="TSEvent `unnamed`: `num_channels` must be a non-negative integer; got -2"
    ):
        TSEvent(num_channels=-2)


def test_error_event_times():
    with pytest.raises(
        ValueError,
        match=r"TSEvent `unnamed`: `times` must be finite; got non-finite values at indices \[0\]",
    ):
        TSEvent([np.nan], t_stop=1.0)
    with pytest.raises(
        ValueError,
        match=r"`times` must be a 1-D array of time points in seconds \(or a \(T, 1\) / \(1, T\) "
        r"array\); got an array of shape \(2, 2\)",
    ):
        TSEvent([[0.1, 0.2], [0.3, 0.4]], t_stop=1.0)


# -- editing ----------------------------------------------------------------------------------


def test_clip(ev):
    clipped = ev.clip(0.2, 0.8)
    np.testing.assert_array_equal(clipped.times, [0.5, 0.7])
    assert (clipped.t_start, clipped.t_stop, clipped.num_channels) == (0.2, 0.8, 2)
    only = ev.clip(channels=[1], remap_channels=True)
    np.testing.assert_array_equal(only.channels, [0])
    assert only.num_channels == 1
    with pytest.raises(IndexError, match=r"TSEvent `ev`: Channels must be between 0 and 1"):
        ev.clip(channels=3)
    assert ev.clip(0.0, 0.6, inplace=True) is ev and len(ev) == 2


def test_clip_periodic_unrolls():
    ev = TSEvent([0.1], [0], t_start=0.0, t_stop=0.5, periodic=True)
    clipped = ev.clip(0.0, 1.0)
    np.testing.assert_allclose(clipped.times, [0.1, 0.6])
    assert not clipped.periodic


def test_error_clip(ev):
    with pytest.raises(
        ValueError, match=r"TSEvent `ev`: `clip` needs t_start <= t_stop; got \[0\.5, 0\.1\]"
    ):
        ev.clip(0.5, 0.1)
    with pytest.raises(
        ValueError, match=r"`channels` must not repeat when remapping; got \[1, 1\]"
    ):
        ev.clip(channels=[1, 1], remap_channels=True)
    with pytest.raises(
        TypeError, match="TSEvent `ev`: `channels` must be an integer or a 1-D sequence of integers"
    ):
        ev.clip(channels=["a"])


def test_delay(ev):
    moved = ev.delay(1.0)
    np.testing.assert_allclose(moved.times, ev.times + 1.0)
    np.testing.assert_array_equal(moved.channels, ev.channels)
    assert (moved.t_start, moved.t_stop) == (1.0, 2.0)


def test_append_t(ev):
    joined = ev.append_t(ev, offset=0.5)
    np.testing.assert_allclose(joined.times, [0.1, 0.5, 0.7, 1.6, 2.0, 2.2])
    assert joined.t_stop == 2.5
    assert len(ev.append_t([ev, ev])) == 9


def test_append_c(ev):
    other = TSEvent([0.2], [0], t_start=0.0, t_stop=2.0)
    stacked = ev.append_c(other)
    np.testing.assert_array_equal(stacked.channels, [0, 2, 1, 0])
    assert stacked.num_channels == 3 and stacked.t_stop == 2.0


def test_merge(ev):
    merged = ev.merge(ev)
    assert len(merged) == 6 and merged.num_channels == 2
    assert len(ev.merge(ev, remove_duplicates=True)) == 3
    other = TSEvent([1.5], [4], t_start=0.0, t_stop=2.0)
    merged = ev.merge(other)
    assert merged.num_channels == 5 and merged.t_stop == 2.0


def test_error_editing_wrong_type(ev):
    with pytest.raises(
        TypeError, match="TSEvent `ev`: Can only merge with `TSEvent` objects; got TSContinuous"
    ):
        ev.merge(TSContinuous())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Can only append with `TSEvent` objects; got int"):
        ev.append_t(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Can only append with `TSEvent` objects; got str"):
        ev.append_c(["x"])  # type: ignore[list-item]


def test_getitem(ev):
    first = ev[0]
    assert len(first) == 1 and first.t_stop == 1.0 and first.num_channels == 2
    np.testing.assert_array_equal(ev[ev.channels == 0].times, [0.1, 0.7])
    with pytest.raises(IndexError, match="TSEvent `ev`: invalid index 7 for 3 events"):
        ev[7]
