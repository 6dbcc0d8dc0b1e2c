"""Pure dynamics of every model, written once against a backend's ``xp`` namespace.

Each module here provides ``prepare``, ``step``, ``finish`` and ``noise_shape`` (see
:mod:`shoal.backend.simulate`) plus named tuples for its configuration, parameters and state.
Nothing here imports NumPy or JAX: the backend passes its namespace in.
"""
