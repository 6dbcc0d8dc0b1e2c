"""`TSDictOnDisk`: a dict that keeps its time series in temporary files to save memory."""

from __future__ import annotations

import tempfile
import weakref
from collections.abc import Iterator, Mapping, MutableMapping
from typing import IO, Any

from ._base import TimeSeries
from ._io import load_ts_from_file

__all__ = ["TSDictOnDisk"]


class _StoredSeries:
    """One series in its own temporary ``.npz`` file, closed (and deleted) with this object."""

    def __init__(self, series: TimeSeries) -> None:
        # Kept open for the entry's lifetime (a context manager would close it at once).
        self.file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115
        series.save(self.file)  # type: ignore[attr-defined]
        weakref.finalize(self, self.file.close)

    def load(self) -> TimeSeries:
        return load_ts_from_file(self.file)


class TSDictOnDisk(MutableMapping):
    """A mapping whose `TimeSeries` values live on disk; other values stay in memory.

    Each stored series is written to a temporary file when assigned and **loaded afresh on
    every access**: ``d["a"] is d["a"]`` is False, and changing a returned series changes
    nothing stored (assign it again to store the change). Files are closed and deleted when
    the entry is replaced or removed, or the mapping is garbage-collected. Storage uses
    ``save``, so everything ``save`` keeps survives (shoal also keeps units and settings).

    Args:
        data: Initial entries (as for ``dict.update``).

    Examples:
        >>> from shoal.timeseries import TSContinuous
        >>> d = TSDictOnDisk({"a": TSContinuous([0.0, 1.0], [1.0, 2.0]), "n": 3})
        >>> d["a"].samples.ravel(), d["n"]
        (array([1., 2.]), 3)
    """

    def __init__(self, data: Mapping[Any, Any] | None = None) -> None:
        self._on_disk: dict[Any, _StoredSeries] = {}
        self._in_memory: dict[Any, Any] = {}
        self.update(data or {})

    def __setitem__(self, key: Any, value: Any) -> None:
        if isinstance(value, TimeSeries):
            self._in_memory.pop(key, None)
            self._on_disk[key] = _StoredSeries(value)
        else:
            self._on_disk.pop(key, None)
            self._in_memory[key] = value

    def __getitem__(self, key: Any) -> Any:
        if key in self._on_disk:
            return self._on_disk[key].load()
        return self._in_memory[key]

    def __delitem__(self, key: Any) -> None:
        if key in self._on_disk:
            del self._on_disk[key]
        else:
            del self._in_memory[key]

    def __iter__(self) -> Iterator[Any]:
        yield from list(self._in_memory)
        yield from list(self._on_disk)

    def __len__(self) -> int:
        return len(self._in_memory) + len(self._on_disk)

    def insert(self, data: Mapping[Any, Any]) -> None:
        """Add entries, first removing existing keys that ``data`` has.

        A `TSDictOnDisk` shares its files (nothing is written again); a plain mapping is
        inserted in memory as it is (time series included, not written to disk).
        """
        for key in list(data.keys()):
            if key in self:
                del self[key]
        if isinstance(data, TSDictOnDisk):
            self._on_disk.update(data._on_disk)
            self._in_memory.update(data._in_memory)
        else:
            self._in_memory.update(data)

    def __repr__(self) -> str:
        return (
            "TSDictOnDisk.\nKeys of stored TimeSeries objects:\n"
            f"{list(self._on_disk)}\nOther keys:\n{list(self._in_memory)}"
        )
