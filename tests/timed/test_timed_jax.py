"""The time-series API with JAX modules: same outputs as NumPy, state kept between calls."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import LIF, Linear, Rate
from shoal.timeseries import TSContinuous, TSEvent

pytest.importorskip("jax")

from shoal.nn.modules import LIFJax, LinearJax, RateJax

DT = 1e-3


def events(n_channels: int, t_stop: float, seed: int = 0) -> TSEvent:
    rng = np.random.default_rng(seed)
    count = int(300 * t_stop * n_channels)
    times = np.sort(rng.uniform(0.0, t_stop * 0.999, count))
    return TSEvent(times, rng.integers(0, n_channels, count), t_start=0.0, t_stop=t_stop)


def two_calls(tmod, ts):
    first, _, _ = tmod(ts, num_timesteps=10)
    second, _, _ = tmod(ts, num_timesteps=10)
    return first, second


@pytest.mark.usefixtures("x64")
def test_rate_two_calls_equal_one_numpy_call():
    samples = np.random.rand(20, 3)
    ts = TSContinuous.from_clocked(samples, dt=DT)
    tmod = RateJax(3).timed()
    first, second = two_calls(tmod, ts)
    whole, _, _ = Rate(3)(samples)
    np.testing.assert_allclose(np.vstack([first.samples, second.samples]), whole[0], rtol=1e-10)
    assert tmod.t == pytest.approx(0.02)
    assert np.any(np.asarray(tmod.module.x) != 0)


@pytest.mark.usefixtures("x64")
def test_lif_numpy_and_jax_agree_and_carry_state():
    ts = events(3, 0.02)
    raster = ts.raster(DT, t_start=0.0, num_timesteps=20, channels=range(3), add_events=True)
    whole, _, _ = LIF(3, spiking_input=True)(raster)
    for cls in (LIF, LIFJax):
        tmod = cls(3, spiking_input=True).timed(add_events=True)
        first, second = two_calls(tmod, ts)
        assert isinstance(first, TSEvent)
        assert first.name == "Output events"
        joined = np.vstack([first.raster(DT, add_events=True), second.raster(DT, add_events=True)])
        np.testing.assert_array_equal(joined, whole[0])
    assert whole.sum() > 0


@pytest.mark.usefixtures("x64")
def test_jax_wrapper_stores_the_updated_module_and_leaves_the_original():
    mod = RateJax(3)
    tmod = mod.timed()
    tmod(TSContinuous.from_clocked(np.ones((10, 3)), dt=DT))
    assert tmod.module is not mod
    assert np.all(np.asarray(tmod.module.x) > 0)
    np.testing.assert_array_equal(np.asarray(mod.x), np.zeros(3))  # JAX modules never mutate
    assert tmod.state()["_module"]["x"] is tmod.module.x


@pytest.mark.usefixtures("x64")
def test_jax_reset_all_and_reset_state_reach_the_module():
    tmod = RateJax(3).timed()
    ts = TSContinuous.from_clocked(np.ones((20, 3)), dt=DT)
    tmod(ts, num_timesteps=10)
    tmod.reset_state()
    np.testing.assert_array_equal(np.asarray(tmod.module.x), np.zeros(3))
    assert tmod.t == pytest.approx(0.01)
    tmod(ts, num_timesteps=10)
    assert tmod.reset_all() is tmod
    assert tmod.t == 0.0
    np.testing.assert_array_equal(np.asarray(tmod.module.x), np.zeros(3))


@pytest.mark.usefixtures("x64")
def test_jax_sequential_records_and_state():
    combinators = pytest.importorskip("shoal.nn.combinators")
    weight = np.random.rand(2, 3) * 2
    ts = TSContinuous.from_clocked(np.random.rand(20, 2), dt=DT)
    results = {}
    for linear, lif in ((Linear, LIF), (LinearJax, LIFJax)):
        net = combinators.Sequential(linear((2, 3), weight=weight), lif(3))
        tmod = net.timed(dt=DT)
        first, _, record = tmod(ts, num_timesteps=10, record=True)
        second, _, _ = tmod(ts, num_timesteps=10, record=True)
        assert isinstance(record["1_LIFJax" if lif is LIFJax else "1_LIF"]["vmem"], TSContinuous)
        results[lif.__name__] = (
            np.vstack([first.raster(DT, add_events=True), second.raster(DT, add_events=True)]),
            record[f"1_{lif.__name__}"]["vmem"].samples,
        )
    np.testing.assert_array_equal(results["LIF"][0], results["LIFJax"][0])
    np.testing.assert_allclose(results["LIF"][1], results["LIFJax"][1], rtol=1e-10)
    assert results["LIF"][0].sum() > 0
