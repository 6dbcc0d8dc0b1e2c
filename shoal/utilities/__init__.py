"""Utilities for working with shoal's nested parameter dictionaries.

See :mod:`shoal.utilities.tree_utils`. Nothing here imports JAX.
"""

from shoal.utilities import tree_utils

__all__ = ["tree_utils"]
