"""shoal: build, simulate and train networks of stateful rate and spiking neurons.

The public surface follows Rockpool's low-level Module API (``shoal.nn.modules``,
``shoal.parameters``, ``shoal.timeseries``). ``import shoal`` imports NumPy only; JAX,
matplotlib and friends load when first used.
"""

from __future__ import annotations

from typing import Any

from shoal._debug import NonFiniteError, debug_mode
from shoal._errors import DeviceMismatchError
from shoal._version import __version__
from shoal.backend._lazy import lazy_attribute

__all__ = [
    "DeviceMismatchError",
    "NonFiniteError",
    "TSContinuous",
    "TSDictOnDisk",
    "TSEvent",
    "TimeSeries",
    "__version__",
    "debug_mode",
    "get_global_ts_plotting_backend",
    "load_ts_from_file",
    "set_global_ts_plotting_backend",
    "list_backends",
]

_LAZY = {
    "TSContinuous": "shoal.timeseries",
    "TSEvent": "shoal.timeseries",
    "TimeSeries": "shoal.timeseries",
    "TSDictOnDisk": "shoal.timeseries",
    "load_ts_from_file": "shoal.timeseries",
    "set_global_ts_plotting_backend": "shoal.timeseries",
    "get_global_ts_plotting_backend": "shoal.timeseries",
    "list_backends": "shoal.nn.modules._backends",
}
_SUBPACKAGES = {
    "nn",
    "parameters",
    "timeseries",
    "training",
    "utilities",
    "typehints",
    "backend",
    "parallel",
}


def __getattr__(name: str) -> Any:
    return lazy_attribute(__name__, name, _LAZY, _SUBPACKAGES)
