"""The one typed interface every array backend implements.

A backend is everything that differs per array library. The dynamics
(:mod:`shoal.dynamics`) see only ``xp``, ``scan``, ``spike``, ``normal`` and ``split_key``;
modules use the coercion and input methods, so that ``Module`` itself holds no dtype or array
policy. NumPy (:mod:`~shoal.backend.numpy_backend`) and JAX (:mod:`~shoal.backend.jax_backend`)
implement it side by side, with no inheritance between them; a new backend is one new file
plus an entry in :mod:`shoal.backend._registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["Backend", "StepFunction"]

#: ``state, y_t, record_t = step(state, x_t)``; ``record_t`` may be ``None``.
StepFunction = Callable[[Any, Any], tuple[Any, Any, "dict[str, Any] | None"]]


@runtime_checkable
class Backend(Protocol):
    """What an array library provides to shoal's models.

    Attributes:
        name: The registry key (``"numpy"``, ``"jax"``); combinator flavours are keyed on it.
        label: The name in messages (``"NumPy"``, ``"JAX"``).
        xp: The array namespace the dynamics use (array-API subset only).
        accepts_tracers: Whether the backend's modules run under JAX transformations.
        mutates_on_evolve: Whether its modules keep their new state after a call (NumPy) or
            are updated functionally (JAX).
    """

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def xp(self) -> Any: ...
    @property
    def accepts_tracers(self) -> bool: ...
    @property
    def mutates_on_evolve(self) -> bool: ...

    # ------------------------------------------------------------------ time loop
    def scan(
        self, step: StepFunction, state: Any, xs: Any, record: bool
    ) -> tuple[Any, Any, dict[str, Any]]:
        """Run ``step`` over the leading (time) axis of ``xs``: ``(final, ys (T, ...), records)``.

        ``xs`` is an array or a tuple of arrays with ``None`` holes. Records are ``{}`` unless
        ``record`` is true.
        """
        ...

    def spike(self, v: Any, threshold: Any, max_spikes: Any, surrogate: Any = None) -> Any:
        """Multi-spike counts ``clip(floor(v/θ), 0, max)`` where ``v ≥ θ``.

        The surrogate-gradient hook: backends with automatic differentiation give the counts
        the derivative of ``surrogate`` (a :class:`~shoal.backend.surrogates.Surrogate`).
        """
        ...

    # ------------------------------------------------------------------ randomness
    def normal(self, key: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        """Standard normal noise of ``shape`` and ``dtype``, drawn with ``key`` if keyed."""
        ...

    def initial_key(self, owner: str, rng_key: Any) -> Any:
        """The key a module stores at construction (``None``: the backend keeps no keys)."""
        ...

    def split_key(self, key: Any) -> tuple[Any, Any]:
        """``(new_key, subkey)``: the key carried on, and the one used for this call."""
        ...

    # ------------------------------------------------------------------ compilation
    def compile(
        self, function: Callable[..., Any], static_argnames: Sequence[str] = ()
    ) -> Callable[..., Any]:
        """``function`` compiled once per shape and static arguments (or as it is)."""
        ...

    def simulate(
        self,
        dynamics: Any,
        config: Any,
        params: Any,
        state: Any,
        inputs: Any,
        rng_key: Any,
        record: bool,
    ) -> tuple[Any, Any, Any, dict[str, Any]]:
        """Run :func:`shoal.backend.simulate.simulate` through :meth:`compile`."""
        ...

    # ------------------------------------------------------------------ arrays and dtypes
    def is_array(self, value: Any) -> bool:
        """Whether ``value`` is one of this backend's arrays (tracers included)."""
        ...

    def is_tracer(self, value: Any) -> bool:
        """Whether ``value`` is an abstract stand-in inside a transformation (``jit``/``grad``).

        Its contents are unknown, so no check may read them; backends that never trace
        return ``False``.
        """
        ...

    def asarray(self, value: Any, dtype: Any = None) -> Any:
        """``value`` as this backend's array."""
        ...

    def to_numpy(self, value: Any) -> Any:
        """A concrete ``np.ndarray`` of ``value``."""
        ...

    def coerce(self, value: Any, current: Any, static: bool) -> Any:
        """The dtype policy: ``value`` as stored in a module's registered attribute.

        Args:
            value: The value entering the module (construction data, assignment, reset).
            current: The attribute's value now (``None`` on registration): a float
                attribute keeps its dtype, so it never drifts.
            static: Whether the attribute is a simulation parameter, whose Python scalars
                stay configuration rather than arrays.
        """
        ...

    def input_dtype(self, values: Sequence[Any]) -> Any:
        """The dtype input is computed in, given a module's registered values."""
        ...

    def input_array(self, owner: str, data: Any, dtype: Any) -> Any:
        """``data`` as a numeric array of ``dtype``; non-numeric or 1-D data is refused."""
        ...
