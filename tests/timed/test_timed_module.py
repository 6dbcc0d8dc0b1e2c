"""The time-series API: ``Module.timed()``, ``TimedModuleWrapper`` and ``TimedModule``."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import LIF, Instant, Linear, Module, Rate
from shoal.nn.modules.timed_module import TimedModule, TimedModuleWrapper
from shoal.parameters import State
from shoal.timeseries import TSContinuous, TSEvent

DT = 1e-3


def identity_linear(n: int = 2) -> Linear:
    return Linear((n, n), weight=np.eye(n))


def random_events(n_channels: int, t_stop: float, rate: float = 400.0, seed: int = 0) -> TSEvent:
    rng = np.random.default_rng(seed)
    count = int(rate * t_stop * n_channels)
    times = np.sort(rng.uniform(0.0, t_stop * 0.999, count))
    return TSEvent(times, rng.integers(0, n_channels, count), t_start=0.0, t_stop=t_stop)


# ---------------------------------------------------------------------------- construction
def test_timed_returns_wrapper_with_the_module_dt():
    mod = Rate(3, dt=2e-3)
    tmod = mod.timed()
    assert isinstance(tmod, TimedModuleWrapper)
    assert isinstance(tmod, TimedModule)
    assert tmod.dt == 2e-3
    assert tmod.module is mod
    assert tmod.shape == (3, 3)  # Rockpool's wrapper shape: (size_in, size_out)
    assert tmod.t == 0.0


def test_missing_dt_raises_key_error():
    with pytest.raises(KeyError, match="If 'module' has no `dt`, it must be passed as an argument"):
        Linear((2, 3)).timed()


def test_dt_argument_is_a_simulation_parameter_of_family_dt():
    tmod = Linear((2, 3)).timed(dt=0.01)
    assert tmod.dt == 0.01
    assert tmod.simulation_parameters() == {"dt": 0.01, "_module": {}}
    assert tmod.simulation_parameters("dt") == {"dt": 0.01}
    assert tmod._registry["dt"].family == "dt"


def test_dt_argument_must_match_the_module_dt():
    assert LIF(2).timed(dt=1e-3).dt == 1e-3
    with pytest.raises(ValueError, match="differs from the module's own dt"):
        LIF(2).timed(dt=0.01)


@pytest.mark.parametrize("dt", [0.0, -1e-3, float("nan")])
def test_invalid_dt_raises(dt):
    with pytest.raises(ValueError, match="dt"):
        Linear((2, 2)).timed(dt=dt)


def test_bad_constructor_arguments():
    with pytest.raises(TypeError, match="`module` must be a 'Module' object, got ndarray"):
        TimedModuleWrapper(np.zeros(3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="output_num"):
        Rate(2).timed(output_num=1.5)  # type: ignore[arg-type]


def test_introspection_nests_the_module_under_module():
    mod = Rate(2)
    tmod = mod.timed()
    assert list(tmod.parameters()) == ["_module"]
    assert set(tmod.parameters()["_module"]) == {"tau", "bias", "threshold"}
    assert list(tmod.state()) == ["_module"]
    np.testing.assert_array_equal(tmod.state()["_module"]["x"], np.zeros(2))
    assert list(tmod.simulation_parameters()) == ["dt", "_module"]
    assert tmod.modules() == {"_module": mod}
    # The module keeps its own name and repr.
    assert mod.name is None
    assert repr(mod) == "Rate with shape (2,)"


def test_repr_nests_the_module_as_module():
    combinators = pytest.importorskip("shoal.nn.combinators")
    net = combinators.Sequential(Linear((1, 5)), LIF(5))
    tmod = net.timed(dt=1e-3)
    assert repr(tmod) == (
        "TimedModuleWrapper with shape (1, 5) {\n"
        "    ModSequential '_module' with shape (1, 5) {\n"
        "        Linear '0_Linear' with shape (1, 5)\n"
        "        LIF '1_LIF' with shape (5, 5)\n"
        "    }\n"
        "}"
    )
    assert tmod.full_name == "TimedModuleWrapper"
    assert tmod.name is None


# ---------------------------------------------------------------------------- calling
def test_continuous_input_to_rate_matches_the_raw_evolve():
    samples = np.random.rand(10, 3)
    ts = TSContinuous.from_clocked(samples, dt=DT)
    out, state, record = Rate(3).timed()(ts)
    expected, expected_state, _ = Rate(3)(samples)
    assert isinstance(out, TSContinuous)
    assert out.name == "Output samples"
    np.testing.assert_allclose(out.samples, expected[0])
    np.testing.assert_allclose(out.times, np.arange(10) * DT)
    assert out.t_start == 0.0 and out.t_stop == pytest.approx(0.01)
    np.testing.assert_allclose(state["x"], expected_state["x"])
    assert record == {}


def test_event_input_to_lif_gives_events_matching_the_raw_evolve():
    events = random_events(4, 0.02)
    tmod = LIF(4, spiking_input=True).timed(add_events=True)
    out, _, _ = tmod(events)
    raster = events.raster(DT, t_start=0.0, num_timesteps=20, channels=range(4), add_events=True)
    expected, _, _ = LIF(4, spiking_input=True)(raster)
    assert isinstance(out, TSEvent)
    assert out.name == "Output events"
    assert out.num_channels == 4
    np.testing.assert_array_equal(out.raster(DT, add_events=True), expected[0])
    assert expected.sum() > 0


def test_t_advances_by_the_evolved_duration():
    tmod = Rate(2).timed()
    tmod(num_timesteps=10)
    assert tmod.t == pytest.approx(0.01)
    tmod(num_timesteps=10)
    assert tmod.t == pytest.approx(0.02)


def test_output_starts_at_the_current_time():
    tmod = Rate(2).timed()
    tmod(num_timesteps=10)
    out, _, _ = tmod(num_timesteps=5)
    assert out.t_start == pytest.approx(0.01)
    np.testing.assert_allclose(out.times, 0.01 + np.arange(5) * DT)


def test_continuous_input_is_sampled_at_t_plus_k_dt():
    ts = TSContinuous([0.0, 0.1], [[0.0], [1.0]], interp_kind="linear")
    tmod = identity_linear(1).timed(dt=0.01)
    out, _, _ = tmod(ts, num_timesteps=3)
    np.testing.assert_allclose(out.samples[:, 0], [0.0, 0.1, 0.2])
    out, _, _ = tmod(ts, num_timesteps=3)
    np.testing.assert_allclose(out.samples[:, 0], [0.3, 0.4, 0.5])


def test_evolves_up_to_the_end_of_the_input_then_refuses():
    ts = TSContinuous.from_clocked(np.ones((10, 2)), dt=DT)
    tmod = Rate(2).timed()
    out, _, _ = tmod(ts)
    assert out.samples.shape == (10, 2)
    with pytest.raises(ValueError, match="Cannot determine an appropriate evolution duration"):
        tmod(ts)
    assert tmod.t == pytest.approx(0.01)
    tmod.reset_time()
    assert tmod(ts)[0].samples.shape == (10, 2)


def test_step_count_rounding():
    tmod = identity_linear().timed(dt=0.1)
    ts = TSContinuous([0.0, 0.3], np.ones((2, 2)))
    assert tmod(ts)[0].samples.shape[0] == 3  # 0.3 / 0.1 = 2.9999999999999996 counts as 3
    tmod.reset_time()
    assert tmod(duration=0.25)[0].samples.shape[0] == 3  # a trailing partial step is kept
    tmod.reset_time()
    assert tmod(duration=0.3)[0].samples.shape[0] == 3
    # Up to the input's end: from t = 0.3 to t_stop = 0.45 is 1.5 steps -> 2.
    tmod.reset_time()
    tmod(num_timesteps=3)
    assert tmod(TSContinuous([0.0, 0.45], np.ones((2, 2))))[0].samples.shape[0] == 2


def test_periodic_input_evolves_whole_steps_of_one_period():
    ts = TSContinuous([0.0, 0.1], [[0.0], [1.0]], periodic=True, t_stop=0.25)
    tmod = identity_linear(1).timed(dt=0.1)
    out, _, _ = tmod(ts)  # floor(0.25 / 0.1) = 2
    np.testing.assert_allclose(out.samples[:, 0], [0.0, 1.0])
    ts = TSContinuous([0.0, 0.1], [[0.0], [1.0]], periodic=True, t_stop=0.3)
    out, _, _ = identity_linear(1).timed(dt=0.1)(ts)  # 0.3 / 0.1 counts as 3, not 2
    assert out.samples.shape[0] == 3


def test_duration_and_num_timesteps_errors():
    tmod = Rate(2).timed()
    with pytest.raises(ValueError, match="Cannot determine an appropriate evolution duration"):
        tmod()
    with pytest.raises(ValueError, match=r"is 10 steps of dt = 0.001 s, but `num_timesteps` = 9"):
        tmod(duration=0.01, num_timesteps=9)
    with pytest.raises(ValueError, match="num_timesteps"):
        tmod(num_timesteps=0)
    with pytest.raises(TypeError, match="num_timesteps"):
        tmod(num_timesteps=2.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="duration"):
        tmod(duration=-1.0)
    assert tmod.t == 0.0


def test_no_input_evolves_on_zeros():
    tmod = Rate(2, bias=1.0).timed()
    out, _, _ = tmod(duration=0.005)
    expected, _, _ = Rate(2, bias=1.0)(np.zeros((5, 2)))
    np.testing.assert_allclose(out.samples, expected[0])


@pytest.mark.parametrize("bad", [np.zeros((10, 2)), [[0.0, 1.0]], 3.0])
def test_non_timeseries_input_raises_type_error(bad):
    tmod = Rate(2).timed()
    with pytest.raises(TypeError, match="`ts_input` must be a TSContinuous"):
        tmod(bad)
    assert tmod.t == 0.0


def test_events_need_a_spiking_input_module():
    events = TSEvent([0.001], [0], t_start=0.0, t_stop=0.01)
    with pytest.raises(TypeError, match="can only receive inputs of class `TSContinuous`"):
        LIF(2).timed()(events)
    out, _, _ = LIF(2, spiking_input=True).timed()(events)
    assert isinstance(out, TSEvent)


def test_event_input_with_too_many_channels_raises():
    events = TSEvent([0.001], [3], t_start=0.0, t_stop=0.01)
    with pytest.raises(ValueError, match="has 4 channels"):
        LIF(2, spiking_input=True).timed()(events)


def test_add_events_counts_events_per_step():
    events = TSEvent([0.0011, 0.0012, 0.0031], [0, 0, 1], t_start=0.0, t_stop=0.005)
    linear = Linear((2, 2), weight=np.eye(2), spiking_input=True)
    with pytest.warns(UserWarning, match="add_events=False merged 1 events that fell into"):
        out, _, _ = linear.timed(dt=DT)(events)
    np.testing.assert_array_equal(out.samples[:, 0], [0, 1, 0, 0, 0])
    out, _, _ = linear.timed(dt=DT, add_events=True)(events)
    np.testing.assert_array_equal(out.samples[:, 0], [0, 2, 0, 0, 0])
    np.testing.assert_array_equal(out.samples[:, 1], [0, 0, 0, 1, 0])


def test_module_name_is_appended_to_the_output_name():
    combinators = pytest.importorskip("shoal.nn.combinators")
    net = combinators.Sequential(Rate(2), LIF(2))
    out, _, _ = net[0].timed()(num_timesteps=3)
    assert out.name == "Output samples '0_Rate'"
    out, _, _ = net[1].timed()(num_timesteps=3)
    assert out.name == "Output events '1_LIF'"
    assert net[1].name == "1_LIF"  # wrapping does not rename


def test_kwargs_timeseries_reach_the_output_series():
    tmod = Rate(2).timed()
    out, _, _ = tmod(num_timesteps=3, kwargs_timeseries={"name": "rates", "units": "Hz"})
    assert out.name == "rates" and out.units == "Hz"
    with pytest.raises(TypeError, match="kwargs_timeseries"):
        tmod(num_timesteps=3, kwargs_timeseries=["name"])  # type: ignore[arg-type]


class TwoOutputs(Module):
    def __init__(self, n: int) -> None:
        super().__init__(shape=(n, n))
        self.dt = 1e-3

    def evolve(self, input_data, record=False):
        data = np.asarray(input_data)
        return (data, 2 * data), {}, {}


def test_output_num_picks_one_of_several_outputs():
    ts = TSContinuous.from_clocked(np.ones((4, 2)), dt=1e-3)
    assert np.all(TwoOutputs(2).timed()(ts)[0].samples == 1)
    assert np.all(TwoOutputs(2).timed(output_num=1)(ts)[0].samples == 2)
    with pytest.raises(IndexError, match="output_num=2"):
        TwoOutputs(2).timed(output_num=2)(ts)
    with pytest.raises(ValueError, match="single output"):
        Rate(2).timed(output_num=1)(ts)


def test_failed_call_leaves_the_clock_and_state_alone():
    tmod = Rate(3).timed()
    ts = TSContinuous.from_clocked(np.ones((5, 2)), dt=DT)
    with pytest.raises(ValueError, match="wrong neuron dimension"):
        tmod(ts)
    assert tmod.t == 0.0
    np.testing.assert_array_equal(tmod.module.x, np.zeros(3))


# ---------------------------------------------------------------------------- state and reset
def test_numpy_state_carries_over_and_reset():
    samples = np.random.rand(20, 2)
    ts = TSContinuous.from_clocked(samples, dt=DT)
    tmod = Rate(2).timed()
    first, _, _ = tmod(ts, num_timesteps=10)
    second, _, _ = tmod(ts, num_timesteps=10)
    whole, _, _ = Rate(2)(samples)
    np.testing.assert_allclose(np.vstack([first.samples, second.samples]), whole[0])
    tmod.reset_time()
    assert tmod.t == 0.0
    assert np.any(tmod.module.x != 0)  # reset_time keeps the state
    tmod(ts, num_timesteps=10)
    assert tmod.reset_all() is tmod
    assert tmod.t == 0.0
    np.testing.assert_array_equal(tmod.module.x, np.zeros(2))


def test_record_true_gives_timeseries():
    events = random_events(4, 0.01, seed=3)
    tmod = LIF((4, 2), spiking_input=True).timed(add_events=True)  # two synapses per neuron
    out, _, record = tmod(events, record=True)
    assert set(record) == {"spikes", "vmem", "isyn", "irec"}
    assert isinstance(record["spikes"], TSEvent)
    for key in ("vmem", "isyn", "irec"):
        assert isinstance(record[key], TSContinuous)
        assert record[key].name == key
        assert record[key].t_start == 0.0
    assert record["vmem"].num_channels == 2
    assert record["isyn"].num_channels == 4  # (N, n_syn) flattened neuron-major

    raster = events.raster(DT, t_start=0.0, num_timesteps=10, channels=range(4), add_events=True)
    _, _, raw = LIF((4, 2), spiking_input=True)(raster, record=True)
    np.testing.assert_allclose(record["vmem"].samples, raw["vmem"][0])
    np.testing.assert_allclose(record["isyn"].samples, raw["isyn"][0].reshape(10, 4))
    np.testing.assert_array_equal(
        record["spikes"].raster(DT, add_events=True), raw["spikes"][0].astype(int)
    )
    np.testing.assert_array_equal(out.raster(DT, add_events=True), raw["spikes"][0])


def test_sequential_records_are_converted_per_submodule():
    combinators = pytest.importorskip("shoal.nn.combinators")
    net = combinators.Sequential(Linear((1, 3), weight=np.full((1, 3), 2.0)), LIF(3))
    tmod = net.timed(dt=DT)
    ts = TSContinuous.from_clocked(np.ones((10, 1)), dt=DT)
    out, state, record = tmod(ts, record=True)
    assert isinstance(out, TSEvent)
    assert out.name == "Output events"
    assert set(record) == {"0_Linear", "0_Linear_output", "1_LIF", "1_LIF_output"}
    assert record["0_Linear"] == {}
    assert isinstance(record["0_Linear_output"], TSContinuous)
    np.testing.assert_allclose(record["0_Linear_output"].samples, 2.0)
    assert isinstance(record["1_LIF_output"], TSEvent)
    assert isinstance(record["1_LIF"]["spikes"], TSEvent)
    assert isinstance(record["1_LIF"]["vmem"], TSContinuous)
    assert record["1_LIF"]["vmem"].name == "1_LIF.vmem"
    assert set(state) == {"0_Linear", "1_LIF"}
    assert tmod.t == pytest.approx(0.01)


def test_records_without_a_time_axis_are_kept():
    class Constant(Module):
        def __init__(self) -> None:
            super().__init__(shape=(1, 1))
            self.dt = 1e-3
            self.count = State(np.zeros(1))

        def evolve(self, input_data, record=False):
            data = np.asarray(input_data)
            return data, {}, ({"total": data.sum(), "label": "x", "trace": data} if record else {})

    _, _, record = Constant().timed()(num_timesteps=4, record=True)
    assert record["label"] == "x"
    assert record["total"] == 0.0
    assert isinstance(record["trace"], TSContinuous)


def test_module_without_state_passes_through():
    out, state, _ = Instant(2).timed(dt=DT)(TSContinuous.from_clocked(np.ones((3, 2)), dt=DT))
    assert state == {}
    np.testing.assert_allclose(out.samples, 1.0)


# ---------------------------------------------------------------------------- TimedModule
def test_timed_module_is_abstract():
    with pytest.raises(TypeError, match="abstract"):
        TimedModule(dt=1e-3)  # type: ignore[abstract]


def test_a_minimal_timed_module_relies_on_the_base_class_clock():
    class Clock(TimedModule):
        def evolve(
            self,
            ts_input=None,
            duration=None,
            num_timesteps=None,
            kwargs_timeseries=None,
            record=False,
        ):
            times, _, _ = self._prepare_input(ts_input, duration, num_timesteps)
            return self._gen_timeseries(times[:, None]), {}, {}

    clock = Clock(dt=0.5, shape=1)
    out, _, _ = clock(duration=1.0)
    np.testing.assert_allclose(out.samples[:, 0], [0.0, 0.5])
    out, _, _ = clock(num_timesteps=1)
    np.testing.assert_allclose(out.samples[:, 0], [1.0])
    assert clock.t == 1.5
    assert clock.simulation_parameters() == {"dt": 0.5}
    assert clock.reset_all().t == 0.0


def test_continuous_input_starting_after_t_raises_and_keeps_the_clock():
    ts = TSContinuous.from_clocked(np.ones((5, 2)), dt=DT, t_start=0.5)
    tmod = Rate(2).timed()
    with pytest.raises(ValueError, match="beyond the first and last time points"):
        tmod(ts)
    assert tmod.t == 0.0


# ---- issue 14: the module, not the record key's name, says which records are spikes
def test_timed_records_are_events_where_the_module_declares_spikes():
    from shoal.nn.modules import Rate
    from shoal.timeseries import TSContinuous, TSEvent

    class SpikyRate(Rate):
        _spike_records = frozenset({"x"})

    ts = TSContinuous.from_clocked(np.zeros((5, 2)), dt=1e-3)  # x stays 0: whole counts
    _, _, record = SpikyRate(2).timed()(ts, record=True)
    assert isinstance(record["x"], TSEvent)
    _, _, record = Rate(2).timed()(ts, record=True)
    assert isinstance(record["x"], TSContinuous)
