"""Property tests: round trips between series and clocked arrays / rasters."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from shoal.timeseries import TSContinuous, TSEvent

DTS = st.sampled_from([1e-3, 0.01, 0.1, 0.3, 1.0])
STARTS = st.sampled_from([0.0, 0.1, -2.5, 7.3])
SHAPES = st.tuples(st.integers(1, 40), st.integers(1, 4))


@settings(max_examples=30, deadline=None)
@given(counts=arrays(np.int64, SHAPES, elements=st.integers(0, 3)), dt=DTS, t_start=STARTS)
def test_from_raster_then_raster_gives_the_counts_back(counts, dt, t_start):
    ev = TSEvent.from_raster(counts, dt=dt, t_start=t_start)
    np.testing.assert_array_equal(ev.raster(dt, add_events=True), counts)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        booleans = ev.raster(dt)
    np.testing.assert_array_equal(booleans, counts > 0)
    assert len(caught) == int(counts.max() > 1)  # merged events are reported, once


@settings(max_examples=30, deadline=None)
@given(counts=arrays(np.int64, SHAPES, elements=st.integers(0, 2)), dt=DTS, t_start=STARTS)
def test_from_raster_at_bin_start_round_trips(counts, dt, t_start):
    ev = TSEvent.from_raster(counts, dt=dt, t_start=t_start, spikes_at_bin_start=True)
    np.testing.assert_array_equal(ev.raster(dt, add_events=True), counts)


@settings(max_examples=30, deadline=None)
@given(
    samples=arrays(np.float64, SHAPES, elements=st.floats(-1e3, 1e3)),
    dt=DTS,
    t_start=STARTS,
)
def test_clocked_round_trip(samples, dt, t_start):
    ts = TSContinuous.from_clocked(samples, dt=dt, t_start=t_start)
    np.testing.assert_array_equal(ts.to_clocked(dt), samples)
    # Sampling at t_start + k*dt computed another way gives the same rows.
    times = t_start + dt * np.arange(samples.shape[0])
    np.testing.assert_array_equal(ts(times), samples)
