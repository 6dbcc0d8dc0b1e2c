"""TimedModuleWrapper against Rockpool's contract (``timeseries-compat.md`` §9, decisions.md)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal._errors import UnknownAttributeError
from shoal.nn.combinators import Sequential
from shoal.nn.modules import ExpSyn, Linear, Module, Rate
from shoal.nn.modules.timed_module import (
    LayerToTimedModule,
    TimedModuleWrapper,
    astimedmodule,
)
from shoal.timeseries import TSContinuous, TSEvent

ONES_5 = TSContinuous.from_clocked(np.ones((5, 2)), dt=1e-3)
TWO_CLOSE_EVENTS = TSEvent([0.0002, 0.0003], [0, 0], t_start=0.0, t_stop=0.005)


def test_rate_worked_example():
    out, state, record = Rate(2).timed()(ONES_5)
    expected = [0.05, 0.0975, 0.142625, 0.185494, 0.226219]
    np.testing.assert_allclose(out.samples, np.repeat(np.array(expected)[:, None], 2, 1), rtol=1e-5)
    assert list(state) == ["x"] and record == {}


def test_add_events_defaults_differ_between_the_wrapper_and_timed():
    out, _, _ = TimedModuleWrapper(ExpSyn(2))(TWO_CLOSE_EVENTS)
    np.testing.assert_allclose(out.samples[0], [1.809675, 0.0], rtol=1e-5)
    with pytest.warns(UserWarning, match="add_events=False merged 1 events"):
        out, _, _ = ExpSyn(2).timed()(TWO_CLOSE_EVENTS)
    np.testing.assert_allclose(out.samples[0], [0.904837, 0.0], rtol=1e-5)


def test_input_type_follows_spiking_input():
    with pytest.raises(TypeError, match=r"TSEvent.from_raster\(raster, dt\)`, or build the module"):
        ExpSyn(2).timed()(ONES_5)
    with pytest.raises(TypeError, match="can only receive inputs of class `TSContinuous`"):
        Rate(2).timed()(TWO_CLOSE_EVENTS)


def test_shape_is_size_in_size_out():
    assert Rate(4).timed().shape == (4, 4)
    assert Linear((2, 3)).timed(dt=1e-3).shape == (2, 3)


def test_output_is_named_after_the_wrapper_in_a_parent():
    class Holder(Module):
        def __init__(self):
            super().__init__(shape=(2, 2))
            self.neurons2 = Rate(2).timed()

        def evolve(self, input_data, record=False):
            return input_data, {}, {}

    out, _, _ = Holder().neurons2(ONES_5)
    assert out.name == "Output samples 'neurons2'"


# ---------------------------------------------------------------------------- §9.5 state
def test_set_attributes_takes_the_state_the_wrapper_returned():
    tmod = Rate(2).timed()
    _, state, _ = tmod(ONES_5)
    assert tmod.set_attributes(state) is tmod
    tmod.set_attributes({"x": np.full(2, 5.0)})
    np.testing.assert_array_equal(tmod.module.x, [5.0, 5.0])
    tmod.set_attributes({"_module": {"x": np.zeros(2)}, "dt": 1e-3})
    np.testing.assert_array_equal(tmod.module.x, [0.0, 0.0])


def test_set_attributes_stays_strict_about_unknown_keys():
    tmod = Rate(2).timed()
    with pytest.raises(UnknownAttributeError, match=r"unknown keys: 'Rate.xx' \(did you mean 'x'"):
        tmod.set_attributes({"xx": np.zeros(2)})


def test_set_attributes_with_returned_state_on_a_jax_module():
    pytest.importorskip("jax")
    from shoal.nn.modules import RateJax

    tmod = RateJax(2).timed()
    _, state, _ = tmod(ONES_5)
    tmod.set_attributes({**state, "x": np.full(2, 3.0)})
    np.testing.assert_allclose(np.asarray(tmod.module.x), [3.0, 3.0])


class ReturnsChildState(Module):
    """Returns its child's state as its own (mis-nested), as in Rockpool's test_wrapper."""

    def __init__(self):
        super().__init__(shape=(2, 2))
        self.dt = 1e-3
        self.inner = Rate(2)

    def evolve(self, input_data, record=False):
        return self.inner(input_data, record=record)


def test_the_wrapper_carry_never_raises_and_warns_once():
    tmod = ReturnsChildState().timed()
    with pytest.warns(UserWarning, match=r"not carried to the next call: 'ReturnsChildState.x'"):
        _, state, _ = tmod(ONES_5)
    _, state, _ = tmod(TSContinuous.from_clocked(np.ones((10, 2)), dt=1e-3))  # no second warning
    assert tmod.t == pytest.approx(0.01)
    # decisions.md: the mis-nested state is not silently accepted by set_attributes
    with pytest.raises(KeyError, match=r"unknown keys: 'ReturnsChildState.x'"):
        tmod.set_attributes(state)


# ---------------------------------------------------------------------------- records
def test_timed_sequential_record_keeps_submodule_keys():
    pytest.importorskip("jax")
    from shoal.nn.modules import LinearJax, RateJax

    tmod = Sequential(LinearJax((2, 3)), RateJax(3)).timed(dt=1e-3)
    _, _, record = tmod(ONES_5, record=True)
    assert set(record) >= {"0_LinearJax", "1_RateJax", "1_RateJax_output"}
    assert isinstance(record["1_RateJax"]["x"], TSContinuous)
    assert record["1_RateJax"]["x"].samples.shape == (5, 3)


# ---------------------------------------------------------------------------- §9.6 v1 layers
def test_v1_layer_adapters_are_not_supported():
    with pytest.raises(NotImplementedError, match="legacy v1 `Layer` API"):
        astimedmodule(parameters=["weights"])
    with pytest.raises(NotImplementedError, match="LayerToTimedModule: shoal does not support"):
        LayerToTimedModule(object())
