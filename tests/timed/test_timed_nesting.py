"""Nested TimedModules (``timeseries-compat.md`` §8.6 and its **Do:** list): the parent's dt is
the common multiple of its TimedModule children's, step counts are converted once, and clocks
reset together. ``Pair`` and ``Passthrough`` are the toy subclasses of the spec.
"""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules import Rate
from shoal.nn.modules.timed_module import TimedModule
from shoal.timeseries import TSContinuous

from .toys import Pair, Passthrough, build_pair


# ---------------------------------------------------------------------------- §8.6 nesting
@pytest.mark.parametrize(
    ("dt_a", "dt_b", "dt", "common", "factors"),
    [
        (1e-3, 2e-3, 1e-3, 0.002, (2, 1)),
        (1e-3, 2e-3, 5e-3, 0.01, (10, 5)),
        (1e-3, 3e-3, 1e-3, 0.003, (3, 1)),
        (1e-3, 1.5e-3, 1e-3, 0.003, (3, 2)),
    ],
)
def test_parent_dt_is_the_common_multiple_of_timed_children(dt_a, dt_b, dt, common, factors):
    pair = build_pair(2, dt_a, dt_b, dt=dt)
    assert pair.dt == pytest.approx(common)
    assert (round(pair.dt / pair.a.dt), round(pair.dt / pair.b.dt)) == factors
    if dt == 1e-3 and dt_b == 2e-3:
        assert pair.simulation_parameters() == {"dt": 0.002, "a": {"dt": 0.001}, "b": {"dt": 0.002}}


def test_no_common_time_step_raises_and_leaves_no_global_state():
    with pytest.raises(ValueError, match=r"Pair: Couldn't find a reasonable common time step"):
        Pair(2, 1e-3, 1.23e-4, dt=1e-3)
    with pytest.raises(ValueError, match=r"Pair: dt is too small for one or more layers"):
        Pair(2, 1e-3, 1e-9, dt=1e-3)
    assert build_pair(2, 1e-3, 2e-3, dt=1e-3).dt == pytest.approx(0.002)
    lone = Passthrough(2, dt=1e-3)
    lone(num_timesteps=3)
    assert lone.t == pytest.approx(0.003)


def test_plain_module_children_do_not_change_dt():
    class Holder(TimedModule):
        def __init__(self, dt):
            super().__init__(dt=dt, shape=2)
            self.rate = Rate(2)  # dt 1e-3: a plain module's dt is its own business

        def evolve(self, ts_input=None, duration=None, num_timesteps=None,
                   kwargs_timeseries=None, record=False):  # fmt: skip
            return None, {}, {}

    assert Holder(1e-4).dt == 1e-4
    assert Holder(1.5e-3).dt == 1.5e-3


def test_a_timed_wrapper_child_counts():
    class Holder(TimedModule):
        def __init__(self):
            super().__init__(dt=1e-3, shape=2)
            self.child = Rate(2, dt=2e-3).timed()

        def evolve(self, ts_input=None, duration=None, num_timesteps=None,
                   kwargs_timeseries=None, record=False):  # fmt: skip
            return self.child(ts_input, duration, num_timesteps)

    with pytest.warns(UserWarning, match=r"Holder: dt changed from 0.001 s to 0.002 s"):
        holder = Holder()
    out, _, _ = holder(num_timesteps=3)
    assert out.samples.shape == (3, 2) and holder.child.t == pytest.approx(0.006)


@pytest.mark.parametrize(
    ("kwargs", "parent_steps"),
    [({"duration": 0.02}, 10), ({"num_timesteps": 5}, 5)],
)
def test_children_step_counts_are_converted_once(kwargs, parent_steps):
    pair = build_pair(2, 1e-3, 2e-3, dt=1e-3)
    out, _, _ = pair(**kwargs)
    assert pair.a.received == [(kwargs.get("duration"), 2 * parent_steps)]
    assert pair.b.received == [(kwargs.get("duration"), parent_steps)]
    assert out.samples.shape == (parent_steps, 2)
    duration = parent_steps * 2e-3
    for mod in (pair, pair.a, pair.b):
        assert mod.t == pytest.approx(duration)


def test_periodic_input_through_nested_children():
    pair = build_pair(2, 1e-3, 2e-3, dt=1e-3)
    ts = TSContinuous.from_clocked(np.ones((100, 2)), dt=1e-3, periodic=True)
    out, _, _ = pair(ts)
    assert pair.a.received == [(None, 100)] and pair.b.received == [(None, 50)]
    assert out.samples.shape == (50, 2)
    assert pair.t == pytest.approx(0.1) and pair.a.t == pytest.approx(0.1)


def test_reset_time_reaches_the_children():
    pair = build_pair(2, 1e-3, 2e-3, dt=1e-3)
    pair(num_timesteps=5)
    assert pair.a.t > 0
    pair.reset_time()
    assert (pair.t, pair.a.t, pair.b.t) == (0.0, 0.0, 0.0)
    pair(num_timesteps=5)
    pair.reset_all()
    assert pair.b.t == 0.0


def test_a_child_assigned_after_construction_is_harmonised():
    holder = Passthrough(2, dt=1e-3)
    with pytest.warns(UserWarning, match=r"Passthrough: dt changed from 0.001 s to 0.002 s"):
        holder.c = Passthrough(2, dt=2e-3)
    assert holder.dt == pytest.approx(0.002)


def test_a_child_direct_call_is_not_converted():
    pair = build_pair(2, 1e-3, 2e-3, dt=1e-3)
    pair.a(num_timesteps=4)
    assert pair.a.received == [(None, 4)]
