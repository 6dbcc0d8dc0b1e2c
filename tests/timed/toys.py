"""The toy TimedModule subclasses of ``timeseries-compat.md`` §8, shared by the timed tests."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.nn.modules.timed_module import TimedModule
from shoal.parameters import State
from shoal.timeseries import TSContinuous


class Doubler(TimedModule):
    """Rasterises its input, doubles it and wraps it; records what evolve received."""

    factor = 2

    def __init__(self, shape, dt=1e-3, *args, **kwargs):
        super().__init__(shape=shape, dt=dt, *args, **kwargs)  # noqa: B026 -- Rockpool's pattern
        self.level = State(shape=self.size_out, init_func=np.zeros)
        self.received = []

    def evolve(self, ts_input=None, duration=None, num_timesteps=None, kwargs_timeseries=None,
               record=False):  # fmt: skip
        self.received.append((duration, num_timesteps))
        _, raster, _ = self._prepare_input(ts_input, duration, num_timesteps)
        output = self.factor * np.asarray(raster, dtype=float)
        return self._gen_timeseries(output, **(kwargs_timeseries or {})), self.state(), {}


class Passthrough(Doubler):
    factor = 1


class Pair(TimedModule):
    """Two Passthrough children with their own dt, chained."""

    def __init__(self, shape, dt_a, dt_b, dt=1e-3):
        super().__init__(shape=shape, dt=dt)
        self.a = Passthrough(shape, dt=dt_a)
        self.b = Passthrough(shape, dt=dt_b)

    def evolve(self, ts_input=None, duration=None, num_timesteps=None, kwargs_timeseries=None,
               record=False):  # fmt: skip
        mid, _, _ = self.a(ts_input, duration, num_timesteps)
        out, _, _ = self.b(mid, duration, num_timesteps)
        return out, {}, {}


def clocked(rows, dt=0.01, **kwargs):
    return TSContinuous.from_clocked(np.asarray(rows, dtype=float), dt=dt, **kwargs)


def build_pair(*args, **kwargs):
    with pytest.warns(UserWarning, match="dt changed from"):
        return Pair(*args, **kwargs)
