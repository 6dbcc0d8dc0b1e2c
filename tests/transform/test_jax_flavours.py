"""The JAX flavours of the parameter transformers: one class each, found by name, picklable."""

import pickle

import numpy as np
import pytest

jax = pytest.importorskip("jax")

from shoal.nn.modules import LinearJax  # noqa: E402
from shoal.transform import dropout, quantize  # noqa: E402


@pytest.mark.parametrize(
    ("factory", "module", "name"),
    [
        (dropout.Dropout, dropout, "JaxDropout"),
        (quantize.StochasticQuantize, quantize, "JaxStochasticQuantize"),
    ],
)
def test_the_flavour_is_one_class_found_by_name_and_pickles(factory, module, name):
    wrapped = factory(LinearJax((2, 3), weight=np.ones((2, 3))), rng_key=jax.random.PRNGKey(0))
    cls = getattr(module, name)
    assert type(wrapped) is cls
    assert type(factory(LinearJax((2, 3)), rng_key=jax.random.PRNGKey(1))) is cls
    assert (cls.__module__, cls.__qualname__) == (module.__name__, name)
    again = pickle.loads(pickle.dumps(wrapped))
    assert type(again) is cls
    np.testing.assert_array_equal(again.module.weight, wrapped.module.weight)
