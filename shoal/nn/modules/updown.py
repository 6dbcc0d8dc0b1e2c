"""Up/down delta encoder, the one definition behind ``UpDown``, ``UpDownJax``, ``UpDownTorch``."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from shoal.backend.surrogates import StepPWL
from shoal.dynamics import updown as updown_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import THRESHOLD, TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule
from shoal.nn.modules.initialisers import filled, zeros
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["UpDownBase"]

# Rockpool's floor surrogate: the gradient passes unchanged where d/thr >= 0.5 (threshold 1).
_FLOOR_SURROGATE = StepPWL(window=0.5)


class UpDownBase(SimulatedModule):
    r"""Up/down (delta) spike encoder (Rockpool's ``UpDownTorch``).

    Each input channel ``c`` gets two output channels: ``2c`` counts *up* events
    (``floor((u − r)/thr_up)``), ``2c + 1`` *down* events (``floor((r − u)/thr_down)``); the
    reference ``r`` moves by the thresholds crossed. With ``n_ref_steps > 0`` counts are capped
    at 1, an event starts a refractory period of ``n_ref_steps`` steps (the step of the event
    included) that suppresses events, and the reference follows the input. Equations:
    ``shoal/dynamics/updown.py``.

    Differences from Rockpool (decided): a vector ``thr_down`` is honoured (Rockpool uses
    ``thr_up``); the input is never modified; the reference and refractory counter are state,
    so a first call behaves as Rockpool's and later calls continue (Rockpool restarts from each
    call's first sample; ``reset_state()`` restores that); ``dt`` is registered.

    Args:
        shape: ``Nin`` or ``(Nin,)``; the module's shape is ``(Nin, 2·Nin)``.
        thr_up: Up threshold(s) > 0, scalar or ``(Nin,)``, stored ``(1, Nin)``; default 1e-3.
            Family ``"thresholds"``.
        thr_down: Down threshold(s), as ``thr_up``.
        n_ref_steps: Refractory steps after an event (int ≥ 0; default 0: none).
        repeat_output: Each event is output as this count (int ≥ 1; default 1).
        dt: Time step in seconds (default 1 ms).

    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, 2·Nin)``. State ``reference``,
    ``ref_count``, ``started`` ``(Nin,)``. Records (``record=True``): ``analog_value``
    ``(B, T, Nin)``, the reference before each step's update.
    """

    _dynamics: ClassVar[Dynamics] = updown_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "UpDown",
        "jax": "UpDownJax",
        "torch": "UpDownTorch",
    }
    _evolve_is_traceable = True  # evolve traces: JAX eager calls run compiled

    thr_up: Any  # registered through _declare (named errors); declared for type checkers
    thr_down: Any

    def __init__(
        self,
        shape: Any = None,
        thr_up: Any = 1e-3,
        thr_down: Any = 1e-3,
        n_ref_steps: int = 0,
        repeat_output: int = 1,
        dt: float = 1e-3,
    ) -> None:
        owner = type(self).__name__
        sizes = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
        if shape is None or len(sizes) != 1:
            raise ValueError(f"{owner}: `shape` must be a one-element tuple `(Nin,)`; got {shape}.")
        for name, value, lowest in (
            ("n_ref_steps", n_ref_steps, 0),
            ("repeat_output", repeat_output, 1),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, np.integer))
                or value < lowest
            ):
                raise ValueError(f"{owner}.{name}: expected an integer >= {lowest}, got {value!r}")
        super().__init__(shape=(sizes[0], 2 * sizes[0]), spiking_input=False, spiking_output=True)
        n = self.size_in
        for name, value in (("thr_up", thr_up), ("thr_down", thr_down)):
            self._declare(
                name,
                Parameter,
                self._as_row(name, value, n),
                "thresholds",
                init_func=filled(1e-3),
                shape=(1, n),
                constraint=THRESHOLD,
            )
        self.n_ref_steps = SimulationParameter(int(n_ref_steps))
        self.repeat_output = SimulationParameter(int(repeat_output))
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.reference = State(shape=(n,), init_func=zeros)
        self.ref_count = State(shape=(n,), init_func=zeros)
        self.started = State(shape=(n,), init_func=zeros)

    def _as_row(self, name: str, value: Any, n: int) -> Any:
        """A scalar or ``(Nin,)`` threshold as the ``(1, Nin)`` row Rockpool stores.

        Other shapes pass unchanged, for the shape check to name. A backend array (a float64
        tensor, one that requires grad) is broadcast by its own backend: a trip through NumPy
        would lose its dtype or fail on its graph.
        """
        if value is None or np.shape(value) not in ((), (n,)):
            return value
        if self._backend.is_array(value) and not isinstance(value, np.ndarray):
            return self._backend.xp.broadcast_to(value, (1, n)) * 1.0  # `* 1.0`: a copy
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(
                f"{type(self).__name__}.{name}: expected a number or an array of shape ({n},) "
                f"or (1, {n}), got {value!r}"
            ) from None
        return np.broadcast_to(array, (1, n)).copy()

    def _configure(self) -> tuple[Any, Any]:
        config = updown_dynamics.UpDownConfig(
            int(self.n_ref_steps), float(self.repeat_output), _FLOOR_SURROGATE
        )
        return config, updown_dynamics.UpDownParams(self.thr_up, self.thr_down)
