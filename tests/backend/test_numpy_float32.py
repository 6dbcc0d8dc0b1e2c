"""float32 on the NumPy backend: opt-in at construction, kept for good (issue 18)."""

from __future__ import annotations

import numpy as np
import pytest

from shoal.backend import fused_kernels, numpy_float_dtype
from shoal.nn.combinators import Sequential
from shoal.nn.modules import LIF, ExpSyn, Linear, Rate

_X = np.random.default_rng(11).random((2, 40, 6))


def _float32_net(**lif):
    with numpy_float_dtype(np.float32):
        return Sequential(Linear((6, 4)), LIF(4, **lif))


def _dtypes(module):
    values = {**module.parameters(), **module.state()}
    return {key: value.dtype for key, value in values.items() if hasattr(value, "dtype")}


def test_modules_built_inside_store_and_compute_float32():
    net = _float32_net(has_rec=True, noise_std=0.1)
    out, _, record = net(_X, record=True)
    assert out.dtype == np.float32
    assert set(_dtypes(net[0]).values()) == set(_dtypes(net[1]).values()) == {np.dtype(np.float32)}
    assert {v.dtype for v in record["1_LIF"].values()} == {np.dtype(np.float32)}
    assert LIF(4).tau_mem.dtype == np.float64  # the default is untouched outside the block


def test_float32_never_drifts_back_to_float64():
    net = _float32_net()
    lif = net[1]
    lif.tau_mem = np.full(4, 0.03)  # float64 data
    lif.set_attributes({"bias": np.ones(4)})
    net(_X.astype(np.float64))
    assert set(_dtypes(lif).values()) == {np.dtype(np.float32)}
    net.reset_parameters()
    net.reset_state()
    assert set(_dtypes(lif).values()) == {np.dtype(np.float32)}


@pytest.mark.parametrize(
    "make",
    [lambda: Rate(6, bias=0.1), lambda: ExpSyn(6, tau=0.05), lambda: LIF(6, threshold=50.0)],
    ids=["Rate", "ExpSyn", "LIF below threshold"],
)
def test_float32_gives_float64_numbers_to_float32_precision(make):
    reference = make()(_X)[0]
    with numpy_float_dtype("float32"):
        module = make()
    out = module(_X)[0]
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, reference, rtol=2e-5, atol=1e-6)


def test_the_fused_and_generic_float32_loops_agree():
    pytest.importorskip("numba")
    with numpy_float_dtype(np.float32):
        module = LIF((6, 3), bias=0.2)
    with fused_kernels(False):
        generic = module.reset_state()(4 * _X, record=True)
    fused = module.reset_state()(4 * _X, record=True)
    np.testing.assert_array_equal(fused[0], generic[0])
    assert fused[0].dtype == np.float32 and fused[0].sum() > 0
    for key in generic[2]:
        np.testing.assert_array_equal(fused[2][key], generic[2][key], err_msg=key)


@pytest.mark.parametrize("dtype", [np.float16, "int32", "complex64", "nonsense", None])
def test_only_float32_and_float64_are_offered(dtype):
    pattern = r"numpy_float_dtype: expected float32 or float64, got"
    with pytest.raises(TypeError, match=pattern), numpy_float_dtype(dtype):
        pass
    assert LIF(2).tau_mem.dtype == np.float64
