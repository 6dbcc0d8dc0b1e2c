"""Every model's dynamics run under a strict array-API namespace (``array-api-strict``).

The dynamics are written once for every backend, so they may use only what the array-API
standard guarantees: no ``.reshape``/``.astype`` methods, no ``swapaxes``, no NumPy functions
of Python floats. A strict namespace raises on anything else; the results must equal NumPy's.
"""

import numpy as np
import pytest

xps = pytest.importorskip("array_api_strict")

import shoal.dynamics as dynamics_package  # noqa: E402
from shoal.backend import NUMPY  # noqa: E402
from shoal.backend.simulate import simulate  # noqa: E402
from shoal.dynamics import lif_decays  # noqa: E402
from shoal.dynamics import low_pass as low_pass_dynamics  # noqa: E402
from shoal.dynamics._spikes import spike_counts  # noqa: E402
from shoal.nn.modules import (  # noqa: E402
    LIF,
    BooleanState,
    ExpSmooth,
    ExpSyn,
    LIFBitshift,
    LIFNeuron,
    Rate,
    UpDown,
    aLIF,
)
from shoal.nn.modules._simulated import SimulatedModule  # noqa: E402
from shoal.nn.modules.initialisers import zeros  # noqa: E402
from shoal.parameters import State  # noqa: E402


class _LowPassOnNumpy(ExpSmooth):
    """``LowPass`` is Torch-only; its dynamics are ExpSmooth's under the state name ``vmem``."""

    _dynamics = low_pass_dynamics

    def __init__(self, shape, tau):
        super().__init__(shape, tau=tau)
        self.vmem = State(shape=(self.size_out,), init_func=zeros)


class StrictBackend:
    """Only what the dynamics may ask of a backend, on ``array_api_strict`` arrays."""

    name = "strict"
    xp = xps

    @staticmethod
    def scan(step, state, xs, record):
        first = next(x for x in xs if x is not None) if isinstance(xs, tuple) else xs
        ys, records = [], {}
        for t in range(first.shape[0]):
            x_t = (
                tuple(None if x is None else x[t, ...] for x in xs)
                if isinstance(xs, tuple)
                else xs[t, ...]
            )
            state, y, rec = step(state, x_t)
            ys.append(y)
            for key, value in (rec or {}).items() if record else ():
                records.setdefault(key, []).append(value)
        return state, xps.stack(ys), {key: xps.stack(value) for key, value in records.items()}

    @staticmethod
    def spike(v, threshold, max_spikes, surrogate=None):
        return spike_counts(xps, v, threshold, max_spikes)

    @staticmethod
    def normal(key, shape, dtype):
        return xps.asarray(np.random.standard_normal(shape), dtype=dtype)

    @staticmethod
    def split_key(key):
        return key, None


def _strict(value):
    if isinstance(value, np.ndarray):
        return xps.asarray(value)
    return value  # None, Python numbers and callables stay as they are


def _run(module, x, backend, convert):
    dynamics = module._dynamics
    config, params = module._configure()
    params = type(params)(*(convert(value) for value in params))
    n_batches = x.shape[0]
    states = tuple(
        convert(np.ascontiguousarray(np.broadcast_to(state, (n_batches, *np.shape(state)))))
        for state in (getattr(module, name) for name in dynamics.STATE_NAMES)
    )
    state = dynamics.pack_state(backend.xp, config, states)
    np.random.seed(3)  # the same noise on both backends
    outputs, final, _, records = simulate(
        backend, dynamics, config, params, state, convert(x), None, True
    )
    new_state = dynamics.unpack_state(backend.xp, config, final, outputs)
    return outputs, new_state, records


class _LIFFromDecays(LIF):
    """NumPy LIF run through ``lif_decays`` (LIFTorch's dynamics), its decays from its taus."""

    _dynamics = lif_decays

    def _configure(self):
        config, p = super()._configure()
        decays = (np.exp(-p.dt / p.tau_mem), np.exp(-p.dt / p.tau_syn))
        return config, lif_decays.LIFDecayParams(*decays, *p[2:])


CASES = {
    "lif": lambda: LIF(4, threshold=np.array([0.5, 1.0, 2.0, 1.0])),
    "lif_rec_noise_syn": lambda: LIF(
        (6, 3), has_rec=True, noise_std=0.2, max_spikes_per_dt=1.0, tau_syn=[[0.01, 0.03]]
    ),
    "rate": lambda: Rate(3),
    "rate_rec_noise_tanh": lambda: Rate(3, has_rec=True, noise_std=0.1, activation_func="tanh"),
    "exp_syn_noise": lambda: ExpSyn(3, noise_std=0.1),
    "alif_rec_noise_syn": lambda: aLIF(
        (6, 3), has_rec=True, noise_std=0.2, w_ahp=[-0.5, -0.2, -0.1], tau_syn=[[0.01, 0.03]]
    ),
    "exp_smooth": lambda: ExpSmooth(3, tau=[0.002, 0.01, 0.05]),
    "lif_bitshift_rec": lambda: LIFBitshift(
        (4, 2), has_rec=True, tau_mem=[0.0005, 0.02], tau_syn=[[0.003, 0.05]]
    ),
    "updown": lambda: UpDown(3, thr_up=[0.1, 0.2, 0.05], thr_down=0.15),
    "updown_refractory": lambda: UpDown(2, thr_up=0.05, n_ref_steps=2, repeat_output=3),
    "lif_neuron_noise": lambda: LIFNeuron(3, noise_std=0.3, bias=0.1, threshold=[0.5, 1.0, 2.0]),
    "boolean_state": lambda: BooleanState(3, threshold=[0.5, 1.0, 2.5]),
    "low_pass": lambda: _LowPassOnNumpy(3, tau=[0.002, 0.01, 0.05]),
    # ---- LIFTorch's leak modes (issue 16 Torch)
    "lif_decays_rec_noise_syn": lambda: _LIFFromDecays(
        (6, 3), has_rec=True, noise_std=0.2, tau_syn=[[0.01, 0.03]]
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_dynamics_run_under_a_strict_array_api_namespace(case):
    module = CASES[case]()
    x = 3.0 * np.random.default_rng(0).random((2, 7, module.size_in))
    strict = _run(module, x, StrictBackend(), _strict)
    reference = _run(module, x, NUMPY, lambda value: value)
    for got, expected in zip(
        (strict[0], *strict[1].values(), *strict[2].values()),
        (reference[0], *reference[1].values(), *reference[2].values()),
    ):
        np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-12, atol=1e-12)
    assert set(strict[1]) == set(reference[1]) and set(strict[2]) == set(reference[2])


def test_every_models_dynamics_is_covered():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    used = {cls._dynamics for cls in subclasses(SimulatedModule) if "_dynamics" in vars(cls)}
    covered = {CASES[case]()._dynamics for case in CASES}
    assert used <= covered
    assert {d.__name__.rsplit(".", 1)[1] for d in used} >= {"lif", "rate", "exp_syn"}
    assert dynamics_package.__name__ == "shoal.dynamics"
