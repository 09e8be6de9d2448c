"""The machine's FMA peak, measured with a kernel of its own (for ``bench``).

``goldenbridge bench`` states each kernel's speed as a fraction of this peak.
The peak used to be a float32 matrix product (numpy -> BLAS), which measures the
BLAS library as much as the machine: with ``OPENBLAS_CORETYPE`` set to an older
core, OpenBLAS runs an older, slower kernel, and the bench printed 141-347 %
"of peak". This kernel does nothing but fused multiply-adds on registers, so
what it measures is the FMA units themselves:

* one thread runs ``C`` independent chains ``acc_j <- fma(acc_j, a, b)`` on
  512-bit vectors (16 float32 or 8 float64 lanes: one ``zmm`` register on an
  AVX-512 core, two ``ymm`` on AVX2), with nothing else in the loop but its
  counter. A chain's next FMA waits for its last one (latency 4 cycles on the
  Intel and AMD cores of recent years), so ``C`` must cover latency x FMA pipes:
  4 x 2 = 8 registers, i.e. 8 zmm vectors on AVX-512 or 4 vectors (8 ymm) on
  AVX2. The peak is the best over ``C`` in :data:`CHAINS` (4, 8, 12), so that
  both kinds of core are measured at their best (8 vectors spill on AVX2's
  16 registers; 12 cover a longer latency);
* the peak of ``T`` threads is ``T`` times one thread's best burst (see
  :func:`fma_peak`): every core at its best, which no ``T``-thread kernel can
  beat, however loaded the machine is when either is timed;
* FLOPs are counted as 2 per lane per FMA (the convention of every FLOP peak,
  and of the engine's ``4K + 2`` count, whose ``4K`` are ``2K`` FMAs). The
  values stay in ``[b, 1]`` (``a = 1 - b``): no overflow, no denormals, whose
  slow paths would understate the peak.

An engine kernel counted in this convention does at most one FMA per vector
slot of an FMA pipe (its compares and adds, counted as 1 FLOP per lane, take a
slot each too), so its rate over this peak cannot exceed 1; the bench reports
the fraction raw and ``tests/test_bench.py`` fails should one exceed 1.
Latencies and pipe counts: Agner Fog, "Instruction tables" (Zen 3: VFMADD
latency 4, two FMA pipes; Skylake-X to Sapphire Rapids: 4 cycles, two 512-bit
FMA ports on server parts).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numba
import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic

from goldenbridge.engine.simd import f32x16, f64x8, wide_vectors

__all__ = ["CHAINS", "FmaPeak", "fma_peak", "fma_rate", "fma_run"]

#: Independent FMA chains tried (512-bit vectors per thread).
CHAINS = (4, 8, 12)

# float32: 16 lanes (f32x16, <16 x float>); float64: 8 lanes (f64x8, <8 x double>).
_VEC = {
    types.float32: (f32x16, ir.VectorType(ir.FloatType(), 16), "llvm.fma.v16f32"),
    types.float64: (f64x8, ir.VectorType(ir.DoubleType(), 8), "llvm.fma.v8f64"),
}
_BY_VECTOR = {v[0]: v for v in _VEC.values()}


@intrinsic
def _splat_all(typingctx, seeds):
    """One vector per float of the tuple ``seeds`` (float32 or float64; ``C`` of them)."""
    if not (isinstance(seeds, types.UniTuple) and seeds.dtype in _VEC):
        return None
    vt, lty, _ = _VEC[seeds.dtype]
    out_t = types.UniTuple(vt, seeds.count)

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        mask = ir.Constant(ir.VectorType(i32, lty.count), [0] * lty.count)
        vecs = []
        for j in range(seeds.count):
            x = builder.extract_value(args[0], j)
            v = builder.insert_element(ir.Constant(lty, ir.Undefined), x, ir.Constant(i32, 0))
            vecs.append(builder.shuffle_vector(v, ir.Constant(lty, ir.Undefined), mask))
        return context.make_tuple(builder, out_t, vecs)

    return out_t(seeds), codegen


@intrinsic
def _splat(typingctx, acc, x):
    """``x`` in every lane of a vector of ``acc``'s type."""
    if not (isinstance(acc, types.UniTuple) and acc.dtype in _BY_VECTOR):
        return None
    vt, lty, _ = _BY_VECTOR[acc.dtype]
    if x != {f32x16: types.float32, f64x8: types.float64}[vt]:
        return None

    def codegen(context, builder, signature, args):
        i32 = ir.IntType(32)
        v = builder.insert_element(ir.Constant(lty, ir.Undefined), args[1], ir.Constant(i32, 0))
        mask = ir.Constant(ir.VectorType(i32, lty.count), [0] * lty.count)
        return builder.shuffle_vector(v, ir.Constant(lty, ir.Undefined), mask)

    return vt(acc, x), codegen


@intrinsic
def _fma_round(typingctx, acc, a, b):
    """``fma(acc_j, a, b)`` for every vector of the tuple ``acc`` (independent chains)."""
    if not (isinstance(acc, types.UniTuple) and acc.dtype in _BY_VECTOR and a == b == acc.dtype):
        return None
    _, lty, name = _BY_VECTOR[acc.dtype]

    def codegen(context, builder, signature, args):
        tup, va, vb = args
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(lty, [lty] * 3), name)
        out = [builder.call(fn, [builder.extract_value(tup, j), va, vb]) for j in range(acc.count)]
        return context.make_tuple(builder, signature.return_type, out)

    return acc(acc, a, b), codegen


