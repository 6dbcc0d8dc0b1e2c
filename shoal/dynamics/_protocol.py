"""The sealed contract between a model's dynamics and the rest of shoal.

A dynamics module (``shoal.dynamics.lif``...) is pure: it sees a backend (only ``xp``,
``spike``) and named tuples, never a ``Module``. The time loop is the backend's
(:func:`shoal.backend.simulate.simulate`); the ``evolve`` glue is
:class:`~shoal.nn.modules._simulated.SimulatedModule`'s, written once for every model.
"""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ["Dynamics"]


class Dynamics(Protocol):
    """What every dynamics module provides (module-level names).

    Attributes:
        STATE_NAMES: The module's state attributes, in the order :func:`pack_state` takes them.
    """

    STATE_NAMES: tuple[str, ...]

    def noise_shape(self, config: Any, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape ``(B, T, ...)`` of the standard normal noise a noisy configuration needs."""
        ...

    def pack_state(self, xp: Any, config: Any, states: tuple[Any, ...]) -> Any:
        """The loop's state from the module's batched states (layout adapters live here)."""
        ...

    def prepare(self, backend: Any, config: Any, params: Any, inputs: Any, noise: Any) -> Any:
        """``(xs, consts)``: work independent of the recurrent state, on ``(T, B, ...)`` arrays."""
        ...

    def step(self, backend: Any, config: Any, consts: Any, state: Any, x_t: Any) -> Any:
        """``(state, y_t, record_t)``: one time step."""
        ...

    def finish(
        self, backend: Any, config: Any, params: Any, ys: Any, records: dict, record: bool
    ) -> tuple[Any, dict]:
        """``(outputs, records)``: vectorised work on the whole ``(T, B, ...)`` trajectory."""
        ...

    def unpack_state(self, xp: Any, config: Any, final: Any, outputs: Any) -> dict[str, Any]:
        """The module's new batched states (by name) from the loop's final state."""
        ...
