"""Exponential smoothing readout, the one definition behind ``ExpSmooth`` and its flavours."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.dynamics import exp_smooth as exp_smooth_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule
from shoal.nn.modules.initialisers import filled, zeros
from shoal.nn.modules.instant import _for_namespace, identity
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["ExpSmoothBase"]


class ExpSmoothBase(SimulatedModule):
    r"""Exponential smoothing of each channel, then an activation (Rockpool's ``ExpSmoothJax``).

    .. math::

        a_t = e^{-dt/\tau}\,a_{t-1} + u_t, \qquad y_t = f(a_t)

    The decay comes first, so the current sample passes unattenuated (``ExpSyn`` adds the
    input before the decay). Equations: ``shoal/dynamics/exp_smooth.py``. Rockpool deprecates
    ``ExpSmoothJax`` in favour of ``ExpSynJax``; constructing ``ExpSmoothJax`` warns (a
    ``UserWarning``), as Rockpool does on import.

    Args:
        shape: ``N`` or ``(N,)`` (one-dimensional).
        tau: Time constants (s), ``(N,)`` or scalar; default 0.1. Family ``"taus"``.
        dt: Time step in seconds (default 1 ms).
        activation_fun: Function applied to the smoothed activation (default identity);
            written for the backend's arrays (ufuncs such as ``np.tanh`` work on both).

    Input ``(T, N)`` gives output ``(T, N)`` (no batch axis added, as in Rockpool);
    ``(B, T, N)`` gives ``(B, T, N)``. State ``activation (N,)``. Records (``record=True``):
    ``activation``, shaped like the output.
    """

    _dynamics: ClassVar[Dynamics] = exp_smooth_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "ExpSmooth",
        "jax": "ExpSmoothJax",
        "torch": "ExpSmoothTorch",
    }
    _evolve_is_traceable = True  # evolve traces: JAX eager calls run compiled
    #: Set on Rockpool's deprecated name: constructing it warns.
    _deprecated_for: ClassVar[str | None] = None

    tau: Any  # registered through _declare (named errors); declared for type checkers

    def __init__(
        self,
        shape: Any,
        tau: Any = 0.1,
        dt: float = 1e-3,
        activation_fun: Callable[[Any], Any] = identity,
    ) -> None:
        owner = type(self).__name__
        if self._deprecated_for is not None:
            warnings.warn(
                f"The module {owner} is deprecated. Use {self._deprecated_for} instead.",
                UserWarning,
                stacklevel=3,
            )
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (N,).")
        if not callable(activation_fun):
            raise TypeError(
                f"{owner}: `activation_fun` must be callable; got {type(activation_fun).__name__}."
            )
        super().__init__(shape=shape, spiking_input=True, spiking_output=False)
        if len(self.shape) != 1:
            raise ValueError(f"{owner}: `shape` must have one dimension; got {self.shape}.")
        n = self.size_out
        self._declare(
            "tau",
            Parameter,
            tau,
            "taus",
            init_func=filled(0.1),
            shape=[(n,), ()],
            constraint=TIME_CONSTANT,
        )
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.activation_fun = SimulationParameter(activation_fun)
        self.activation = State(shape=(n,), init_func=zeros)

    def evolve(self, input_data: Any, record: bool = False) -> tuple[Any, dict, dict]:
        """Evolve over ``(T, N)`` (output ``(T, N)``) or ``(B, T, N)`` input."""
        outputs, new_state, records = super().evolve(input_data, record)
        if np.ndim(input_data) == 2:  # Rockpool's rule: no batch axis added
            outputs = outputs[0]
            records = {key: value[0] for key, value in records.items()}
        return outputs, new_state, records

    def _configure(self) -> tuple[Any, Any]:
        function = _for_namespace(self.activation_fun, self._backend.xp)
        config = exp_smooth_dynamics.ExpSmoothConfig(function)
        return config, exp_smooth_dynamics.ExpSmoothParams(self.tau, self.dt)
