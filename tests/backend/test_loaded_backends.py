"""Questions about values of unknown origin go to the loaded backends, never importing one."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from shoal.backend import _registry, is_tracer


class _FakeTracer:
    pass


class _TracingBackend:
    """A made-up backend whose values of type _FakeTracer are tracers."""

    name = "tracing"

    @staticmethod
    def is_tracer(value):
        return isinstance(value, _FakeTracer)


@pytest.fixture
def tracing_backend(monkeypatch):
    module = type(sys)("_shoal_tracing_backend")
    module.TRACING = _TracingBackend()
    monkeypatch.setitem(sys.modules, "_shoal_tracing_backend", module)
    monkeypatch.setattr(_registry, "_LOCATIONS", dict(_registry._LOCATIONS))
    monkeypatch.setattr(_registry, "_LOADED", dict(_registry._LOADED))
    _registry.register_backend(
        "tracing", "_shoal_tracing_backend", "TRACING", "_shoal_tracing_backend", "tracing"
    )
    return module.TRACING


def test_is_tracer_asks_every_loaded_backend(tracing_backend):
    # Fails if is_tracer knows only JAX's tracer type instead of asking the backends.
    assert is_tracer(_FakeTracer())
    assert not is_tracer(np.zeros(2))
    assert tracing_backend in _registry.loaded_backends()


def test_a_backend_whose_library_is_not_imported_is_not_asked(tracing_backend, monkeypatch):
    monkeypatch.delitem(sys.modules, "_shoal_tracing_backend")
    monkeypatch.setattr(_registry, "_LOADED", {})
    assert _registry.loaded_backend("tracing") is None
    assert not is_tracer(_FakeTracer())


def test_a_backend_that_cannot_load_is_not_asked(tracing_backend, monkeypatch):
    # Its library is imported, but shoal's backend module for it fails to import.
    _registry.register_backend(
        "broken", "_shoal_no_such_module", "X", "_shoal_tracing_backend", "x"
    )
    assert _registry.loaded_backend("broken") is None
    assert is_tracer(_FakeTracer()) and not is_tracer(1.0)


def test_jax_tracers_are_tracers_and_jax_arrays_are_not():
    jax = pytest.importorskip("jax")
    assert not is_tracer(jax.numpy.zeros(2))
    seen = []
    jax.jit(lambda x: seen.append(is_tracer(x)) or x)(jax.numpy.zeros(2))
    assert seen == [True]


def test_numpy_work_and_encoders_never_import_jax():
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        from shoal.backend import is_tracer
        from shoal.datasets.encoders import rate, threshold_crossing
        from shoal.nn.modules import LIF
        assert not is_tracer(np.zeros(2))
        rate(np.full((2, 3), 0.5), n_steps=4, seed=0)
        threshold_crossing(np.ones((3, 2)), 0.5)
        LIF(2)(np.ones((3, 2)))
        assert "jax" not in sys.modules, "JAX was imported"
        """
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
