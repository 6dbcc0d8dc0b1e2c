"""Utilities for working with shoal's nested parameter dictionaries.

:mod:`shoal.utilities.tree_utils` (plain Python, Rockpool's signatures) is imported here;
:mod:`shoal.utilities.jax_tree_utils` needs JAX and is imported only when asked for.
"""

from shoal.utilities import tree_utils

__all__ = ["tree_utils"]
