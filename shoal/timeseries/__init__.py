"""Time series: sampled signals (`TSContinuous`) and events (`TSEvent`), NumPy only.

Times are in seconds. matplotlib (and holoviews) are imported only when something is drawn.

Examples:
    >>> from shoal.timeseries import TSContinuous, TSEvent
    >>> TSContinuous.from_clocked([[0.0], [1.0]], dt=0.5)(0.75)
    array([[1.]])
    >>> TSEvent([0.2], [1], t_start=0.0, t_stop=1.0).raster(dt=0.5)
    array([[False,  True],
           [False, False]])
"""

from ._backends import get_global_ts_plotting_backend, set_global_ts_plotting_backend
from ._base import TimeSeries, num_timesteps
from ._dict_on_disk import TSDictOnDisk
from ._errors import ChannelIndexError
from ._io import load_ts_from_file
from .continuous import TSContinuous
from .event import TSEvent

__all__ = [
    "ChannelIndexError",
    "TSContinuous",
    "TSDictOnDisk",
    "TSEvent",
    "TimeSeries",
    "get_global_ts_plotting_backend",
    "load_ts_from_file",
    "num_timesteps",
    "set_global_ts_plotting_backend",
]
