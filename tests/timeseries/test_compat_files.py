"""save / to_dict / load_ts_from_file / TimeSeries.load and TSDictOnDisk (timeseries-compat.md
§5, §6)."""

from __future__ import annotations

import gc
import os
import tempfile
import warnings

import numpy as np
import pytest

from shoal.timeseries import (
    TimeSeries,
    TSContinuous,
    TSDictOnDisk,
    TSEvent,
    load_ts_from_file,
)


@pytest.fixture
def sig() -> TSContinuous:
    ts = TSContinuous(
        [0.0, 0.5, 1.0],
        [[1, 2], [3, 4], [5, 6]],
        t_stop=2,
        periodic=True,
        name="sig",
        interp_kind="linear",
        units="V",
        fill_value=-1,
    )
    ts.beyond_range_exception = False
    return ts


def test_continuous_layout(sig):
    assert sorted(k for k in sig.to_dict() if k[0] in "inpstu") == [
        "interp_kind_linear",
        "name_sig",
        "periodic",
        "samples",
        "t_start",
        "t_stop",
        "times",
        "type_TSContinuous",
        "units",
    ]
    assert "name_unnamed" in TSContinuous([0.0], [1.0]).to_dict()


def test_continuous_round_trip_keeps_everything(sig, tmp_path, capsys):
    sig.save(tmp_path / "c1", verbose=True)
    assert "TSContinuous `sig` has been stored in" in capsys.readouterr().out
    loaded = TimeSeries.load(tmp_path / "c1.npz")
    assert isinstance(loaded, TSContinuous)
    np.testing.assert_array_equal(loaded.samples, sig.samples)
    np.testing.assert_array_equal(loaded.times, sig.times)
    assert (loaded.name, loaded.t_stop, loaded.periodic, loaded.interp_kind) == (
        "sig",
        2,
        True,
        "linear",
    )
    # Rockpool loses these four on a round trip; shoal stores them in extra keys.
    assert (loaded.units, loaded.fill_value, loaded.beyond_range_exception) == ("V", -1, False)


def test_event_round_trip_and_names(tmp_path):
    ev = TSEvent([0.1, 0.4], [0, 3], t_start=0, t_stop=1, name="a/b c.d", num_channels=5)
    ev.save(str(tmp_path / "e1.npz"))
    loaded = TSEvent.load(tmp_path / "e1.npz")
    assert (loaded.name, loaded.num_channels, loaded.t_stop) == ("a/b c.d", 5, 1.0)
    assert loaded.channels.tolist() == [0, 3]
    assert (
        TSContinuous.load is not None and load_ts_from_file(tmp_path / "e1.npz").name == "a/b c.d"
    )


def test_reduced_precision_is_smaller(tmp_path):
    ts = TSContinuous(np.arange(1000) * 1e-3, np.random.default_rng(0).random((1000, 4)))
    ts.save(tmp_path / "full")
    ts.save(tmp_path / "low", dtype_times="float16", dtype_samples="float16")
    assert os.path.getsize(tmp_path / "low.npz") < os.path.getsize(tmp_path / "full.npz")
    loaded = load_ts_from_file(tmp_path / "low.npz")
    assert loaded.t_start <= loaded.times[0] and loaded.t_stop >= loaded.times[-1]
    ev = TSEvent(np.arange(401) * 1e-3 + 1e-4, np.arange(401), t_stop=0.5)
    ev.save(tmp_path / "ev_low", dtype_times="float16", dtype_channels="uint16")
    reloaded = TSEvent.load(tmp_path / "ev_low.npz")
    assert reloaded.t_stop > reloaded.times.max()
    with pytest.raises(
        ValueError,
        match=r"type `uint8` not sufficient for number of channels in this series \(401\)",
    ):
        ev.save(tmp_path / "x", dtype_channels="uint8")
    TSEvent([0.1], [254], t_stop=1).save(tmp_path / "y", dtype_channels="uint8")


