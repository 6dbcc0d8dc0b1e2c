"""Shapes, values and signatures are honest (issue 12): what the bad-input matrix cannot show."""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np
import pytest

from shoal.nn.combinators import FFwdStack, Residual, Sequential
from shoal.nn.modules import LIF, ExpSyn, Instant, Linear, Module, Rate, TimedModuleWrapper
from shoal.parameters import Parameter

jax = pytest.importorskip("jax")
import jax.numpy as jnp  # noqa: E402

from shoal.nn.modules import ExpSynJax, InstantJax, LIFJax, LinearJax, RateJax  # noqa: E402


class _Placeholder(Module):
    """Zero time constants as a placeholder, filled in later: a legitimate user pattern."""

    def __init__(self) -> None:
        super().__init__(shape=3)
        self.tau = Parameter(np.zeros(3), family="taus")

    def evolve(self, input_data, record=False):
        return input_data, {}, {}


def test_a_user_modules_own_initial_values_are_trusted():
    module = _Placeholder()
    np.testing.assert_array_equal(module.tau, 0.0)
    module.set_attributes({"tau": np.full(3, 0.02)})
    with pytest.raises(ValueError, match=r"_Placeholder\.tau: expected finite values"):
        module.tau = np.array([0.02, np.inf, 0.02])


def test_an_unlimited_spike_count_is_allowed():
    module = LIF(2, max_spikes_per_dt=np.inf)
    out, _, _ = module(np.full((3, 2), 50.0))
    assert np.all(out[0, 0] > 1)  # many spikes in one step, none lost


def test_one_d_input_is_refused_inside_jit_too():
    with pytest.raises(ValueError, match=r"LIFJax: got 1-D input of shape \(7,\)"):
        jax.jit(lambda x: LIFJax(3)(x)[0])(jnp.ones(7))


def test_one_channel_is_explicit():
    out, _, _ = Rate(1)(np.ones(7)[:, None])
    assert out.shape == (1, 7, 1)


def test_numpy_modules_may_share_a_submodule():
    shared = Rate(3)
    net = Sequential(Linear((3, 3)), shared, shared)
    out, _, _ = net(np.ones((4, 3)))
    assert out.shape == (1, 4, 3)


BUILT_IN = [
    LIF,
    LIFJax,
    Rate,
    RateJax,
    ExpSyn,
    ExpSynJax,
    Linear,
    LinearJax,
    Instant,
    InstantJax,
    TimedModuleWrapper,
    type(Sequential(Linear((2, 2)))),
    type(Sequential(LinearJax((2, 2)))),
    type(Residual(Linear((2, 2)))),
    type(Residual(LinearJax((2, 2)))),
    type(FFwdStack(Rate(2), Rate(2))),
    type(FFwdStack(RateJax(2), RateJax(2))),
]


@pytest.mark.parametrize("cls", BUILT_IN, ids=lambda cls: cls.__name__)
def test_signature_shows_the_constructor_arguments(cls):
    shown = inspect.signature(cls)
    init = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert list(shown.parameters.values()) == init
    assert str(shown) != "(*args, **kwargs)"


def test_signature_of_lif_and_of_an_instance():
    assert list(inspect.signature(LIFJax).parameters)[:4] == ["shape", "tau_mem", "tau_syn", "bias"]
    assert inspect.signature(LIF).parameters["max_spikes_per_dt"].default == 2.0**16
    # An instance's signature is still that of calling it.
    assert next(iter(inspect.signature(LIF(2)).parameters)) == "input_data"
    with pytest.raises(TypeError, match="did you mean 'tau_mem'"):
        LIFJax(2, tau_mme=0.1)


README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("cls", [LIF, Rate, ExpSyn])
def test_noise_units_are_documented(cls):
    assert "noise_std · √dt · ξ" in " ".join(cls.__doc__.split())


def test_multi_spike_default_and_binary_spikes_are_documented():
    doc = " ".join(LIF.__doc__.split())
    assert "65536, as in Rockpool" in doc and "pass 1 for binary spikes" in doc
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert "For binary spikes pass `LIF(N, max_spikes_per_dt=1)`" in readme
    assert "noise_std · √dt · ξ" in readme
    out, _, _ = LIF(2, max_spikes_per_dt=1)(np.full((5, 2), 10.0))
    assert set(np.unique(out)) == {1.0}


def test_kept_differences_from_rockpool_are_listed():
    readme = README.read_text(encoding="utf-8")
    differences = " ".join(readme.split("## Differences from Rockpool", 1)[1].split())
    assert "`FFwdStack` records `<last>_output`" in differences
    assert "`ExpSynJax`'s new state holds its `rng_key`" in differences
