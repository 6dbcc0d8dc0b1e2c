"""NumPy backend: a Python loop over time on batched arrays, float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shoal.backend.simulate import simulate as run_dynamics

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


class NumpyBackend:
    """Array operations for NumPy modules; the interface every backend provides.

    Attributes:
        name: ``"numpy"``.
        xp: The array namespace the dynamics use.
    """

    name = "numpy"
    xp = np

    def __repr__(self) -> str:
        return "NumpyBackend()"

    @staticmethod
    def scan(
        step: Callable[[Any, Any], tuple[Any, Any, dict[str, Any] | None]],
        state: Any,
        xs: Any,
        record: bool,
    ) -> tuple[Any, Any, dict[str, Any]]:
        """Run ``state, y_t, rec_t = step(state, xs[t])`` for every ``t``; stack ``y`` and records.

        Outputs and records are written into arrays preallocated at the first step, so the loop
        allocates nothing that grows with ``T``.
        """
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

    @staticmethod
    def spike(v: np.ndarray, threshold: Any, max_spikes: Any, surrogate: Any = None) -> Any:
        """Multi-spike counts ``clip(floor(v/θ), 0, max)`` where ``v ≥ θ`` (float dtype)."""
        # In place on our own temporary: np.clip costs more than the two bounds. With positive
        # thresholds, floor(v/θ) ≤ 0 exactly where v < θ, so the lower bound is the mask.
        counts = np.divide(v, threshold)
        np.floor(counts, out=counts)
        if not np.all(threshold > 0):
            counts *= v >= threshold
        np.maximum(counts, 0.0, out=counts)
        return np.minimum(counts, max_spikes, out=counts)

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
        """Run :func:`~shoal.backend.simulate` on this backend (JAX: compiled and cached)."""
        return self._run(self, dynamics, config, params, state, inputs, rng_key, record)  # type: ignore[no-any-return]

    _run = staticmethod(run_dynamics)


NUMPY = NumpyBackend()
