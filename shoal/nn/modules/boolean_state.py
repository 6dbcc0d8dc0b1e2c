"""Boolean (flip-flop) state, the one definition behind ``BooleanState`` and its flavours."""

from __future__ import annotations

import numbers
from typing import Any, ClassVar

import numpy as np

from shoal.dynamics import boolean_state as boolean_state_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import NON_NEGATIVE
from shoal.nn.modules._simulated import SimulatedModule
from shoal.nn.modules.initialisers import zeros
from shoal.parameters import SimulationParameter, State

__all__ = ["BooleanStateBase"]

#: Rockpool's default: any input that is not (numerically) zero sets or clears.
DEFAULT_THRESHOLD = 1e-10


class BooleanStateBase(SimulatedModule):
    """A set/reset latch per unit (Rockpool's ``BooleanState``).

    An input above ``threshold`` sets the unit, one below ``−threshold`` clears it, anything
    smaller keeps it; the state continues across calls. Equations:
    ``shoal/dynamics/boolean_state.py``.

    Differences from Rockpool: ``threshold`` may be a Python number (Rockpool demands a tensor:
    a float raises a ``TypeError`` there); the state is stored as 0.0/1.0 in the module's
    float dtype (Rockpool: bool); output and record are bool, as Rockpool's.

    Args:
        shape: ``N``, ``(N,)`` or ``(N, N)`` (input and output sizes must agree).
        threshold: ``θ ≥ 0``, scalar or ``(N,)``; default ``1e-10``. A simulation parameter.

    Input ``(T, N)`` or ``(B, T, N)``; output ``(B, T, N)`` bool. State ``bool_state`` ``(N,)``.
    Records (``record=True``): ``bool_state`` ``(B, T, N)`` bool (the output).
    """

    _dynamics: ClassVar[Dynamics] = boolean_state_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "BooleanState",
        "jax": "BooleanStateJax",
        "torch": "BooleanStateTorch",
    }
    _evolve_is_traceable = True  # evolve traces: JAX eager calls run compiled

    threshold: Any  # registered through _declare (named errors); declared for type checkers

    def __init__(self, shape: Any = None, threshold: Any = None) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (N,).")
        super().__init__(shape=shape, spiking_input=False, spiking_output=False)
        if self.size_in != self.size_out:
            raise ValueError(f"{owner}: `size_in` must be equal to `size_out` for BooleanState.")
        n = self.size_out
        self._declare(
            "threshold",
            SimulationParameter,
            self._as_threshold(DEFAULT_THRESHOLD if threshold is None else threshold),
            shape=[(n,), ()],
            constraint=NON_NEGATIVE,
        )
        self.bool_state = State(shape=(n,), init_func=zeros)

    def _as_threshold(self, value: Any) -> Any:
        """Numbers and backend arrays as given; sequences as a float array (compared per step)."""
        if isinstance(value, numbers.Real) or (
            self._backend.is_array(value) and not isinstance(value, np.ndarray)
        ):
            return value
        try:
            return np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{type(self).__name__}.threshold: expected a number or an array of shape "
                f"({self.size_out},), got {value!r}"
            ) from None

    def _configure(self) -> tuple[Any, Any]:
        config = boolean_state_dynamics.BooleanStateConfig()
        return config, boolean_state_dynamics.BooleanStateParams(self.threshold)
