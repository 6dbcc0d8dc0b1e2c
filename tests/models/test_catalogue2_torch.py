"""catalogue-2.md §1.1–1.3 worked tables on Torch: the NumPy/JAX table tests, run unchanged.

The table tests of ``test_catalogue2_neurons.py`` are imported here, so pytest collects them a
second time in this module, where the ``flavour`` fixture below gives them the Torch classes
(float32, and ``.double()`` modules in float64). Each Torch module is seen through
:class:`_OnHost`, which returns NumPy arrays, so the tests stay written once.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from .registry import catalogue, plain
from .test_catalogue2_neurons import (  # noqa: F401 - collected again with the Torch flavour
    test_alif_streams_across_calls,
    test_alif_table,
    test_alif_without_ahp_is_lif,
    test_lif_bitshift_clamps_at_31,
    test_lif_bitshift_rounding_table,
    test_lif_bitshift_table,
    test_lif_neuron_table,
)

torch = pytest.importorskip("torch")

_MODELS = ("aLIF", "LIF", "LIFNeuron", "LIFBitshift")


class _OnHost:
    """A Torch module whose calls and attributes come back as NumPy arrays (detached)."""

    def __init__(self, module: Any, dtype: Any) -> None:
        self._module = module
        self._dtype = dtype

    def __call__(self, data: Any, record: bool = False) -> Any:
        tensor = torch.as_tensor(np.asarray(data, dtype=np.float64), dtype=self._dtype)
        return plain(self._module(tensor, record=record))

    def set_attributes(self, values: Any) -> _OnHost:
        self._module.set_attributes(values)
        return self

    def __getattr__(self, name: str) -> Any:
        return plain(getattr(self._module, name))


def _torch_catalogue(dtype: Any) -> SimpleNamespace:
    classes = catalogue("torch")

    def factory(name: str) -> Any:
        def make(*args: Any, **kwargs: Any) -> _OnHost:
            return _OnHost(getattr(classes, name)(*args, **kwargs).to(dtype), dtype)

        return make

    return SimpleNamespace(**{name: factory(name) for name in _MODELS})


@pytest.fixture(name="flavour", params=["torch32", "torch64"])
def torch_flavour(request: pytest.FixtureRequest) -> Iterator[tuple[Any, float]]:
    """``(catalogue, rtol)``: float32 to its precision (as JAX's), float64 to the digits."""
    if request.param == "torch32":
        yield _torch_catalogue(torch.float32), 1e-4
    else:
        yield _torch_catalogue(torch.float64), 1e-5
