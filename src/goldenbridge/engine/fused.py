"""Fused numba kernels: acceptance, deal, war and payoff sums without N x M arrays.

Two entry points:

* :func:`tally` -- every sum of a :class:`~goldenbridge.engine.arrays.Tally`. In
  float64 it follows the reference engine's summation contract (fixed world blocks,
  sequential sums in world order inside a block, block partials added in block
  order; see :mod:`goldenbridge.engine.reference`) and computes utilities with the
  same expressions, so the two agree bit for bit. In float32 the utilities are
  float32 (sums stay float64), so an acceptance may flip only where the float64
  margin ``u_i - r_i`` is within float32 rounding of zero.
* :func:`deal_and_payoff` -- only ``P(deal)`` and the proposer's expected utility
  per offer: the hot loop of optimisation. Quadratic losses use the loss form
  ``sum_c w_c (x_c - a_c)^2 <= sum_c w_c - r`` (one subtraction and two
  multiplications per issue, no expanded square: it loses less precision and, on
  CPUs, measured faster than a matrix product). Other exponents fall back to
  :func:`tally`.

Loop order (docs/performance.md). The work is cut into items (world block x
offer tile), spread over numba's threads. Inside an item worlds are outer and the
offers of the tile inner, so the inner loops run over contiguous offer
coordinates in SIMD lanes and each offer's sum still grows in world order. With
few offers (fewer than ``SMALL_M``) the SIMD lanes run over worlds instead and
the per-world results are then added in world order, giving the same numbers.
No result depends on the thread count, the tile or the number of blocks handed to
a call. Numba threads are never mixed with BLAS threads: no kernel calls BLAS.
"""

from __future__ import annotations

import weakref

import numpy as np
from numba import njit, prange

from goldenbridge.engine.arrays import Offers, Tally, Worlds
from goldenbridge.engine.reference import WORLD_BLOCK, world_sums

__all__ = ["tally", "deal_and_payoff", "block_partials", "OFFER_TILE", "SMALL_M"]

#: Offers per tile: the tile's coordinates and scratch rows stay in L1.
OFFER_TILE = 1024
#: Below this many offers the kernels put worlds in the SIMD lanes.
SMALL_M = 64
#: Worlds per inner sub-tile of the few-offers kernel.
_WORLD_TILE = 256
#: Bytes of block partials held at once by :func:`tally`.
_PARTIAL_BYTES = 32 * 2**20


# ---------------------------------------------------------------------------
# Packing: worlds and offers as contiguous arrays, issue-major.
# ---------------------------------------------------------------------------


def _pack_actors(worlds: Worlds, index: list[int], dtype: type) -> tuple[np.ndarray, ...]:
    """Stack the actors in ``index``: weight/ideal (S, Kc, N), rho/res (S, N), table."""
    acts = [worlds.actors[i] for i in index]
    n = worlds.n
    o = max((a.table.shape[2] for a in acts), default=0)
    kd = acts[0].table.shape[1] if acts else 0
    table = np.zeros((len(acts), n, kd, o), dtype)
    for s, a in enumerate(acts):
        table[s, :, :, : a.table.shape[2]] = a.table
    weight = np.ascontiguousarray(np.stack([a.weight.T for a in acts]), dtype)
    ideal = np.ascontiguousarray(np.stack([a.ideal.T for a in acts]), dtype)
    rho = np.ascontiguousarray(np.stack([a.rho for a in acts]), dtype)
    res = np.ascontiguousarray(np.stack([a.reservation for a in acts]), dtype)
    return weight, ideal, rho, res, table


