"""Helpers of the time-series API: step counts, and clocked arrays (output, records) → series.

Used by :class:`~shoal.nn.modules.timed_module.TimedModuleWrapper`. The rules:

* A leading batch axis of length 1 (``(1, T, ...)``, what auto-batching modules return) is
  dropped; the wrapper always evolves a single batch element.
* The time axis comes first; any further axes are flattened (C order) into channels, so a
  multi-synapse record ``(T, N, n_syn)`` becomes ``(T, N·n_syn)`` with channel
  ``n·n_syn + s`` for neuron ``n``, synapse ``s`` (the same order as ``LIF``'s input
  channels). ``(T,)`` becomes one channel.
* Spike counts become a :class:`~shoal.timeseries.TSEvent` (a count of ``n`` gives ``n``
  events at the bin centre); everything else becomes a :class:`~shoal.timeseries.TSContinuous`.
* A record entry that is not an array with a leading time axis of ``T`` steps is returned
  unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from shoal.backend._inputs import host_array
from shoal.timeseries import TimeSeries, TSContinuous, TSEvent
from shoal.timeseries._base import STEP_TOLERANCE

__all__ = [
    "SPIKE_RECORD_KEYS",
    "as_time_step",
    "clocked_array",
    "pick_output",
    "records_to_timeseries",
    "to_timeseries",
    "whole_steps_floor",
]

#: Record keys that hold spike counts by default (converted to ``TSEvent``): Rockpool's
#: convention, for modules that do not declare their own ``_spike_records``.
SPIKE_RECORD_KEYS = frozenset({"spikes"})


def whole_steps_floor(duration: float, dt: float) -> int:
    """``floor(duration / dt)``, where a ratio within ``STEP_TOLERANCE`` of a whole number counts."""
    ratio = duration / dt
    nearest = round(ratio)
    if abs(ratio - nearest) <= STEP_TOLERANCE * max(1.0, abs(nearest)):
        return int(nearest)
    return math.floor(ratio)


def as_time_step(owner: str, dt: Any) -> float:
    """``dt`` as a float, checked to be a finite number of seconds > 0."""
    try:
        value = float(dt)
    except (TypeError, ValueError):
        raise TypeError(f"{owner}: `dt` must be a number of seconds, got {dt!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{owner}: `dt` must be a finite time step > 0 (seconds), got {dt!r}")
    return value


def pick_output(owner: str, output: Any, output_num: int) -> Any:
    """Output ``output_num`` of a tuple/list of outputs; a single output needs ``output_num=0``."""
    if isinstance(output, (tuple, list)):
        if not -len(output) <= output_num < len(output):
            raise IndexError(
                f"{owner}: output_num={output_num} is out of range: the module returned "
                f"{len(output)} outputs."
            )
        return output[output_num]
    if output_num != 0:
        raise ValueError(
            f"{owner}: output_num={output_num}, but the module returned a single output; "
            "use output_num=0."
        )
    return output


def clocked_array(value: Any, num_steps: int) -> np.ndarray | None:
    """``value`` as a NumPy array ``(T, C)``, or ``None`` if it has no leading time axis of ``T``."""
    if not hasattr(value, "shape") and not isinstance(value, (list, tuple)):
        return None
    try:
        array = host_array(value)
    except (TypeError, ValueError):
        return None
    if array.dtype.kind not in "biuf" or array.ndim == 0:
        return None
    if array.ndim >= 3 and array.shape[0] == 1 and array.shape[1] == num_steps:
        array = array[0]
    if array.shape[0] != num_steps:
        return None
    return array.reshape(num_steps, -1)


def to_timeseries(
    array: np.ndarray, dt: float, t_start: float, spiking: bool, **kwargs: Any
) -> TimeSeries:
    """A clocked ``(T, C)`` array as ``TSEvent`` (spike counts) or ``TSContinuous`` samples."""
    if spiking:
        return TSEvent.from_raster(array, dt=dt, t_start=t_start, **kwargs)
    return TSContinuous.from_clocked(array, dt=dt, t_start=t_start, **kwargs)


def records_to_timeseries(
    record: Mapping[str, Any],
    module: Any,
    dt: float,
    t_start: float,
    num_steps: int,
    prefix: str = "",
) -> dict[str, Any]:
    """Convert a (nested) record dict into time series, following the module tree.

    Args:
        record: The record dict returned by ``module.evolve(..., record=True)``.
        module: The module that produced it; sub-module records (``record[name]``) are
            converted with the sub-module, and ``f"{name}_output"`` entries become events if
            that sub-module has ``spiking_output``.
        dt: Time step in seconds.
        t_start: Time of the first step in seconds.
        num_steps: Number of time steps ``T`` in the record.
        prefix: Dotted path of ``module`` below the wrapped module, used to name the series.

    Returns:
        A dict with the same keys, arrays replaced by series named by their dotted key path.
    """
    children = module.modules() if hasattr(module, "modules") else {}
    converted: dict[str, Any] = {}
    for key, value in record.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            child = children.get(key)
            converted[key] = records_to_timeseries(value, child, dt, t_start, num_steps, f"{path}.")
            continue
        array = clocked_array(value, num_steps)
        if array is None:
            converted[key] = value
            continue
        # The module says which of its records are spikes (built-in models declare it).
        spiking = key in getattr(module, "_spike_records", SPIKE_RECORD_KEYS)
        if key.endswith("_output") and key[: -len("_output")] in children:
            spiking = children[key[: -len("_output")]].spiking_output
        converted[key] = to_timeseries(array, dt, t_start, spiking, name=path)
    return converted
