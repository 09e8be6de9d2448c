"""Numba intrinsics for the hot kernels: explicit FMA, 512-bit vectors and values.

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
  clang's ``-mprefer-vector-width=512``. Call it in the kernel's body (in a parallel
  kernel, inside the ``prange`` body, which numba outlines into a function of its
  own). Lanes compute independent values, so the width changes speed only, never a
  result. Harmless on CPUs without AVX-512.

* :data:`f32x16` and :data:`f64x8` are numba types for one 512-bit register of
  16 float32 or 8 float64 lanes (LLVM vector values), with the few operations the
  register kernel (:mod:`goldenbridge.engine.registers`) needs: load, broadcast,
  multiply-add, add, subtract, max, store, and the masked float64 sums
  :func:`add_where_le` / :func:`add_payoff`. LLVM's vectoriser works on innermost
  loops only; with explicit vectors a tile of offers stays in registers across a
  loop over worlds. :func:`fetch_add` is an atomic counter for handing out work.

llvmlite's attribute set accepts only enum attributes, so the string attribute is
added to the underlying ``set`` (printed verbatim into the function's IR); should a
later llvmlite drop that ``set``, the hint is skipped and only speed is lost.
"""

from __future__ import annotations

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, register_model

__all__ = [
    "fma",
    "wide_vectors",
    "f32x16",
    "f64x8",
    "splat16",
    "zeros8",
    "load16",
    "store8",
    "vfma",
    "vadd",
    "vsub",
    "vmax",
    "add_where_le",
    "add_payoff",
    "fetch_add",
    "inline_in_llvm",
]


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
def inline_in_llvm(typingctx):
    """Mark the enclosing LLVM function ``alwaysinline`` (no run-time code).

    For a small ``@njit`` helper of a ``parallel=True`` kernel: LLVM inlines it into
    the kernel's loop body, where the closure constants (``kc``, ``r``) fold and its
    loops unroll, much as numba's own ``inline="always"`` would -- but numba's
    inlining copies the helper into the kernel's IR before the parfor passes, which
    then take seconds longer (docs/performance-log.md, "The bench kernels").
    """

    def codegen(context, builder, signature, args):
        builder.function.attributes.add("alwaysinline")
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


# ---------------------------------------------------------------------------
# 512-bit vector values: 16 float32 lanes, 8 float64 lanes.
# ---------------------------------------------------------------------------


class F32x16(types.Type):
    """Sixteen float32 lanes held in one (zmm) register: LLVM ``<16 x float>``."""

    def __init__(self) -> None:
        super().__init__(name="f32x16")


class F64x8(types.Type):
    """Eight float64 lanes: LLVM ``<8 x double>``."""

    def __init__(self) -> None:
        super().__init__(name="f64x8")


f32x16 = F32x16()
f64x8 = F64x8()
_V16 = ir.VectorType(ir.FloatType(), 16)
_V8 = ir.VectorType(ir.DoubleType(), 8)
_I32 = ir.IntType(32)


@register_model(F32x16)
class _F32x16Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _V16)


@register_model(F64x8)
class _F64x8Model(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, _V8)


def _lanes(builder, v, picks):
    """The lanes ``picks`` of vector ``v`` (a shuffle)."""
    mask = ir.Constant(ir.VectorType(_I32, len(picks)), list(picks))
    return builder.shuffle_vector(v, ir.Constant(v.type, ir.Undefined), mask)


def _splat(builder, value, vty):
    v = builder.insert_element(ir.Constant(vty, ir.Undefined), value, ir.Constant(_I32, 0))
    return _lanes(builder, v, [0] * vty.count)


def _element_pointer(context, builder, aty, arr, idx, vty):
    data = context.make_array(aty)(context, builder, arr).data
    return builder.bitcast(builder.gep(data, [idx]), vty.as_pointer())


def _flat(arr, dtype) -> bool:
    """A contiguous 1-D array of ``dtype``."""
    return isinstance(arr, types.Array) and (arr.ndim, arr.layout, arr.dtype) == (1, "C", dtype)


@intrinsic
def splat16(typingctx, x):
    """float32 ``x`` in all sixteen lanes."""
    if x != types.float32:
        return None

    def codegen(context, builder, signature, args):
        return _splat(builder, args[0], _V16)

    return f32x16(x), codegen


@intrinsic
def zeros8(typingctx):
    """Eight float64 zeros."""

    def codegen(context, builder, signature, args):
        return ir.Constant(_V8, [0.0] * 8)

    return f64x8(), codegen