def _pack_offers(offers: Offers, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    x = np.ascontiguousarray(offers.x.T, dtype)
    option = np.ascontiguousarray(offers.option.T, np.int64)
    return x, option


# ---------------------------------------------------------------------------
# Full tally kernel.
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _utility_row(u, weight, ideal, rho, table, x, option, a, n, m0, m1, one):
    """u[j] = utility of actor a in world n for offer m0 + j (reference expressions)."""
    t = m1 - m0
    for j in range(t):
        u[j] = 0
    r = rho[a, n]
    for c in range(weight.shape[1]):
        wc = weight[a, c, n]
        ac = ideal[a, c, n]
        xs = x[c, m0:m1]
        if r == 2:
            for j in range(t):
                d = xs[j] - ac
                u[j] += wc * (one - d * d)
        elif r == 1:
            for j in range(t):
                u[j] += wc * (one - abs(xs[j] - ac))
        else:
            for j in range(t):
                u[j] += wc * (one - abs(xs[j] - ac) ** r)
    for k in range(option.shape[0]):
        tab = table[a, n, k]
        ok = option[k, m0:m1]
        for j in range(t):
            u[j] += tab[ok[j]]


@njit(parallel=True, cache=True)
def _tally_kernel(
    weight,
    ideal,
    rho,
    res,
    table,
    x,
    option,
    wts,
    fight,
    group,
    n_groups,
    is_decider,
    proposer,
    n_lo,
    n_hi,
    block,
    tile,
    one,
):
    """Per-block partial sums, shape (blocks, 3A + 8, G, M), for worlds n_lo..n_hi."""
    n_act = weight.shape[0]
    m = x.shape[1]
    nb = (n_hi - n_lo + block - 1) // block
    nt = (m + tile - 1) // tile
    fa, fs, fd = 0, n_act, 2 * n_act  # accept, accept2, sole
    fo = 3 * n_act  # deal, deal2, war, war2, payoff, payoff2, payoff_sq2, proposer_u
    part = np.zeros((nb, fo + 8, n_groups, m))
    for item in prange(nb * nt):
        bi = item // nt
        m0 = (item - bi * nt) * tile
        m1 = min(m, m0 + tile)
        t = m1 - m0
        n0 = n_lo + bi * block
        n1 = min(n_hi, n0 + block)
        u = np.empty((n_act, t), x.dtype)
        rej = np.empty(t, np.int32)
        for n in range(n0, n1):
            for a in range(n_act):
                _utility_row(u[a], weight, ideal, rho, table, x, option, a, n, m0, m1, one)
            g = group[n]
            ww = wts[n]
            w2 = ww * ww
            rej[:] = 0
            for a in range(n_act):
                if is_decider[a]:
                    ua, ra = u[a], res[a, n]
                    for j in range(t):
                        rej[j] += ua[j] < ra
            for a in range(n_act):
                ua, ra = u[a], res[a, n]
                acc = part[bi, fa + a, g, m0:m1]
                acc2 = part[bi, fs + a, g, m0:m1]
                for j in range(t):
                    if ua[j] >= ra:
                        acc[j] += ww
                        acc2[j] += w2
                if is_decider[a]:
                    sole = part[bi, fd + a, g, m0:m1]
                    for j in range(t):
                        if ua[j] < ra and rej[j] == 1:
                            sole[j] += ww
            deal, deal2 = part[bi, fo, g, m0:m1], part[bi, fo + 1, g, m0:m1]
            war, war2 = part[bi, fo + 2, g, m0:m1], part[bi, fo + 3, g, m0:m1]
            pay, pay2 = part[bi, fo + 4, g, m0:m1], part[bi, fo + 5, g, m0:m1]
            paysq2, prop_u = part[bi, fo + 6, g, m0:m1], part[bi, fo + 7, g, m0:m1]
            up, rp = u[proposer], np.float64(res[proposer, n])
            fights = fight[n]
            for j in range(t):
                uj = np.float64(up[j])
                if rej[j] == 0:
                    deal[j] += ww
                    deal2[j] += w2
                    z = uj
                else:
                    if fights:
                        war[j] += ww
                        war2[j] += w2
                    z = rp
                pay[j] += ww * z
                pay2[j] += w2 * z
                paysq2[j] += w2 * (z * z)
                prop_u[j] += ww * uj
    return part


def block_partials(worlds: Worlds, offers: Offers, dtype: type = np.float64, first_block: int = 0):
    """Yield ``(block, Tally)`` for each fixed world block, in block order.

    Adding the yielded tallies in order gives :func:`tally`; the Dask backend
    computes them on workers and adds them in the same order.

    Parameters
    ----------
    worlds, offers
        Inputs; ``worlds`` must start on a block boundary.
    dtype : np.float64 or np.float32
        Precision of the utilities (sums are always float64).
    first_block : int
        Global index of the first block (used only to label the output).
    """
    dtype = np.dtype(dtype).type
    n_act = len(worlds.actors)
    g, m = worlds.n_groups, offers.m
    x, option = _pack_offers(offers, dtype)
    is_decider = np.zeros(n_act, np.bool_)
    is_decider[list(worlds.deciders)] = True
    fields = 3 * n_act + 8
    per_block = max(1, _PARTIAL_BYTES // max(1, fields * g * m * 8))
    wts = np.ascontiguousarray(worlds.weights, np.float64)
    fight = np.ascontiguousarray(worlds.fight, np.bool_)
    group = np.ascontiguousarray(worlds.group, np.int64)
    n_blocks = (worlds.n + WORLD_BLOCK - 1) // WORLD_BLOCK
    for b0 in range(0, n_blocks, per_block):
        n_lo = b0 * WORLD_BLOCK
        n_hi = min(worlds.n, (b0 + per_block) * WORLD_BLOCK)
        # Packed per run of blocks, so memory stays O(run) beyond the inputs.
        chunk = worlds.subset(slice(n_lo, n_hi))
        weight, ideal, rho, res, table = _pack_actors(chunk, list(range(n_act)), dtype)
        part = _tally_kernel(
            weight,
            ideal,
            rho,
            res,
            table,
            x,
            option,
            wts[n_lo:n_hi],
            fight[n_lo:n_hi],
            group[n_lo:n_hi],
            g,
            is_decider,
            worlds.proposer,
            0,
            n_hi - n_lo,
            WORLD_BLOCK,
            OFFER_TILE,
            dtype(1),
        )
        for bi in range(part.shape[0]):
            lo = n_lo + bi * WORLD_BLOCK
            ws = world_sums(worlds.subset(slice(lo, lo + WORLD_BLOCK)))
            p = part[bi]
            tally_b = Tally(
                w=ws[0],
                w2=ws[1],
                fight=ws[2],
                fight2=ws[3],
                accept=p[:n_act].transpose(1, 2, 0).copy(),
                accept2=p[n_act : 2 * n_act].transpose(1, 2, 0).copy(),
                sole=p[2 * n_act : 3 * n_act].transpose(1, 2, 0).copy(),
                deal=p[fields - 8],
                deal2=p[fields - 7],
                war=p[fields - 6],
                war2=p[fields - 5],
                payoff=p[fields - 4],
                payoff2=p[fields - 3],
                payoff_sq2=p[fields - 2],
                proposer_u=p[fields - 1],
            )
            yield first_block + b0 + bi, tally_b


def tally(worlds: Worlds, offers: Offers, dtype: type = np.float64) -> Tally:
    """Weighted sums of acceptance, deal, war and payoff over all worlds.

    Same result as :func:`goldenbridge.engine.reference.tally`, bit for bit in
    float64; memory is O((N + M) K) plus a bounded buffer of block partials.

    Parameters
    ----------
    worlds : Worlds
        The sampled population.
    offers : Offers
        M offers.
    dtype : np.float64 or np.float32
        Precision of the utilities; sums are float64 either way.

    Returns
    -------
    Tally
    """
    total = Tally.zeros(worlds.n_groups, offers.m, len(worlds.actors))
    for _, part in block_partials(worlds, offers, dtype):
        total.add(part)
    return total


# ---------------------------------------------------------------------------
# Hot path: P(deal) and the proposer's expected utility only.
# ---------------------------------------------------------------------------


@njit(cache=True, inline="always")
def _loss_row(loss, weight, ideal, table, x, option, s, n, m0, m1):
    """loss[j] = sum_c w_c (x_c - a_c)^2 - sum_k table_k for offers m0..m1."""
    t = m1 - m0
    kc = weight.shape[1]
    if kc == 0:
        for j in range(t):
            loss[j] = 0
    else:
        wc, ac, xs = weight[s, 0, n], ideal[s, 0, n], x[0, m0:m1]
        for j in range(t):
            d = xs[j] - ac
            loss[j] = wc * d * d
    for c in range(1, kc):
        wc, ac, xs = weight[s, c, n], ideal[s, c, n], x[c, m0:m1]
        for j in range(t):
            d = xs[j] - ac
            loss[j] += wc * d * d
    for k in range(option.shape[0]):
        tab, ok = table[s, n, k], option[k, m0:m1]
        for j in range(t):
            loss[j] -= tab[ok[j]]


@njit(parallel=True, cache=True)
def _deal_offers(weight, ideal, thr, base, table, x, option, wts, r_p, n_dec, p_slot, block, tile):
    """Per-block sums of w*deal and w*payoff, (blocks, M) each; offers in SIMD lanes.

    Slots 0..n_dec-1 are the deciders; ``p_slot`` is the proposer's slot (-1: no
    payoff wanted). Actor s accepts iff loss <= thr[s, n]; u_P = base - loss.
    """
    n = wts.shape[0]
    m = x.shape[1]
    nb = (n + block - 1) // block
    nt = (m + tile - 1) // tile
    deal_out = np.zeros((nb, m))
    pay_out = np.zeros((nb, m))
    for item in prange(nb * nt):
        bi = item // nt
        m0 = (item - bi * nt) * tile
        m1 = min(m, m0 + tile)
        t = m1 - m0
        loss = np.empty(t, x.dtype)
        ok = np.empty(t, x.dtype)
        up = np.empty(t, x.dtype)
        acc_deal = deal_out[bi, m0:m1]
        acc_pay = pay_out[bi, m0:m1]
        single = n_dec == 1 and p_slot < 0
        for i in range(bi * block, min(n, (bi + 1) * block)):
            ww = wts[i]
            for s in range(weight.shape[0]):
                _loss_row(loss, weight, ideal, table, x, option, s, i, m0, m1)
                th = thr[s, i]
                if single:  # one decider, no payoff: count straight away
                    for j in range(t):
                        if loss[j] <= th:
                            acc_deal[j] += ww
                elif s == 0:
                    for j in range(t):
                        ok[j] = 1 if loss[j] <= th else 0
                elif s < n_dec:
                    for j in range(t):
                        ok[j] = ok[j] if loss[j] <= th else 0
                if s == p_slot:
                    b = base[s, i]
                    for j in range(t):
                        up[j] = b - loss[j]
            if single:
                continue
            for j in range(t):
                if ok[j] > 0:
                    acc_deal[j] += ww
            if p_slot >= 0:
                rp = np.float64(r_p[i])
                for j in range(t):
                    acc_pay[j] += ww * (np.float64(up[j]) if ok[j] > 0 else rp)
    return deal_out, pay_out


@njit(parallel=True, cache=True)
def _deal_worlds(weight, ideal, thr, base, table, x, option, wts, r_p, n_dec, p_slot, block, sub):
    """As :func:`_deal_offers` for few offers: worlds in SIMD lanes, same sums."""
    n = wts.shape[0]
    m = x.shape[1]
    kc = weight.shape[1]
    nb = (n + block - 1) // block
    m4 = (m + 3) // 4 * 4  # padded to whole groups of four; padding rows stay 0
    deal_out = np.zeros((nb, m4))
    pay_out = np.zeros((nb, m))
    for bi in prange(nb):
        loss = np.empty(sub, x.dtype)
        ok = np.zeros((m4, sub), x.dtype)
        up = np.empty((m, sub), x.dtype)
        acc_deal = deal_out[bi]
        acc_pay = pay_out[bi]
        for s0 in range(bi * block, min(n, (bi + 1) * block), sub):
            s1 = min(n, (bi + 1) * block, s0 + sub)
            tw = s1 - s0
            for mm in range(m):
                for s in range(weight.shape[0]):
                    if kc == 0:
                        for i in range(tw):
                            loss[i] = 0
                    else:
                        xc, wc, ac = x[0, mm], weight[s, 0, s0:s1], ideal[s, 0, s0:s1]
                        for i in range(tw):
                            d = xc - ac[i]
                            loss[i] = wc[i] * d * d
                    for c in range(1, kc):
                        xc, wc, ac = x[c, mm], weight[s, c, s0:s1], ideal[s, c, s0:s1]
                        for i in range(tw):
                            d = xc - ac[i]
                            loss[i] += wc[i] * d * d
                    for k in range(option.shape[0]):
                        o = option[k, mm]
                        for i in range(tw):
                            loss[i] -= table[s, s0 + i, k, o]
                    th = thr[s, s0:s1]
                    if s == 0:
                        for i in range(tw):
                            ok[mm, i] = 1 if loss[i] <= th[i] else 0
                    elif s < n_dec:
                        for i in range(tw):
                            ok[mm, i] = ok[mm, i] if loss[i] <= th[i] else 0
                    if s == p_slot:
                        b = base[s, s0:s1]
                        for i in range(tw):
                            up[mm, i] = b[i] - loss[i]
            # Four offers at a time, each sum in a register, worlds in order.
            for mm in range(0, m, 4):
                d0, d1, d2, d3 = acc_deal[mm], acc_deal[mm + 1], acc_deal[mm + 2], acc_deal[mm + 3]
                for i in range(tw):
                    ww = wts[s0 + i]
                    d0 += ww if ok[mm, i] > 0 else 0.0
                    d1 += ww if ok[mm + 1, i] > 0 else 0.0
                    d2 += ww if ok[mm + 2, i] > 0 else 0.0
                    d3 += ww if ok[mm + 3, i] > 0 else 0.0
                acc_deal[mm], acc_deal[mm + 1], acc_deal[mm + 2], acc_deal[mm + 3] = d0, d1, d2, d3
            if p_slot >= 0:
                for mm in range(m):
                    p0 = acc_pay[mm]
                    for i in range(tw):
                        ww = wts[s0 + i]
                        p0 += ww * (np.float64(up[mm, i]) if ok[mm, i] > 0 else r_p[s0 + i])
                    acc_pay[mm] = p0
    return deal_out[:, :m], pay_out


def _seq_total(parts: np.ndarray) -> np.ndarray:
    """Block partials added in block order (float64)."""
    total = np.zeros(parts.shape[1:])
    for p in parts:
        total += p
    return total


def deal_and_payoff(
    worlds: Worlds,
    offers: Offers,
    dtype: type = np.float32,
    payoff: bool = True,
    small_m: int = SMALL_M,
) -> tuple[np.ndarray, np.ndarray | None]:
    """``P(deal)`` and the proposer's expected utility ``EU`` for each offer.

    The counts-only kernel for optimisation loops (DESIGN.md section 6:
    ``EU(x) = sum_n w_n [deal_n u_P,n(x) + (1 - deal_n) r_P,n] / sum_n w_n``).

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
        Compute ``EU`` (costs one more utility when the proposer is not a decider).
    small_m : int
        Below this many offers, put worlds in the SIMD lanes (same result).

    Returns
    -------
    p_deal : (M,) float64
    eu : (M,) float64, or None when ``payoff`` is False
    """
    dtype = np.dtype(dtype).type
    if not all(np.all(worlds.actors[i].rho == 2.0) for i in range(len(worlds.actors))):
        t = tally(worlds, offers, dtype)
        w = t.w.sum()
        return t.deal.sum(0) / w, (t.payoff.sum(0) / w if payoff else None)
    packed = _deal_inputs(worlds, dtype, payoff)
    weight, ideal, thr, base, table, wts, r_p, p_slot, w_total = packed
    x, option = _pack_offers(offers, dtype)
    args = (weight, ideal, thr, base, table, x, option, wts, r_p, len(worlds.deciders), p_slot)
    if offers.m < small_m:
        d_parts, p_parts = _deal_worlds(*args, WORLD_BLOCK, _WORLD_TILE)
    else:
        tile = _offer_tile(offers.m)
        d_parts, p_parts = _deal_offers(*args, WORLD_BLOCK, tile)
    p_deal = _seq_total(d_parts) / w_total
    return p_deal, (_seq_total(p_parts) / w_total if payoff else None)


#: The last worlds packed by :func:`deal_and_payoff` (optimisers call it again and
#: again with the same worlds and new offers): (weak reference, key, arrays).
_DEAL_CACHE: list = [None, None, None]


def _deal_inputs(worlds: Worlds, dtype: type, payoff: bool) -> tuple:
    """The hot kernel's arrays for these worlds, packed once per worlds object."""
    key = (np.dtype(dtype).str, payoff)
    ref, cached_key, cached = _DEAL_CACHE
    if ref is not None and ref() is worlds and cached_key == key:
        return cached
    slots = list(worlds.deciders)
    p_slot = -1
    if payoff:
        if worlds.proposer in slots:
            p_slot = slots.index(worlds.proposer)
        else:
            p_slot = len(slots)
            slots.append(worlds.proposer)
    weight, ideal, _, res, table = _pack_actors(worlds, slots, dtype)
    sum_w = np.stack([worlds.actors[i].weight.sum(axis=1) for i in slots])
    base = np.ascontiguousarray(sum_w, dtype)
    res64 = np.stack([worlds.actors[i].reservation for i in slots])
    thr = np.ascontiguousarray(sum_w - res64, dtype)
    packed = (
        weight,
        ideal,
        thr,
        base,
        table,
        np.ascontiguousarray(worlds.weights, np.float64),
        np.ascontiguousarray(worlds.actors[worlds.proposer].reservation, np.float64),
        p_slot,
        _weight_total(worlds.weights),
    )
    _DEAL_CACHE[:] = [weakref.ref(worlds), key, packed]
    return packed


def _weight_total(w: np.ndarray) -> float:
    """Sum of the world weights: sequential inside each block, blocks in order."""
    total = 0.0
    for b in range(0, w.shape[0], WORLD_BLOCK):
        total += float(np.cumsum(w[b : b + WORLD_BLOCK])[-1])
    return total


def _offer_tile(m: int) -> int:
    """Balanced offer tile <= OFFER_TILE, a multiple of 16 (one SIMD vector)."""
    from numba import get_num_threads

    n_tiles = max(1, -(-m // OFFER_TILE))
    threads = get_num_threads()
    n_tiles = -(-n_tiles // threads) * threads if m >= threads * 256 else n_tiles
    tile = -(-m // n_tiles)
    return max(16, -(-tile // 16) * 16)
