"""Rate neurons (forward Euler), the one definition behind ``Rate`` and ``RateJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from shoal._errors import EulerStabilityWarning, warn_user
from shoal.dynamics import rate as rate_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import FINITE, NON_NEGATIVE, TIME_CONSTANT
from shoal.nn.modules._simulated import SimulatedModule, is_noisy
from shoal.nn.modules.activations import H_ReLU, resolve_activation
from shoal.nn.modules.initialisers import filled, unit_eigs, zeros
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._registry import register_nir_export
from shoal.parameters import Parameter, SimulationParameter, State

__all__ = ["RateBase"]


class RateBase(SimulatedModule):
    """Rate neurons with a forward-Euler update (feed-forward or recurrent).

    Per time step, with α = dt/τ and activation H(x, θ)::

        x   ← x + α · (−x + u_t + b + H(x, θ) · W_rec)
        y_t = H(x, θ)

    where u_t = i_t + σ · √dt · ξ_t is the input plus Gaussian noise (σ = ``noise_std``) and
    ``w_rec[i, j]`` is the weight from neuron ``i`` to neuron ``j``. The same numbers on every
    backend (no clipping of τ to 10·dt as in Rockpool's NumPy ``Rate``). The Euler step ``α`` is
    capped to ``[0, 1]``, so ``x`` never overshoots its target: ``τ < dt`` (warned about at
    construction and assignment) and, inside ``jit``, ``τ ≤ 0`` act as an instantaneous neuron.

    Args:
        shape: ``N`` or ``(N,)``, or ``(N, N)``; ``size_in`` must equal ``size_out``.
        tau: Time constants in seconds, ``(N,)`` or scalar. Default 20 ms. Family ``"taus"``.
        bias: Bias ``(N,)`` or scalar. Default 0. Family ``"bias"``.
        threshold: Activation threshold ``(N,)`` or scalar. Default 0. Family ``"thresholds"``.
        w_rec: Recurrent weights ``(N, N)``; only with ``has_rec=True``. Family ``"weights"``.
        weight_init_func: Initialiser for ``w_rec`` (default :func:`unit_eigs`).
        has_rec: Whether the module has recurrent weights.
        activation_func: ``"relu"``, ``"tanh"``, ``"sigmoid"`` or a callable ``f(x, threshold)``.
        dt: Time step in seconds (default 1 ms).
        noise_std: Input noise in units per √second, ≥ 0: each step adds ``noise_std · √dt · ξ``
            with ``ξ ~ N(0, 1)`` to the input (default 0: no noise drawn).
        rng_key: JAX only: PRNG key for the noise (random when ``None``).

    Input ``(T, N)`` or ``(B, T, N)``; output ``(B, T, N)``. State ``x`` ``(N,)`` (and
    ``rng_key`` on JAX). Records (with ``record=True``): ``rec_input`` and ``x``, ``(B, T, N)``.
    """

    _dynamics: ClassVar[Dynamics] = rate_dynamics
    _spike_records: ClassVar[frozenset[str]] = frozenset()
    _flavours: ClassVar[dict[str, str]] = {"numpy": "Rate", "jax": "RateJax", "torch": "RateTorch"}
    # Rockpool's RateTorch files its bias under "biases"; Rate and RateJax under "bias".
    _bias_family: ClassVar[str] = "bias"
    # evolve traces: JAX flavours run eager calls through one compiled program.
    _evolve_is_traceable = True

    # Registered through _declare (named errors); declared here for type checkers.
    tau: Any
    bias: Any
    threshold: Any

    def __init__(
        self,
        shape: Any,
        tau: Any = None,
        bias: Any = None,
        threshold: Any = None,
        w_rec: Any = None,
        weight_init_func: Callable[[Any], Any] = unit_eigs,
        has_rec: bool = False,
        activation_func: str | Callable[..., Any] = H_ReLU,
        dt: float = 1e-3,
        noise_std: float = 0.0,
        rng_key: Any = None,
    ) -> None:
        owner = type(self).__name__
        if shape is None:
            raise ValueError(f"{owner}: `shape` must be given: N or (N,) for N rate neurons.")
        super().__init__(shape=shape, spiking_input=False, spiking_output=False)
        if len(self.shape) > 2 or self.size_in != self.size_out:
            raise ValueError(
                f"{owner}: Rate module must have `size_out` == `size_in`; got shape {self.shape}."
            )
        if w_rec is not None and not has_rec:
            raise ValueError(f"{owner}: `w_rec` may not be provided if `has_rec` is False.")
        n = self.size_out
        self._has_rec = bool(has_rec)
        if has_rec:
            self._declare(
                "w_rec",
                Parameter,
                w_rec,
                "weights",
                init_func=weight_init_func,
                shape=(n, n),
                constraint=FINITE,
            )
        else:
            self.w_rec = None
        per_neuron = [(n,), ()]  # or a scalar shared by all neurons
        self._declare(
            "tau",
            Parameter,
            tau,
            "taus",
            init_func=filled(0.02),
            constraint=TIME_CONSTANT,
            shape=per_neuron,
        )
        self._declare(
            "bias",
            Parameter,
            bias,
            self._bias_family,
            init_func=zeros,
            constraint=FINITE,
            shape=per_neuron,
        )
        self._declare(
            "threshold",
            Parameter,
            threshold,
            "thresholds",
            init_func=zeros,
            constraint=FINITE,
            shape=per_neuron,
        )
        self.dt = SimulationParameter(dt, constraint=TIME_CONSTANT)
        self.noise_std = SimulationParameter(noise_std, constraint=NON_NEGATIVE)
        self.act_fn = SimulationParameter(resolve_activation(owner, activation_func))
        self._init_rng_key(rng_key)
        self.x = State(shape=(n,), init_func=zeros)

    def _validate(self, name: str, kind: Any, constraint: Any, value: Any) -> None:
        super()._validate(name, kind, constraint, value)
        if name == "tau" and "dt" in self.__dict__:
            self._warn_if_unstable(value, self.dt)
        elif name == "dt" and "tau" in self.__dict__:
            self._warn_if_unstable(self.tau, value)

    def _warn_if_unstable(self, tau: Any, dt: Any) -> None:
        try:
            ratio = float((dt / self._backend.to_numpy(tau)).max())
        except (TypeError, ValueError, AttributeError):
            return  # traced or non-numeric values are not checked
        if ratio > 1.0:
            warn_user(
                f"{self._path}: dt/tau = {ratio:.3g} > 1 makes the forward-Euler update unstable "
                "(shoal caps the step dt/tau at 1); use a smaller dt or larger time constants",
                EulerStabilityWarning,
            )

    def _configure(self) -> tuple[Any, Any]:
        config = rate_dynamics.RateConfig(self.act_fn, self._has_rec, is_noisy(self.noise_std))
        params = rate_dynamics.RateParams(
            self.tau, self.bias, self.threshold, self.w_rec, self.dt, self.noise_std
        )
        return config, params


def _rate_to_nir(nir: Any, name: str, module: RateBase, dt: float | None) -> tuple[dict, list]:
    raise NIRConversionError(
        f"{module._path} ({module.class_name}): NIR has no rate neuron (Euler-integrated leaky "
        "state followed by an activation function), so a Rate module cannot be exported. "
        "Supported: Linear, LIF, ExpSyn and Sequential/Residual/FFwdStack of them."
    )


# Declared so that the refusal says why; Rate's dt is not compared (it is never exported).
register_nir_export(RateBase, _rate_to_nir, shares_dt=False)
