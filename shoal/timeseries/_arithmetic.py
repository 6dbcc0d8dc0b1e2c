"""Arithmetic operators of `TSContinuous` (a mixin kept apart so the class file stays short).

Rules:

* With a scalar or an array that broadcasts against ``samples`` (shape ``(C,)``, ``(1, C)``,
  ``(T, C)``, ...), the operation applies to the samples; times and range are unchanged.
* With another `TSContinuous`, both series must cover the same ``[t_start, t_stop]``. The result
  is sampled at the union of both sets of sample times, where each operand is interpolated with
  its own interpolation kind. For two ``previous`` (or two ``linear``) series this is exact:
  the result equals ``op(a(t), b(t))`` at every ``t``. Channel counts must match, or one side
  must have a single channel (it is broadcast). The result keeps the left operand's name,
  units and interpolation settings, and is periodic only if both operands are.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._base import TIME_TOLERANCE, TimeSeries

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["ContinuousArithmetic"]

_Op = Callable[[Any, Any], Any]


def _flip(op: _Op) -> _Op:
    return lambda a, b: op(b, a)


def _apply(series: TSContinuous, other: Any, op: _Op, symbol: str) -> TSContinuous:
    if isinstance(other, TimeSeries):
        return _apply_series(series, other, op, symbol)
    values = np.asarray(other)
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_):
        raise TypeError(
            f"{series._label}: unsupported operand for `{symbol}`: expected a number, an array "
            f"or a TSContinuous; got {type(other).__name__}."
        )
    try:
        np.broadcast_shapes(values.shape, series.samples.shape)
    except ValueError:
        raise ValueError(
            f"{series._label}: cannot apply `{symbol}` with an array of shape {values.shape}: "
            f"it must broadcast against the samples, shape {series.samples.shape} (T, C)."
        ) from None
    return series._with_samples(series.times, op(series.samples, values), series.periodic)


def _apply_series(series: TSContinuous, other: TimeSeries, op: _Op, symbol: str) -> TSContinuous:
    from .continuous import TSContinuous

    if not isinstance(other, TSContinuous):
        raise TypeError(
            f"{series._label}: unsupported operand for `{symbol}`: expected a number, an array "
            f"or a TSContinuous; got {type(other).__name__}."
        )
    if (
        abs(series.t_start - other.t_start) > TIME_TOLERANCE
        or abs(series.t_stop - other.t_stop) > TIME_TOLERANCE
    ):
        raise ValueError(
            f"{series._label}: `{symbol}` needs both series to cover the same time range; this "
            f"one covers [{series.t_start!r}, {series.t_stop!r}] s, {other._label} covers "
            f"[{other.t_start!r}, {other.t_stop!r}] s. Use `clip` to bring them to one range."
        )
    counts = {series.num_channels, other.num_channels}
    if len(counts) > 1 and 1 not in counts:
        raise ValueError(
            f"{series._label}: `{symbol}` needs the same number of channels on both sides (or a "
            f"single channel on one side); got {series.num_channels} and {other.num_channels} "
            f"({other._label})."
        )
    if series.isempty() or other.isempty():
        empty = series if series.isempty() else other
        raise ValueError(
            f"{series._label}: `{symbol}` needs samples in both series; {empty._label} is empty."
        )
    times = np.union1d(series.times, other.times)
    result = op(series(times), other(times))
    return series._with_samples(times, result, series.periodic and other.periodic)


class ContinuousArithmetic:
    """Operators ``+ - * / // ** -x abs(x)`` for `TSContinuous`."""

    # Tell NumPy to hand ``np.float64(2) * ts`` back to our reflected operators instead of
    # treating the series as an object array.
    __array_ufunc__ = None

    def _apply(self, other: Any, op: _Op, symbol: str) -> TSContinuous:
        return _apply(cast("TSContinuous", self), other, op, symbol)

    def __add__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.add, "+")

    def __radd__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.add), "+")

    def __sub__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.sub, "-")

    def __rsub__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.sub), "-")

    def __mul__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.mul, "*")

    def __rmul__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.mul), "*")

    def __truediv__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.truediv, "/")

    def __rtruediv__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.truediv), "/")

    def __floordiv__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.floordiv, "//")

    def __rfloordiv__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.floordiv), "//")

    def __pow__(self, other: Any) -> TSContinuous:
        return self._apply(other, operator.pow, "**")

    def __rpow__(self, other: Any) -> TSContinuous:
        return self._apply(other, _flip(operator.pow), "**")

    def _map(self, function: Callable[[np.ndarray], np.ndarray]) -> TSContinuous:
        series = cast("TSContinuous", self)
        return series._with_samples(series.times, function(series.samples), series.periodic)

    def __neg__(self) -> TSContinuous:
        return self._map(np.negative)

    def __pos__(self) -> TSContinuous:
        return self._map(np.copy)

    def __abs__(self) -> TSContinuous:
        return self._map(np.abs)
