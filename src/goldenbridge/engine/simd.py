"""Two numba intrinsics for the hot kernels: explicit FMA and 512-bit vectors.

* :func:`fma` is LLVM's ``llvm.fma``: ``a * b + c`` rounded once (IEEE 754
  fusedMultiplyAdd). Written explicitly, it is the same operation in every loop,
  lane and remainder, whichever way LLVM vectorises; ``fastmath={'contract'}``
  would leave the choice to LLVM per loop, and a result could then depend on the
  kernel path or the tile.
* :func:`wide_vectors` marks the LLVM function it is called in with
  ``"prefer-vector-width"="512"``. LLVM's tuning for Intel AVX-512 cores
  (Skylake-X to Emerald Rapids) prefers 256-bit vectors, so numba's loops on those
  cores use ``ymm`` registers, half of what the FMA units take (seen in
  ``kernel.inspect_asm()``: no ``zmm`` at all); this is the per-function form of
  clang's ``-mprefer-vector-width=512``. Call it inside a ``prange`` body, which
  numba outlines into its own function. Lanes compute independent values, so the
  width changes speed only, never a result. Harmless on CPUs without AVX-512.

llvmlite's attribute set accepts only enum attributes, so the string attribute is
added to the underlying ``set`` (printed verbatim into the function's IR); should a
later llvmlite drop that ``set``, the hint is skipped and only speed is lost.
"""

from __future__ import annotations

from numba import types
from numba.extending import intrinsic

__all__ = ["fma", "wide_vectors"]


@intrinsic
def wide_vectors(typingctx):
    """Prefer 512-bit vectors in the enclosing LLVM function (no run-time code)."""

    def codegen(context, builder, signature, args):
        try:
            set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        except TypeError:  # a future llvmlite without a set underneath: speed only
            pass
        return context.get_dummy_value()

    return types.none(), codegen


@intrinsic
def fma(typingctx, a, b, c):
    """``a * b + c`` with one rounding (``llvm.fma``); a, b, c of one float type."""
    if not (isinstance(a, types.Float) and a == b == c):
        return None

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return a(a, b, c), codegen
