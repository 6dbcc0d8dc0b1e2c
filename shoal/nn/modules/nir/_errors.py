"""The exception raised when a module or a NIR node has no counterpart on the other side."""

from __future__ import annotations

__all__ = ["NIRConversionError"]


class NIRConversionError(ValueError):
    """A module, NIR node, parameter value or graph shape that the conversion cannot express.

    The message names the module path (export) or the NIR node name (import) and its type.
    """
