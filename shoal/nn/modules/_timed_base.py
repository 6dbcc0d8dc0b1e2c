""":class:`TimedModule`, the base class of modules that evolve over time series on a clock.

Public through :mod:`shoal.nn.modules.timed_module` (Rockpool's import path). The clock rules
live in :mod:`shoal.nn.modules._timed_clock`.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Iterator, Mapping
from typing import Any, cast

import numpy as np

from shoal._errors import warn_user
from shoal.backend._inputs import host_array
from shoal.nn.modules._constraints import TIME_CONSTANT
from shoal.nn.modules._module_base import ModuleBase
from shoal.nn.modules._registry import store as _store
from shoal.nn.modules._timed_clock import EVOLVING, common_time_step, on_the_clock, steps_for_call
from shoal.nn.modules._timed_records import as_time_step, whole_steps_floor
from shoal.nn.modules._updates import UpdatableModule
from shoal.parameters import SimulationParameter
from shoal.timeseries import TimeSeries, TSContinuous, TSEvent

__all__ = ["TimedModule"]

# Keyword arguments ``_gen_timeseries`` passes on, per output kind (Rockpool's sets; ``units``
# is a shoal extra for continuous output).
_EVENT_KEYWORDS = frozenset(
    {"dt", "t_start", "name", "periodic", "num_channels", "spikes_at_bin_start"}
)
_CONTINUOUS_KEYWORDS = frozenset({"dt", "t_start", "name", "periodic", "interp_kind", "units"})


class TimedModule(UpdatableModule):
    """Base class of modules that evolve over time series, keeping a clock ``t``.

    Subclasses implement ``evolve(ts_input=None, duration=None, num_timesteps=None,
    kwargs_timeseries=None, record=False)`` returning ``(output_series, new_state,
    record_dict)``, usually with the two helpers :meth:`_prepare_input` (series → clocked
    array) and :meth:`_gen_timeseries` (clocked array → series). The base class advances the
    clock once per call, through ``mod(...)`` and ``mod.evolve(...)`` alike: ``evolve``
    receives the step count N as ``num_timesteps`` and ``t`` moves by ``N·dt`` after it
    returns.

    Args:
        dt: Time step in seconds (``> 0``); a simulation parameter of family ``"dt"``.
        spiking_input: Whether the module takes events: its input must then be a
            :class:`~shoal.timeseries.TSEvent`, otherwise a
            :class:`~shoal.timeseries.TSContinuous`.
        spiking_output: Whether the module emits events (``TSEvent`` output).
        add_events: Rasterise event input as counts per step (default ``True``); ``False``
            gives booleans, merging events of one step with a warning.
        ``*args``, ``**kwargs``: Passed on to :class:`~shoal.nn.modules.Module` (``shape=...``).

    Attributes:
        t: The current time in seconds, ``timestep · dt``; assigning floors to whole steps.

    **Nested TimedModules.** When a TimedModule child is assigned (in ``__init__`` or later),
    the parent's ``dt`` becomes the least common multiple of the ``dt`` it was built with and
    its TimedModule children's (on a 1e-7 s grid, at most 100 × the largest; a
    ``UserWarning`` names the change). Plain Module children are not considered: they receive
    arrays at whatever step the parent's ``evolve`` uses. A child called with
    ``num_timesteps=N`` from its parent's ``evolve`` runs ``N · parent.dt / child.dt`` of its
    own steps (converted once). :meth:`reset_time` and :meth:`reset_all` reach every
    TimedModule below.
    """

    _timestep: int
    _user_dt: float
    _add_events: bool

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        evolve = cls.__dict__.get("evolve")
        if callable(evolve) and not getattr(evolve, "_shoal_on_the_clock", False):
            cls.evolve = on_the_clock(evolve)  # type: ignore[method-assign]

    def __init__(
        self,
        dt: float,
        spiking_input: bool = False,
        spiking_output: bool = False,
        add_events: bool = True,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        # Rockpool passes *args on to Module, whose first positional argument is the shape.
        shape = args[0] if args else kwargs.pop("shape", None)
        super().__init__(shape, spiking_input, spiking_output, *args[1:], **kwargs)
        step = as_time_step(self.class_name, dt)
        self.dt = SimulationParameter(step, family="dt", constraint=TIME_CONSTANT)
        _store(self, "_user_dt", step)
        self._timestep = 0
        self._add_events = bool(add_events)

    # ------------------------------------------------------------------ the clock
    @property
    def t(self) -> float:
        """The current time in seconds (``timestep · dt``)."""
        return self._timestep * self.dt

    @t.setter
    def t(self, value: float) -> None:
        if isinstance(value, bool) or not (
            isinstance(value, (int, float, np.number)) and math.isfinite(value) and value >= 0
        ):
            raise ValueError(f"{self._path}.t: expected a finite time >= 0 seconds, got {value!r}")
        self._timestep = whole_steps_floor(float(value), self.dt)

    @property
    def input_type(self) -> type[TimeSeries]:
        """``TSEvent`` for a spiking-input module, else ``TSContinuous``."""
        return TSEvent if self.spiking_input else TSContinuous

    @property
    def output_type(self) -> type[TimeSeries]:
        """``TSEvent`` for a spiking-output module, else ``TSContinuous``."""
        return TSEvent if self.spiking_output else TSContinuous

    def _timed_below(self) -> Iterator[TimedModule]:
        for child in self.modules().values():
            if isinstance(child, TimedModule):
                yield child
                yield from child._timed_below()
            else:
                yield from _timed_in(child)

    def reset_time(self) -> TimedModule:
        """Set this clock and every TimedModule's below back to ``t = 0``. Returns ``self``."""
        self._timestep = 0
        for child in self._timed_below():
            child._timestep = 0
        return self

    def reset_all(self) -> TimedModule:
        """Reset the clocks (:meth:`reset_time`) and the state (``reset_state``)."""
        self.reset_time()
        return cast(TimedModule, self.reset_state())

    def _steps_for_call(self, ts_input: Any, duration: Any, num_timesteps: Any) -> int:
        """Steps of this module's dt for one call (conversion from a parent's steps included)."""
        self._check_input_type(ts_input)  # before anything reads the input's attributes
        parent = EVOLVING.get()
        called_by_parent = parent is not None and any(
            child is self for child in parent.modules().values()
        )
        if called_by_parent and num_timesteps is not None:
            # The parent counts in its own steps; convert once (Rockpool converts twice).
            steps = steps_for_call(self._path, None, None, num_timesteps, self.t, self.dt)
            return steps * round(parent.dt / self.dt)
        steps = steps_for_call(self._path, ts_input, duration, num_timesteps, self.t, self.dt)
        if not called_by_parent and duration is not None and num_timesteps is not None:
            from_duration = steps_for_call(self._path, None, duration, None, self.t, self.dt)
            if from_duration != steps:
                raise ValueError(
                    f"{self._path}: `duration` = {duration} s is {from_duration} steps of "
                    f"dt = {self.dt} s, but `num_timesteps` = {num_timesteps}; give one of them."
                )
        return steps

    def _time_base(self, num_steps: int) -> np.ndarray:
        """Times of the next ``num_steps`` steps, ``t + k·dt`` (computed without drift)."""
        return (self._timestep + np.arange(num_steps)) * self.dt

    # ------------------------------------------------------------------ calling
    @abstractmethod
    def evolve(  # type: ignore[override]
        self,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
        kwargs_timeseries: Mapping[str, Any] | None = None,
        record: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[TimeSeries, dict, dict]:
        """Evolve from ``t`` and return ``(output_series, new_state, record_dict)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[TimeSeries, dict, dict]:  # type: ignore[override]
        """``mod(...)`` is ``mod.evolve(...)``; a failed call restores the state it changed."""
        saved = self.state()
        try:
            return cast(tuple[TimeSeries, dict, dict], self.evolve(*args, **kwargs))
        except BaseException:
            self._restore_states(saved)
            raise

    # ------------------------------------------------------------------ subclass helpers
    def _prepare_input(
        self,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray, int]:
        """The input of the next steps as a clocked array; the clock is not changed.

        Args:
            ts_input: A ``TSEvent`` for a spiking-input module, else a ``TSContinuous``; or
                ``None`` for zeros.
            duration: Seconds to evolve (used when ``num_timesteps`` is ``None``).
            num_timesteps: Steps to evolve (inside ``evolve``: the N it received; used as is).

        Returns:
            ``(time_base, input_raster, num_timesteps)``: ``time_base`` ``(N,)`` is
            ``t + k·dt``; ``input_raster`` ``(N, size_in)`` holds samples, event counts
            (``add_events=True``) or booleans; zeros without input.

        Raises:
            TypeError: ``ts_input`` is not the module's input type.
            ValueError: event channels beyond ``size_in``; a continuous input whose channel
                count differs from ``size_in``; no ``size_in`` to make zeros of.
        """
        self._check_input_type(ts_input)
        steps = steps_for_call(self._path, ts_input, duration, num_timesteps, self.t, self.dt)
        time_base = self._time_base(steps)
        if isinstance(ts_input, TSEvent):
            return time_base, self._event_raster(ts_input, steps), steps
        if isinstance(ts_input, TSContinuous):
            self._check_continuous_channels(ts_input)
            self._warn_if_not_contained(ts_input, time_base)
            return time_base, ts_input(time_base), steps
        if self.size_in is None:
            raise ValueError(
                f"{self._path}: the module has no fixed input size; pass `ts_input` rather than "
                "only a duration."
            )
        return time_base, np.zeros((steps, self.size_in)), steps

    def _check_input_type(self, ts_input: Any) -> None:
        if ts_input is None:
            return
        if self.spiking_input:
            if isinstance(ts_input, TSEvent):
                return
            if isinstance(ts_input, TSContinuous):
                raise TypeError(
                    f"{self._path}: This TimedModule can only receive inputs of class `TSEvent` "
                    "(spiking_input=True), got a TSContinuous. Convert a raster with "
                    "`TSEvent.from_raster(raster, dt)`, or build the module with "
                    "`spiking_input=False` to feed it continuous input."
                )
        elif isinstance(ts_input, TSContinuous):
            return
        elif isinstance(ts_input, TSEvent):
            raise TypeError(
                f"{self._path}: This TimedModule can only receive inputs of class "
                "`TSContinuous` (spiking_input=False), got a TSEvent. Build the module with "
                "`spiking_input=True` to feed it events."
            )
        expected = "TSEvent" if self.spiking_input else "TSContinuous"
        raise TypeError(
            f"{self._path}: `ts_input` must be a {expected} (or None), got a "
            f"{type(ts_input).__name__}. Wrap clocked arrays with "
            "`TSContinuous.from_clocked(data, dt)` or `TSEvent.from_raster(raster, dt)`."
        )

    def _event_raster(self, ts_input: TSEvent, steps: int) -> np.ndarray:
        size_in = self.size_in
        if size_in is not None and ts_input.num_channels > size_in:
            raise ValueError(
                f"{self._path}: the input has {ts_input.num_channels} channels, but "
                f"{self._input_owner()} takes {size_in}."
            )
        channels = list(range(ts_input.num_channels if size_in is None else size_in))
        counts = ts_input.raster(
            self.dt, t_start=self.t, num_timesteps=steps, channels=channels, add_events=True
        )
        if self._add_events:
            return counts
        if counts.size and counts.max() > 1:
            warn_user(
                f"{self._path}: add_events=False merged {int((counts - 1).clip(0).sum())} "
                f"events that fell into the same step of dt = {self.dt} s as another event of "
                "their channel; build with add_events=True to count them "
                "(`.timed(add_events=True)` or `TimedModuleWrapper(module)`).",
                UserWarning,
            )
        return counts > 0

    def _input_owner(self) -> str:
        return self.full_name

    def _check_continuous_channels(self, ts_input: TSContinuous) -> None:
        size_in = self.size_in
        if size_in is not None and ts_input.num_channels != size_in:
            raise ValueError(
                f"{self._path}: Input has wrong neuron dimension. It is "
                f"{ts_input.num_channels}, must be {size_in}"
            )

    def _warn_if_not_contained(self, ts_input: TSContinuous, time_base: np.ndarray) -> None:
        # With beyond_range_exception on (the default) sampling outside raises by itself.
        if ts_input.periodic or getattr(ts_input, "beyond_range_exception", True):
            return
        tolerance = 1e-9 * max(1.0, abs(ts_input.t_stop))
        if time_base[0] >= ts_input.t_start - tolerance and (
            time_base[-1] <= ts_input.t_stop + tolerance
        ):
            return
        warn_user(
            f"{self._path}: Evolution period (t = {time_base[0]} to {time_base[-1]}) is not "
            f"fully contained in input signal (t = {ts_input.t_start} to {ts_input.t_stop}). "
            "You may need to use a 'periodic' time series.",
            UserWarning,
        )

    def _output_label(self) -> str | None:
        """The name appended to default output names (``Output samples 'neurons'``)."""
        return self.name

    def _gen_timeseries(self, output: Any, **kwargs: Any) -> TimeSeries:
        """A clocked output array as a time series starting at ``t`` (before the clock moves).

        Args:
            output: ``(T, N)`` (or ``(B, T, N)``: batch element 0 is used).
            **kwargs: Overrides of the defaults. Spiking output →
                ``TSEvent.from_raster(output, dt=dt, t_start=t, name="Output events",
                periodic=False, num_channels=size_out, spikes_at_bin_start=False)``;
                otherwise ``TSContinuous.from_clocked(output, dt=dt, t_start=t,
                periodic=False, name="Output samples", interp_kind="previous")`` (``units``
                accepted too). The default name gets ``'<name>'`` appended for a named module.

        Raises:
            TypeError: a keyword that the series constructor does not take here.
        """
        array = host_array(output)
        if array.ndim > 2:
            array = array[0]
        label = self._output_label()
        suffix = "" if label is None else f" '{label}'"
        if self.spiking_output:
            allowed = _EVENT_KEYWORDS
            settings: dict[str, Any] = {
                "dt": self.dt,
                "t_start": self.t,
                "name": f"Output events{suffix}",
                "periodic": False,
                "num_channels": self.size_out,
                "spikes_at_bin_start": False,
            }
        else:
            allowed = _CONTINUOUS_KEYWORDS
            settings = {
                "dt": self.dt,
                "t_start": self.t,
                "name": f"Output samples{suffix}",
                "periodic": False,
                "interp_kind": "previous",
            }
        unexpected = sorted(set(kwargs) - allowed)
        if unexpected:
            raise TypeError(
                f"{self._path}: _gen_timeseries got unexpected keyword argument(s) "
                f"{unexpected}; accepted: {sorted(allowed)}"
            )
        settings.update(kwargs)
        if self.spiking_output:
            if settings["num_channels"] is None:  # shape-agnostic module: the output decides
                settings["num_channels"] = array.shape[1] if array.ndim == 2 else 1
            return TSEvent.from_raster(array, **settings)
        return TSContinuous.from_clocked(array, **settings)

    # ------------------------------------------------------------------ nested TimedModules
    def _add_submodule(self, name: str, module: ModuleBase) -> None:
        if isinstance(module, TimedModule) and "dt" in self._registry:
            self._harmonise_dt(name, module)
        super()._add_submodule(name, module)

    def _harmonise_dt(self, name: str, new_child: TimedModule) -> None:
        """Set ``dt`` to the common multiple of the built dt and the TimedModule children's."""
        children = [
            child
            for child_name, child in self.modules().items()
            if child_name != name and isinstance(child, TimedModule)
        ]
        dts = [self._user_dt, *(float(child.dt) for child in [*children, new_child])]
        common = common_time_step(self._path, dts)  # raises before anything changes
        if not math.isclose(common, float(self.dt), rel_tol=1e-9):
            warn_user(
                f"{self._path}: dt changed from {self.dt} s to {common} s, the least common "
                f"multiple of its own dt ({self._user_dt} s) and its TimedModule children's "
                f"dts ({dts[1:]}); each call's num_timesteps counts steps of {common} s.",
                UserWarning,
            )
            self.dt = common


def _timed_in(module: ModuleBase) -> Iterator[TimedModule]:
    """TimedModules anywhere below a plain module (e.g. inside a Sequential)."""
    for child in module.modules().values():
        if isinstance(child, TimedModule):
            yield child
            yield from child._timed_below()
        else:
            yield from _timed_in(child)
