"""Fused, compiled time loops (numba) for the NumPy backend: the same equations as the dynamics.

Each module here holds one dynamics module's time loop as numba kernels over the ``(B, N)``
state, behind one or both entries, each returning ``None`` for a configuration it does not
cover (the generic route then runs):

* ``simulate(backend, dynamics, config, params, state, inputs, record)``: the whole call from
  the module's raw batch-major input, ``prepare``'s per-step products formed in the kernel
  (LIF, Rate); used by ``NumpyBackend.simulate`` before anything else;
* ``scan(config, consts, state, xs, record)``: a drop-in for ``NumpyBackend.scan(step, ...)``
  over ``prepare``'s output (ExpSyn, noisy Rate).

A dynamics module names its kernel module in ``FUSED_SCAN``; :mod:`shoal.backend._fused`
imports it (and numba) on first use only. What the kernels require of their arrays is in
:mod:`shoal.dynamics._fused._common`.

Why a second spelling of the equations rather than compiling ``step`` itself: ``step`` is
written once against the array API so that JAX and Torch trace it; numba compiles scalar loops
best, and one loop over time, batch and neurons replaces ~12 NumPy passes (and their Python
overhead) per step. The kernels repeat ``step``'s operations in the same order, so results agree
with the generic loop to the last bit; ``tests/backend/test_fused_numpy.py`` runs every covered
configuration both ways.
"""
