"""Register-blocked kernel for all-continuous quadratic worlds: offers in registers.

The same sums as the kernels of :mod:`goldenbridge.engine.hot` (each loss
``sum_c t_c * t_c`` with ``t_c = fma(sqrt(w_c), x_c, -sqrt(w_c) a_c)``, summed over
the even issues plus over the odd ones; each offer's weights added in world order
inside the fixed blocks of
:data:`~goldenbridge.engine.hot.SUM_BLOCK` worlds), so every path returns
the same numbers, but laid out like a matrix-multiply micro-kernel:

* a work item is one block of worlds x one tile of ``16 r`` offers (``r`` = 1 or
  2 vectors of 16 float32 lanes). The tile's coordinates are loaded into
  registers once (``kc r`` vectors), the item's float64 sums stay in registers
  (``2 r`` vectors of 8 lanes per sum) and the loop runs over the block's worlds,
  each world's parameters broadcast from memory: nothing is stored per world;
* per world and 16 offers: ``2 kc`` fused multiply-adds, one addition (the
  even and the odd issues' sums), one compare, one mask shift and two masked
  float64 additions (:func:`goldenbridge.engine.simd.add_where_le`). On an
  AVX-512 core these share the two vector ports, so with ``kc = 8`` the
  multiply-adds fill at most 16 of every 21 slots: 76% of the hardware FMA peak,
  81% in the 4K + 2 flop count of the speed targets (docs/performance.md);
* work items are handed out by an atomic counter (:func:`~goldenbridge.engine.simd.fetch_add`),
  blocks in order, so that a core taken by another process does not hold up the
  other one; numba's own dynamic schedule (``set_parallel_chunksize``) measured
  12% slower on this kernel.

Vectors are explicit (:mod:`goldenbridge.engine.simd`): LLVM's loop vectoriser
works on innermost loops only and would not keep the tile in registers across the
loop over worlds. Requires ``kc >= 1``, no discrete issues, quadratic losses and
weights ``>= 0`` (the caller checks).
"""

from __future__ import annotations

from functools import cache

import numpy as np
from numba import njit, prange

from goldenbridge.engine.simd import (
    add_payoff,
    add_where_le,
    fetch_add,
    inline_in_llvm,
    load16,
    splat16,
    store8,
    vadd,
    vfma,
    vmax,
    vsub,
    wide_vectors,
    zeros8,
)

__all__ = ["register_kernel"]


@njit(cache=True)
def _losses(par, s, i, xs, t, kc, r):
    """Slot ``s``'s losses in world ``i`` for the tile's one or two offer vectors.

    Even and odd issues are summed apart, then added (as in every kernel): two
    chains of dependent multiply-adds, half as long, so fewer worlds must be in
    flight to keep the units busy (measured +20% with one vector, -3% with two).
    Inlined by LLVM (:func:`~goldenbridge.engine.simd.inline_in_llvm`), where
    ``kc`` and ``r`` are the kernel's constants.
    """
    inline_in_llvm()
    e0 = o0 = e1 = o1 = splat16(np.float32(0))
    for c in range(kc):
        a = splat16(par[s, i, c])
        b = splat16(par[s, i, kc + c])
        u0 = vfma(a, load16(xs, c * t), b)
        if c % 2 == 0:
            e0 = vfma(u0, u0, e0)
        else:
            o0 = vfma(u0, u0, o0)
        if r == 2:
            u1 = vfma(a, load16(xs, c * t + 16), b)
            if c % 2 == 0:
                e1 = vfma(u1, u1, e1)
            else:
                o1 = vfma(u1, u1, o1)
    return vadd(e0, o0), vadd(e1, o1)


@njit(cache=True)
def _refusals(par, thr, i, xs, t, kc, r, n_dec):
    """``max_s (loss_s - thr_s)`` over the deciders (-1 if none): <= 0 iff all accept.

    Exact: a float difference is <= 0 iff its operands are ordered so.
    """
    inline_in_llvm()
    m0 = m1 = splat16(np.float32(-1))
    for s in range(n_dec):
        l0, l1 = _losses(par, s, i, xs, t, kc, r)
        th = splat16(thr[s, i])
        m0 = vmax(m0, vsub(l0, th))
        m1 = vmax(m1, vsub(l1, th))
    return m0, m1


