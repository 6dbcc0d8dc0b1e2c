"""TimedModule subclasses: the clock, ``_prepare_input``, ``_gen_timeseries`` and nesting.

Golden values are the worked examples of ``timeseries-compat.md`` §8 (``Doubler``,
``Passthrough`` and ``Pair`` are the toy subclasses described there), with shoal's decided
departures (round-up step counts, single step conversion, recursive clock reset).
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import Rate
from shoal.nn.modules._timed_clock import MissingDurationError
from shoal.nn.modules.timed_module import TimedModule
from shoal.timeseries import TSContinuous, TSEvent

from .toys import Doubler, Pair, build_pair, clocked


# ---------------------------------------------------------------------------- §8.1 attributes
def test_constructor_attributes_and_clock_setter():
    mod = Doubler(3, dt=0.01)
    assert repr(mod) == "Doubler with shape (3,)"
    assert (mod.dt, mod.t, mod.size_in, mod.size_out) == (0.01, 0.0, 3, 3)
    assert not mod.spiking_input and not mod.spiking_output
    assert mod.input_type is TSContinuous and mod.output_type is TSContinuous
    assert Doubler(2, spiking_input=True, spiking_output=True).input_type is TSEvent
    mod.t = 0.055
    assert mod.t == pytest.approx(0.05)
    with pytest.raises(ValueError, match=r"Doubler.t: expected a finite time >= 0 seconds"):
        mod.t = -1.0


# ---------------------------------------------------------------------------- §8.2 the clock
def test_call_advances_the_clock_once_and_passes_the_step_count():
    mod = Doubler(2, dt=0.01)
    out, state, record = mod(clocked(np.arange(20).reshape(10, 2)))
    assert mod.received == [(None, 10)]
    np.testing.assert_allclose(out.samples[:2], [[0, 2], [4, 6]])
    np.testing.assert_allclose(out.times, np.arange(10) * 0.01)
    assert out.name == "Output samples"
    assert mod.t == pytest.approx(0.1)
    assert list(state) == ["level"] and record == {}
    np.testing.assert_array_equal(state["level"], [0.0, 0.0])


def test_a_second_call_past_the_input_end_raises_and_periodic_input_repeats():
    mod = Doubler(2, dt=0.01)
    ts = clocked(np.arange(20).reshape(10, 2))
    mod(ts)
    with pytest.raises(ValueError, match="Cannot determine an appropriate evolution duration"):
        mod(ts)
    mod = Doubler(2, dt=0.01)
    periodic = clocked(np.arange(20).reshape(10, 2), periodic=True)
    mod(periodic)
    out, _, _ = mod(periodic)
    assert mod.t == pytest.approx(0.2)
    assert out.t_start == pytest.approx(0.1)
    np.testing.assert_allclose(out.samples[:2], [[0, 2], [4, 6]])


def test_evolve_called_directly_also_advances_the_clock():
    mod = Doubler(2, dt=0.01)
    mod.evolve(num_timesteps=4)
    assert mod.t == pytest.approx(0.04)


def test_subclass_evolve_is_called_positionally():
    class NoKwargsTimeseries(TimedModule):
        # The high-level notebook's signature: kwargs_timeseries lands in `record`.
        def evolve(self, ts_input, duration, num_timesteps, record=False, *args, **kwargs):
            self.got = (num_timesteps, record, args)
            _, raster, _ = self._prepare_input(ts_input, duration, num_timesteps)
            return self._gen_timeseries(raster), {}, {}

    mod = NoKwargsTimeseries(dt=0.5, shape=1)
    mod(duration=1.0, record=True)
    assert mod.got == (2, {}, (True,))
    assert mod.t == 1.0


def test_super_evolve_does_not_advance_the_clock_twice():
    class Tripler(Doubler):
        factor = 3

        def evolve(self, *args, **kwargs):
            return super().evolve(*args, **kwargs)

    mod = Tripler(2, dt=0.01)
    out, _, _ = mod(num_timesteps=3)
    assert mod.t == pytest.approx(0.03) and out.samples.shape == (3, 2)


def test_a_failed_call_leaves_the_clock_and_state():
    mod = Doubler(2, dt=0.01)
    with pytest.raises(ValueError, match=r"Input has wrong neuron dimension. It is 3, must be 2"):
        mod(clocked(np.ones((3, 3))))
    assert mod.t == 0.0


# ---------------------------------------------------------------------------- §8.3 step count
@pytest.mark.parametrize(
    ("dt", "kwargs", "steps"),
    [
        (0.01, {"ts_input": TSContinuous([0.0, 0.021], np.ones((2, 2)))}, 3),  # Rockpool: 2
        (0.1, {"duration": 0.3}, 3),
        (0.1, {"duration": 0.2999995}, 3),
        (0.1, {"num_timesteps": np.int64(3)}, 3),  # NumPy integers are accepted
    ],
)
def test_step_count_rounds_up_within_tolerance(dt, kwargs, steps):
    mod = Doubler(2, dt=dt)
    out, _, _ = mod(**kwargs)
    assert out.samples.shape[0] == steps
    assert mod.t == pytest.approx(steps * dt)


def test_wrapper_step_count_keeps_a_trailing_partial_step():
    tmod = Rate(2).timed()
    tmod(duration=0.0025)
    assert tmod.t == pytest.approx(0.003)  # Rockpool floors to 0.002


def test_step_count_errors():
    mod = Doubler(2, dt=0.01)
    with pytest.raises(ValueError, match=r"Doubler: `num_timesteps` must be >= 1; got 0"):
        mod(num_timesteps=0)
    with pytest.raises(TypeError, match=r"`num_timesteps` must be a whole number of steps"):
        mod(num_timesteps=2.5)
    with pytest.raises(MissingDurationError, match="one of 'num_timesteps', 'ts_input' or"):
        mod()
    assert issubclass(MissingDurationError, TypeError)
    assert issubclass(MissingDurationError, ValueError)
    assert mod.t == 0.0


# ---------------------------------------------------------------------------- §8.4 input
def test_prepare_input_continuous():
    mod = Doubler(2, dt=0.01)
    time_base, raster, steps = mod._prepare_input(clocked(np.ones((3, 2))))
    np.testing.assert_allclose(time_base, [0.0, 0.01, 0.02])
    np.testing.assert_array_equal(raster, np.ones((3, 2)))
    assert steps == 3 and mod.t == 0.0  # the clock is not changed
    time_base, raster, _ = mod._prepare_input(num_timesteps=2)
    np.testing.assert_array_equal(raster, np.zeros((2, 2)))


def events_1_2_15_ms():
    return TSEvent([0.001, 0.002, 0.015], [0, 0, 1], t_start=0.0, t_stop=0.03)


def test_prepare_input_events_add_events_true_by_default():
    mod = Doubler(2, dt=0.01, spiking_input=True, spiking_output=True)
    _, raster, _ = mod._prepare_input(events_1_2_15_ms())
    np.testing.assert_array_equal(raster, [[2, 0], [0, 1], [0, 0]])
    out, _, _ = mod(events_1_2_15_ms())
    assert isinstance(out, TSEvent) and out.num_channels == 2
    np.testing.assert_allclose(out.times, [0.005] * 4 + [0.015] * 2)
    np.testing.assert_array_equal(out.channels, [0, 0, 0, 0, 1, 1])


def test_prepare_input_events_add_events_false_warns_about_merged_events():
    mod = Doubler(2, dt=0.01, spiking_input=True, add_events=False)
    with pytest.warns(UserWarning, match="Doubler: add_events=False merged 1 events"):
        _, raster, _ = mod._prepare_input(events_1_2_15_ms())
    np.testing.assert_array_equal(raster, [[True, False], [False, True], [False, False]])


def test_input_type_follows_spiking_input():
    spiking = Doubler(2, dt=0.01, spiking_input=True)
    with pytest.raises(TypeError, match=r"only receive inputs of class `TSEvent`.*from_raster"):
        spiking(clocked(np.ones((3, 2))))
    with pytest.raises(TypeError, match=r"Doubler: This TimedModule can only receive inputs of"):
        Doubler(2, dt=0.01)(events_1_2_15_ms())
    with pytest.raises(TypeError, match=r"`ts_input` must be a TSContinuous \(or None\)"):
        Doubler(2, dt=0.01)(np.ones((3, 2)))
    assert spiking.t == 0.0


def test_prepare_input_checks_the_channel_count():
    with pytest.raises(ValueError, match=r"Doubler: Input has wrong neuron dimension. It is 3"):
        Doubler(2, dt=0.01)._prepare_input(clocked(np.ones((3, 3))))
    with pytest.raises(ValueError, match="the input has 3 channels, but Doubler takes 2"):
        Doubler(2, dt=0.01, spiking_input=True)._prepare_input(
            TSEvent([0.001], [2], t_start=0.0, t_stop=0.03)
        )


def test_prepare_input_warns_when_nan_samples_come_outside_the_input():
    ts = clocked(np.ones((5, 2)))
    ts.beyond_range_exception = False
    # Two warnings: the module's about the period, then the series' own NaN warning.
    with (
        pytest.warns(UserWarning, match="Will return `NaN`"),
        pytest.warns(UserWarning, match=r"Evolution period \(t = 0.0 to 0.09\) is not fully"),
    ):
        _, raster, _ = Doubler(2, dt=0.01)._prepare_input(ts, num_timesteps=10)
    assert np.isnan(raster[6:]).all() and not np.isnan(raster[:5]).any()


# ---------------------------------------------------------------------------- §8.5 output
def test_gen_timeseries_continuous():
    mod = Doubler(2, dt=0.01)
    out = mod._gen_timeseries(np.ones((1, 4, 2)))
    np.testing.assert_allclose(out.times, [0.0, 0.01, 0.02, 0.03])
    assert out.t_stop == pytest.approx(0.04)
    custom = mod._gen_timeseries(np.ones((2, 2)), t_start=5.0, dt=0.5, name="x",
                                 interp_kind="linear")  # fmt: skip
    np.testing.assert_allclose(custom.times, [5.0, 5.5])
    assert custom.t_stop == pytest.approx(6.0) and custom.name == "x"


def test_gen_timeseries_events():
    mod = Doubler(2, dt=0.01, spiking_output=True)
    out = mod._gen_timeseries(np.array([[1, 0], [2, 1]]))
    np.testing.assert_allclose(out.times, [0.005, 0.015, 0.015, 0.015])
    np.testing.assert_array_equal(out.channels, [0, 0, 0, 1])
    assert (out.t_start, out.t_stop) == (0.0, pytest.approx(0.02))


def test_gen_timeseries_rejects_other_keywords():
    with pytest.raises(TypeError, match=r"_gen_timeseries got unexpected keyword argument\(s\)"):
        Doubler(2, dt=0.01, spiking_output=True)._gen_timeseries(np.ones((2, 2)), units="V")


def test_kwargs_timeseries_reach_gen_timeseries_and_names_carry_the_module_name():
    mod = Doubler(2, dt=0.01)
    out, _, _ = mod(num_timesteps=2, kwargs_timeseries={"name": "custom", "periodic": True})
    assert out.name == "custom" and out.periodic
    pair = build_pair(2, 1e-3, 2e-3, dt=1e-3)
    out, _, _ = pair.b(num_timesteps=2)
    assert out.name == "Output samples 'b'"


# ---------------------------------------------------------------------------- §8.7 state
def test_a_subclass_returning_mis_nested_state_gets_the_strict_error():
    class Flat(Pair):
        def evolve(self, ts_input=None, duration=None, num_timesteps=None,
                   kwargs_timeseries=None, record=False):  # fmt: skip
            out, state_a, _ = self.a(ts_input, duration, num_timesteps)
            return out, {**state_a}, {}

    with pytest.warns(UserWarning, match="dt changed"):
        flat = Flat(2, 1e-3, 2e-3)
    _, state, _ = flat(num_timesteps=2)
    with pytest.raises(KeyError, match=r"Flat: set_attributes got unknown keys: 'Flat.level'"):
        flat.set_attributes(state)
    doubler = Doubler(2)
    _, state, _ = doubler(num_timesteps=2)
    doubler.set_attributes({**state, "level": np.ones(2)})  # its own state tree applies
    np.testing.assert_array_equal(doubler.level, np.ones(2))


# ---------------------------------------------------------------------------- error messages
@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (-1.0, r"Doubler: `duration` must be > 0 seconds; got -1.0"),
        (float("nan"), r"Doubler: `duration` must be a finite number of seconds > 0; got nan"),
        ("1", r"Doubler: `duration` must be a finite number of seconds > 0; got '1'"),
        (1e-12, r"Doubler: Cannot determine .*1e-12 s is shorter than one time step"),
    ],
)
def test_bad_durations(duration, message):
    mod = Doubler(2, dt=0.01)
    with pytest.raises(ValueError, match=message):
        mod(duration=duration)
    assert mod.t == 0.0


def test_a_periodic_input_shorter_than_one_step():
    ts = TSContinuous([0.0], [[1.0, 1.0]], periodic=True, t_stop=0.001)
    with pytest.raises(ValueError, match=r"0\.001 s is shorter than one time step"):
        Doubler(2, dt=0.01)(ts)


def test_zeros_need_a_fixed_input_size():
    class Agnostic(TimedModule):
        def evolve(self, ts_input=None, duration=None, num_timesteps=None,
                   kwargs_timeseries=None, record=False):  # fmt: skip
            return self._prepare_input(ts_input, duration, num_timesteps), {}, {}

    with pytest.raises(ValueError, match="Agnostic: the module has no fixed input size; pass"):
        Agnostic(dt=0.01)(num_timesteps=2)
    _, raster, _ = Agnostic(dt=0.01)._prepare_input(clocked(np.ones((2, 3))))  # any width
    assert raster.shape == (2, 3)