def test_temporary_file_and_type_errors(sig):
    with tempfile.TemporaryFile() as handle:
        sig.save(handle)
        assert load_ts_from_file(handle).name == "sig"
        with pytest.raises(
            TypeError,
            match="is of type `TSContinuous`, which does not match expected type `TSEvent`",
        ):
            TSEvent.load(handle)
        with pytest.raises(
            TypeError,
            match="`expected_type` can only be provided when calling "
            "this method from `TimeSeries` class",
        ):
            TSContinuous.load(handle, expected_type="TSContinuous")
        with pytest.raises(TypeError, match="does not match expected type `TSEvent`"):
            TimeSeries.load(handle, expected_type="TSEvent")


def test_files_without_type_or_with_unknown_type(tmp_path):
    np.savez(
        tmp_path / "bare.npz",
        times=np.array([0.0]),
        channels=np.array([0]),
        t_start=np.array(0.0),
        t_stop=np.array(1.0),
        periodic=np.array(False),
        num_channels=np.array(1),
    )
    with pytest.raises(KeyError, match="Cannot determine type of Timeseries"):
        load_ts_from_file(tmp_path / "bare.npz")
    with pytest.warns(UserWarning, match=r"Will assume expected type \('TSEvent'\)"):
        assert isinstance(load_ts_from_file(tmp_path / "bare.npz", "TSEvent"), TSEvent)
    np.savez(tmp_path / "odd.npz", type_Other=np.array([]))
    with pytest.raises(TypeError, match="Type `Other` not supported"):
        load_ts_from_file(tmp_path / "odd.npz")
    with pytest.raises(FileNotFoundError):
        load_ts_from_file(tmp_path / "missing.npz")


def test_rockpool_file_without_interp_marker_is_linear(tmp_path):
    np.savez(
        tmp_path / "r.npz",
        times=np.array([0.0, 1.0]),
        samples=np.array([[0.0], [2.0]]),
        t_start=np.array(0.0),
        t_stop=np.array(1.0),
        periodic=np.array(False),
        type_TSContinuous=np.array([]),
        name_x=np.array([]),
    )
    loaded = load_ts_from_file(tmp_path / "r.npz")
    assert loaded.interp_kind == "linear" and loaded.name == "x"


def test_empty_series_round_trip(tmp_path):
    TSContinuous(num_channels=2).save(tmp_path / "e")
    assert load_ts_from_file(tmp_path / "e.npz").samples.shape == (0, 2)
    TSEvent(num_channels=3).save(tmp_path / "f")
    assert load_ts_from_file(tmp_path / "f.npz").num_channels == 3


# -- TSDictOnDisk (§6) --------------------------------------------------------------------------


def test_ts_dict_on_disk():
    a = TSContinuous([0.0, 1.0], [1.0, 2.0], name="a")
    d = TSDictOnDisk({"a": a, "n": 3})
    assert d["a"] is not d["a"] and d["n"] == 3 and len(d) == 2
    d["a"].name = "changed"
    assert d["a"].name == "a"  # every access loads a fresh copy
    assert list(d) == ["n", "a"]
    assert repr(d) == "TSDictOnDisk.\nKeys of stored TimeSeries objects:\n['a']\nOther keys:\n['n']"
    d["n"] = a
    assert list(d) == ["a", "n"] and isinstance(d["n"], TSContinuous)
    d["a"] = 5
    assert d["a"] == 5
    del d["a"]
    with pytest.raises(KeyError):
        d["a"]
    assert d.get("missing") is None and d.pop("n").name == "a" and len(d) == 0


def test_ts_dict_on_disk_insert():
    a = TSContinuous([0.0, 1.0], [1.0, 2.0])
    d = TSDictOnDisk({"a": a})
    d.insert({"a": 1, "b": a})
    assert d["a"] == 1 and d["b"] is a  # a plain dict is inserted in memory as it is
    other = TSDictOnDisk({"c": a})
    d.insert(other)
    assert isinstance(d["c"], TSContinuous) and "c" in repr(d).split("Other")[0]


def test_ts_dict_on_disk_closes_its_files():
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        d = TSDictOnDisk({"a": TSContinuous([0.0], [1.0])})
        d["a"] = TSContinuous([0.0], [2.0])
        del d
        gc.collect()