@cache
def register_kernel(kc: int, r: int):
    """The kernel for ``kc`` continuous issues and tiles of ``16 r`` offers."""
    t = 16 * r

    @njit(parallel=True, cache=True)
    def kernel(par, thr, base, xt, wts, r_p, n_dec, p_slot, block, workers):
        """Per-block sums of w * deal and w * payoff, (blocks, tiles * t) each.

        par (S, N, 2 kc): sqrt(w) then -sqrt(w) * ideal; thr, base (S, N); xt
        (tiles, kc t): each tile's coordinates, issue by issue; wts, r_p (N,).
        Slots 0..n_dec-1 decide; slot p_slot is the proposer (-1: no payoff).
        """
        n = wts.shape[0]
        nt = xt.shape[0]
        nb = (n + block - 1) // block
        deal_out = np.zeros((nb, nt * t))
        pay_out = np.zeros((nb, nt * t if p_slot >= 0 else 0))
        counter = np.zeros(1, np.int64)
        zero = splat16(np.float32(0))
        for _ in prange(workers):
            wide_vectors()
            while True:
                item = fetch_add(counter, 0)
                if item >= nb * nt:
                    break
                bi = item // nt
                ti = item - bi * nt
                xs = xt[ti]
                d0 = d1 = d2 = d3 = q0 = q1 = q2 = q3 = zeros8()
                i0, i1 = bi * block, min(n, (bi + 1) * block)
                # One loop per case, so that each keeps its values in registers.
                if n_dec == 1 and p_slot < 0:  # the common case
                    for i in range(i0, i1):
                        i = np.uint64(i)  # unsigned: no negative-index wraparound code
                        m0, m1 = _losses(par, 0, i, xs, t, kc, r)
                        lim = splat16(thr[0, i])
                        d0, d1 = add_where_le(d0, d1, m0, lim, wts[i])
                        if r == 2:
                            d2, d3 = add_where_le(d2, d3, m1, lim, wts[i])
                elif p_slot < 0:
                    for i in range(i0, i1):
                        i = np.uint64(i)
                        m0, m1 = _refusals(par, thr, i, xs, t, kc, r, n_dec)
                        d0, d1 = add_where_le(d0, d1, m0, zero, wts[i])
                        if r == 2:
                            d2, d3 = add_where_le(d2, d3, m1, zero, wts[i])
                else:
                    for i in range(i0, i1):
                        i = np.uint64(i)
                        m0, m1 = _refusals(par, thr, i, xs, t, kc, r, n_dec)
                        w, rp = wts[i], r_p[i]
                        d0, d1 = add_where_le(d0, d1, m0, zero, w)
                        # The proposer's loss again if it decides: the same value.
                        l0, l1 = _losses(par, p_slot, i, xs, t, kc, r)
                        b = splat16(base[p_slot, i])
                        q0, q1 = add_payoff(q0, q1, m0, zero, vsub(b, l0), w, rp)
                        if r == 2:
                            d2, d3 = add_where_le(d2, d3, m1, zero, w)
                            q2, q3 = add_payoff(q2, q3, m1, zero, vsub(b, l1), w, rp)
                o = ti * t
                store8(deal_out[bi], o, d0)
                store8(deal_out[bi], o + 8, d1)
                if r == 2:
                    store8(deal_out[bi], o + 16, d2)
                    store8(deal_out[bi], o + 24, d3)
                if p_slot >= 0:
                    store8(pay_out[bi], o, q0)
                    store8(pay_out[bi], o + 8, q1)
                    if r == 2:
                        store8(pay_out[bi], o + 16, q2)
                        store8(pay_out[bi], o + 24, q3)
        return deal_out, pay_out

    return kernel


def offer_tiles(x: np.ndarray, r: int, dtype: type) -> np.ndarray:
    """Offers (M, kc) cut into tiles of ``16 r``, zero-padded: (tiles, kc * 16 r)."""
    t = 16 * r
    m, kc = x.shape
    tiles = -(-m // t)
    padded = np.zeros((tiles * t, kc), dtype)
    padded[:m] = x
    return np.ascontiguousarray(padded.reshape(tiles, t, kc).transpose(0, 2, 1)).reshape(tiles, -1)