@intrinsic
def _total(typingctx, acc):
    """The sum of all lanes of all vectors of ``acc``, in float64 (keeps them live)."""
    if not (isinstance(acc, types.UniTuple) and acc.dtype in _BY_VECTOR):
        return None
    _, lty, _ = _BY_VECTOR[acc.dtype]

    def codegen(context, builder, signature, args):
        f64 = ir.DoubleType()
        total = ir.Constant(f64, 0.0)
        for j in range(acc.count):
            v = builder.extract_value(args[0], j)
            for lane in range(lty.count):
                x = builder.extract_element(v, ir.Constant(ir.IntType(32), lane))
                total = builder.fadd(total, x if lty.element == f64 else builder.fpext(x, f64))
        return total

    return types.float64(acc), codegen


@njit(cache=True)
def _fma_kernel(seeds, a, b, iters):
    """``iters`` rounds of ``len(seeds)`` independent vector FMAs on one thread.

    Returns the sum of every lane of every chain after the last round.
    """
    wide_vectors()
    acc = _splat_all(seeds)
    va = _splat(acc, a)
    vb = _splat(acc, b)
    for _ in range(iters):
        acc = _fma_round(acc, va, vb)
    return _total(acc)


#: The kernel, typed for mypy (a numba dispatcher takes any arguments).
_run = cast(Callable[..., float], _fma_kernel)


def _args(chains: int, dtype: type) -> tuple:
    """Seeds in [0.5, 0.75) and ``a = 1 - b``: every value stays in [b, 1]."""
    seeds = tuple(dtype(0.5 + j / (4 * chains)) for j in range(chains))
    return seeds, dtype(0.999), dtype(0.001)


def _lanes(dtype: type) -> int:
    return 64 // np.dtype(dtype).itemsize


def fma_run(chains: int, iters: int, dtype: type = np.float32) -> float:
    """Run the kernel once: the sum of its chains' lanes after ``iters`` rounds."""
    return _run(*_args(chains, dtype), iters)


def fma_rate(chains: int, iters: int, bursts: int = 5, dtype: type = np.float32) -> float:
    """GFLOP/s of one thread running ``chains`` FMA chains: the best of ``bursts``
    calls of ``iters`` rounds.

    Examples
    --------
    >>> fma_rate(4, 1000, bursts=1) > 0
    True
    """
    args = _args(chains, dtype)
    _run(*args, 1)  # compile (or load from the on-disk cache)
    best = np.inf
    for _ in range(bursts):
        t0 = time.perf_counter()
        _run(*args, iters)
        best = min(best, time.perf_counter() - t0)
    return iters * chains * _lanes(dtype) * 2 / best / 1e9


@dataclass(frozen=True)
class FmaPeak:
    """A measured FMA peak.

    Attributes
    ----------
    gflops : float
        Best GFLOP/s over the chain counts (2 FLOPs per lane and FMA), for all
        ``threads`` together (one thread's best times ``threads``).
    chains : int
        The chain count that reached it.
    threads : int
        Threads it ran on (numba's, as the engine kernels).
    dtype : str
        ``"float32"`` or ``"float64"``.
    by_chains : dict
        GFLOP/s per chain count tried (all threads).
    """

    gflops: float
    chains: int
    threads: int
    dtype: str
    by_chains: dict[int, float]


def fma_peak(
    seconds: float = 0.1,
    threads: int | None = None,
    dtype: type = np.float32,
    burst: float = 1e-3,
) -> FmaPeak:
    """Measure the FMA peak: one thread's best burst, times the thread count.

    One thread runs short bursts (``burst`` seconds) of each chain count of
    :data:`CHAINS`, about ``seconds`` in all; the best burst's rate times the
    thread count is the peak. Short bursts, the best kept, find a moment when no
    other process holds the core, even on a shared machine (where a long
    multi-threaded call would time the other processes too, understate the peak
    and overstate every fraction). No kernel on ``threads`` threads can beat
    ``threads`` cores each at their best; with more threads than physical cores
    (SMT) the figure overstates the peak, which only lowers the fractions.

    Parameters
    ----------
    seconds : float
        Time to spend measuring, all chain counts together (at least 3 bursts each).
    threads : int, optional
        Threads the kernels run on; default numba's current thread count.
    dtype : np.float32 or np.float64
        Lane type (16 or 8 lanes per 512-bit vector).
    burst : float
        Duration of one timed call (its iteration count is calibrated).
    """
    workers = numba.get_num_threads() if threads is None else threads
    bursts = max(3, int(seconds / (burst * len(CHAINS))))
    by_chains = {}
    for chains in CHAINS:
        args = _args(chains, dtype)
        _run(*args, 1)  # compile (or load from the on-disk cache)
        iters = 1_000
        while True:  # calibrate: double until one call lasts ``burst``
            t0 = time.perf_counter()
            _run(*args, iters)
            if time.perf_counter() - t0 >= burst or iters >= 2**40:
                break
            iters *= 2
        by_chains[chains] = workers * fma_rate(chains, iters, bursts, dtype)
    best = max(by_chains, key=by_chains.__getitem__)
    return FmaPeak(by_chains[best], best, workers, np.dtype(dtype).name, by_chains)
