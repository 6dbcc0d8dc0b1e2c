"""Adaptive LIF neurons, the one definition behind ``aLIF`` and ``aLIFJax``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from shoal.backend.surrogates import Surrogate
from shoal.dynamics import alif as alif_dynamics
from shoal.dynamics._protocol import Dynamics
from shoal.nn.modules._constraints import FINITE, TIME_CONSTANT
from shoal.nn.modules.initialisers import filled, kaiming, zeros
from shoal.nn.modules.lif import LIFBase
from shoal.nn.modules.nir._errors import NIRConversionError
from shoal.nn.modules.nir._registry import register_nir_export
from shoal.parameters import Parameter, State

__all__ = ["ALIFBase"]

#: Rockpool's default ahp weight: -0.9 for every neuron.
_W_AHP_DEFAULT = filled(-0.9)


class ALIFBase(LIFBase):
    r"""LIF neurons with an adaptive after-hyperpolarisation current (Rockpool's ``aLIFTorch``).

    Per time step, with :math:`\alpha = e^{-dt/\tau_{mem}}`, :math:`\beta = e^{-dt/\tau_{syn}}`,
    :math:`\gamma = e^{-dt/\tau_{ahp}}` and the previous step's spikes :math:`S`:

    .. math::

        I_{syn} &\leftarrow \beta\,(I_{syn} + i_t + I_{rec}), \qquad
        I_{ahp} \leftarrow \gamma\,(I_{ahp} + S\,w_{ahp}) \\
        V &\leftarrow \alpha V + \textstyle\sum_{syn} I_{syn} + I_{ahp} + b
            + \sigma\sqrt{dt}\,\xi_t \\
        S &= \mathrm{clip}(\lfloor V/\theta \rfloor\,[V \ge \theta],\ 0,\ S_{max}), \qquad
        V \leftarrow V - S\,\theta

    A spike at step ``t`` first acts at ``t + 1`` (adding ``w_ahp·γ``); with ``w_ahp < 0`` the
    firing rate adapts down. ``w_ahp = 0`` is exactly :class:`~shoal.nn.modules.LIF`.
    Equations: ``shoal/dynamics/alif.py``.

    Args:
        shape: ``N`` (becomes ``(N, N)``) or ``(Nin, Nout)`` with ``Nin = Nout · n_synapses``.
        tau_ahp: ahp time constants (s), ``(Nout,)``, ``(1,)`` or scalar; default 20 ms.
            Family ``"taus"``.
        w_ahp: ahp weights ``(Nout,)`` or scalar; default from ``w_ahp_init_func``. Family
            ``"weights"`` (so ``parameters("weights")`` includes it).
        w_ahp_init_func: Initialiser for ``w_ahp`` (default: −0.9 everywhere).
        tau_mem: As for :class:`~shoal.nn.modules.lif.LIFBase`, with the same defaults, and
            so are ``tau_syn``, ``bias``, ``w_rec``, ``has_rec``, ``weight_init_func``,
            ``threshold``, ``noise_std``, ``max_spikes_per_dt``, ``dt``, ``spiking_output``,
            ``surrogate`` and ``rng_key``; but the threshold's family is ``"thresholds"``
            (Rockpool's Torch family).
        spiking_input: Whether input is spikes (default ``True``, as Rockpool's Torch family).

    Input ``(T, Nin)`` or ``(B, T, Nin)``; output ``(B, T, Nout)`` spike counts. State
    ``spikes``, ``isyn (Nout, n_syn)``, ``vmem``, ``iahp (Nout,)`` (and ``rng_key`` on JAX).
    Records (``record=True``): ``irec``, ``isyn`` ``(B, T, Nout, n_syn)``; ``spikes``, ``vmem``,
    ``iahp`` ``(B, T, Nout)``.
    """

    _dynamics: ClassVar[Dynamics] = alif_dynamics
    _flavours: ClassVar[dict[str, str]] = {"numpy": "aLIF", "jax": "aLIFJax", "torch": "aLIFTorch"}
    _threshold_family: ClassVar[str] = "thresholds"

    w_ahp: Any  # registered through _declare (named errors); declared for type checkers
    tau_ahp: Any

    def __init__(
        self,
        shape: Any,
        tau_ahp: Any = None,
        w_ahp: Any = None,
        w_ahp_init_func: Callable[[Any], Any] = _W_AHP_DEFAULT,
        tau_mem: Any = None,
        tau_syn: Any = None,
        bias: Any = None,
        w_rec: Any = None,
        has_rec: bool = False,
        weight_init_func: Callable[[Any], Any] = kaiming,
        threshold: Any = None,
        noise_std: float = 0.0,
        max_spikes_per_dt: float = 2.0**16,
        dt: float = 1e-3,
        spiking_input: bool = True,
        spiking_output: bool = True,
        surrogate: str | Surrogate = "step_pwl",
        rng_key: Any = None,
    ) -> None:
        # Every LIF argument is spelled out (not **kwargs): misspelled keywords get "did you
        # mean", and inspect.signature / IDEs show them all.
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
        n_out = self.size_out
        self._declare(
            "w_ahp",
            Parameter,
            w_ahp,
            "weights",
            init_func=w_ahp_init_func,
            shape=[(n_out,), ()],
            constraint=FINITE,
        )
        self._declare(
            "tau_ahp",
            Parameter,
            tau_ahp,
            "taus",
            init_func=filled(0.02),
            shape=[(n_out,), (1,), ()],
            constraint=TIME_CONSTANT,
        )
        # Rockpool's state order is vmem, isyn, spikes, iahp (LIFBase registers spikes first).
        del self.spikes, self.isyn, self.vmem
        self.vmem = State(shape=(n_out,), init_func=zeros)
        self.isyn = State(shape=(n_out, self.n_synapses), init_func=zeros)
        self.spikes = State(shape=(n_out,), init_func=zeros)
        self.iahp = State(shape=(n_out,), init_func=zeros)

    def _configure(self) -> tuple[Any, Any]:
        config, p = super()._configure()
        params = alif_dynamics.ALIFParams(
            p.tau_mem,
            p.tau_syn,
            p.bias,
            p.threshold,
            p.w_rec,
            p.dt,
            p.noise_std,
            self.w_ahp,
            self.tau_ahp,
        )
        return config, params


def _alif_to_nir(nir: Any, name: str, module: ALIFBase, dt: float | None) -> tuple[dict, list]:
    """Refused: without this, the LIF converter (inherited along the MRO) would export it."""
    raise NIRConversionError(
        f"{module._path} ({module.class_name}): the adaptive (ahp) current has no NIR node; NIR can express LIF "
        f"(nir.CubaLIF) and LIFNeuron (nir.LIF), not {module.class_name}."
    )


register_nir_export(ALIFBase, _alif_to_nir)