@intrinsic
def load16(typingctx, arr, idx):
    """``arr[idx : idx + 16]`` of a contiguous 1-D float32 array (no bounds check)."""
    if not (_flat(arr, types.float32) and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        ptr = _element_pointer(context, builder, signature.args[0], args[0], args[1], _V16)
        return builder.load(ptr, align=4)

    return f32x16(arr, idx), codegen


@intrinsic
def store8(typingctx, arr, idx, v):
    """``arr[idx : idx + 8] = v`` for a contiguous 1-D float64 array (no bounds check)."""
    if not (_flat(arr, types.float64) and isinstance(idx, types.Integer) and v == f64x8):
        return None

    def codegen(context, builder, signature, args):
        ptr = _element_pointer(context, builder, signature.args[0], args[0], args[1], _V8)
        builder.store(args[2], ptr, align=8)
        return context.get_dummy_value()

    return types.none(arr, idx, v), codegen


@intrinsic
def vfma(typingctx, a, b, c):
    """``a * b + c`` lane by lane, rounded once (``llvm.fma.v16f32``)."""
    if not a == b == c == f32x16:
        return None

    def codegen(context, builder, signature, args):
        fnty = ir.FunctionType(_V16, [_V16] * 3)
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.fma.v16f32")
        return builder.call(fn, args)

    return f32x16(a, b, c), codegen


def _lanewise(name: str, doc: str, build):
    """An intrinsic ``name(a, b)`` on two f32x16 values: ``build(builder, a, b)``."""

    def impl(typingctx, a, b):
        if not a == b == f32x16:
            return None

        def codegen(context, builder, signature, args):
            return build(builder, *args)

        return f32x16(a, b), codegen

    impl.__name__ = impl.__qualname__ = name
    impl.__doc__ = doc
    return intrinsic(impl)


vadd = _lanewise("vadd", "``a + b`` lane by lane.", lambda bld, a, b: bld.fadd(a, b))
vsub = _lanewise("vsub", "``a - b`` lane by lane.", lambda bld, a, b: bld.fsub(a, b))
vmax = _lanewise(
    "vmax",
    "The larger of ``a`` and ``b`` lane by lane (``b`` where either is NaN).",
    lambda bld, a, b: bld.select(bld.fcmp_ordered(">", a, b), a, b),
)


_PAIR = types.UniTuple(f64x8, 2)


@intrinsic
def add_where_le(typingctx, lo, hi, mg, lim, w):
    """``(lo, hi) + w`` on the lanes where ``mg <= lim`` (lanes 0-7 to lo, 8-15 to hi)."""
    if not (lo == hi == f64x8 and mg == lim == f32x16 and w == types.float64):
        return None

    def codegen(context, builder, signature, args):
        lo, hi, mg, lim, w = args
        deal = builder.fcmp_ordered("<=", mg, lim)
        wv = _splat(builder, w, _V8)
        out = []
        for acc, half in ((lo, range(8)), (hi, range(8, 16))):
            out.append(builder.select(_lanes(builder, deal, half), builder.fadd(acc, wv), acc))
        return context.make_tuple(builder, _PAIR, out)

    return _PAIR(lo, hi, mg, lim, w), codegen


@intrinsic
def add_payoff(typingctx, lo, hi, mg, lim, up, w, rp):
    """``(lo, hi) + w * (float64(up) if mg <= lim else rp)``, lane by lane."""
    if not (lo == hi == f64x8 and mg == lim == up == f32x16 and w == rp == types.float64):
        return None

    def codegen(context, builder, signature, args):
        lo, hi, mg, lim, up, w, rp = args
        deal = builder.fcmp_ordered("<=", mg, lim)
        wv, rv = _splat(builder, w, _V8), _splat(builder, rp, _V8)
        out = []
        for acc, half in ((lo, range(8)), (hi, range(8, 16))):
            u = builder.fpext(_lanes(builder, up, half), _V8)
            v = builder.select(_lanes(builder, deal, half), u, rv)
            out.append(builder.fadd(acc, builder.fmul(wv, v)))
        return context.make_tuple(builder, _PAIR, out)

    return _PAIR(lo, hi, mg, lim, up, w, rp), codegen


@intrinsic
def fetch_add(typingctx, arr, idx):
    """``arr[idx] += 1`` atomically; returns the old value (int64 array)."""
    if not (_flat(arr, types.int64) and isinstance(idx, types.Integer)):
        return None

    def codegen(context, builder, signature, args):
        i64 = ir.IntType(64)
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        ptr = builder.gep(data, [args[1]])
        return builder.atomic_rmw("add", ptr, ir.Constant(i64, 1), "monotonic")

    return types.int64(arr, idx), codegen
