"""NumPy backend: a Python loop over time on batched arrays, float64 (float32 on request).

Precision: NumPy modules store and compute in float64 (decisions.md). Modules constructed
inside ``with numpy_float_dtype(np.float32):`` store float32 instead, and then stay float32 for
good: a value entering an existing attribute keeps that attribute's dtype, and inputs are cast
to the module's dtype. Why opt-in per construction rather than per call: a module's dtype must
never drift across calls, and float32 halves the bytes every step moves (the benchmark floor is
float32) at the cost of ~1e-7 relative precision.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from shoal.backend._fused import (
    fused_projected,
    fused_scan,
    fused_simulate,
    single_threaded_blas,
    takes_projection,
)
from shoal.backend._inputs import numpy_input
from shoal.backend._interface import StepFunction
from shoal.backend.simulate import linear_projection
from shoal.backend.simulate import simulate as run_dynamics
from shoal.dynamics._spikes import spike_counts

__all__ = ["NUMPY", "NumpyBackend", "numpy_float_dtype"]

_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
_default = {"dtype": np.dtype(np.float64)}


@contextlib.contextmanager
def numpy_float_dtype(dtype: Any) -> Iterator[None]:
    """NumPy modules constructed inside the block store and compute in ``dtype``.

    Example: ``with numpy_float_dtype(np.float32): net = Sequential(Linear((256, 512)),
    LIF(512))`` builds a float32 network (inputs are cast to float32 on each call). Modules
    built outside keep float64, the default.

    Args:
        dtype: ``np.float32`` or ``np.float64`` (or their names).

    Raises:
        TypeError: ``dtype`` is not float32 or float64.
    """
    try:
        chosen = np.dtype(dtype)
    except TypeError:
        chosen = None
    # `dtype is None` too: np.dtype(None) is float64, which would hide a missing argument.
    if dtype is None or chosen is None or chosen not in _FLOAT_DTYPES:
        raise TypeError(
            f"shoal.backend.numpy_float_dtype: expected float32 or float64, got {dtype!r}"
        )
    previous = _default["dtype"]
    _default["dtype"] = chosen
    try:
        yield
    finally:
        _default["dtype"] = previous


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
        """Run :func:`~shoal.backend.simulate.simulate` on this backend.

        A dynamics module with a fused kernel that covers the call runs as one compiled loop
        over the raw input (:func:`~shoal.backend._fused.fused_simulate`), with the same
        numbers; otherwise the generic route runs. NumPy modules keep no key: ``rng_key`` is
        ``None`` and comes back as it is.
        """
        fused = fused_simulate(self, dynamics, config, params, state, inputs, record)
        if fused is not None:
            outputs, final, records = fused
            return outputs, final, rng_key, records
        return self._simulate(self, dynamics, config, params, state, inputs, rng_key, record)  # type: ignore[no-any-return]

    def simulate_projected(
        self,
        dynamics: Any,
        config: Any,
        params: Any,
        state: Any,
        inputs: Any,
        rng_key: Any,
        projection: tuple[Any, Any] | None = None,
    ) -> tuple[Any, Any, Any, dict[str, Any]]:
        """:meth:`simulate` without records, of a ``Linear``'s output: ``inputs @ weight + bias``.

        ``projection`` is ``(weight (Nin, Nout), bias or None)`` and ``inputs`` the
        ``Linear``'s input ``(B, T, Nin)``, of its dtype. Where the dynamics' kernels cover the
        call, the product is computed per batch row and chunk of steps into a small scratch
        buffer that the kernel consumes at once (:mod:`shoal.dynamics._fused.projected`): the
        ``(B, T, Nout)`` projection is never stored. Otherwise the projection is computed as
        ``Linear`` computes it and :meth:`simulate` runs. Numbers: the two modules' to float64
        round-off (1e-14 of the scale, mostly bit for bit) and float32 rounding; see there.
        ``projection=None`` is :meth:`simulate` on ``inputs``, as on the JAX backend.

        Returns:
            ``(outputs (B, T, ...), final_state, rng_key, {})``.
        """
        if projection is not None:
            fused = fused_projected(self, dynamics, config, params, state, inputs, projection)
            if fused is not None:
                outputs, final, _ = fused
                return outputs, final, rng_key, {}
            inputs = linear_projection(inputs, *projection)
        return self.simulate(dynamics, config, params, state, inputs, rng_key, False)

    @staticmethod
    def takes_projection(dynamics: Any) -> bool:
        """Whether :meth:`simulate_projected` runs ``dynamics`` without storing the projection.

        True where the dynamics' fused kernels take their input in blocks (LIF, Rate) and the
        kernels are on (numba installed, :func:`~shoal.backend.fused_kernels` not off).
        """
        return takes_projection(dynamics)

    # ------------------------------------------------------------------ arrays and dtypes
    @staticmethod
    def is_array(value: Any) -> bool:
        return isinstance(value, np.ndarray)

    @staticmethod
    def is_tracer(value: Any) -> bool:
        return False

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> np.ndarray:
        return np.asarray(value, dtype=dtype)

    @staticmethod
    def to_numpy(value: Any) -> np.ndarray:
        return np.asarray(value)

    @staticmethod
    def coerce(value: Any, current: Any, static: bool) -> Any:
        """Numeric parameters and states become float arrays, so a dtype never drifts.

        The dtype is the attribute's current one (float32 for a module built under
        :func:`numpy_float_dtype`), else the construction default, float64. Simulation
        parameters keep their Python type (``dt`` stays a float).
        """
        if value is None or static or callable(value):
            return value
        numeric = isinstance(value, (np.ndarray, numbers.Number, list, tuple)) and _is_numeric(
            value
        )
        if numeric or type(value).__module__.startswith("jax"):
            keep = isinstance(current, np.ndarray) and current.dtype in _FLOAT_DTYPES
            return np.asarray(value, dtype=current.dtype if keep else _default["dtype"])
        return value

    @staticmethod
    def input_dtype(values: Sequence[Any]) -> Any:
        """float32 when the module stores float32 arrays only, else float64."""
        dtypes = {v.dtype for v in values if isinstance(v, np.ndarray) and v.dtype.kind == "f"}
        return np.float32 if dtypes == {np.dtype(np.float32)} else np.float64

    @staticmethod
    def input_array(owner: str, data: Any, dtype: Any) -> np.ndarray:
        return numpy_input(owner, data, dtype)


NUMPY = NumpyBackend()
