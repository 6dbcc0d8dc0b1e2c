"""TSEvent call, indexing, clip, remap, merge, append, print (timeseries-compat.md §4)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TimeSeries, TSEvent


@pytest.fixture
def e() -> TSEvent:
    return TSEvent([0.5, 1.5, 2.0, 3.5], [1, 0, 2, 1], t_stop=4.0)


@pytest.fixture
def o1() -> TSEvent:
    return TSEvent([0.2, 0.6], [0, 1], t_start=0, t_stop=1)


@pytest.fixture
def o2() -> TSEvent:
    return TSEvent([0.1], [3], t_start=0, t_stop=0.5)


def events(series_or_pair):
    times, ids = (
        series_or_pair
        if isinstance(series_or_pair, tuple)
        else (
            series_or_pair.times,
            series_or_pair.channels,
        )
    )
    return np.round(times, 12).tolist(), ids.tolist()


def test_call_defaults(e):
    assert events(e()) == ([0.5, 1.5, 2.0, 3.5], [1, 0, 2, 1])
    assert events(e(2.0)) == ([2.0, 3.5], [2, 1])
    assert events(e(None, 2.0)) == ([0.5, 1.5], [1, 0])
    assert events(e(channels=[1])) == ([0.5, 3.5], [1, 1])


def test_call_errors(e):
    with pytest.raises(IndexError, match=r"TSEvent `unnamed`: Channels must be between 0 and 2"):
        e(channels=3)
    with pytest.raises(IndexError, match="TSEvent `unnamed` does not have any channels"):
        TSEvent()(0, 1, channels=0)
    with pytest.raises(ValueError, match=r"the window needs t_start <= t_stop; got \[3\.0, 1\.0\]"):
        e(3.0, 1.0)


def test_indexing_keeps_the_given_order(e):
    picked = e[[3, 0]]
    assert events(picked) == ([3.5, 0.5], [1, 1])
    assert (picked.t_start, picked.t_stop, picked.num_channels) == (0.5, 4.0, 3)
    assert events(picked.clip(0, 4)) == ([3.5, 0.5], [1, 1])
    assert picked.raster(1.0, t_start=0).sum() == 2
    assert events(e[-1]) == ([3.5], [1])
    with pytest.raises(IndexError, match="invalid index 0 for 0 events"):
        TSEvent()[0]


def test_clip_and_remap(e):
    clipped = e.clip(1, 3)
    assert events(clipped) == ([1.5, 2.0], [0, 2]) and clipped.num_channels == 3
    remapped = e.clip(1, 3, remap_channels=True)
    assert events(remapped) == ([1.5, 2.0], [0, 1]) and remapped.num_channels == 2
    chosen = e.clip(channels=[2, 1], remap_channels=True)
    assert events(chosen) == ([0.5, 2.0, 3.5], [0, 1, 0]) and chosen.num_channels == 2
    one = e.clip(2.5, 4, channels=[1, 2], remap_channels=True)
    assert events(one) == ([3.5], [0]) and one.num_channels == 2
    # Rank in the sorted request, whether or not channel 1 has events (Rockpool gives 0: a trap).
    assert e.clip(1.8, 2.5, channels=[1, 2], remap_channels=True).channels.tolist() == [1]


def test_clip_empty_series_and_errors(e):
    empty = TSEvent(num_channels=4).clip(5, 6)
    assert (empty.t_start, empty.t_stop, empty.num_channels) == (5, 6, 4)
    assert TSEvent(num_channels=4).clip(channels=[1, 3], remap_channels=True).num_channels == 2
    assert TSEvent(num_channels=2).clip(2, 3, remap_channels=True).num_channels == 0
    with pytest.raises(IndexError, match="Channels must be between 0 and 2"):
        e.clip(channels=5)
    with pytest.raises(ValueError, match=r"`clip` needs t_start <= t_stop"):
        e.clip(3, 1)
    periodic = TSEvent([0.5], [0], t_start=0, t_stop=1, periodic=True).clip(0, 3)
    assert events(periodic)[0] == [0.5, 1.5, 2.5] and periodic.periodic is False


def test_remap_channels(e):
    remapped = e.remap_channels([5, 6, 7])
    assert remapped.channels.tolist() == [6, 5, 7, 6] and remapped.num_channels == 8
    with pytest.raises(ValueError, match=r"`channel_map` must be of size 3"):
        e.remap_channels([1, 2])
    assert e.remap_channels([2, 1, 0], inplace=True) is e


def test_merge_with_delay(o1, o2):
    assert events(o1.merge(o2)) == ([0.1, 0.2, 0.6], [3, 0, 1])
    delayed = o1.merge(o2, delay=2)
    assert events(delayed) == ([0.2, 0.6, 2.1], [0, 1, 3]) and delayed.t_stop == 2.5
    listed = o1.merge([o2, o2], delay=[1, 3])
    assert events(listed)[0] == [0.2, 0.6, 1.1, 3.1] and listed.t_stop == 3.5
    with pytest.raises(ValueError, match=r"got 1 `delay` values for 2 series"):
        o1.merge([o2, o2], delay=[1])
    from_empty = TSEvent().merge(o2, delay=5)
    assert events(from_empty)[0] == [5.1] and (from_empty.t_start, from_empty.t_stop) == (0, 5.5)
    assert events(o1.merge(o1, remove_duplicates=True))[0] == [0.2, 0.6]
    with pytest.raises(TypeError, match="Can only merge with `TSEvent` objects"):
        o1.merge(5)


def test_merge_sort_is_stable():
    first = TSEvent([0.5], [3], t_start=0, t_stop=1)
    merged = first.merge(TSEvent([0.5], [1], t_start=0, t_stop=1))
    assert merged.channels.tolist() == [3, 1]


def test_append_t_offsets(o1, o2):
    joined = o1.append_t(o2)
    assert events(joined)[0] == [0.2, 0.6, 1.1] and (joined.t_stop, joined.num_channels) == (1.5, 4)
    listed = o1.append_t([o2, o1], offset=[0.5, 1])
    assert events(listed)[0] == [0.2, 0.6, 1.6, 3.2, 3.6] and listed.t_stop == 4.0
    concatenated = TSEvent.concatenate_t([o1, o2], offset=[0, 0.25])
    assert events(concatenated)[0] == [0.2, 0.6, 1.35] and concatenated.t_stop == 1.75
    assert events(TimeSeries.concatenate_t([o1, o2], offset=[0, 0.25])) == events(concatenated)
    from_empty = TSEvent().append_t(TSEvent([1.2], [0], t_start=1, t_stop=2))
    assert events(from_empty)[0] == [0.2] and (from_empty.t_start, from_empty.t_stop) == (0, 1.0)
    with pytest.raises(ValueError, match=r"got 3 `offset` values for 2 series"):
        o1.append_t([o2, o1], offset=[1, 2, 3])


def test_append_c(o1, o2):
    stacked = o1.append_c(o2)
    assert events(stacked) == ([0.1, 0.2, 0.6], [5, 0, 1]) and stacked.num_channels == 6
    assert events(TSEvent().append_c([o1, o2])) == events(stacked)


def test_periodic_merge_is_not_periodic(o2):
    periodic = TSEvent([0.5], [0], t_start=0, t_stop=1, periodic=True)
    assert periodic.merge(o2, delay=3).periodic is False
    assert periodic.append_t(o2).periodic is False


def test_iter_repr_and_print(capsys):
    ev = TSEvent([0.1, 0.5], [0, 1], t_start=0.1, t_stop=1.0, name="ev")
    assert list(ev) == [(0.1, 0), (0.5, 1)]
    assert (
        repr(ev) == "non-periodic `TSEvent` object `ev` from t=0.1 to 1.0. Channels: 2. Events: 2"
    )
    assert repr(TSEvent()) == "Empty `TSEvent` object `unnamed` from t=0 to t=0."
    ev.print()
    assert capsys.readouterr().out.splitlines() == [
        repr(ev),
        "Time \t Ch.-ID",
        "0.1: \t 0",
        "0.5: \t 1",
    ]
    many = TSEvent(np.arange(12) * 0.1, 0, t_stop=2)
    many.print()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 + 4 + 1 + 4 and lines[6] == "\t..."
    many.print(full=True)
    assert len(capsys.readouterr().out.splitlines()) == 14


def test_raster_warns_once_when_add_events_false_merges_events():
    r = TSEvent([0.05, 0.1, 0.3, 0.3], [0, 0, 1, 1], t_start=0, t_stop=0.4, name="r")
    with pytest.warns(
        UserWarning, match=r"There are channels with multiple events per time step"
    ) as caught:
        raster = r.raster(0.1)
    assert len(caught) == 1
    np.testing.assert_array_equal(raster, [[1, 0], [1, 0], [0, 0], [0, 1]])
    assert raster.dtype == bool
    np.testing.assert_array_equal(r.raster(0.1, add_events=True)[3], [0, 2])
