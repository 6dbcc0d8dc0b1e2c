"""Torch backend: a Python loop over time on batched tensors, float32, autograd surrogates.

Importing this module imports PyTorch; only :mod:`shoal.nn.modules.torch` and the registry
(on first use of the ``"torch"`` backend) do so. The dynamics are written against the array-API
subset; :data:`XP` maps the few names where torch differs (``permute_dims``, ``axis=``...).
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np
import torch

from shoal.backend._inputs import numpy_input, refuse_vector
from shoal.backend._interface import StepFunction
from shoal.backend._torch_cpu import cpu_simulate
from shoal.backend._torch_namespace import XP, TorchNamespace
from shoal.backend._torch_spike import spike
from shoal.backend.simulate import simulate as run_dynamics
from shoal.backend.surrogates import step_pwl

__all__ = ["TORCH", "XP", "TorchBackend", "TorchNamespace", "spike"]


def _slice_time(xs: Any, t: int) -> Any:
    if isinstance(xs, tuple):
        return tuple(None if x is None else x[t] for x in xs)
    return xs[t]


def _time_steps(xs: Any) -> int:
    if isinstance(xs, tuple):
        return next(len(x) for x in xs if x is not None)
    return len(xs)


# Under `torch.compile(module)` the time loop is a graph break: dynamo would otherwise unroll
# all T steps into one graph (measured: 205 s to compile 100 steps of Linear + LIF, slower to run
# than eager). The code around the loop (input handling, prepare, finish) is still compiled.
@torch.compiler.disable  # type: ignore[misc]
def _loop(step: StepFunction, state: Any, xs: Any, record: bool) -> tuple[Any, Any, dict[str, Any]]:
    with _one_thread_for_small_steps(xs):
        return _run_steps(step, state, xs, record)


#: Most elements in one step's input for which the loop runs on one intra-op thread.
SMALL_STEP = 1 << 16


@contextlib.contextmanager
def _one_thread_for_small_steps(xs: Any) -> Iterator[None]:
    """One intra-op thread while the loop runs, when each step's arrays are small.

    Why: a step is ~8 operations on ``(B, N)`` data (32×512 in the benchmark); Torch splits
    some of them (floor, exp) across its threads, and waking and joining them costs more than
    the arithmetic. With another process on the cores it waits for a scheduler tick per
    operation: measured 876 → 110 ms for 300 grad-recording steps of (a) on a loaded 2-core
    machine. As NumPy's loop limits BLAS (``single_threaded_blas``); restored afterwards, and
    products over all steps (a Linear layer, ``prepare``) keep every thread.
    """
    first = next(x for x in (xs if isinstance(xs, tuple) else (xs,)) if x is not None)
    threads = torch.get_num_threads()
    if threads == 1 or first[0].numel() > SMALL_STEP:
        yield
        return
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _run_steps(
    step: StepFunction, state: Any, xs: Any, record: bool
) -> tuple[Any, Any, dict[str, Any]]:
    ys: list[torch.Tensor] = []
    records: dict[str, list[torch.Tensor]] = {}
    for t in range(_time_steps(xs)):
        state, y, rec = step(state, _slice_time(xs, t))
        ys.append(y)
        if record and rec:
            for key, value in rec.items():
                records.setdefault(key, []).append(value)
    stacked = {key: torch.stack(values) for key, values in records.items()}
    return state, torch.stack(ys), stacked


# Outside dynamo, as the loop is: NumPy code cannot be traced, and whether it runs depends on
# grad mode, which a compiled graph would otherwise have to guard on.
_cpu_simulate = torch.compiler.disable(cpu_simulate)


class TorchBackend:
    """The :class:`~shoal.backend.Backend` of Torch modules: eager loop, autograd, float32.

    Float data is stored in float32 unless it arrives as a float64 tensor (or the module is
    converted with ``.double()``): a float attribute then keeps its dtype, so it never drifts.
    """

    name = "torch"
    xp = XP
    label = "Torch"
    accepts_tracers = False
    mutates_on_evolve = True

    def __init__(self) -> None:
        self._simulate = self.compile(run_dynamics)

    def __repr__(self) -> str:
        return "TorchBackend()"

    # ------------------------------------------------------------------ time loop
    @staticmethod
    def scan(
        step: StepFunction, state: Any, xs: Any, record: bool
    ) -> tuple[Any, Any, dict[str, Any]]:
        """A Python loop; outputs and records are stacked, keeping the autograd graph."""
        return _loop(step, state, xs, record)

    @staticmethod
    def fused_scan(
        dynamics: Any, config: Any, consts: Any, state: Any, xs: Any, record: bool
    ) -> Any:
        """Training: LIF's loop as one autograd node (``None``: the generic loop runs)."""
        from shoal.backend._torch_bptt import training_scan

        return training_scan(XP, dynamics, config, consts, state, xs, record)

    @staticmethod
    def spike(v: Any, threshold: Any, max_spikes: Any, surrogate: Any = step_pwl) -> Any:
        return spike(v, threshold, max_spikes, surrogate)

    # ------------------------------------------------------------------ randomness
    @staticmethod
    def normal(key: Any, shape: tuple[int, ...], dtype: Any) -> torch.Tensor:
        """Standard normal noise from torch's global generator (seed with ``torch.manual_seed``)."""
        return torch.randn(shape, dtype=dtype)

    @staticmethod
    def initial_key(owner: str, rng_key: Any) -> None:
        if rng_key is not None:
            raise TypeError(
                f"{owner}: `rng_key` is only used by JAX modules; Torch modules draw noise from "
                "torch's global generator (seed it with torch.manual_seed)"
            )

    @staticmethod
    def split_key(key: Any) -> tuple[Any, Any]:
        return key, None

    # ------------------------------------------------------------------ compilation
    @staticmethod
    def compile(
        function: Callable[..., Any], static_argnames: Sequence[str] = ()
    ) -> Callable[..., Any]:
        """Eager: the function runs as written (``torch.compile(module)`` is the user's opt-in)."""
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
        """Without autograd on CPU, the NumPy engine on the same memory (``_torch_cpu``)."""
        result = _cpu_simulate(dynamics, config, params, state, inputs, rng_key, record)
        if result is not None:
            return result
        return self._simulate(self, dynamics, config, params, state, inputs, rng_key, record)  # type: ignore[no-any-return]

    # ------------------------------------------------------------------ arrays and dtypes
    @staticmethod
    def is_array(value: Any) -> bool:
        return isinstance(value, torch.Tensor)

    @staticmethod
    def is_tracer(value: Any) -> bool:
        return False

    @staticmethod
    def asarray(value: Any, dtype: Any = None) -> torch.Tensor:
        return XP.asarray(value, dtype=dtype)

    @staticmethod
    def to_numpy(value: Any) -> np.ndarray:
        if isinstance(value, torch.Tensor):
            return value.detach().cpu().numpy()
        return np.asarray(value)

    @staticmethod
    def coerce(value: Any, current: Any, static: bool) -> Any:
        """Numeric data becomes a float tensor; an existing float attribute keeps its dtype.

        Python scalars of simulation parameters stay configuration (``dt`` stays a float).
        New data is float32 unless it is a float64 tensor; integer and bool data computes in
        float32 too.
        """
        if value is None or isinstance(value, (str, bytes)) or callable(value):
            return value
        if static and not isinstance(value, (torch.Tensor, np.ndarray)):
            return value
        if not isinstance(value, (torch.Tensor, np.ndarray, numbers.Number, list, tuple)):
            return value
        if isinstance(value, torch.Tensor):
            tensor = value
        else:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                return value
            tensor = torch.as_tensor(array)
        if isinstance(current, torch.Tensor) and current.is_floating_point():
            dtype, device = current.dtype, current.device
        else:
            keep = isinstance(value, torch.Tensor) and value.dtype == torch.float64
            dtype, device = (torch.float64 if keep else torch.float32), tensor.device
        return tensor.to(dtype=dtype, device=device)

    @staticmethod
    def input_dtype(values: Sequence[Any]) -> Any:
        """The module's own float dtype (promoted over its attributes; float32 if it has none).

        ``.double()``/``.half()`` modules compute in float64/float16; a float64 tensor among
        float32 ones makes float64.
        """
        dtypes = [v.dtype for v in values if isinstance(v, torch.Tensor) and v.is_floating_point()]
        result = dtypes[0] if dtypes else torch.float32
        for dtype in dtypes[1:]:
            result = torch.promote_types(result, dtype)
        return result

    @staticmethod
    def input_array(owner: str, data: Any, dtype: Any) -> torch.Tensor:
        if isinstance(data, torch.Tensor):
            if data.is_complex():
                raise TypeError(
                    f"{owner}: expected numeric input (bool, int or float), got a tensor of "
                    f"dtype {data.dtype}"
                )
            refuse_vector(owner, data)
            return data.to(dtype)
        return torch.as_tensor(numpy_input(owner, data, np.float64), dtype=dtype)


TORCH = TorchBackend()
