"""Time series: sampled signals (`TSContinuous`) and events (`TSEvent`), NumPy only.

Times are in seconds. matplotlib is imported only by the ``plot`` methods.

Examples:
    >>> from shoal.timeseries import TSContinuous, TSEvent
    >>> TSContinuous.from_clocked([[0.0], [1.0]], dt=0.5)(0.75)
    array([[1.]])
    >>> TSEvent([0.2], [1], t_start=0.0, t_stop=1.0).raster(dt=0.5)
    array([[False,  True],
           [False, False]])
"""

from ._base import TimeSeries, num_timesteps
from .continuous import TSContinuous
from .event import TSEvent

__all__ = ["TSContinuous", "TSEvent", "TimeSeries", "num_timesteps"]
