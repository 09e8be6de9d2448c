"""The hot path: ``P(deal)`` and the proposer's expected utility per offer, fast.

Written for loops that call the engine again and again with the same worlds and new
offers -- optimisation, sensitivity, the live sliders (docs/design.md section 6:
``EU(x) = sum_n w_n [deal_n u_P,n(x) + (1 - deal_n) r_P,n] / sum_n w_n``). Today only
``goldenbridge bench`` (:mod:`goldenbridge.bench`) calls it: every analysis still runs
on :func:`goldenbridge.engine.tally` (the fused kernels of :mod:`goldenbridge.engine.fused`).
Only quadratic losses take the fast kernels; other exponents fall back to the exact
:func:`goldenbridge.engine.fused.tally`.

Loss form. Actor ``s`` accepts iff ``sum_c w_c (x_c - a_c)^2 - sum_k table_k <=
sum_c w_c - r`` and the proposer's utility is ``sum_c w_c - loss``. The quadratic
term is computed as ``t * t`` with ``t = fma(sqrt(w_c), x_c, -sqrt(w_c) a_c)``
(the square roots and products packed once per worlds object): two fused
multiply-adds per issue (:func:`goldenbridge.engine.simd.fma`, explicit, so every
loop and path rounds the same way), no expanded square (it cancels). Weights must
be >= 0 (saliences are). The loss is the sum over the even issues plus the sum
over the odd issues, each in issue order: every kernel adds in this order, so
every path gives the same numbers, and the two shorter chains of dependent
multiply-adds keep the units busier. Worlds with a negative weight or a non-quadratic loss
anywhere send the whole call to :func:`goldenbridge.engine.fused.tally`. The float32
error of this form is derived in ``tests/test_engine_fused.py::margin_bound``.

512-bit vectors. LLVM's tuning for Intel AVX-512 cores prefers 256-bit vectors;
each kernel calls :func:`goldenbridge.engine.simd.wide_vectors` so the
loops use ``zmm`` registers (checked with ``kernel.inspect_asm()``).

Threads. The two kernels below are compiled serially (``nogil=True``, no
``parallel=True``) and called once on each of numba's threads
(:func:`goldenbridge.engine.threads.together`): every call takes the next work item
from one atomic counter (:func:`goldenbridge.engine.simd.fetch_add`) until none is
left, so a core that another process steals does not hold the other one up, and
each item is computed the same way on any thread. numba's parallel build of the same
loops (a ``prange`` over the items, chunk size 1) took three to five times as long to
compile on a fresh install (docs/performance-log.md, "The bench kernels"), for the same numbers
and no more speed. The register kernel stays a ``prange`` over the threads: its
serial build came out of LLVM's register allocator with the offer tile spilled in
the loop with the proposer's payoff, 10-20% slower there.

Kernels specialised by the number of continuous issues ``kc``: it is a
compile-time constant of the kernel (a closure per ``kc``, compiled once and cached
on disk by numba), so the issue loop is unrolled *inside* the loop over SIMD lanes
and each loss stays in a register: no scratch row is stored and reloaded per
issue. Slots (deciders, proposer) and discrete issues are run-time loops outside
the lanes.

* Float32 without discrete issues (the common case): offers held in registers,
  worlds streamed (:mod:`goldenbridge.engine.registers`), whatever the number of
  offers. The two kernels below take discrete issues and float64.
* Many offers: offers in the SIMD lanes. Work items are (world block x offer
  tile). Two worlds per pass:
  float32-only loops (16 lanes) write each world's decision row (with one decider,
  the loss itself), then a float64 loop adds the two worlds' weights, in world
  order, into each offer's sum: separate loops, because a loop that mixes float32
  and float64 gets only 8 lanes.
* Few offers (fewer than :data:`SMALL_M`): worlds in the SIMD lanes (a work item
  is a block of worlds), four offers
  per pass over a world's data; then each offer's sum over worlds in world order,
  eight offers at a time in registers.

All compute every loss with the same expression in the same order and add each
offer's weights in world order inside the fixed blocks of :data:`SUM_BLOCK`
worlds, blocks in order: the result does not depend on the path, the tile, the
thread count or the other offers in the call.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numba
import numpy as np
from numba import njit

from goldenbridge.engine.arrays import Offers, Worlds, packed_once
from goldenbridge.engine.registers import offer_tiles, register_kernel
from goldenbridge.engine.simd import fetch_add, fma, wide_vectors
from goldenbridge.engine.threads import together

__all__ = ["deal_and_payoff", "SMALL_M"]

#: Below this many offers the kernels put worlds in the SIMD lanes (measured: from
#: 16 offers on, offers in the lanes are as fast or faster per pair).
SMALL_M = 16
#: Bytes of one offer tile's working set (coordinates, rows, sums): about L1.
_TILE_BYTES = 64 * 1024
#: Worlds per partial sum: each offer's weights are added in world order inside
#: blocks of this many worlds, and the blocks' sums in block order. Small enough
#: that a few offers still give every core many blocks to share (one block is a
#: work item), large enough that the partial sums stay small.
SUM_BLOCK = 4096
#: Worlds per sub-tile of the few-offers kernel (divides SUM_BLOCK).
_WORLD_TILE = 512
#: Below this much work (worlds x offers x slots x issues, about a millisecond) the
#: calling thread alone runs the kernel: waking the others costs more than they save, and when
#: another process holds their core the join waits for the scheduler (~20 ms
#: measured on a shared 2-core VM).
_SERIAL_WORK = 2**23


@njit(cache=True, inline="always")
def _two_losses(par, s, i, i2, xs, j, kc, zero):
    """Slot ``s``'s losses of worlds ``i`` and ``i2`` for offer ``j`` (root form).

    Inlined into the kernels, where ``kc`` is a closure constant: the issue loop
    is unrolled and both losses stay in registers. Even and odd issues are summed
    apart, then added (see the module's loss form).
    """
    e0 = o0 = e1 = o1 = zero
    for c in range(kc):
        x = xs[c, j]
        t0 = fma(par[s, i, c], x, par[s, i, kc + c])
        t1 = fma(par[s, i2, c], x, par[s, i2, kc + c])
        if c % 2 == 0:
            e0 = fma(t0, t0, e0)
            e1 = fma(t1, t1, e1)
        else:
            o0 = fma(t0, t0, o0)
            o1 = fma(t1, t1, o1)
    return e0 + o0, e1 + o1


@njit(cache=True, inline="always")
def _four_losses(ws, as_, row, iu, sub, x, g, kc, zero):
    """One world's losses for offers ``g .. g+3`` (root form; few-offers layout)."""
    e0 = e1 = e2 = e3 = o0 = o1 = o2 = o3 = zero
    for c in range(kc):
        a = as_[row + np.uint64(c * sub) + iu]
        w = ws[row + np.uint64(c * sub) + iu]
        t0 = fma(w, x[g, c], a)
        t1 = fma(w, x[g + 1, c], a)
        t2 = fma(w, x[g + 2, c], a)
        t3 = fma(w, x[g + 3, c], a)
        if c % 2 == 0:
            e0 = fma(t0, t0, e0)
            e1 = fma(t1, t1, e1)
            e2 = fma(t2, t2, e2)
            e3 = fma(t3, t3, e3)
        else:
            o0 = fma(t0, t0, o0)
            o1 = fma(t1, t1, o1)
            o2 = fma(t2, t2, o2)
            o3 = fma(t3, t3, o3)
    return e0 + o0, e1 + o1, e2 + o2, e3 + o3


# ---------------------------------------------------------------------------
# Many offers: offers in the SIMD lanes.
# ---------------------------------------------------------------------------


@cache
def _offer_lanes(kc: int):
    """The many-offers kernel for ``kc`` continuous issues (a closure constant)."""

    @njit(nogil=True, cache=True)
    def kernel(
        par, thr, base, table, xt, ot, wts, r_p, n_dec, p_slot, block, zero, one,
        counter, deal_out, pay_out,
    ):  # fmt: skip
        """Per-block sums of w * deal and w * payoff into deal_out, pay_out (blocks,
        padded M; zeros), work items taken from ``counter[0]`` until none is left.

        par (S, N, 2 kc): square roots of the weights, then -sqrt(w) * ideal; thr,
        base (S, N); table (S, N, kd, O); xt (tiles, kc, tile), ot (tiles, kd,
        tile): offers, padded; wts, r_p (N,). Slots 0..n_dec-1 decide; slot
        p_slot is the proposer (-1: no payoff).

        Two worlds per pass over the tile: each offer coordinate loaded serves
        both, and each offer's float64 sums are loaded and stored once per two
        worlds (still added in world order). The last world of an odd block is
        paired with itself and added once. A world deals with an offer iff its row
        ``mg <= lim``: with one decider ``mg`` is the loss and ``lim`` the
        threshold (the comparison moves into the float64 loop, where it is needed
        anyway); with several, ``mg`` is 1 where some decider refuses and ``lim = 0``.
        """
        wide_vectors()
        n = wts.shape[0]
        n_slots, kd = par.shape[0], ot.shape[1]
        nt, tile = xt.shape[0], xt.shape[2]
        nb = (n + block - 1) // block
        while True:
            item = fetch_add(counter, 0)
            if item >= nb * nt:
                break
            bi = item // nt
            ti = item - bi * nt
            xs, os = xt[ti], ot[ti]
            acc_deal = deal_out[bi, ti * tile : (ti + 1) * tile]
            mg0 = np.empty(tile, xt.dtype)
            mg1 = np.empty(tile, xt.dtype)
            up0 = np.empty(tile, xt.dtype)
            up1 = np.empty(tile, xt.dtype)
            loss0 = np.empty(tile, xt.dtype)
            loss1 = np.empty(tile, xt.dtype)
            i_end = min(n, (bi + 1) * block)
            for i in range(bi * block, i_end, 2):
                i2 = min(i + 1, i_end - 1)
                lim0 = lim1 = zero
                if n_dec == 0:  # nobody decides: every offer is a deal
                    for j in range(tile):
                        mg0[j] = zero
                        mg1[j] = zero
                # float32 only (16 lanes): the deal rows, and u_P.
                for s in range(n_slots):
                    th0, th1 = thr[s, i], thr[s, i2]
                    if kd == 0 and s < n_dec and s != p_slot:  # the common case, one pass
                        if n_dec == 1:  # s == 0: the loss itself, against thr
                            lim0, lim1 = th0, th1
                            for j in range(tile):
                                l0, l1 = _two_losses(par, s, i, i2, xs, j, kc, zero)
                                mg0[j] = l0
                                mg1[j] = l1
                        elif s == 0:
                            for j in range(tile):
                                l0, l1 = _two_losses(par, s, i, i2, xs, j, kc, zero)
                                mg0[j] = zero if l0 <= th0 else one
                                mg1[j] = zero if l1 <= th1 else one
                        else:
                            for j in range(tile):
                                l0, l1 = _two_losses(par, s, i, i2, xs, j, kc, zero)
                                mg0[j] = mg0[j] if l0 <= th0 else one
                                mg1[j] = mg1[j] if l1 <= th1 else one
                        continue
                    for j in range(tile):
                        l0, l1 = _two_losses(par, s, i, i2, xs, j, kc, zero)
                        loss0[j] = l0
                        loss1[j] = l1
                    for k in range(kd):
                        tab0, tab1, opt = table[s, i, k], table[s, i2, k], os[k]
                        for j in range(tile):
                            loss0[j] -= tab0[opt[j]]
                            loss1[j] -= tab1[opt[j]]
                    if s < n_dec:
                        if s == 0:
                            for j in range(tile):
                                mg0[j] = zero if loss0[j] <= th0 else one
                                mg1[j] = zero if loss1[j] <= th1 else one
                        else:
                            for j in range(tile):
                                mg0[j] = mg0[j] if loss0[j] <= th0 else one
                                mg1[j] = mg1[j] if loss1[j] <= th1 else one
                    if s == p_slot:
                        b0, b1 = base[s, i], base[s, i2]
                        for j in range(tile):
                            up0[j] = b0 - loss0[j]
                            up1[j] = b1 - loss1[j]
                # float64: the worlds' weights into each offer's sums, in world order.
                w0, w1 = wts[i], wts[i2]
                if i2 > i:
                    for j in range(tile):
                        a = acc_deal[j]
                        if mg0[j] <= lim0:
                            a += w0
                        if mg1[j] <= lim1:
                            a += w1
                        acc_deal[j] = a
                else:
                    for j in range(tile):
                        if mg0[j] <= lim0:
                            acc_deal[j] += w0
                if p_slot >= 0:
                    acc_pay = pay_out[bi, ti * tile : (ti + 1) * tile]
                    rp0, rp1 = r_p[i], r_p[i2]
                    for j in range(tile):
                        acc_pay[j] += w0 * (np.float64(up0[j]) if mg0[j] <= lim0 else rp0)
                    if i2 > i:
                        for j in range(tile):
                            acc_pay[j] += w1 * (np.float64(up1[j]) if mg1[j] <= lim1 else rp1)

    return kernel


# ---------------------------------------------------------------------------
# Few offers: worlds in the SIMD lanes.
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _add_rows(rows, acc, tw):
    """acc[r] += rows[r, 0] + rows[r, 1] + ... (world order), eight rows at a time.

    Each row's sum is one chain of float64 additions; eight chains in flight hide
    the addition's latency. ``rows.shape[0]`` is a multiple of four.
    """
    n_rows = rows.shape[0]
    n8 = n_rows - n_rows % 8
    for g in range(0, n8, 8):
        r0, r1, r2, r3 = rows[g], rows[g + 1], rows[g + 2], rows[g + 3]
        r4, r5, r6, r7 = rows[g + 4], rows[g + 5], rows[g + 6], rows[g + 7]
        a0, a1, a2, a3 = acc[g], acc[g + 1], acc[g + 2], acc[g + 3]
        a4, a5, a6, a7 = acc[g + 4], acc[g + 5], acc[g + 6], acc[g + 7]
        for i in range(tw):
            a0 += r0[i]
            a1 += r1[i]
            a2 += r2[i]
            a3 += r3[i]
            a4 += r4[i]
            a5 += r5[i]
            a6 += r6[i]
            a7 += r7[i]
        acc[g], acc[g + 1], acc[g + 2], acc[g + 3] = a0, a1, a2, a3
        acc[g + 4], acc[g + 5], acc[g + 6], acc[g + 7] = a4, a5, a6, a7
    if n8 < n_rows:
        g = n8
        r0, r1, r2, r3 = rows[g], rows[g + 1], rows[g + 2], rows[g + 3]
        a0, a1, a2, a3 = acc[g], acc[g + 1], acc[g + 2], acc[g + 3]
        for i in range(tw):
            a0 += r0[i]
            a1 += r1[i]
            a2 += r2[i]
            a3 += r3[i]
        acc[g], acc[g + 1], acc[g + 2], acc[g + 3] = a0, a1, a2, a3


@cache
def _world_lanes(kc: int):
    """The few-offers kernel for ``kc`` continuous issues (a closure constant)."""
    sub = _WORLD_TILE

    @njit(nogil=True, cache=True)
    def kernel(
        wt, at, tt, thr, base, x, option, wts, r_p, n_dec, p_slot, block, zero, one,
        counter, deal_out, pay_out,
    ):  # fmt: skip
        """Per-block sums of w * deal and w * payoff into deal_out, pay_out (blocks, M4;
        zeros), blocks taken from ``counter[0]`` until none is left.

        Worlds cut into sub-tiles of ``sub`` worlds, worlds last: wt, at (tiles,
        S kc sub) sqrt(w) and -sqrt(w) * ideal, tt (tiles, S, kd, O, sub) tables, thr and base
        (tiles, S sub); x (M4, kc), option (M4, kd): offers padded to a multiple of
        four; wts, r_p (N,). Flat rows and unsigned indices let LLVM see that the
        rows of one array sit at constant distances (one run-time alias check
        each, so the loop still vectorises).
        """
        wide_vectors()
        n = wts.shape[0]
        n_slots, kd = tt.shape[1], tt.shape[2]
        m4 = x.shape[0]
        nb = (n + block - 1) // block
        while True:
            bi = fetch_add(counter, 0)
            if bi >= nb:
                break
            okw = np.zeros((m4, sub))  # w * deal, per offer and world
            pay = np.zeros((m4 if p_slot >= 0 else 0, sub))  # w * payoff
            ok = np.empty((4, sub), wt.dtype)
            up = np.empty((4, sub), wt.dtype)
            loss = np.empty((4, sub), wt.dtype)
            for s0 in range(bi * block, min(n, (bi + 1) * block), sub):
                tw = min(n, (bi + 1) * block, s0 + sub) - s0
                si = s0 // sub
                ws, as_, ts = wt[si], at[si], tt[si]
                w_n = wts[s0 : s0 + tw]
                rp_n = r_p[s0 : s0 + tw]
                for g in range(0, m4, 4):
                    # float32 only (16 lanes), four offers per pass over the worlds.
                    for q in range(4):
                        for i in range(tw):
                            ok[q, i] = one
                    for s in range(n_slots):
                        th = thr[si, s * sub : s * sub + tw]
                        row = np.uint64(s * kc * sub)
                        if kd == 0 and s < n_dec and s != p_slot:  # common case, one pass
                            for i in range(tw):
                                iu = np.uint64(i)  # unsigned: no negative-index wraparound
                                l0, l1, l2, l3 = _four_losses(ws, as_, row, iu, sub, x, g, kc, zero)
                                ok[0, i] = ok[0, i] if l0 <= th[i] else zero
                                ok[1, i] = ok[1, i] if l1 <= th[i] else zero
                                ok[2, i] = ok[2, i] if l2 <= th[i] else zero
                                ok[3, i] = ok[3, i] if l3 <= th[i] else zero
                            continue
                        for i in range(tw):
                            iu = np.uint64(i)
                            l0, l1, l2, l3 = _four_losses(ws, as_, row, iu, sub, x, g, kc, zero)
                            loss[0, i], loss[1, i], loss[2, i], loss[3, i] = l0, l1, l2, l3
                        for q in range(4):
                            lq = loss[q]
                            for k in range(kd):
                                tab = ts[s, k, option[g + q, k]]
                                for i in range(tw):
                                    lq[i] -= tab[i]
                            if s < n_dec:
                                okq = ok[q]
                                for i in range(tw):
                                    okq[i] = okq[i] if lq[i] <= th[i] else zero
                            if s == p_slot:
                                b, upq = base[si, s * sub : s * sub + tw], up[q]
                                for i in range(tw):
                                    upq[i] = b[i] - lq[i]
                    # float64: each world's weight (and payoff) where it deals.
                    for q in range(4):
                        okq, row_w = ok[q], okw[g + q]
                        for i in range(tw):
                            row_w[i] = w_n[i] if okq[i] > 0 else 0.0
                        if p_slot >= 0:
                            upq, prow = up[q], pay[g + q]
                            for i in range(tw):
                                prow[i] = w_n[i] * (np.float64(upq[i]) if okq[i] > 0 else rp_n[i])
                # Each offer's sums in world order.
                _add_rows(okw, deal_out[bi], tw)
                if p_slot >= 0:
                    _add_rows(pay, pay_out[bi], tw)

    return kernel


# ---------------------------------------------------------------------------
# Packing and the entry point.
# ---------------------------------------------------------------------------


def _root_form(a) -> tuple[np.ndarray, np.ndarray]:
    """``sqrt(w)`` and ``-sqrt(w) * ideal`` (float64, rounded to the kernel's dtype later).

    ``w (x - a)^2 = (sqrt(w) x - sqrt(w) a)^2``: per issue one FMA gives
    ``t = fma(sqrt(w), x, -sqrt(w) a)`` and one more adds ``t * t`` to the loss.
    """
    root = np.sqrt(a.weight)
    return root, -root * a.ideal


def _seq_total(parts: np.ndarray) -> np.ndarray:
    """Block partials added in block order (float64; a running sum is sequential)."""
    return np.cumsum(parts, axis=0)[-1] if len(parts) else np.zeros(parts.shape[1:])


def _weight_total(w: np.ndarray) -> float:
    """Sum of the world weights: sequential inside each block, blocks in order."""
    total = 0.0
    for b in range(0, w.shape[0], SUM_BLOCK):
        total += float(np.cumsum(w[b : b + SUM_BLOCK])[-1])
    return total


class _Packed:
    """The kernels' arrays for one Worlds object, each layout built on first use."""

    def __init__(self, worlds: Worlds, dtype: type, payoff: bool) -> None:
        # The kernels take quadratic losses with non-negative weights (square roots).
        self.fast = all(np.all(a.rho == 2.0) and np.all(a.weight >= 0) for a in worlds.actors)
        if not self.fast:
            return
        slots = list(worlds.deciders)
        self.n_dec = len(slots)
        self.p_slot = -1
        if payoff:
            if worlds.proposer in slots:
                self.p_slot = slots.index(worlds.proposer)
            else:
                self.p_slot = len(slots)
                slots.append(worlds.proposer)
        acts = [worlds.actors[i] for i in slots]
        self.acts, self.dtype = acts, dtype
        self.kc = acts[0].weight.shape[1]
        self.kd = acts[0].table.shape[1]
        o = max(a.table.shape[2] for a in acts)
        self.table = np.zeros((len(acts), worlds.n, self.kd, o), dtype)
        for s, a in enumerate(acts):
            self.table[s, :, :, : a.table.shape[2]] = a.table
        sum_w = np.stack([a.weight.sum(axis=1) for a in acts])
        self.base: np.ndarray = np.ascontiguousarray(sum_w, dtype)
        res = np.stack([a.reservation for a in acts])
        self.thr: np.ndarray = np.ascontiguousarray(sum_w - res, dtype)
        self.wts = np.ascontiguousarray(worlds.weights, np.float64)
        self.r_p = np.ascontiguousarray(worlds.actors[worlds.proposer].reservation, np.float64)
        self.w_total = _weight_total(worlds.weights)
        self._par: np.ndarray | None = None
        self._world_tiles: tuple[np.ndarray, ...] | None = None

    @property
    def par(self) -> np.ndarray:
        """(S, N, 2 kc): each world's sqrt(w) then -sqrt(w) * ideal, contiguous."""
        if self._par is None:  # filled slot by slot: no float64 copy of the whole
            kc = self.kc
            self._par = np.empty((len(self.acts), self.thr.shape[1], 2 * kc), self.dtype)
            for s, a in enumerate(self.acts):
                self._par[s, :, :kc], self._par[s, :, kc:] = _root_form(a)
        return self._par

    @property
    def world_tiles(self) -> tuple[np.ndarray, ...]:
        """Weights, ideals, tables, thresholds and bases per sub-tile of worlds, worlds
        last: (tiles, S kc sub) twice, (tiles, S, kd, O, sub), (tiles, S sub) twice."""
        if self._world_tiles is None:
            n, sub = self.thr.shape[1], _WORLD_TILE
            tiles = -(-n // sub)

            def tiled(a: np.ndarray) -> np.ndarray:  # (S, ..., N) -> (tiles, S, ..., sub)
                pad = [(0, 0)] * (a.ndim - 1) + [(0, tiles * sub - n)]
                a = np.pad(a, pad).reshape(*a.shape[:-1], tiles, sub)
                return np.ascontiguousarray(np.moveaxis(a, -2, 0), self.dtype)

            def flat(a: np.ndarray) -> np.ndarray:
                return tiled(a).reshape(tiles, -1)

            roots = [_root_form(a) for a in self.acts]
            self._world_tiles = (
                flat(np.stack([r[0].T for r in roots])),
                flat(np.stack([r[1].T for r in roots])),
                tiled(np.moveaxis(self.table, 1, -1)),
                flat(self.thr),
                flat(self.base),
            )
        return self._world_tiles


def _packed(worlds: Worlds, dtype: type, payoff: bool) -> _Packed:
    """The packing of ``worlds``, built once per Worlds object (:func:`packed_once`)."""
    key = (np.dtype(dtype).str, payoff)
    return packed_once(worlds, "hot", key, lambda: _Packed(worlds, dtype, payoff))


def _offer_tiles(offers: Offers, kc: int, kd: int, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    """Offers cut into equal tiles, padded to whole SIMD vectors: (tiles, K, tile)."""
    m = offers.m
    most = max(64, _TILE_BYTES // (4 * (kc + 2 * kd + 6)) // 16 * 16)
    n_tiles = -(-m // most)
    per_tile = -(-m // n_tiles)
    tile = -(-per_tile // 16) * 16
    pad = n_tiles * tile - m
    x: np.ndarray = np.pad(np.asarray(offers.x, dtype), ((0, pad), (0, 0)))
    opt = np.pad(np.asarray(offers.option, np.int64), ((0, pad), (0, 0)))
    xt = np.ascontiguousarray(x.reshape(n_tiles, tile, kc).transpose(0, 2, 1))
    ot = np.ascontiguousarray(opt.reshape(n_tiles, tile, kd).transpose(0, 2, 1))
    return xt, ot


def deal_and_payoff(
    worlds: Worlds,
    offers: Offers,
    dtype: type = np.float32,
    payoff: bool = True,
    path: str = "auto",
) -> tuple[np.ndarray, np.ndarray | None]:
    """``P(deal)`` and the proposer's expected utility ``EU`` for each offer.

    Parameters
    ----------
    worlds : Worlds
        The sampled population.
    offers : Offers
        M offers.
    dtype : np.float32 or np.float64
        Precision of the losses (sums are float64). In float32 a world's
        acceptance may differ from the reference only where its float64 margin
        is within rounding of zero.
    payoff : bool
        Compute ``EU`` (costs one more loss when the proposer is not a decider).
    path : {"auto", "registers", "offers", "worlds"}
        The kernel (all return the same numbers): ``registers``
        (:mod:`goldenbridge.engine.registers`; float32 without discrete issues),
        offers or worlds in the SIMD lanes. ``auto`` takes ``registers`` where it
        applies, else worlds in the lanes below :data:`SMALL_M` offers.

    Returns
    -------
    p_deal : (M,) float64
    eu : (M,) float64, or None when ``payoff`` is False
    """
    dtype = np.dtype(dtype).type
    p = _packed(worlds, dtype, payoff)
    if not p.fast:
        from goldenbridge.engine.fused import tally

        t = tally(worlds, offers, dtype)
        w = t.w.sum()
        return t.deal.sum(0) / w, (t.payoff.sum(0) / w if payoff else None)
    m = offers.m
    # Arguments first: a rejected call must leave the caller's thread count alone.
    if path not in ("auto", "registers", "offers", "worlds"):
        raise ValueError(f"path: {path!r} is not one of auto, registers, offers, worlds")
    fits = p.kd == 0 and p.kc >= 1 and dtype is np.float32
    if path == "auto":
        path = "registers" if fits else ("worlds" if m < SMALL_M else "offers")
    elif path == "registers" and not fits:
        raise ValueError("path 'registers' needs float32, continuous issues and no discrete ones")
    small = worlds.n * m * len(p.acts) * (p.kc + p.kd + 1) < _SERIAL_WORK
    if path == "registers":
        r = 1 if m <= 16 else 2
        threads = numba.get_num_threads()
        old = None
        try:
            if small:
                numba.set_num_threads(1)  # this thread only
            # One prange iteration per thread: the kernel hands out its work items.
            old = numba.set_parallel_chunksize(0)
            d_parts, p_parts = register_kernel(p.kc, r)(
                p.par, p.thr, p.base, offer_tiles(offers.x, r, dtype), p.wts, p.r_p,
                p.n_dec, p.p_slot, SUM_BLOCK, numba.get_num_threads(),
            )  # fmt: skip
        finally:
            if old is not None:
                numba.set_parallel_chunksize(old)
            numba.set_num_threads(threads)
    else:
        if path == "worlds":
            wt, at, tt, thr, base = p.world_tiles
            pad = ((0, -m % 4), (0, 0))  # whole groups of four offers
            x = np.ascontiguousarray(np.pad(offers.x, pad), dtype)
            option = np.ascontiguousarray(np.pad(offers.option, pad), np.int64)
            kernel, width = _world_lanes(p.kc), x.shape[0]
            args: tuple[Any, ...] = (
                wt, at, tt, thr, base, x, option, p.wts, p.r_p, p.n_dec, p.p_slot,
                SUM_BLOCK, dtype(0), dtype(1),
            )  # fmt: skip
        else:
            xt, ot = _offer_tiles(offers, p.kc, p.kd, dtype)
            kernel, width = _offer_lanes(p.kc), xt.shape[0] * xt.shape[2]
            args = (
                p.par, p.thr, p.base, p.table, xt, ot, p.wts, p.r_p, p.n_dec, p.p_slot,
                SUM_BLOCK, dtype(0), dtype(1),
            )  # fmt: skip
        # On this thread alone below about a millisecond of work, else once on each of
        # numba's threads (this thread's count), every call taking work items from one
        # counter until none is left (threads.together).
        nb = -(-worlds.n // SUM_BLOCK)
        d_parts, p_parts = np.zeros((nb, width)), np.zeros((nb, width if payoff else 0))
        counter = np.zeros(1, np.int64)
        together(kernel, 1 if small else numba.get_num_threads(), *args, counter, d_parts, p_parts)
    p_deal = _seq_total(d_parts[:, :m]) / p.w_total
    return p_deal, (_seq_total(p_parts[:, :m]) / p.w_total if payoff else None)
