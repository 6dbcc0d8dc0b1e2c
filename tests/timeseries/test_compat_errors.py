"""The remaining error messages of the TimeSeries parity work, each matched once."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.timeseries import TimeSeries, TSContinuous, TSEvent


@pytest.fixture
def ts() -> TSContinuous:
    return TSContinuous([0.0, 1.0, 2.0], [[0, 1], [1, 2], [2, 3]], name="a")


def test_sampling_query_types(ts):
    with pytest.raises(
        TypeError,
        match="TSContinuous `a`: the requested times must be numbers of seconds, not booleans",
    ):
        ts(np.array([True]))
    with pytest.raises(TypeError, match="the requested times must be numbers of seconds; got 'x'"):
        ts("x")


def test_channel_selection_types(ts):
    with pytest.raises(
        TypeError,
        match=r"`channels` must be an integer or a 1-D sequence of "
        r"integers; got \[0\.5\]",
    ):
        ts.clip(channels=[0.5])
    with pytest.raises(TypeError, match=r"channel slice bounds must be integers; got slice\(0\.5"):
        ts[:, 0.5:]
    with pytest.raises(ValueError, match="a channel slice step must not be 0"):
        ts[:, ::0]
    with pytest.raises(TypeError, match="channels must be given as integers, not booleans"):
        ts[:, [True, False]]


def test_matmul_needs_numbers(ts):
    with pytest.raises(TypeError, match="TSContinuous `a`: `@` needs a numeric matrix; got list"):
        ts @ [["x"], ["y"]]


def test_periodic_range_setters_keep_a_period():
    periodic = TSContinuous([0.0], [1.0], t_stop=1.0, periodic=True)
    with pytest.raises(
        ValueError, match=r"a periodic series needs t_stop > t_start \(its period\)"
    ):
        periodic.t_stop = 0.0
    assert periodic.t_stop == 1.0


def test_concatenate_t_needs_series():
    with pytest.raises(
        TypeError,
        match=r"TSEvent\.concatenate_t: `series` must hold TimeSeries "
        "objects; got int",
    ):
        TSEvent.concatenate_t([1, 2])
    assert isinstance(TimeSeries.concatenate_t([TSEvent()]), TSEvent)


def test_missing_plotting_libraries(monkeypatch):
    import sys

    from shoal.timeseries import _backends, set_global_ts_plotting_backend

    monkeypatch.setattr(_backends, "backend_available", lambda name: False)
    with pytest.raises(RuntimeError, match="Matplotlib is not available"):
        set_global_ts_plotting_backend("matplotlib")
    # Selected but not importable (e.g. uninstalled after the choice): still a RuntimeError.
    series = TSContinuous([0.0], [1.0])
    series._plotting_backend = "holoviews"
    monkeypatch.setitem(sys.modules, "holoviews", None)
    with pytest.raises(RuntimeError, match="Holoviews is not available"):
        series.plot()
