"""Where the helper modules find the series classes without importing the modules defining them.

The series classes are built from the helpers (mixins such as ``_arithmetic``, ``_io`` for
``load``), and the helpers build and recognise series: importing the class modules back from
the helpers made the package one import circle. Instead each class files itself here when it
is defined (:func:`file_series_class`) and a helper looks it up when it runs
(:func:`series_class`). Importing any part of ``shoal.timeseries`` runs the package's
``__init__``, which defines every class, so the lookup never comes too early.
"""

from __future__ import annotations

from typing import Any, TypeVar

__all__ = ["file_series_class", "series_class"]

_Class = TypeVar("_Class", bound=type)

_FILED: dict[str, type] = {}


def file_series_class(cls: _Class) -> _Class:
    """Class decorator: make ``cls`` findable under its name (``"TSContinuous"``...)."""
    _FILED[cls.__name__] = cls
    return cls


def series_class(name: str) -> Any:
    """The series class called ``name``: ``"TimeSeries"``, ``"TSContinuous"`` or ``"TSEvent"``."""
    return _FILED[name]
