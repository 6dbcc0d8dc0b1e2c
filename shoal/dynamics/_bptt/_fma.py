"""``fma(a, b, c) = a·b + c`` rounded once, inside numba kernels (LLVM's ``llvm.fma``).

The Torch backend computes ``a·b + c`` with ``torch.addcmul``, which rounds once (an FMA) on
CPU in float32 and float64; a kernel that rounds the product first would drift from it by an
ulp per step (measured: a quarter of all float32 results differ), and a slow membrane carries
that drift into different spike counts. numba has no FMA of its own, so this emits LLVM's.
"""

from __future__ import annotations

from typing import Any

from shoal.backend._lazy import require

numba = require("numba", "numba", "The fused Torch training kernels")
extending = require("numba.extending", "numba", "The fused Torch training kernels")
llvm_ir = require("llvmlite.ir", "numba", "The fused Torch training kernels")  # numba's own

__all__ = ["fma", "njit"]

# cache=True: later processes load the compiled kernels; nogil: other threads run meanwhile.
# error_model="numpy": a float division by zero gives inf/NaN as Torch does (numba's default
# raises ZeroDivisionError). No fastmath: it would reorder operations (and drop NaN handling).
njit = numba.njit(cache=True, nogil=True, error_model="numpy")


@extending.intrinsic  # type: ignore[misc]
def fma(typingctx: Any, a: Any, b: Any, c: Any) -> Any:
    """``a·b + c`` with one rounding; ``a``, ``b``, ``c`` must be the same float type."""
    if not (isinstance(a, numba.types.Float) and a == b == c):
        return None  # a typing error at compile time, never a silent conversion

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        kind = args[0].type
        signature = llvm_ir.FunctionType(kind, [kind, kind, kind])
        function = builder.module.declare_intrinsic("llvm.fma", [kind], signature)
        return builder.call(function, args)

    return a(a, a, a), codegen
