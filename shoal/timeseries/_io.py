"""Saving and loading time series: Rockpool's ``.npz`` layout, plus what Rockpool loses.

Layout (readable by Rockpool): ``times``, ``samples`` / ``channels``, ``t_start``, ``t_stop``,
``periodic`` (and ``num_channels`` for events), and empty marker arrays whose key names carry
text: ``type_<class>``, ``name_<name>``, ``interp_kind_<kind>``. shoal adds ``units``,
``fill_value``, ``beyond_range_exception`` and ``approx_limit_times`` (Rockpool's reader ignores
them; without them a round trip would silently reset these settings).
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ._classes import series_class

if TYPE_CHECKING:
    from ._base import TimeSeries
    from .continuous import TSContinuous
    from .event import TSEvent

__all__ = ["continuous_dict", "event_dict", "load_ts_from_file", "write"]

_NO_NAME = "unnamed"


def _cast_times(series: TimeSeries, dtype: Any, strict_stop: bool) -> dict[str, Any]:
    times = series.times if dtype is None else series.times.astype(dtype)
    start, stop = float(series.t_start), float(series.t_stop)
    if dtype is not None and times.size:
        # Rounded times must stay inside the stored range (an event strictly before t_stop).
        low, high = float(times.min()), float(times.max())
        start = min(start, low)
        stop = max(stop, np.nextafter(high, np.inf) if strict_stop else high)
    return {
        "times": times,
        "t_start": np.array(start),
        "t_stop": np.array(stop),
        "periodic": np.array(series.periodic),
        f"name_{series.name or _NO_NAME}": np.array([]),
        f"type_{type(series).__name__}": np.array([]),
    }


def continuous_dict(series: TSContinuous, dtype_times: Any, dtype_samples: Any) -> dict[str, Any]:
    """Arrays describing a `TSContinuous` (see the module docstring)."""
    data = _cast_times(series, dtype_times, strict_stop=False)
    samples = series.samples
    data["samples"] = samples if dtype_samples is None else samples.astype(dtype_samples)
    data[f"interp_kind_{series.interp_kind}"] = np.array([])
    if series.units is not None:
        data["units"] = np.array(series.units)
    data["fill_value"] = np.array(series.fill_value)
    data["beyond_range_exception"] = np.array(series.beyond_range_exception)
    data["approx_limit_times"] = np.array(series.approx_limit_times)
    return data


def event_dict(series: TSEvent, dtype_times: Any, dtype_channels: Any) -> dict[str, Any]:
    """Arrays describing a `TSEvent` (see the module docstring)."""
    data = _cast_times(series, dtype_times, strict_stop=True)
    channels = series.channels
    if dtype_channels is not None:
        if np.iinfo(dtype_channels).max < series.num_channels:
            raise ValueError(
                f"{series._label}: type `{np.dtype(dtype_channels)}` not sufficient for number "
                f"of channels in this series ({series.num_channels})."
            )
        channels = channels.astype(dtype_channels)
    data["channels"] = channels
    data["num_channels"] = np.array(series.num_channels)
    return data


def write(series: TimeSeries, path: Any, verbose: bool, data: dict[str, Any]) -> None:
    """Write ``data`` uncompressed to ``path`` (``.npz`` appended to a missing suffix)."""
    if isinstance(path, (str, os.PathLike)) and not str(path).endswith(".npz"):
        path = f"{path}.npz"
    np.savez(path, **data)
    if verbose:
        print(f"{series._label} has been stored in `{path}`.")


def _marker(keys: list[str], prefix: str) -> str | None:
    for key in keys:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return None


def _text(data: Any, keys: list[str], key: str, prefix: str, default: str | None) -> str | None:
    if key in keys:
        return str(data[key])
    found = _marker(keys, prefix)
    return default if found is None else found


def load_ts_from_file(path: Any, expected_type: str | None = None) -> TimeSeries:
    """Load a series written by ``save`` (shoal's or Rockpool's).

    Args:
        path: A file name or an open binary file (rewound first).
        expected_type: ``"TSContinuous"`` or ``"TSEvent"``: the type the file must hold.

    Returns:
        The series (a `TSContinuous` or a `TSEvent`).

    Raises:
        TypeError: If the stored type differs from ``expected_type`` or is unknown.
        KeyError: If the file does not say its type and ``expected_type`` is not given.
    """
    if hasattr(path, "seek"):
        path.seek(0)
    with np.load(path) as data:
        keys = list(data.keys())
        stored = _text(data, keys, "str_type", "type_", None)
        if stored is None and "strType" in keys:
            stored = str(data["strType"])
        if stored is None:
            if expected_type is None:
                raise KeyError(f"Cannot determine type of Timeseries at {path}.")
            warnings.warn(
                f"Cannot determine type of Timeseries at {path}. Will assume expected type "
                f"('{expected_type}').",
                UserWarning,
                stacklevel=2,
            )
            stored = expected_type
        if expected_type is not None and stored != expected_type:
            raise TypeError(
                f"Timeseries at `{path}` is of type `{stored}`, which does not match expected "
                f"type `{expected_type}`."
            )
        if stored not in ("TSContinuous", "TSEvent"):
            raise TypeError(f"Type `{stored}` not supported.")
        name = _text(data, keys, "name", "name_", _NO_NAME)
        common: dict[str, Any] = {
            "t_start": float(data["t_start"]),
            "t_stop": float(data["t_stop"]),
            "periodic": bool(data["periodic"]),
            "name": None if name == _NO_NAME else name,
        }
        if stored == "TSContinuous":
            series: TimeSeries = _continuous(series_class("TSContinuous"), data, keys, common)
        else:
            series = series_class("TSEvent")(
                data["times"].astype(np.float64),
                data["channels"].astype(np.int64),
                num_channels=int(data["num_channels"]),
                **common,
            )
        if "trial_start_times" in keys:
            series.trial_start_times = data["trial_start_times"]  # type: ignore[attr-defined]
    return series


def _continuous(cls: type[TSContinuous], data: Any, keys: list[str], common: dict[str, Any]) -> Any:
    samples = data["samples"]
    fill: Any = data["fill_value"].item() if "fill_value" in keys else "extrapolate"
    series = cls(
        data["times"].astype(np.float64),
        samples,
        num_channels=samples.shape[1] if samples.ndim == 2 else None,
        units=str(data["units"]) if "units" in keys else None,
        # Rockpool's reader falls back to linear for files without the marker.
        interp_kind=_text(data, keys, "interp_kind", "interp_kind_", "linear") or "linear",
        fill_value=fill,
        **common,
    )
    for flag in ("beyond_range_exception", "approx_limit_times"):
        if flag in keys:
            setattr(series, flag, bool(data[flag]))
    return series
