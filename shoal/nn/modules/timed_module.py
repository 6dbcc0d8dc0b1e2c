"""The time-series API: evolve modules over :class:`~shoal.timeseries.TSContinuous` /
:class:`~shoal.timeseries.TSEvent` input with a running clock.

``mod.timed()`` wraps any module in a :class:`TimedModuleWrapper`::

    tmod = LIF(3, spiking_input=True).timed()       # dt taken from the module (1 ms)
    out, state, record = tmod(TSEvent(...), record=True)
    tmod.t                                          # advanced by the evolved duration

The wrapper keeps the module's new state between calls **for every backend**: NumPy modules
update themselves, and a JAX module is replaced by ``module.set_attributes(new_state)`` (Rockpool
drops a JAX module's state between timed calls). So two calls of 10 steps give the same output
as one call of 20 steps. :attr:`TimedModuleWrapper.module` is the current (evolved) module.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, cast

import numpy as np

from shoal._errors import UnknownAttributeError
from shoal.nn.modules._constraints import TIME_CONSTANT
from shoal.nn.modules._timed_records import (
    as_time_step,
    clocked_array,
    pick_output,
    records_to_timeseries,
    to_timeseries,
    whole_steps_floor,
)
from shoal.nn.modules.module import Module
from shoal.parameters import SimulationParameter
from shoal.timeseries import TimeSeries, TSContinuous, TSEvent, num_timesteps

__all__ = ["TimedModule", "TimedModuleWrapper"]


class TimedModule(Module):
    """Base class of modules that evolve over time series, keeping a clock ``t``.

    Subclasses implement :meth:`evolve`; calling the module calls it. The clock starts at 0 and
    advances by the evolved duration on every call.

    Args:
        dt: Time step in seconds (``> 0``); registered as a simulation parameter of family
            ``"dt"``.
        shape: The module's dimensions (see :class:`~shoal.nn.modules.Module`).
        spiking_input: Whether the module takes events (``TSEvent`` input).
        spiking_output: Whether the module emits events (``TSEvent`` output).

    Attributes:
        t: The current time in seconds, ``timestep · dt``.
    """

    _timestep: int

    def __init__(
        self,
        dt: float,
        shape: Any = None,
        spiking_input: bool = False,
        spiking_output: bool = False,
    ) -> None:
        super().__init__(shape=shape, spiking_input=spiking_input, spiking_output=spiking_output)
        self.dt = SimulationParameter(
            as_time_step(self.class_name, dt), family="dt", constraint=TIME_CONSTANT
        )
        self._timestep = 0

    @property
    def t(self) -> float:
        """The current time in seconds (``timestep · dt``)."""
        return self._timestep * self.dt

    def reset_time(self) -> TimedModule:
        """Set the clock back to ``t = 0``; the state is left as it is. Returns ``self``."""
        self._timestep = 0
        return self

    def reset_all(self) -> TimedModule:
        """Reset the clock and the state (:meth:`reset_time` and ``reset_state``)."""
        self.reset_time()
        return cast(TimedModule, self.reset_state())

    @abstractmethod
    def evolve(  # type: ignore[override]
        self,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
        kwargs_timeseries: Mapping[str, Any] | None = None,
        record: bool = False,
    ) -> tuple[TimeSeries, dict, dict]:
        """Evolve from ``t`` and return ``(output_series, new_state, record_dict)``."""

    def __call__(  # type: ignore[override]
        self,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
        kwargs_timeseries: Mapping[str, Any] | None = None,
        record: bool = False,
    ) -> tuple[TimeSeries, dict, dict]:
        """Evolve over ``ts_input`` (or ``duration`` / ``num_timesteps``); see :meth:`evolve`."""
        return self.evolve(ts_input, duration, num_timesteps, kwargs_timeseries, record)

    # ------------------------------------------------------------------ clock helpers
    def _determine_timesteps(
        self, ts_input: TimeSeries | None, duration: Any, num_steps: Any
    ) -> int:
        """The number of steps to evolve (rules in :class:`TimedModuleWrapper`)."""
        if duration is not None and num_steps is not None:
            raise ValueError(
                f"{self._path}: give `duration` or `num_timesteps`, not both; got "
                f"duration={duration!r}, num_timesteps={num_steps!r}."
            )
        if num_steps is not None:
            if isinstance(num_steps, bool) or not isinstance(num_steps, (int, np.integer)):
                raise TypeError(
                    f"{self._path}: `num_timesteps` must be an integer; got {num_steps!r}."
                )
            if num_steps < 1:
                raise ValueError(f"{self._path}: `num_timesteps` must be >= 1; got {num_steps}.")
            return int(num_steps)
        if duration is not None:
            if not (isinstance(duration, (int, float, np.number)) and duration > 0):
                raise ValueError(
                    f"{self._path}: `duration` must be a number of seconds > 0; got {duration!r}."
                )
            return self._at_least_one_step(num_timesteps(float(duration), self.dt), duration)
        if ts_input is None:
            raise ValueError(
                f"{self._path}: Cannot determine an appropriate evolution duration: give "
                "`ts_input`, `duration` or `num_timesteps`."
            )
        if ts_input.periodic:
            steps = whole_steps_floor(ts_input.duration, self.dt)
            return self._at_least_one_step(steps, ts_input.duration)
        if ts_input.t_stop <= self.t:
            raise ValueError(
                f"{self._path}: Cannot determine an appropriate evolution duration: the input "
                f"ends at t_stop = {ts_input.t_stop} s, not after the current time "
                f"t = {self.t} s. Pass input that extends past `t`, give `duration` or "
                "`num_timesteps`, or call `reset_time()`."
            )
        return num_timesteps(ts_input.t_stop - self.t, self.dt)

    def _at_least_one_step(self, steps: int, duration: Any) -> int:
        if steps < 1:
            raise ValueError(
                f"{self._path}: Cannot determine an appropriate evolution duration: "
                f"{duration!r} s is shorter than one time step (dt = {self.dt} s)."
            )
        return steps

    def _time_base(self, num_steps: int) -> np.ndarray:
        """Times of the next ``num_steps`` steps, ``t + k·dt`` (computed without drift)."""
        return (self._timestep + np.arange(num_steps)) * self.dt


class TimedModuleWrapper(TimedModule):
    """Evolve a :class:`~shoal.nn.modules.Module` over time series; made by ``module.timed()``.

    Args:
        module: The module to wrap. It is nested as ``'_module'`` in ``repr``,
            ``parameters()``, ``state()`` and ``simulation_parameters()``; its own ``name`` is
            left unchanged.
        output_num: For a module whose ``evolve`` returns a tuple or list of outputs, the index
            of the one to return; a module returning one array must use 0 (the default).
        dt: Time step in seconds. Default: ``module.dt``. Required when the module has no
            ``dt`` (``Linear``, ``Sequential``...); it must equal ``module.dt`` when both are
            given (the wrapper's clock never disagrees with the module's dynamics). The
            sub-modules' own ``dt`` are not checked.
        add_events: Rasterise ``TSEvent`` input as event counts per step instead of 0/1.

    Calling ``tmod(ts_input=None, duration=None, num_timesteps=None, kwargs_timeseries=None,
    record=False)`` evolves the module from ``t`` and returns
    ``(output_series, new_state, record)``:

    * **Input.** A :class:`~shoal.timeseries.TSContinuous` is sampled at ``t + k·dt``; a
      :class:`~shoal.timeseries.TSEvent` (only for modules with ``spiking_input``) is
      rasterised with ``raster(dt, t_start=t, num_timesteps=T, channels=range(Nin),
      add_events=add_events)``. Without ``ts_input`` the module gets zeros.
    * **Number of steps T.** ``num_timesteps`` if given; else ``duration`` if given, converted
      with :func:`shoal.timeseries.num_timesteps` (``ceil``, with a ratio within 1e-7 of a
      whole number counting as that number); else for a periodic input one period,
      ``floor((duration + tol) / dt)``; else up to the input's end,
      ``num_timesteps(t_stop − t, dt)``. An input ending at or before ``t`` raises a
      ``ValueError`` ("Cannot determine an appropriate evolution duration").
    * **Output.** The module is evolved on one batch element (``(T, Nin)``; B > 1 is not
      possible through this API). Spiking output becomes ``TSEvent.from_raster(...,
      name="Output events")``, other output ``TSContinuous.from_clocked(..., name="Output
      samples")``, starting at ``t``; if the module has a name it is appended (``"Output
      samples 'neurons'"``). ``kwargs_timeseries`` are passed on to that constructor
      (e.g. ``{"name": "rates"}``).
    * **State.** ``module = module.set_attributes(new_state)`` after every call, for both
      backends, so state carries over between calls (NumPy modules already updated
      themselves; a JAX module is replaced by its updated copy). ``t`` advances by ``T·dt``.
    * **Records** (``record=True``) become time series named by their key path: ``spikes``
      and the ``<sub>_output`` of spiking sub-modules become ``TSEvent``; other arrays with a
      time axis become ``TSContinuous``, extra axes flattened into channels (a multi-synapse
      ``isyn`` ``(T, N, n_syn)`` gives ``N·n_syn`` channels, neuron-major); nested records of
      combinators are converted recursively; other entries are kept as they are.

    Raises:
        KeyError: If the module has no ``dt`` and none is given.
        TypeError: (on call) If ``ts_input`` is not a supported time series.

    Examples:
        >>> from shoal.nn.modules import Rate
        >>> from shoal.timeseries import TSContinuous
        >>> tmod = Rate(2).timed()
        >>> tmod
        TimedModuleWrapper with shape (2,) {
            Rate '_module' with shape (2,)
        }
        >>> ts = TSContinuous.from_clocked([[1.0, 2.0]] * 10, dt=1e-3)
        >>> out, state, record = tmod(ts)
        >>> out.name, out.samples.shape, round(tmod.t, 6)
        ('Output samples', (10, 2), 0.01)
    """

    _module: Module
    _output_num: int
    _add_events: bool

    def __init__(
        self,
        module: Module,
        output_num: int = 0,
        dt: float | None = None,
        add_events: bool = False,
    ) -> None:
        owner = type(self).__name__
        if not isinstance(module, Module):
            raise TypeError(f"{owner}: `module` must be a Module, got {type(module).__name__}")
        if isinstance(output_num, bool) or not isinstance(output_num, (int, np.integer)):
            raise TypeError(f"{owner}: `output_num` must be an integer, got {output_num!r}")
        module_dt = getattr(module, "dt", None)
        if dt is None:
            if module_dt is None:
                raise UnknownAttributeError(
                    f"{owner} : If 'module' has no `dt`, it must be passed as an argument. "
                    f"{module.full_name} has none: use e.g. `.timed(dt=1e-3)`."
                )
            dt = module_dt
        elif module_dt is not None and not math.isclose(
            as_time_step(owner, dt), float(module_dt), rel_tol=1e-9
        ):
            raise ValueError(
                f"{owner}: `dt` = {dt} differs from the module's own dt = {module_dt}; the "
                "clock must match the dynamics. Leave `dt` out, or first set the module's dt "
                "with `module.set_attributes({'dt': ...})`."
            )
        super().__init__(
            dt=cast(float, dt),
            spiking_input=module.spiking_input,
            spiking_output=module.spiking_output,
        )
        # Set directly: the shape may hold `None` for shape-agnostic modules.
        object.__setattr__(self, "_shape", module.shape)
        self._output_num = int(output_num)
        self._add_events = bool(add_events)
        # Registered as a submodule without renaming it: `module` may still belong elsewhere.
        object.__setattr__(self, "_module", module)
        object.__setattr__(self, "_submodule_names", ("_module",))

    @property
    def module(self) -> Module:
        """The wrapped module, carrying the state of the latest call."""
        return self._module

    def evolve(  # type: ignore[override]
        self,
        ts_input: TimeSeries | None = None,
        duration: float | None = None,
        num_timesteps: int | None = None,
        kwargs_timeseries: Mapping[str, Any] | None = None,
        record: bool = False,
    ) -> tuple[TimeSeries, dict, dict]:
        """Evolve the wrapped module over ``ts_input``; see :class:`TimedModuleWrapper`."""
        self._check_input_type(ts_input)
        if kwargs_timeseries is not None and not isinstance(kwargs_timeseries, Mapping):
            raise TypeError(
                f"{self._path}: `kwargs_timeseries` must be a dict of keyword arguments for "
                f"the output series, got {type(kwargs_timeseries).__name__}"
            )
        steps = self._determine_timesteps(ts_input, duration, num_timesteps)
        inputs = self._input_array(ts_input, steps)
        module = self._module
        output, new_state, record_dict = module(inputs, record=record)
        t_start = self.t
        ts_output = self._output_series(output, steps, t_start, dict(kwargs_timeseries or {}))
        if record:
            record_dict = records_to_timeseries(record_dict, module, self.dt, t_start, steps)
        object.__setattr__(self, "_module", module.set_attributes(new_state))
        self._timestep += steps
        return ts_output, new_state, record_dict

    # ------------------------------------------------------------------ input and output
    def _check_input_type(self, ts_input: Any) -> None:
        if ts_input is None or isinstance(ts_input, TSContinuous):
            return
        if isinstance(ts_input, TSEvent):
            if self.spiking_input:
                return
            raise TypeError(
                f"{self._path}: {self._module.full_name} does not take spiking input "
                "(spiking_input=False), so `ts_input` must be a TSContinuous, got a TSEvent. "
                "Build the module with `spiking_input=True` to feed it events."
            )
        accepted = "a TSContinuous or a TSEvent" if self.spiking_input else "a TSContinuous"
        raise TypeError(
            f"{self._path}: `ts_input` must be {accepted} (or None), got a "
            f"{type(ts_input).__name__}. Wrap clocked arrays with "
            "`TSContinuous.from_clocked(data, dt)` or `TSEvent.from_raster(raster, dt)`."
        )

    def _input_array(self, ts_input: TimeSeries | None, steps: int) -> np.ndarray:
        """The ``(T, Nin)`` input for the next ``steps`` steps."""
        size_in = self._module.size_in
        if isinstance(ts_input, TSEvent):
            if size_in is not None and ts_input.num_channels > size_in:
                raise ValueError(
                    f"{self._path}: the input has {ts_input.num_channels} channels, but "
                    f"{self._module.full_name} takes {size_in}."
                )
            channels = range(ts_input.num_channels if size_in is None else size_in)
            raster = ts_input.raster(
                self.dt,
                t_start=self.t,
                num_timesteps=steps,
                channels=list(channels),
                add_events=self._add_events,
            )
            return raster.astype(np.float64)
        if isinstance(ts_input, TSContinuous):
            return ts_input(self._time_base(steps))
        if size_in is None:
            raise ValueError(
                f"{self._path}: {self._module.full_name} has no fixed input size; pass "
                "`ts_input` rather than only a duration."
            )
        return np.zeros((steps, size_in))

    def _output_series(
        self, output: Any, steps: int, t_start: float, kwargs: dict[str, Any]
    ) -> TimeSeries:
        output = pick_output(self._path, output, self._output_num)
        array = clocked_array(output, steps)
        if array is None:
            raise ValueError(
                f"{self._path}: expected the module's output to have shape (T, N) or "
                f"(1, T, N) with T = {steps}, got shape {np.shape(output)}."
            )
        spiking = self.spiking_output
        name = "Output events" if spiking else "Output samples"
        if self._module.name is not None:
            name = f"{name} '{self._module.name}'"
        kwargs.setdefault("name", name)
        return to_timeseries(array, self.dt, t_start, spiking, **kwargs)

    # ------------------------------------------------------------------ repr
    def _repr(self, indent: str) -> str:
        head = f"{indent}{self.full_name} with shape {self.shape}"
        inner = indent + "    "
        child = self._module
        text = child._repr(inner)
        # The module keeps its own name; here it is shown under the name it has in the wrapper.
        text = f"{inner}{child.class_name} '_module'{text[len(inner) + len(child.full_name) :]}"
        return f"{head} {{\n{text}\n{indent}}}"
