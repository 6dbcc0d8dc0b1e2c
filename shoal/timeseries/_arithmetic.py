"""Arithmetic of `TSContinuous`: operators, ``@`` and NumPy ufuncs (a mixin).

Rules (``timeseries-compat.md`` §3.11, with its recommended fixes):

* The result keeps the left series' times, range, name, units, settings and periodicity.
* Another `TSContinuous` operand is **sampled at this series' sample times** (its own range
  rules apply: ValueError, or NaN rows with its ``beyond_range_exception = False``). For ``+``
  and ``-`` such out-of-range rows count as 0 (so ``a + b`` over a partial overlap is ``a``
  where ``b`` is undefined, as in Rockpool); for other operations they are NaN. NaN already in
  the samples propagates (IEEE).
* Broadcasting: a series operand has the same number of channels or exactly one (broadcast
  either way); an array or number must broadcast to the samples' shape ``(T, C)``.
* ``ts @ M`` multiplies the samples by the matrix ``M`` ``(C, K)``; ``M @ ts`` is a TypeError.
* NumPy ufuncs apply to the samples: ``np.sin(ts)`` is a `TSContinuous`; two-operand ufuncs
  follow the rules above (``np.float64(3) * ts`` works).
* In-place operators (``+=`` ...) rebind the name to a new series; other references to the old
  object do not change.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ._base import TimeSeries
from ._classes import series_class

if TYPE_CHECKING:
    from .continuous import TSContinuous

__all__ = ["ContinuousArithmetic"]

_Op = Callable[[Any, Any], Any]
_ADDITIVE = {"+", "-"}
_UFUNC_SYMBOLS: dict[Any, str] = {
    np.add: "+",
    np.subtract: "-",
    np.multiply: "*",
    np.true_divide: "/",
    np.floor_divide: "//",
    np.power: "**",
}


def _flip(op: _Op) -> _Op:
    return lambda a, b: op(b, a)


def _operand(series: TSContinuous, other: Any, symbol: str) -> np.ndarray:
    """``other`` as an array that combines with ``series.samples`` under ``symbol``."""
    if isinstance(other, series_class("TSContinuous")):
        return _series_operand(series, other, symbol)
    if isinstance(other, TimeSeries):
        raise TypeError(
            f"{series._label}: unsupported operand for `{symbol}`: expected a number, an array "
            f"or a TSContinuous; got {type(other).__name__}."
        )
    values = np.asarray(other)
    if not (np.issubdtype(values.dtype, np.number) or values.dtype == np.bool_):
        raise TypeError(
            f"{series._label}: unsupported operand for `{symbol}`: expected a number, an array "
            f"or a TSContinuous; got {type(other).__name__}."
        )
    shape = series.samples.shape
    try:
        fits = np.broadcast_shapes(values.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{series._label}: Input data (shape {values.shape}) could not be broadcast to "
            f"samples shape ({shape})."
        )
    return values


def _series_operand(series: TSContinuous, other: TSContinuous, symbol: str) -> np.ndarray:
    from ._sampling import sample_with_mask

    mine, theirs = series.num_channels, other.num_channels
    if (mine != theirs and 1 not in (mine, theirs)) or (0 in (mine, theirs) and mine != theirs):
        raise ValueError(
            f"{series._label}: `{symbol}` needs the same number of channels on both sides (or "
            f"a single channel on one side); got {mine} and {theirs} ({other._label})."
        )
    values, outside = sample_with_mask(other, series.times)
    if outside.any() and symbol in _ADDITIVE:
        values[outside] = 0.0  # undefined rows of the other operand do not change a sum
    return values


def _apply(series: TSContinuous, other: Any, op: _Op, symbol: str) -> TSContinuous:
    if series.isempty() and series.num_channels == 0 and isinstance(other, TimeSeries):
        return series.copy()  # the empty series is a neutral element
    values = _operand(series, other, symbol)
    return series._with_samples(series.times, op(series.samples, values), series.periodic)


def _matmul(series: TSContinuous, matrix: Any) -> TSContinuous:
    weights = np.asarray(matrix)
    if not (np.issubdtype(weights.dtype, np.number) or weights.dtype == np.bool_):
        raise TypeError(
            f"{series._label}: `@` needs a numeric matrix; got {type(matrix).__name__}."
        )
    if weights.ndim != 2 or weights.shape[0] != series.num_channels:
        raise ValueError(
            f"{series._label}: `ts @ M` needs M of shape ({series.num_channels}, K) "
            f"(num_channels, K); got shape {weights.shape}."
        )
    return series._with_samples(series.times, series.samples @ weights, series.periodic)


class ContinuousArithmetic:
    """Operators ``+ - * / // ** @ -x +x abs(x)`` and NumPy ufuncs for `TSContinuous`."""

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

    def __matmul__(self, other: Any) -> TSContinuous:
        return _matmul(cast("TSContinuous", self), other)

    def __rmatmul__(self, other: Any) -> Any:
        # ``M @ ts`` has no meaning for a (T, C) series: let Python raise its TypeError.
        return NotImplemented

    def _map(self, function: Callable[[np.ndarray], np.ndarray]) -> TSContinuous:
        series = cast("TSContinuous", self)
        return series._with_samples(series.times, function(series.samples), series.periodic)

    def __neg__(self) -> TSContinuous:
        return self._map(np.negative)

    def __pos__(self) -> TSContinuous:
        return self._map(np.copy)

    def __abs__(self) -> TSContinuous:
        return self._map(np.abs)

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """Apply NumPy ufuncs to the samples (``np.sin(ts)``, ``np.float64(2) * ts``)."""
        if method != "__call__" or kwargs or ufunc.nout != 1:
            return NotImplemented
        if ufunc.nin == 1:
            return self._map(ufunc)
        if ufunc.nin != 2:
            return NotImplemented
        left, right = inputs
        if ufunc is np.matmul:
            return self.__matmul__(right) if left is self else NotImplemented
        symbol = _UFUNC_SYMBOLS.get(ufunc, ufunc.__name__)
        if left is self:
            return self._apply(right, ufunc, symbol)
        return self._apply(left, _flip(ufunc), symbol)
