"""Exceptions and shared checks of the time-series package."""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["ChannelIndexError", "check_flag", "check_real", "no_channels_message"]


class ChannelIndexError(IndexError, ValueError):
    """A channel that the series does not have.

    Subclasses both `IndexError` (what Rockpool raises, and what its tests catch) and
    `ValueError` (what shoal raised before, so existing ``except ValueError`` code still works).
    """


def no_channels_message(label: str, num_channels: int) -> str:
    """The text of a `ChannelIndexError` for a series with ``num_channels`` channels."""
    if num_channels == 0:
        return f"{label} does not have any channels."
    return f"{label}: Channels must be between 0 and {num_channels - 1}."


def check_flag(label: str, name: str, value: Any) -> bool:
    """Return ``value`` as a bool; only booleans and the integers 0 / 1 are accepted.

    ``bool("no")`` is ``True``, so coercing any value would silently invert a typo'd setting.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    raise TypeError(f"{label}: `{name}` must be True or False; got {value!r}.")


def check_real(label: str, name: str, value: Any) -> float:
    """Return ``value`` as a finite float (TypeError for non-numbers, ValueError for inf/NaN)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{label}: `{name}` must be a number of seconds; got {value!r}.")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{label}: `{name}` must be finite; got {result!r}.")
    return result
