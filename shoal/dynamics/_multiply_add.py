"""``a·b + c`` and ``c − a·b`` rounded once wherever a backend can fuse them.

XLA contracts ``a * b + c`` into one fused multiply-add (FMA); PyTorch rounds the product and
the sum separately unless asked for ``addcmul``. In float32 that one rounding per step, carried
and amplified by a slow membrane, made Torch and JAX differ by up to ~1e-4 on the same
parameters. Namespaces that offer ``multiply_add`` (the Torch backend's) fuse here; NumPy and
JAX compute ``a * b + c`` as written (NumPy's float64 numbers are unchanged, XLA fuses itself).
"""

from __future__ import annotations

from typing import Any

__all__ = ["multiply_add", "subtract_product"]


# (id(xp), name) -> (xp, its fused function or None). NumPy's step runs these per time step,
# and `getattr(numpy, missing, None)` raises inside numpy's module __getattr__ (microseconds,
# as long as the arithmetic itself); a dict lookup is not. The namespace is kept in the entry
# so that a recycled id is never trusted.
_LOOKUPS: dict[tuple[int, str], tuple[Any, Any]] = {}


def _fused(xp: Any, name: str) -> Any:
    entry = _LOOKUPS.get((id(xp), name))
    if entry is None or entry[0] is not xp:
        entry = (xp, getattr(xp, name, None))
        _LOOKUPS[(id(xp), name)] = entry
    return entry[1]


def multiply_add(xp: Any, a: Any, b: Any, c: Any) -> Any:
    """``a·b + c`` (broadcast), fused where ``xp`` offers it."""
    fused = _fused(xp, "multiply_add")
    return a * b + c if fused is None else fused(a, b, c)


def subtract_product(xp: Any, c: Any, a: Any, b: Any) -> Any:
    """``c − a·b`` (broadcast), fused where ``xp`` offers it."""
    fused = _fused(xp, "subtract_product")
    return c - a * b if fused is None else fused(c, a, b)
