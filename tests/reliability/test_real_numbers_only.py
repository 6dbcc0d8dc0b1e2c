"""Text and complex values are refused where a float array belongs, on every backend.

NumPy and JAX used to keep text as it was (failing much later, far from the cause) and cast
complex data to float with only a ComplexWarning (the imaginary part silently dropped).
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("jax")

from shoal.nn.modules import LIF, LIFJax, Rate, RateJax


@pytest.mark.parametrize("make", [Rate, RateJax], ids=["numpy", "jax"])
def test_construction_refuses_text_and_complex(make):
    name = make.__name__
    with pytest.raises(TypeError, match=rf"^{name}\.tau: expected numbers, got the text 'fast'"):
        make(3, tau="fast")
    with pytest.raises(TypeError, match=rf"^{name}\.tau: expected real numbers, got complex data"):
        make(3, tau=0.02 + 1e-3j)
    with pytest.raises(TypeError, match=rf"^{name}\.bias: expected real numbers, .*complex128"):
        make(3, bias=np.array([1j, 0.0, 0.0]))


@pytest.mark.parametrize("make", [LIF, LIFJax], ids=["numpy", "jax"])
def test_assignment_and_set_attributes_refuse_and_leave_the_module_alone(make):
    module = make(2)
    before = {key: np.array(value) for key, value in module.parameters().items()}
    with pytest.raises(TypeError, match=r"\.tau_mem: expected numbers, got the text 'slow'"):
        module.tau_mem = "slow"
    with pytest.raises(TypeError, match=r"\.threshold: expected real numbers, got complex data"):
        module.set_attributes({"threshold": np.array([1.0, 1.0 + 0.5j])})
    for key, value in module.parameters().items():
        np.testing.assert_array_equal(np.array(value), before[key])
