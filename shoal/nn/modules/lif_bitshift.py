"""Bit-shift LIF neurons, the one definition behind ``LIFBitshift`` and ``LIFBitshiftJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from shoal.backend.surrogates import Surrogate
from shoal.dynamics import lif_bitshift as lif_bitshift_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import NON_NEGATIVE, Constraint
from shoal.nn.modules.initialisers import kaiming
from shoal.nn.modules.lif import LIFBase
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._registry import register_nir_export

__all__ = ["LIFBitshiftBase", "representable_tau"]


def representable_tau(tau: Any, dt: float) -> np.ndarray:
    """The time constant a bit-shift decay really has: ``−dt / ln(1 − 2^(−d))`` (0 for d = 0).

    Args:
        tau: Time constants (s), any shape.
        dt: Time step (s).

    Returns:
        An array of ``tau``'s shape: ``d = max(0, round(log2(τ/dt)))`` turned back into seconds.
    """
    alpha = lif_bitshift_dynamics.bitshift_decay(np, dt, np.asarray(tau, dtype=np.float64))
    with np.errstate(divide="ignore"):  # α = 0: ln 0 = −inf, and −dt/−inf = 0 (wiped state)
        return np.where(alpha > 0, -dt / np.log(np.where(alpha > 0, alpha, 0.5)), 0.0)


class LIFBitshiftBase(LIFBase):
    r"""LIF neurons whose decays are bit shifts (Rockpool's ``LIFBitshiftTorch``, Xylo-style).

    A decay is ``x ← x − x / 2^d``, i.e. multiplication by ``1 − 2^(−d)``, with
    ``d = max(0, round(log2(τ/dt)))`` (round half to even) for ``τ_mem`` and ``τ_syn``. At
    construction the stored time constants are rewritten to the values the shifts represent,
    ``τ = −dt / ln(1 − 2^(−d))`` (``d = 0``, i.e. ``τ`` below about ``1.41·dt``, stores 0 and
    wipes the state every step). Every step is then :class:`~shoal.nn.modules.lif.LIFBase`'s.
    The rounding is flat: no gradient reaches ``tau_mem``/``tau_syn``. Equations:
    ``shoal/dynamics/lif_bitshift.py``.

    Args:
        shape: As for :class:`~shoal.nn.modules.lif.LIFBase`, and so are ``tau_mem``,
            ``tau_syn``, ``bias``, ``w_rec``, ``has_rec``, ``weight_init_func``,
            ``threshold``, ``noise_std``, ``dt``, ``spiking_output``, ``surrogate`` and
            ``rng_key``; ``tau_mem``/``tau_syn`` may be 0 (a zero shift). The threshold's
            family is ``"thresholds"`` (Rockpool's Torch family).
        max_spikes_per_dt: Most spikes per step (default 31, Xylo's limit).
        spiking_input: Whether input is spikes (default ``True``, as Rockpool's Torch family).

    Input, output, state and records as :class:`~shoal.nn.modules.lif.LIFBase`.
    """

    _dynamics: ClassVar[Dynamics] = lif_bitshift_dynamics
    _flavours: ClassVar[dict[str, str]] = {
        "numpy": "LIFBitshift",
        "jax": "LIFBitshiftJax",
        "torch": "LIFBitshiftTorch",
    }
    _threshold_family: ClassVar[str] = "thresholds"
    _tau_constraint: ClassVar[Constraint] = NON_NEGATIVE

    def __init__(
        self,
        shape: Any,
        tau_mem: Any = None,
        tau_syn: Any = None,
        bias: Any = None,
        w_rec: Any = None,
        has_rec: bool = False,
        weight_init_func: Callable[[Any], Any] = kaiming,
        threshold: Any = None,
        noise_std: float = 0.0,
        max_spikes_per_dt: float = 31.0,
        dt: float = 1e-3,
        spiking_input: bool = True,
        spiking_output: bool = True,
        surrogate: str | Surrogate = "step_pwl",
        rng_key: Any = None,
    ) -> None:
        super().__init__(
            shape,
            tau_mem=tau_mem,
            tau_syn=tau_syn,
            bias=bias,
            w_rec=w_rec,
            has_rec=has_rec,
            weight_init_func=weight_init_func,
            threshold=threshold,
            noise_std=noise_std,
            max_spikes_per_dt=max_spikes_per_dt,
            dt=dt,
            spiking_input=spiking_input,
            spiking_output=spiking_output,
            surrogate=surrogate,
            rng_key=rng_key,
        )
        # Show the time constants the shifts really implement (as Rockpool does). Computed
        # on the host in float64 (a Torch parameter is read through to_numpy, detached); the
        # store casts back to the attribute's dtype.
        host = self._backend.to_numpy
        self.tau_mem = representable_tau(host(self.tau_mem), float(self.dt))
        self.tau_syn = representable_tau(host(self.tau_syn), float(self.dt))


def _lifbitshift_to_nir(
    nir: Any, name: str, module: LIFBitshiftBase, dt: float | None
) -> tuple[dict, list]:
    """Refused: without this, the LIF converter (inherited along the MRO) would export it."""
    raise NIRConversionError(
        f"{module._path} ({module.class_name}): bit-shift decays (rounded time constants) have no NIR node; NIR can express LIF "
        f"(nir.CubaLIF) and LIFNeuron (nir.LIF), not {module.class_name}."
    )


register_nir_export(LIFBitshiftBase, _lifbitshift_to_nir)
