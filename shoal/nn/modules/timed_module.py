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

:class:`TimedModule` (defined in ``_timed_base``) is the base class for modules written
directly against time series. Rockpool's legacy v1 adapters (``astimedmodule``,
``LayerToTimedModule``, ``rockpool.nn.layers``) are not supported: they exist here only to say
so when used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NoReturn

import numpy as np

from shoal._errors import UnknownAttributeError, warn_user
from shoal.nn.modules._module_base import ModuleBase
from shoal.nn.modules._registry import store as _store
from shoal.nn.modules._timed_base import TimedModule
from shoal.nn.modules._timed_records import (
    as_time_step,
    clocked_array,
    pick_output,
    records_to_timeseries,
)
from shoal.nn.modules._updates import UpdatableModule
from shoal.timeseries import TimeSeries

__all__ = ["LayerToTimedModule", "TimedModule", "TimedModuleWrapper", "astimedmodule"]

V1_UNSUPPORTED = (
    "shoal does not support Rockpool's legacy v1 `Layer` API (`rockpool.nn.layers`, "
    "`astimedmodule`, `LayerToTimedModule`). Write the layer as a `Module` (arrays in, arrays "
    "out) and use `.timed()`, or subclass `TimedModule` with `_prepare_input` / "
    "`_gen_timeseries`."
)


def astimedmodule(*args: Any, **kwargs: Any) -> NoReturn:
    """Not supported: Rockpool's v1 ``Layer`` adapter (raises ``NotImplementedError``)."""
    raise NotImplementedError(f"astimedmodule: {V1_UNSUPPORTED}")


