"""Fused, compiled time loops (numba) for the NumPy backend: the same equations as the dynamics.

Each module here holds the whole time loop of one dynamics module's ``step`` as one numba
kernel over the ``(B, N)`` state, plus ``scan(config, consts, state, xs, record)``, a drop-in
for ``NumpyBackend.scan(step, ...)`` that returns ``None`` for a configuration it does not
cover (the generic loop then runs). A dynamics module names its kernel module in
``FUSED_SCAN``; :mod:`shoal.backend._fused` imports it (and numba) on first use only.

Why a second spelling of the equations rather than compiling ``step`` itself: ``step`` is
written once against the array API so that JAX and Torch trace it; numba compiles scalar loops
best, and one loop over time, batch and neurons replaces ~12 NumPy passes (and their Python
overhead) per step. The kernels repeat ``step``'s operations in the same order, so float64
results agree with the generic loop to the last bits; ``tests/backend/test_fused_numpy.py``
runs every covered configuration both ways.
"""
