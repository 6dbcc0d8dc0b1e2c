"""Registered attribute kinds: :class:`Parameter`, :class:`State`, :class:`SimulationParameter`.

Assigning one of these objects to an attribute of a :class:`~shoal.nn.modules.Module` registers
the attribute (its kind, family, initialiser and shape) and stores the raw array on the module,
so ``mod.tau`` is the array itself, never a wrapper::

    self.tau = Parameter(shape=(4,), init_func=lambda s: 0.02 * np.ones(s), family="taus")

Construction rules (in order):

1. ``data`` or ``shape`` must be given.
2. ``shape`` is an int, a tuple of ints, or a *list of permitted shapes* (the first one is used
   when the value comes from ``init_func``).
3. ``data`` whose shape is permitted is kept; data with the element count of a permitted shape
   is reshaped to the first such shape; anything else raises ``ValueError``. shoal only: a
   matrix is never reshaped into a *different* matrix (``(3, 2)`` data for a ``(2, 3)`` weight
   raises instead of scrambling it, Rockpool's silent trap); flattening, adding or removing
   size-1 axes still reshape.
4. Concrete ``data`` becomes the value that ``reset_parameters()``/``reset_state()`` restore (a
   fresh copy on every reset, so later in-place edits cannot corrupt it).
5. Data wrapped in :func:`Constant` turns any kind into a :class:`SimulationParameter`, so it
   leaves ``parameters()`` and gradients.

The second positional argument is ``family``: ``Parameter(bias, "bias")``.
"""

from __future__ import annotations

import copy
import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

__all__ = [
    "Constant",
    "Parameter",
    "ParameterBase",
    "ParameterShapeError",
    "RP_Constant",
    "SimulationParameter",
    "State",
]

ShapeSpec = tuple[int, ...]


class RP_Constant:
    """Marker mixed into values wrapped by :func:`Constant`."""

    __slots__ = ()


_constant_classes: dict[type, type] = {}


def _constant_class(base: type) -> type:
    """A subclass of ``base`` marked as constant, created once per base type."""
    cls = _constant_classes.get(base)
    if cls is None:
        cls = type(base.__name__, (base, RP_Constant), {})
        _constant_classes[base] = cls
    return cls


def Constant(obj: Any) -> Any:
    """Mark ``obj`` as a constant: a ``Parameter``/``State`` built from it is not trainable.

    The result behaves like ``obj`` (``isinstance(Constant(np.array(3)), np.ndarray)`` holds and
    ``Constant(3.0) + 1 == 4.0``); registering it demotes the attribute to a
    :class:`SimulationParameter`.
    """
    if isinstance(obj, RP_Constant):
        return obj
    if isinstance(obj, np.ndarray):
        return obj.view(_constant_class(type(obj)))
    if isinstance(obj, (float, int, list, tuple)) and not isinstance(obj, bool):
        return _constant_class(type(obj))(obj)
    # JAX arrays, NumPy scalars, bools: keep the values, as a marked NumPy array.
    return np.asarray(obj).view(_constant_class(np.ndarray))


def _strip_constant(data: Any) -> Any:
    """Return the plain value held by a :func:`Constant` wrapper."""
    if isinstance(data, np.ndarray):
        plain = data.view(np.ndarray)
        return plain.reshape(()) if plain.ndim == 0 else plain
    if isinstance(data, (list, tuple)):
        # A list of numbers is array data: kept as a list it would fail far away, at evolve
        # (`list <= float`); anything else (e.g. a tuple of names) stays as it is.
        try:
            array = np.asarray(data)
        except ValueError:  # ragged
            return type(data)(data)
        return array if array.dtype.kind in "biuf" else type(data)(data)
    for base in (float, int):
        if isinstance(data, base):
            return base(data)
    return data


class InitialData:
    """Initialiser that returns a fresh copy of concrete construction data on every call.

    Returning a copy (never the stored object) means a reset can't hand out an alias that a
    later in-place edit such as ``m.tau[:] = 3`` would corrupt.
    """

    __slots__ = ("data",)

    def __init__(self, data: Any) -> None:
        self.data = copy.deepcopy(data)

    def __call__(self, shape: Any = None) -> Any:
        return copy.deepcopy(self.data)

    def __repr__(self) -> str:
        return f"<copy of {self.data!r}>"

    # Compared by value. Modules keep array data out of their registry (see
    # Module._hold_initial_value); what stays here is non-array configuration.
    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InitialData):
            return NotImplemented
        if self.data is other.data:
            return True
        try:
            a, b = np.asarray(self.data), np.asarray(other.data)
        except (TypeError, ValueError):
            return False
        return a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b))

    def __hash__(self) -> int:
        return hash(np.shape(self.data))


def _normalise_shapes(shape: Any) -> list[ShapeSpec]:
    """Turn an int, tuple or list of permitted shapes into a list of int tuples."""
    if isinstance(shape, numbers.Integral):
        return [(int(shape),)]
    if not isinstance(shape, (list, tuple)):
        raise TypeError(
            "`shape` must be a list, a tuple or an integer. "
            f"Instead `shape` was a {type(shape).__name__}."
        )
    candidates = [shape] if isinstance(shape, tuple) else list(shape)
    shapes: list[ShapeSpec] = []
    for candidate in candidates:
        as_tuple = candidate if isinstance(candidate, tuple) else (candidate,)
        for element in as_tuple:
            if not isinstance(element, numbers.Integral) or isinstance(element, bool):
                raise TypeError(
                    "All elements in a shape tuple must be integers. "
                    f"Instead I found an element of type {type(element).__name__}."
                )
        shapes.append(tuple(int(e) for e in as_tuple))
    return shapes


