"""Debug mode: NaN/inf in inputs, outputs or states raise, naming the module path."""

from __future__ import annotations

import numpy as np
import pytest

import shoal
from shoal import NonFiniteError
from shoal._debug import debug_enabled
from shoal.nn.modules import LIF, Module, Rate


class Net(Module):
    def __init__(self) -> None:
        super().__init__(shape=(2, 2))
        self.first = Rate(2)
        self.second = Rate(2)

    def evolve(self, input_data, record=False):
        x, s1, _ = self.first(input_data)
        x, s2, _ = self.second(x)
        return x, {"first": s1, "second": s2}, {}


def test_off_by_default_lets_nan_through():
    assert not debug_enabled()
    out, _, _ = Rate(2)(np.full((3, 2), np.nan))
    assert np.isnan(out).all()


def test_nan_input_names_the_module():
    with shoal.debug_mode(), pytest.raises(NonFiniteError, match=r"^Rate: NaN or inf in input"):
        Rate(2)(np.array([[0.0, np.inf]]))
    assert not debug_enabled()


def test_first_non_finite_value_names_the_innermost_module():
    net = Net()
    # Overflow inside the first submodule: its output is the first non-finite value.
    net.first.bias = np.array([1e308, 1e308])
    x = np.ones((3, 2)) * 1e308
    with (
        shoal.debug_mode(),
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(NonFiniteError, match=r"^Net\.first: NaN or inf in output"),
    ):
        net(x)


def test_non_finite_state_is_reported():
    lif = LIF(2)
    lif.vmem = np.array([np.nan, 0.0])
    with (
        shoal.debug_mode(),
        pytest.raises(NonFiniteError, match=r"LIF: NaN or inf in state\['vmem'\]"),
    ):
        lif(np.zeros((2, 2)))


def test_global_switch_and_restore():
    shoal.debug_mode(True)
    try:
        assert debug_enabled()
        with pytest.raises(NonFiniteError):
            Rate(1)(np.array([[np.nan]]))
    finally:
        shoal.debug_mode(False)
    assert not debug_enabled()


def test_jax_module_checked_in_eager_calls():
    pytest.importorskip("jax")
    from shoal.nn.modules import RateJax

    with shoal.debug_mode(), pytest.raises(NonFiniteError, match=r"^RateJax: NaN or inf in input"):
        RateJax(2)(np.array([[np.nan, 0.0]]))


class _ThreeStages(Module):
    """Three Rate stages; the third raises when asked to (after the first two evolved)."""

    def __init__(self) -> None:
        super().__init__(shape=(2, 2))
        self.a = Rate(2)
        self.b = Rate(2)
        self.c = Rate(2)
        self.fail = False

    def evolve(self, input_data, record=False):
        x, sa, _ = self.a(input_data)
        x, sb, _ = self.b(x)
        if self.fail:
            raise RuntimeError("stage c failed")
        x, sc, _ = self.c(x)
        return x, {"a": sa, "b": sb, "c": sc}, {}


def test_numpy_module_failing_midway_keeps_its_previous_state(snapshot):
    net = _ThreeStages()
    net(np.ones((5, 2)))  # some non-zero state
    before = snapshot(net)
    net.fail = True
    with pytest.raises(RuntimeError, match="stage c failed"):
        net(np.ones((5, 2)))
    assert snapshot(net) == before


def test_sequential_failing_in_a_later_stage_keeps_every_state(snapshot):
    from shoal.nn.combinators import Sequential

    net = Sequential(Rate(2, tau=1e-3), Rate(2, bias=1e308), Rate(2))
    net(np.ones((5, 2)))
    before = snapshot(net)
    with (
        shoal.debug_mode(),
        np.errstate(over="ignore", invalid="ignore"),
        pytest.raises(NonFiniteError, match=r"ModSequential\.1_Rate: NaN or inf in output"),
    ):
        # The first stage evolves; the second overflows: the first must be rolled back too.
        net(np.full((5, 2), 1e308))
    assert snapshot(net) == before


# ---------------------------------------------------------------- inside jit (issue 12, part A)
def _jax():
    jax = pytest.importorskip("jax")
    return jax, jax.numpy


def test_inside_jit_the_nan_parameter_is_named():
    jax, jnp = _jax()
    from shoal.nn.combinators import Sequential
    from shoal.nn.modules import LIFJax, LinearJax

    net = Sequential(LinearJax((2, 3)), LIFJax(3), LinearJax((3, 1)))
    params = net.parameters()
    params["1_LIFJax"]["bias"] = jnp.array([0.0, jnp.nan, 0.0])

    def loss(p, x):
        out, _, _ = net.set_attributes(p)(x)
        return jnp.sum(out)

    x = np.ones((1, 4, 2), np.float32)
    with shoal.debug_mode():
        for fn in (jax.jit(loss), jax.jit(jax.grad(loss))):
            with pytest.raises(
                Exception, match=r"JaxSequential: NaN or inf in parameters\['1_LIFJax'\]\['bias'\]"
            ):
                jax.block_until_ready(fn(params, x))


def test_inside_jit_the_first_non_finite_output_names_the_module():
    jax, jnp = _jax()
    from shoal.nn.combinators import Sequential
    from shoal.nn.modules import LinearJax, RateJax

    net = Sequential(LinearJax((2, 2)), RateJax(2), LinearJax((2, 1)))

    @jax.jit
    def run(x):
        return net(x)[0]

    with shoal.debug_mode():  # an overflowing input: the first output that holds inf is named
        with pytest.raises(Exception, match=r"JaxSequential\.0_LinearJax: NaN or inf in output"):
            jax.block_until_ready(run(jnp.full((1, 3, 2), 3e38, jnp.float32)))
        np.testing.assert_allclose(run(jnp.ones((1, 3, 2))), net(np.ones((1, 3, 2)))[0], rtol=1e-5)


def test_jit_without_debug_mode_traces_no_callbacks():
    jax, jnp = _jax()
    from shoal.nn.modules import LIFJax

    lif = LIFJax(2)
    jaxpr = jax.make_jaxpr(lambda x: lif(x)[0])(jnp.ones((1, 3, 2)))
    assert "debug_callback" not in str(jaxpr)
    with shoal.debug_mode():
        jaxpr = jax.make_jaxpr(lambda x: lif(x)[0])(jnp.ones((1, 3, 2)))
    assert "debug_callback" in str(jaxpr)