class LayerToTimedModule:
    """Not supported: Rockpool's v1 ``Layer`` adapter (raises ``NotImplementedError``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"LayerToTimedModule: {V1_UNSUPPORTED}")


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
        add_events: Rasterise ``TSEvent`` input as event counts per step (default ``True``
            here, ``False`` for ``module.timed()``, as in Rockpool); with ``False`` events of
            one channel in one step merge into one, with a ``UserWarning``.
        ``*args``, ``**kwargs``: Passed on to :class:`TimedModule`.

    ``shape`` is ``(size_in, size_out)`` of the module (Rockpool's convention).

    Calling ``tmod(ts_input=None, duration=None, num_timesteps=None, kwargs_timeseries=None,
    record=False)`` evolves the module from ``t`` and returns
    ``(output_series, new_state, record)``:

    * **Input** (:meth:`TimedModule._prepare_input`). The input type follows the module's
      ``spiking_input``: a spiking-input module takes only a
      :class:`~shoal.timeseries.TSEvent`, rasterised with ``raster(dt, t_start=t,
      num_timesteps=T, channels=range(Nin), add_events=add_events)``; any other module only a
      :class:`~shoal.timeseries.TSContinuous`, sampled at ``t + k·dt``. The other kind raises
      ``TypeError`` saying how to convert. Without ``ts_input`` the module gets zeros.
    * **Number of steps T.** ``num_timesteps`` if given (an integer ≥ 1, NumPy integers
      too); else ``duration`` if given, converted with :func:`shoal.timeseries.num_timesteps`
      (``ceil``, with a ratio within 1e-7 of a whole number counting as that number; Rockpool
      floors); else for a periodic input one period, ``floor((duration + tol) / dt)``; else up
      to the input's end, ``num_timesteps(t_stop − t, dt)``. An input ending at or before
      ``t`` raises a ``ValueError`` ("Cannot determine an appropriate evolution duration").
    * **Output.** The module is evolved on one batch element (``(T, Nin)``; B > 1 is not
      possible through this API). Spiking output becomes ``TSEvent.from_raster(...,
      name="Output events")``, other output ``TSContinuous.from_clocked(..., name="Output
      samples")``, starting at ``t``; if the wrapper (or else the module) has a name it is
      appended (``"Output samples 'neurons'"``). ``kwargs_timeseries`` are passed on to
      :meth:`TimedModule._gen_timeseries` (e.g. ``{"name": "rates"}``).
    * **State.** ``module = module.set_attributes(new_state)`` after every call, for both
      backends, so state carries over between calls (NumPy modules already updated
      themselves; a JAX module is replaced by its updated copy). State that does not fit the
      module's tree is not carried (one ``UserWarning``); the call never fails on it.
      ``tmod.set_attributes(new_state)`` forwards the returned state to the module.
      ``t`` advances by ``T·dt``.
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
        TimedModuleWrapper with shape (2, 2) {
            Rate '_module' with shape (2,)
        }
        >>> ts = TSContinuous.from_clocked([[1.0, 2.0]] * 10, dt=1e-3)
        >>> out, state, record = tmod(ts)
        >>> out.name, out.samples.shape, round(tmod.t, 6)
        ('Output samples', (10, 2), 0.01)
    """

    _module: UpdatableModule
    _output_num: int
    _warned_state_carry: bool

    def __init__(
        self,
        module: UpdatableModule,
        output_num: int = 0,
        dt: float | None = None,
        add_events: bool = True,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        owner = type(self).__name__
        if not isinstance(module, ModuleBase):
            raise TypeError(
                f"{owner} : `module` must be a 'Module' object, got {type(module).__name__}"
            )
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
        # Rockpool's wrapper shape is (size_in, size_out); a shape-agnostic module has none.
        shape = (module.size_in, module.size_out) if module.shape else None
        super().__init__(dt, module.spiking_input, module.spiking_output, add_events, *args,
                         shape=shape, **kwargs)  # fmt: skip
        self._output_num = int(output_num)
        self._warned_state_carry = False
        # Registered as a submodule without renaming it: `module` may still belong elsewhere.
        _store(self, "_module", module)
        _store(self, "_submodule_names", ("_module",))

    @property
    def module(self) -> UpdatableModule:
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
        if kwargs_timeseries is not None and not isinstance(kwargs_timeseries, Mapping):
            raise TypeError(
                f"{self._path}: `kwargs_timeseries` must be a dict of keyword arguments for "
                f"the output series, got {type(kwargs_timeseries).__name__}"
            )
        _, raster, steps = self._prepare_input(ts_input, duration, num_timesteps)
        module: Any = self._module
        output, new_state, record_dict = module(np.asarray(raster, dtype=np.float64),
                                                record=record)  # fmt: skip
        array = clocked_array(pick_output(self._path, output, self._output_num), steps)
        if array is None:
            raise ValueError(
                f"{self._path}: expected the module's output to have shape (T, N) or "
                f"(1, T, N) with T = {steps}, got shape {np.shape(output)}."
            )
        ts_output = self._gen_timeseries(array, **dict(kwargs_timeseries or {}))
        if record:
            record_dict = records_to_timeseries(record_dict, module, self.dt, self.t, steps)
        self._carry_state(module, new_state)
        return ts_output, new_state, record_dict

    # ------------------------------------------------------------------ hooks of TimedModule
    def _input_owner(self) -> str:
        return self._module.full_name

    def _check_continuous_channels(self, ts_input: Any) -> None:
        """The module checks its input itself (and may broadcast one channel to all)."""

    def _output_label(self) -> str | None:
        return self.name if self.name is not None else self._module.name

    # ------------------------------------------------------------------ state
    def _carry_state(self, module: UpdatableModule, new_state: Any) -> None:
        """Keep the module's new state for the next call; never raises.

        A module whose ``evolve`` returns state that does not fit its own state tree (e.g. a
        child's state as its own) gets what fits carried and one warning per wrapper.
        """
        fitting, misfits = _split_fitting(module, new_state, module.full_name)
        try:
            updated = module.set_attributes(fitting)
        except (ValueError, TypeError, KeyError) as error:
            misfits.append(f"all of it ({error})")
            updated = module
        if misfits and not self._warned_state_carry:
            self._warned_state_carry = True
            warn_user(
                f"{self._path}: {module.full_name}.evolve returned state that does not fit "
                f"its state tree; not carried to the next call: {', '.join(misfits)}. Return "
                "the module's own state layout (as `state()` gives it) to carry it.",
                UserWarning,
            )
        _store(self, "_module", updated)

    def set_attributes(self, new_attributes: Mapping[str, Any]) -> TimedModuleWrapper:
        """Set attributes of the wrapper and its module; also takes the state a call returned.

        Keys naming the wrapper's own attributes (``dt``) or ``'_module'`` apply as usual; any
        other key is forwarded to the wrapped module, so ``tmod.set_attributes(new_state)``
        works with the (un-nested) state a call returned. The module is as strict as ever:
        keys it does not have raise ``KeyError``.
        """
        if not isinstance(new_attributes, Mapping):
            return super().set_attributes(new_attributes)
        own: dict[str, Any] = {}
        forwarded: dict[str, Any] = {}
        for key, value in new_attributes.items():
            target = own if key in self._registry or key == "_module" else forwarded
            target[key] = value
        if forwarded:
            nested = own.get("_module", {})
            own["_module"] = {**nested, **forwarded} if isinstance(nested, Mapping) else nested
        return super().set_attributes(own)

    # ------------------------------------------------------------------ repr
    def _repr(self, indent: str) -> str:
        head = f"{indent}{self.full_name} with shape {self.shape}"
        inner = indent + "    "
        child = self._module
        text = child._repr(inner)
        # The module keeps its own name; here it is shown under the name it has in the wrapper.
        text = f"{inner}{child.class_name} '_module'{text[len(inner) + len(child.full_name) :]}"
        return f"{head} {{\n{text}\n{indent}}}"


def _split_fitting(module: ModuleBase, tree: Any, path: str) -> tuple[dict[str, Any], list[str]]:
    """The part of ``tree`` that names ``module``'s registered attributes, and the rest's paths."""
    if not isinstance(tree, Mapping):
        return {}, [f"{path} (a {type(tree).__name__}, not a dict)"]
    fitting: dict[str, Any] = {}
    misfits: list[str] = []
    children = module.modules()
    for key, value in tree.items():
        if key in module._registry:
            fitting[key] = value
        elif key in children:
            fitting[key], below = _split_fitting(children[key], value, f"{path}.{key}")
            misfits.extend(below)
        else:
            misfits.append(f"'{path}.{key}'")
    return fitting, misfits
