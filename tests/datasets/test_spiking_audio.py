"""SHD / SSC loaders on small HDF5 files fabricated in the published layout."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.datasets import load_shd, load_ssc, spiking_audio

h5py = pytest.importorskip("h5py")


def fabricate(path, times, units, labels, layout=("spikes/times", "spikes/units", "labels")):
    """Write recordings the way the SHD/SSC files store them: variable-length arrays."""
    with h5py.File(path, "w") as handle:
        float_vlen = h5py.vlen_dtype(np.dtype("float16"))
        int_vlen = h5py.vlen_dtype(np.dtype("uint16"))
        if "spikes/times" in layout:
            handle.create_dataset("spikes/times", (len(times),), dtype=float_vlen)[...] = [
                np.asarray(t, np.float16) for t in times
            ]
        if "spikes/units" in layout:
            handle.create_dataset("spikes/units", (len(units),), dtype=int_vlen)[...] = [
                np.asarray(u, np.uint16) for u in units
            ]
        if "labels" in layout:
            handle.create_dataset("labels", data=np.asarray(labels, np.uint16))
        handle.create_dataset("extra/speaker", data=np.zeros(len(labels), np.uint16))
    return path


@pytest.fixture
def shd_file(tmp_path):
    times = [[0.0005, 0.0015, 0.0016, 0.0031], [0.002], [0.010, 0.0101]]
    units = [[0, 3, 3, 699], [5], [1, 2]]
    return fabricate(tmp_path / "shd_test.h5", times, units, [7, 19, 0])


def test_rasters_bin_spikes_by_floor_of_time(shd_file):
    data = load_shd(shd_file, dt=1e-3, t_stop=0.005)
    assert data.rasters.shape == (3, 5, 700) and data.rasters.dtype == np.uint8
    np.testing.assert_array_equal(data.labels, [7, 19, 0])
    raster = data.rasters[0]
    assert raster[0, 0] == 1 and raster[1, 3] == 2 and raster[3, 699] == 1
    assert raster.sum() == 4 and data.rasters[1, 2, 5] == 1
    assert data.rasters[2].sum() == 0  # spikes at 10 ms lie after t_stop: dropped
    assert data.dt == 1e-3


def test_default_t_stop_covers_the_latest_spike_and_events(shd_file):
    data = load_ssc(shd_file, dt=2e-3, as_events=True)
    assert data.rasters.shape == (3, 6, 700)  # last spike ~10.1 ms → bin 5 at dt = 2 ms
    assert data.rasters[2, 5, 1] == 1 and data.rasters[2, 5, 2] == 1
    events = data.events[0]
    assert events.num_channels == 700 and events.t_stop == pytest.approx(0.012)
    np.testing.assert_array_equal(events.channels, [0, 3, 3, 699])
    np.testing.assert_array_equal(
        events.raster(dt=2e-3, add_events=True).sum(0), data.rasters[0].sum(0)
    )


def test_indices_load_a_subset(shd_file):
    data = load_shd(shd_file, indices=[2, 0], t_stop=0.02, n_units=700)
    np.testing.assert_array_equal(data.labels, [0, 7])
    assert data.rasters[0, 10, 1] == 1


def test_missing_file_says_where_to_get_it(tmp_path):
    with pytest.raises(
        FileNotFoundError, match=r"load_shd: expected the HDF5 file .*shd_train\.h5.*zenkelab\.org"
    ):
        load_shd(tmp_path / "shd_train.h5")


def test_wrong_layout_is_refused(tmp_path):
    path = fabricate(tmp_path / "x.h5", [[0.1]], [[0]], [1], layout=("spikes/times", "labels"))
    with pytest.raises(
        ValueError, match=r"load_ssc: expected the datasets .* got none for \['spikes/units'\]"
    ):
        load_ssc(path)


def test_units_out_of_range_are_refused(shd_file):
    with pytest.raises(
        ValueError, match=r"recording 0 of .*expected units in \[0, 600\), got unit 699"
    ):
        load_shd(shd_file, n_units=600)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"dt": 0.0}, ValueError, "expected dt a finite number > 0"),
        ({"t_stop": -1.0}, ValueError, "expected t_stop a number > 0"),
        ({"indices": [3]}, IndexError, r"expected indices a 1-D array of recordings in \[0, 3\)"),
    ],
)
def test_bad_arguments(shd_file, kwargs, error, message):
    with pytest.raises(error, match=message):
        load_shd(shd_file, **kwargs)


def test_missing_h5py_names_the_extra(shd_file, monkeypatch):
    def fail(module, extra, feature):
        raise ImportError(f"{feature} needs h5py; pip install 'shoal[{extra}]'")

    monkeypatch.setattr(spiking_audio, "require", fail)
    with pytest.raises(ImportError, match=r"load_shd needs h5py; pip install 'shoal\[data\]'"):
        load_shd(shd_file)


def test_more_than_255_spikes_in_a_bin_widen_the_dtype(tmp_path):
    path = fabricate(tmp_path / "dense.h5", [[0.0001] * 300, [0.0]], [[2] * 300, [0]], [0, 1])
    data = load_shd(path, dt=1e-3, t_stop=0.001)
    assert data.rasters.dtype == np.int32 and data.rasters[0, 0, 2] == 300
    assert data.rasters[1, 0, 0] == 1
