"""Fused numba kernel: every sum of a Tally without N x M arrays.

:func:`tally` computes every sum of a :class:`~goldenbridge.engine.arrays.Tally`.
In float64 it follows the reference engine's summation contract (fixed world
blocks, sequential sums in world order inside a block, block partials added in
block order; see :mod:`goldenbridge.engine.reference`) and computes utilities with
the same expressions, so the two agree bit for bit. In float32 the utilities are
float32 (sums stay float64), so an acceptance may flip only where the float64
margin ``u_i - r_i`` is within float32 rounding of zero. This is the engine the
analyses run on. (:mod:`goldenbridge.engine.hot` is a faster counts-only path, written
for optimisation loops; only ``goldenbridge bench`` calls it so far.)

Loop order (docs/performance.md). The work is cut into items (world block x
offer tile), spread over numba's threads. Inside an item worlds are outer and the
offers of the tile inner, so the inner loops run over contiguous offer
coordinates in SIMD lanes and each offer's sum still grows in world order. No
result depends on the thread count, the tile or the number of blocks handed to a
call. Numba threads are never mixed with BLAS threads: no kernel calls BLAS.

The packed worlds (and each block's offer-independent sums) are kept for the last
``Worlds`` object (:func:`goldenbridge.engine.arrays.packed_once`), so repeated
calls on one population with new offers (the web explorer's sliders) pack once.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from goldenbridge.engine.arrays import Offers, Tally, Worlds, packed_once, read_only
from goldenbridge.engine.reference import WORLD_BLOCK, world_sums
from goldenbridge.engine.threads import sized

__all__ = ["tally", "block_partials", "OFFER_TILE"]

#: Offers per tile: the tile's coordinates and scratch rows stay in L1.
OFFER_TILE = 1024
#: Bytes of block partials held at once by :func:`tally`.
_PARTIAL_BYTES = 32 * 2**20
#: Largest packing of a whole population kept between calls; larger populations
#: are packed per run of blocks (memory O(run) beyond the inputs).
_KEEP_BYTES = 256 * 2**20


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
    weight: np.ndarray = np.ascontiguousarray(np.stack([a.weight.T for a in acts]), dtype)
    ideal: np.ndarray = np.ascontiguousarray(np.stack([a.ideal.T for a in acts]), dtype)
    rho: np.ndarray = np.ascontiguousarray(np.stack([a.rho for a in acts]), dtype)
    res: np.ndarray = np.ascontiguousarray(np.stack([a.reservation for a in acts]), dtype)
    return weight, ideal, rho, res, table


def _pack_offers(offers: Offers, dtype: type) -> tuple[np.ndarray, np.ndarray]:
    x: np.ndarray = np.ascontiguousarray(offers.x.T, dtype)
    option = np.ascontiguousarray(offers.option.T, np.int64)
    return x, option


class _Packed:
    """One population's arrays for :func:`block_partials`, built once per Worlds object.

    ``actors`` is every actor packed by :func:`_pack_actors` over all worlds, or
    None when that would exceed :data:`_KEEP_BYTES` (then each run of blocks is
    packed when it is computed); ``sums`` holds each block's
    :func:`~goldenbridge.engine.reference.world_sums`, filled on first use.
    """

    def __init__(self, worlds: Worlds, dtype: type) -> None:
        acts = worlds.actors
        o = max((a.table.shape[2] for a in acts), default=0)
        kd = acts[0].table.shape[1] if acts else 0
        kc = acts[0].weight.shape[1] if acts else 0
        size = worlds.n * len(acts) * (2 * kc + 2 + kd * o) * np.dtype(dtype).itemsize
        self.actors = None
        if size <= _KEEP_BYTES:
            self.actors = _pack_actors(worlds, list(range(len(acts))), dtype)
        self.wts = np.ascontiguousarray(worlds.weights, np.float64)
        self.fight = np.ascontiguousarray(worlds.fight, np.bool_)
        self.group = np.ascontiguousarray(worlds.group, np.int64)
        self.sums: dict[int, np.ndarray] = {}

    def block_sums(self, worlds: Worlds, bi: int) -> np.ndarray:
        """``world_sums`` of block ``bi`` (computed once)."""
        if bi not in self.sums:
            lo = bi * WORLD_BLOCK
            self.sums[bi] = world_sums(worlds.subset(slice(lo, lo + WORLD_BLOCK)))
        return self.sums[bi]


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
    packed = packed_once(worlds, "fused", np.dtype(dtype).str, lambda: _Packed(worlds, dtype))
    n_blocks = (worlds.n + WORLD_BLOCK - 1) // WORLD_BLOCK
    for b0 in range(0, n_blocks, per_block):
        n_lo = b0 * WORLD_BLOCK
        n_hi = min(worlds.n, (b0 + per_block) * WORLD_BLOCK)
        if packed.actors is not None:  # the whole population, packed once
            arrays, off = packed.actors, 0
        else:  # packed per run of blocks, so memory stays O(run) beyond the inputs
            arrays = _pack_actors(worlds.subset(slice(n_lo, n_hi)), list(range(n_act)), dtype)
            off = n_lo
        # every array read-only: one compilation whatever the flags of the worlds' arrays
        weight, ideal, rho, res, table, x_ro, option_ro, wts, fight, group, deciders = read_only(
            *arrays, x, option, packed.wts[off:], packed.fight[off:], packed.group[off:], is_decider
        )
        with sized((n_hi - n_lo) * m * n_act * (ideal.shape[-1] + 1)):
            part = _tally_kernel(
                weight,
                ideal,
                rho,
                res,
                table,
                x_ro,
                option_ro,
                wts,
                fight,
                group,
                g,
                deciders,
                worlds.proposer,
                n_lo - off,
                n_hi - off,
                WORLD_BLOCK,
                OFFER_TILE,
                dtype(1),
            )
        for bi in range(part.shape[0]):
            ws = packed.block_sums(worlds, b0 + bi).copy()  # callers may add into it
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
