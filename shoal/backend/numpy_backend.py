"""NumPy backend: a Python loop over time on batched arrays, float64."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from shoal.backend._fused import fused_scan, single_threaded_blas
from shoal.backend._inputs import numpy_input
from shoal.backend._interface import StepFunction
from shoal.backend.simulate import simulate as run_dynamics
from shoal.dynamics._spikes import spike_counts

__all__ = ["NUMPY", "NumpyBackend"]


def _slice_time(xs: Any, t: int) -> Any:
    """Index time step ``t`` of every array in ``xs`` (an array or a tuple with ``None`` holes)."""
    if isinstance(xs, tuple):
        return tuple(None if x is None else x[t] for x in xs)
    return xs[t]


def _time_steps(xs: Any) -> int:
    if isinstance(xs, tuple):
        return next(len(x) for x in xs if x is not None)
    return len(xs)


def _loop(step: StepFunction, state: Any, xs: Any, record: bool) -> tuple[Any, Any, dict[str, Any]]:
    """The generic loop of :meth:`NumpyBackend.scan`."""
    n_steps = _time_steps(xs)
    ys: np.ndarray | None = None
    records: dict[str, np.ndarray] = {}
    for t in range(n_steps):
        state, y, rec = step(state, _slice_time(xs, t))
        if ys is None:
            ys = np.empty((n_steps, *np.shape(y)), dtype=np.result_type(y))
            if record and rec:
                records = {
                    k: np.empty((n_steps, *np.shape(v)), dtype=np.result_type(v))
                    for k, v in rec.items()
                }
        ys[t] = y
        if record and rec:
            for key, value in rec.items():
                records[key][t] = value
    return state, ys, records


def _is_numeric(value: Any) -> bool:
    return np.asarray(value).dtype.kind in "biuf"


class NumpyBackend:
    """The :class:`~shoal.backend.Backend` of NumPy modules: float64, nothing compiled.

    Attributes:
        name: ``"numpy"``.
        xp: The array namespace the dynamics use.
    """

    name = "numpy"
    xp = np
    label = "NumPy"
    accepts_tracers = False
    mutates_on_evolve = True

    def __init__(self) -> None:
        self._simulate = self.compile(run_dynamics)

    def __repr__(self) -> str:
        return "NumpyBackend()"

    # ------------------------------------------------------------------ time loop
    @staticmethod
    def scan(
        step: StepFunction, state: Any, xs: Any, record: bool
    ) -> tuple[Any, Any, dict[str, Any]]:
        """Run ``state, y_t, rec_t = step(state, xs[t])`` for every ``t``; stack ``y`` and records.

        Outputs and records are written into arrays preallocated at the first step, so the loop
        allocates nothing that grows with ``T``. BLAS runs on one thread inside the loop: its
        per-step products are small, and threads there only contend (see ``_fused``).
        """
        with single_threaded_blas():
            return _loop(step, state, xs, record)

    #: The fused numba loop of a dynamics module that has one (see shoal.backend._fused).
    fused_scan = staticmethod(fused_scan)

    @staticmethod
    def spike(v: np.ndarray, threshold: Any, max_spikes: Any, surrogate: Any = None) -> Any:
        """:func:`~shoal.dynamics._spikes.spike_counts` (NumPy has no gradients to add)."""
        # Concrete values: check θ > 0 once per step rather than mask every element.
        return spike_counts(np, v, threshold, max_spikes, positive=bool(np.all(threshold > 0)))

    # ------------------------------------------------------------------ randomness
    @staticmethod
    def normal(key: Any, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """Standard normal noise from NumPy's global generator (seed with ``np.random.seed``)."""
        return np.random.standard_normal(shape).astype(dtype, copy=False)

    @staticmethod
    def initial_key(owner: str, rng_key: Any) -> None:
        """NumPy modules keep no key; refuse one rather than ignore it silently."""
        if rng_key is not None:
            raise TypeError(
                f"{owner}: `rng_key` is only used by JAX modules; NumPy modules draw noise from "
                "numpy.random (seed it with np.random.seed)"
            )

    @staticmethod
    def split_key(key: Any) -> tuple[Any, Any]:
        """NumPy modules have no key: their noise comes from NumPy's global generator."""
        return key, None

    # ------------------------------------------------------------------ compilation
    @staticmethod
    def compile(
        function: Callable[..., Any], static_argnames: Sequence[str] = ()
    ) -> Callable[..., Any]:
        """Nothing to compile: the function runs as written."""
        return function

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
        """Run :func:`~shoal.backend.simulate.simulate` on this backend."""
        return self._simulate(self, dynamics, config, params, state, inputs, rng_key, record)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ arrays and dtypes
    @staticmethod
    def is_array(value: Any) -> bool:
        return isinstance(value, np.ndarray)

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> np.ndarray:
        return np.asarray(value, dtype=dtype)

    @staticmethod
    def to_numpy(value: Any) -> np.ndarray:
        return np.asarray(value)

    @staticmethod
    def coerce(value: Any, current: Any, static: bool) -> Any:
        """Numeric parameters and states become float64 arrays, so a dtype never drifts.

        Simulation parameters keep their Python type (``dt`` stays a float).
        """
        if value is None or static or callable(value):
            return value
        if isinstance(value, (np.ndarray, numbers.Number, list, tuple)) and _is_numeric(value):
            return np.asarray(value, dtype=np.float64)
        if type(value).__module__.startswith("jax"):
            return np.asarray(value, dtype=np.float64)
        return value

    @staticmethod
    def input_dtype(values: Sequence[Any]) -> Any:
        return np.float64

    @staticmethod
    def input_array(owner: str, data: Any, dtype: Any) -> np.ndarray:
        return numpy_input(owner, data, dtype)


NUMPY = NumpyBackend()
