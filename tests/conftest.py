"""Shared fixtures. JAX flags are set here, once; tests needing float64 JAX use ``x64``.

``snapshot`` gives bit-identical snapshots of a module's attributes, for the "a failed call
leaves the module unchanged" checks.

One JAX compilation cache per test run (:func:`pytest_configure`): compiling dominates the
suite's time, and without it each xdist worker, each subprocess and each test that builds a
fresh ``jax.jit`` compiles the same programs again. For the same reason one xdist worker
compiles the numba kernels while the others wait (:func:`_numba_kernels_compiled_once`).
"""

from __future__ import annotations

import copy
import importlib.util
import os
import shutil
import tempfile
import tracemalloc
from typing import Any

import numpy as np
import pytest

_CACHE_DIR = "JAX_COMPILATION_CACHE_DIR"
# This run's own folder (the JAX cache's), where xdist workers find the numba lock file.
_RUN_DIR = "SHOAL_TEST_RUN_DIR"


def pytest_configure(config: pytest.Config) -> None:
    """Share compiled JAX programs between the workers and subprocesses of this run.

    Set through the environment before JAX is imported (it reads these at import), by the
    main process only, so xdist workers and subprocesses inherit one directory. It is new and
    empty for every run, so no run is sped up by an earlier one, and removed at the end. A
    cache the user configured is left alone.
    """
    if os.environ.get("PYTEST_XDIST_WORKER") or os.environ.get(_CACHE_DIR):
        return
    directory = tempfile.mkdtemp(prefix="shoal-test-jax-cache-")
    config._shoal_jax_cache = directory  # type: ignore[attr-defined]
    os.environ[_CACHE_DIR] = directory
    os.environ[_RUN_DIR] = directory
    # Every program is worth sharing: the tests' programs compile in well under JAX's
    # default threshold of one second.
    os.environ["JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS"] = "0"
    os.environ["JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES"] = "0"


def pytest_unconfigure(config: pytest.Config) -> None:
    directory = getattr(config, "_shoal_jax_cache", None)
    if directory is not None:
        os.environ.pop(_CACHE_DIR, None)
        os.environ.pop(_RUN_DIR, None)
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _numba_kernels_compiled_once():
    """Under xdist, the first worker compiles the fused numba kernels; the others load them.

    The kernels are ``cache=True``: compiled once (seconds of CPU per kernel) they are loaded
    from disk. Without this, every worker's first NumPy LIF/Rate/ExpSyn call compiles them at
    the same time, each for itself. The lock makes the others wait and then load the first
    one's files. The kernels and what any test checks are unchanged; a kernel signature not
    warmed here is still compiled on first use, as before.
    """
    directory = os.environ.get(_RUN_DIR)
    if not (os.environ.get("PYTEST_XDIST_WORKER") and directory):
        yield
        return
    if importlib.util.find_spec("numba") is None:
        yield
        return
    try:
        import fcntl
    except ImportError:  # not POSIX: each worker compiles for itself, as without this fixture
        yield
        return
    with open(os.path.join(directory, "numba-kernels.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            _compile_fused_kernels()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    yield


def _compile_fused_kernels() -> None:
    """Call each fused kernel once in float64, the dtype every default NumPy module runs in."""
    from shoal.backend._fused import fused_kernels
    from shoal.nn.modules import LIF, ExpSyn, Rate

    state = np.random.get_state()  # the modules' initialisers draw from the global generator
    try:
        x = np.ones((1, 2, 2))
        with fused_kernels(True):
            for module in (LIF(2), Rate(2), ExpSyn(2)):
                module(x)
    finally:
        np.random.set_state(state)


@pytest.fixture
def x64():
    """Run a test with ``jax_enable_x64`` on (for NumPy-vs-JAX 1e-10 equivalence)."""
    jax = pytest.importorskip("jax")
    with jax.enable_x64(True):
        yield


@pytest.fixture(autouse=True)
def _seed_numpy():
    np.random.seed(1234)


def _freeze(tree: Any) -> Any:
    """A deep, NumPy-only copy of a nested dict of attribute values (callables kept by identity)."""
    if isinstance(tree, dict):
        return {key: _freeze(value) for key, value in tree.items()}
    if callable(tree):
        return tree
    if hasattr(tree, "dtype") or isinstance(tree, (list, tuple, float, int)):
        array = np.array(tree, copy=True)
        return (array.dtype, array.shape, array.tobytes(), type(tree).__name__)
    return copy.deepcopy(tree)


def snapshot_of(module: Any) -> Any:
    """Everything a failed call must leave untouched: every registered value, names, shape."""
    return (
        _freeze(module.parameters()),
        _freeze(module.state()),
        _freeze(module.simulation_parameters()),
        module.shape,
        module.name,
        repr(module),
    )


@pytest.fixture
def snapshot():
    return snapshot_of


def _peak_python_bytes(fn: Any) -> int:
    """Peak bytes allocated through Python's allocator (NumPy arrays included) while ``fn`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture
def peak_bytes():
    return _peak_python_bytes