def _size(shape: ShapeSpec) -> int:
    return int(np.prod(shape, dtype=np.int64))


class ParameterShapeError(ValueError):
    """Construction data that fits none of a Parameter's permitted shapes.

    Keeps Rockpool's message; a module registering the attribute rewords it to name itself and
    the attribute (``LIF.tau_mem: expected shape (4,) or (), got (3,)``).

    Attributes:
        permitted: The permitted shapes.
        got: The shape of the data given.
    """

    def __init__(self, permitted: list[ShapeSpec], got: ShapeSpec, reason: str = "") -> None:
        super().__init__(
            "The shape provided for this Parameter does not match the provided initialisation "
            f"data.\n    self.shape = {permitted}; data.shape = {got}{reason}"
        )
        self.permitted = permitted
        self.got = got
        self.reason = reason


def _scrambles_a_matrix(source: ShapeSpec, target: ShapeSpec) -> bool:
    """Whether reshaping ``source`` to ``target`` reorders a matrix's rows and columns."""
    source_axes = tuple(n for n in source if n != 1)
    target_axes = tuple(n for n in target if n != 1)
    return len(source_axes) >= 2 and len(target_axes) >= 2 and source_axes != target_axes


_SCRAMBLE_REASON = (
    " (a matrix is not reshaped into another matrix: that scrambles its entries; transpose it "
    "if that is what you meant)"
)


def _conform(data: Any, shapes: list[ShapeSpec], permit_reshape: bool) -> Any:
    """Return ``data`` in a permitted shape, reshaping on a matching element count."""
    data_shape = tuple(np.shape(data))
    if data_shape in shapes:
        return data
    if permit_reshape:
        count = _size(data_shape)
        for target in shapes:
            if _size(target) == count:
                if _scrambles_a_matrix(data_shape, target):
                    raise ParameterShapeError(shapes, data_shape, _SCRAMBLE_REASON)
                # Python scalars, lists and tuples have no `.reshape`; arrays keep their type.
                return (
                    data.reshape(target) if hasattr(data, "reshape") else np.reshape(data, target)
                )
    raise ParameterShapeError(shapes, data_shape)


class ParameterBase:
    """Base of every registered attribute kind.

    Args:
        data: Concrete initial value; becomes what resets restore.
        family: Free-form group name used to query attributes (``"weights"``, ``"taus"``...).
        init_func: ``init_func(shape) -> array``, used when ``data`` is not given and on reset.
        shape: An int, a shape tuple, or a list of permitted shapes (the first is the default).
        permit_reshape: Reshape ``data`` whose element count matches a permitted shape.
        cast_fn: Applied to the data last (modules apply their own dtype rules on registration).
        constraint: shoal only: a rule concrete values must satisfy (e.g. time constants > 0),
            checked when the attribute is registered, assigned or set. ``None`` (default): the
            module's own initial value is trusted, later values must be finite.
    """

    def __init__(
        self,
        data: Any = None,
        family: str | None = None,
        init_func: Callable[[Any], Any] | None = None,
        shape: Any = None,
        permit_reshape: bool = True,
        cast_fn: Callable[[Any], Any] | None = None,
        *,
        constraint: Any = None,
    ) -> None:
        if data is None and shape is None:
            raise ValueError("One of `data` or `shape` must be provided.")
        permitted = _normalise_shapes(shape) if shape is not None else None
        if init_func is not None and not callable(init_func):
            raise ValueError(
                "The `init_func` for a Parameter must be a callable that accepts a shape tuple."
            )
        if isinstance(data, RP_Constant):
            # A constant is never trainable, whatever kind was asked for.
            self.__class__ = SimulationParameter
            data = _strip_constant(data)

        if data is not None:
            if permitted is not None:
                data = _conform(data, permitted, permit_reshape)
            init_func = InitialData(data)
        else:
            assert permitted is not None
            if init_func is None:
                raise ValueError(
                    "If concrete initialisation `data` is not provided for a Parameter then "
                    "`init_func` must be provided."
                )
            data = init_func(permitted[0])

        self.data = cast_fn(data) if cast_fn is not None else data
        self.family = family
        self.init_func = init_func
        self.constraint = constraint
        self.shape: ShapeSpec = tuple(np.shape(self.data))
        self.permitted_shapes = permitted if permitted is not None else [self.shape]

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(data={self.data}, family={self.family!r}, "
            f"init_func={self.init_func!r}, shape={self.shape})"
        )


if TYPE_CHECKING:
    # For type checkers, `self.tau = Parameter(...)` makes `self.tau` the array it becomes.
    def Parameter(
        data: Any = None,
        family: str | None = None,
        init_func: Callable[[Any], Any] | None = None,
        shape: Any = None,
        permit_reshape: bool = True,
        cast_fn: Callable[[Any], Any] | None = None,
        *,
        constraint: Any = None,
    ) -> Any: ...

    State = Parameter
    SimulationParameter: Any = Parameter
else:

    class Parameter(ParameterBase):
        """A configuration value of the network, usually trainable (weights, time constants)."""

    class State(ParameterBase):
        """A dynamical variable that evolves over time (membrane potential, synaptic current)."""

    class SimulationParameter(ParameterBase):
        """A value needed to simulate but not part of the model (``dt``, noise level)."""
