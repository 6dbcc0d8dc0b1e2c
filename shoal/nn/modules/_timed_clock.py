"""The clock of the timed API: step counts, the common time step of nested TimedModules, and
the record of which TimedModule is evolving right now.

Used by :class:`~shoal.nn.modules.timed_module.TimedModule`. The rules (see
``timeseries-compat.md`` §8.3, §8.6 and ``decisions.md``):

* **Step count.** ``num_timesteps`` if given (any integer ≥ 1, NumPy integers included); else
  ``duration`` converted with :func:`shoal.timeseries.num_timesteps` (round *up*, a ratio within
  1e-7 of a whole number counting as that number, so a trailing partial step is simulated —
  Rockpool floors with a 1e-6 s tolerance and drops it); else one period of a periodic input
  (floored); else up to the input's ``t_stop``.
* **Common time step.** A TimedModule's dt becomes the least common multiple, on a 1e-7 s grid,
  of the dt it was built with and its TimedModule children's dts (at most 100 × the largest).
* **Once per call.** :func:`on_the_clock` wraps every subclass's ``evolve``.
* **Who is evolving.** A context variable (no process-global flag, so an exception cannot leave
  it set) holds the TimedModule whose ``evolve`` runs; a child called from its parent's
  ``evolve`` converts the parent's step count to its own steps exactly once.
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from shoal.nn.modules._timed_records import whole_steps_floor
from shoal.timeseries import TimeSeries, num_timesteps

__all__ = [
    "EVOLVING",
    "MissingDurationError",
    "common_time_step",
    "on_the_clock",
    "steps_for_call",
]

#: The TimedModule whose ``evolve`` is running in this context (``None`` outside any).
EVOLVING: contextvars.ContextVar[Any] = contextvars.ContextVar("shoal_timed_evolving", default=None)

#: Grid on which time steps are compared when looking for a common multiple (seconds).
DT_GRID = 1e-7
#: The common time step may be at most this many times the largest time step.
MAX_DT_RATIO = 100


class MissingDurationError(TypeError, ValueError):
    """No input, ``duration`` or ``num_timesteps``: Rockpool raises ``TypeError`` here, shoal's
    earlier releases ``ValueError``; both keep catching it."""


def _check_num_timesteps(owner: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{owner}: `num_timesteps` must be a whole number of steps >= 1; got {value!r} "
            f"({type(value).__name__})."
        )
    if value < 1:
        raise ValueError(f"{owner}: `num_timesteps` must be >= 1; got {value}.")
    return int(value)


def _at_least_one_step(owner: str, steps: int, duration: Any, dt: float) -> int:
    if steps < 1:
        raise ValueError(
            f"{owner}: Cannot determine an appropriate evolution duration: {duration!r} s is "
            f"shorter than one time step (dt = {dt} s)."
        )
    return steps


def steps_for_call(
    owner: str,
    ts_input: TimeSeries | None,
    duration: Any,
    num_steps: Any,
    t: float,
    dt: float,
) -> int:
    """The number of steps of ``dt`` to evolve from time ``t`` (module docstring: the rule).

    Args:
        owner: Module path for error messages.
        ts_input: The input series or ``None``.
        duration: Seconds to evolve, or ``None``.
        num_steps: Steps to evolve, or ``None``; wins over ``duration`` when both are given.
        t: The module's current time in seconds.
        dt: The module's time step in seconds.

    Raises:
        MissingDurationError: nothing to determine the duration from.
        TypeError: ``num_timesteps`` is not an integer.
        ValueError: zero or negative steps, a bad ``duration``, or an input that ends at or
            before ``t``.
    """
    if num_steps is not None:
        return _check_num_timesteps(owner, num_steps)
    if duration is not None:
        if isinstance(duration, bool) or not (
            isinstance(duration, (int, float, np.number)) and math.isfinite(duration)
        ):
            raise ValueError(
                f"{owner}: `duration` must be a finite number of seconds > 0; got {duration!r}."
            )
        if duration <= 0:
            raise ValueError(f"{owner}: `duration` must be > 0 seconds; got {duration!r}.")
        return _at_least_one_step(owner, num_timesteps(float(duration), dt), duration, dt)
    if ts_input is None:
        raise MissingDurationError(
            f"{owner}: Cannot determine an appropriate evolution duration: one of "
            "'num_timesteps', 'ts_input' or 'duration' must be supplied."
        )
    if ts_input.periodic:
        return _at_least_one_step(
            owner, whole_steps_floor(ts_input.duration, dt), ts_input.duration, dt
        )
    steps = num_timesteps(ts_input.t_stop - t, dt) if ts_input.t_stop > t else 0
    if steps < 1:
        raise ValueError(
            f"{owner}: Cannot determine an appropriate evolution duration: the input ends at "
            f"t_stop = {ts_input.t_stop} s, not after the current time t = {t} s. Pass input "
            "that extends past `t`, give `duration` or `num_timesteps`, or call `reset_time()`."
        )
    return steps


def common_time_step(owner: str, dts: Sequence[float]) -> float:
    """The least common multiple of ``dts`` on a 1e-7 s grid.

    Raises:
        ValueError: a dt below the grid, a dt off the grid, or no common multiple within
            100 × the largest dt (Rockpool's two messages).
    """
    units = [round(dt / DT_GRID) for dt in dts]
    if min(units) < 1:
        raise ValueError(
            f"{owner}: dt is too small for one or more layers (layer dt's: {list(dts)}; the "
            f"common time step is searched on a {DT_GRID} s grid). Try a larger value."
        )
    found = math.lcm(*units) * DT_GRID
    on_grid = all(abs(found / dt - round(found / dt)) < 1e-6 for dt in dts)
    if not on_grid or found > MAX_DT_RATIO * max(dts) * (1 + 1e-9):
        raise ValueError(
            f"{owner}: Couldn't find a reasonable common time step (layer dt's: {list(dts)}, "
            f"found: {found:.6g}). Choose time steps that are small multiples of each other."
        )
    # The exact value of the smallest dt that divides it, to keep e.g. 0.002 rather than
    # 0.0020000000000000005 from the grid product.
    for dt in sorted(dts):
        if math.isclose(found, dt, rel_tol=1e-9):
            return float(dt)
    return float(round(found, 12))


def on_the_clock(evolve: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``evolve`` so that every call advances the clock once.

    The step count N is worked out from the caller's arguments; the subclass's ``evolve`` is
    called **positionally** as ``evolve(ts_input, duration, N, kwargs_timeseries, record,
    *args, **kwargs)`` (Rockpool's contract: a subclass without ``kwargs_timeseries`` receives
    it in ``record``; ``kwargs_timeseries`` is ``{}`` when not given). The clock advances by N
    after it returns, so a failed call leaves the clock alone. A ``super().evolve(...)`` from
    inside the running call passes straight through.
    """

    @functools.wraps(evolve)
    def evolve_on_the_clock(
        self: Any,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
        kwargs_timeseries: Mapping[str, Any] | None = None,
        record: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if EVOLVING.get() is self:
            return evolve(self, ts_input, duration, num_timesteps, kwargs_timeseries, record,
                          *args, **kwargs)  # fmt: skip
        steps = self._steps_for_call(ts_input, duration, num_timesteps)
        # Subclasses write `self._gen_timeseries(out, **kwargs_timeseries)`: give them a dict.
        kwargs_timeseries = {} if kwargs_timeseries is None else kwargs_timeseries
        token = EVOLVING.set(self)
        try:
            result = evolve(self, ts_input, duration, steps, kwargs_timeseries, record,
                            *args, **kwargs)  # fmt: skip
        finally:
            EVOLVING.reset(token)
        self._timestep += steps
        return result

    evolve_on_the_clock._shoal_on_the_clock = True  # type: ignore[attr-defined]
    return evolve_on_the_clock
