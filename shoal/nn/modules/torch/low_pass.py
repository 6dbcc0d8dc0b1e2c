"""``LowPass``: Rockpool's deprecated Torch low-pass filter, with its time-first convention.

The equations are exponential smoothing's (:mod:`shoal.dynamics.low_pass`); ``ExpSmooth``,
``ExpSmoothJax`` and ``ExpSmoothTorch`` (identity activation) are the same filter with the
usual ``(B, T, N)`` convention on every backend.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import torch

from shoal.dynamics import low_pass as low_pass_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule
from shoal.nn.modules.initialisers import zeros
from shoal.nn.modules.instant import identity
from shoal.nn.modules.torch.torch_module import TorchModule
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["LowPass"]


class LowPass(SimulatedModule, TorchModule):  # type: ignore[misc]  # parameters()/modules() shadow torch's, on purpose
    """First-order low-pass filter per channel, time-first (Rockpool's deprecated ``LowPass``).

    Per step ``v ← α·v + u_t`` with ``α = e^(−dt/τ_mem)``; the output is ``v``. Constructing
    it warns ``DeprecationWarning`` (as Rockpool: use ``ExpSynTorch``, or ``ExpSmoothTorch``
    for these exact equations in the ``(B, T, N)`` convention).

    Differences from Rockpool: ``tau_mem`` is a registered Parameter (family ``"taus"``,
    trainable, in ``state_dict()``) and ``vmem`` a State of shape ``(N,)``; ``alpha_mem`` is a
    read-only view of ``exp(−dt/τ_mem)``. As for every shoal Torch module, the state kept after
    a call is batch element 0's, and the next call starts every batch element from it (Rockpool
    keeps one ``vmem`` row per batch element). ``init_states(batch_size)`` zeroes the state;
    ``detach()`` is a no-op (the state is always stored detached).

    Args:
        n_neurons: Number of channels ``N`` (≥ 1).
        dt: Time step in seconds.
        tau_mem: Time constant(s) in seconds, scalar or ``(N,)``.

    Input ``(T, B, N)`` (time first); output and record ``vmem`` ``(T, B, N)``.
    """

    _dynamics: ClassVar[Dynamics] = low_pass_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {"torch": "LowPass"}

    tau_mem: Any  # registered through _declare (named errors); declared for type checkers

    def __init__(self, n_neurons: int, dt: float, tau_mem: Any) -> None:
        warnings.warn(
            "`LowPass` is deprecated. Use `ExpSynTorch` instead.", DeprecationWarning, stacklevel=3
        )
        super().__init__(shape=(n_neurons,), spiking_input=False, spiking_output=False)
        self._declare(
            "tau_mem",
            Parameter,
            tau_mem,
            "taus",
            shape=[(self.size_out,), ()],
            constraint=TIME_CONSTANT,
        )
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.vmem = State(shape=(self.size_out,), init_func=zeros)

    @property
    def alpha_mem(self) -> torch.Tensor:
        """The decay per step, ``exp(−dt/τ_mem)`` (read-only; carries gradients)."""
        return torch.exp(-self.dt / self.tau_mem)

    def init_states(self, batch_size: int = 1) -> LowPass:
        """Zero ``vmem`` (Rockpool's API; every batch element starts from the stored state)."""
        return self.reset_state()

    def detach(self) -> LowPass:
        """Rockpool's API: a no-op here, as the state is stored detached after every call."""
        return self

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Filter time-first ``(T, B, N)`` input; output and record ``(T, B, N)``."""
        data = self._as_input_array(input_data)
        if data.ndim != 3:
            raise ValueError(
                f"{self._path}: input is time-first (T, B, N), as Rockpool's LowPass; got shape "
                f"{tuple(data.shape)}. For one batch element use x[:, None, :]."
            )
        outputs, new_state, records = super().evolve(data.transpose(0, 1), record)
        records = {key: value.transpose(0, 1) for key, value in records.items()}
        return outputs.transpose(0, 1), new_state, records

    def _configure(self) -> tuple[Any, Any]:
        config = low_pass_dynamics.ExpSmoothConfig(identity)
        return config, low_pass_dynamics.ExpSmoothParams(self.tau_mem, self.dt)
