"""The numpy float64 reference engine: the oracle every faster engine is tested against.

Chunked over worlds and offers so that no intermediate array exceeds
``max_cells`` world-offer pairs (memory stays bounded for N = 10^6 worlds x
M = 10^4 offers).

Summation order (the contract every engine follows to agree bit for bit):
worlds are cut into fixed blocks of :data:`WORLD_BLOCK`; inside a block, each
sum of a stratum is accumulated in float64 *sequentially in world order*
(``np.cumsum``, never pairwise or BLAS dot products, whose order depends on the
library); the block partials are then added to the total in block order. Offers
never mix, so how the caller batches offers does not matter either.

Loss. ``|d| ** rho`` is computed as ``d * d`` where ``rho == 2``, ``|d|`` where
``rho == 1`` and the C library's ``pow`` otherwise (``np.float_power`` rather
than ``np.power``, whose SIMD loops may differ in the last bit from ``pow``),
so that compiled kernels can reproduce it exactly.
"""

from __future__ import annotations

import numpy as np

from goldenbridge.engine.arrays import ActorArrays, Offers, Tally, Worlds

__all__ = [
    "utilities",
    "utilities_at",
    "margins",
    "tally",
    "world_sums",
    "loss",
    "outcome_sums",
    "WORLD_BLOCK",
]

#: Worlds per block. Fixed: the block boundaries decide the order of float64
#: summation, so every engine uses the same blocks to agree bit for bit.
WORLD_BLOCK = 16_384


def loss(d: np.ndarray, rho: np.ndarray) -> np.ndarray:
    """The loss ``|d| ** rho`` of docs/design.md section 3, exactly as every engine computes it.

    Parameters
    ----------
    d : array
        Offer minus ideal point, normalised units.
    rho : array broadcastable to ``d``
        Loss exponent.

    Examples
    --------
    >>> loss(np.array([-0.5, 0.5, 0.5]), np.array([2.0, 1.0, 3.0]))
    array([0.25 , 0.5  , 0.125])
    """
    d = np.abs(d)
    rho = np.broadcast_to(rho, d.shape)
    if np.all(rho == 2.0):
        return d * d
    out = np.float_power(d, rho)
    out = np.where(rho == 2.0, d * d, out)
    return np.where(rho == 1.0, d, out)


def utilities(actor: ActorArrays, offers: Offers) -> np.ndarray:
    """Utility of one actor for every world and offer (docs/design.md section 3).

    Parameters
    ----------
    actor : ActorArrays
        The actor's arrays for N worlds.
    offers : Offers
        M offers.

    Returns
    -------
    (N, M) float64 array of ``u_i,n(x_m)``.

    Examples
    --------
    >>> import numpy as np
    >>> a = ActorArrays(weight=np.array([[1.0]]), ideal=np.array([[0.0]]),
    ...                 rho=np.array([2.0]), table=np.zeros((1, 0, 0)),
    ...                 reservation=np.array([0.0]))
    >>> utilities(a, Offers(np.array([[0.5], [1.0]]), np.zeros((2, 0), np.int64)))
    array([[0.75, 0.  ]])
    """
    n = actor.weight.shape[0]
    m = offers.x.shape[0]
    u = np.zeros((n, m))
    rho = actor.rho[:, None]
    for c in range(actor.weight.shape[1]):
        d = offers.x[None, :, c] - actor.ideal[:, c, None]
        u += actor.weight[:, c, None] * (1.0 - loss(d, rho))
    for k in range(actor.table.shape[1]):
        u += actor.table[:, k, :][:, offers.option[:, k]]
    return u


def margins(worlds: Worlds, offers: Offers) -> np.ndarray:
    """Per-world acceptance margins ``u_i(x) - r_i`` for a handful of offers.

    Returns
    -------
    (N, M, A) float64 array; actor i accepts offer m in world n iff the margin is
    >= 0 (ties accept, docs/design.md section 4).
    """
    return np.stack([utilities(a, offers) - a.reservation[:, None] for a in worlds.actors], axis=2)


def _seqsum(terms: np.ndarray) -> np.ndarray:
    """Sum over axis 0 sequentially in float64, first row first (the engines' order)."""
    if terms.shape[0] == 0:
        return np.zeros(terms.shape[1:])
    return np.cumsum(terms, axis=0)[-1]


def world_sums(worlds: Worlds) -> np.ndarray:
    """Sums that do not depend on the offers, for one block of worlds.

    Returns
    -------
    (4, G) float64 array: ``sum w``, ``sum w^2``, ``sum w f``, ``sum w^2 f`` per
    stratum, each accumulated sequentially in world order.
    """
    w = worlds.weights
    w2 = w * w
    f = worlds.fight.astype(np.float64)
    out = np.zeros((4, worlds.n_groups))
    for g in range(worlds.n_groups):
        sel = worlds.group == g
        terms = np.stack([w[sel], w2[sel], w[sel] * f[sel], w2[sel] * f[sel]], axis=1)
        out[:, g] = _seqsum(terms)
    return out


def _tally_block(worlds: Worlds, offers: Offers) -> Tally:
    """Sums for one block of worlds and offers."""
    m = offers.m
    accepts = []
    for i, actor in enumerate(worlds.actors):
        u = utilities(actor, offers)
        accepts.append(u >= actor.reservation[:, None])
        if i == worlds.proposer:
            u_proposer = u
    deal = np.ones((worlds.n, m), dtype=bool)
    for i in worlds.deciders:
        deal &= accepts[i]
    war = ~deal & worlds.fight[:, None]
    r_p = worlds.actors[worlds.proposer].reservation
    payoff = np.where(deal, u_proposer, r_p[:, None])
    return outcome_sums(worlds, accepts, deal, war, payoff, u_proposer)


def outcome_sums(
    worlds: Worlds,
    accepts: list[np.ndarray],
    deal: np.ndarray,
    war: np.ndarray,
    payoff: np.ndarray,
    u_proposer: np.ndarray,
) -> Tally:
    """The sums of one block of worlds from its per-world outcomes.

    Parameters
    ----------
    worlds : Worlds
        One block of worlds (at most :data:`WORLD_BLOCK`).
    accepts : list of (n, M) bool
        Per actor: accepts (the target, the per-world rule) or approves (a veto).
    deal, war : (n, M) bool
        Agreement signed; war.
    payoff, u_proposer : (n, M) float64
        The proposer's realised payoff and its utility of the offer.
    """
    w = worlds.weights
    w2 = w * w
    group = worlds.group
    g_count, m, a_count = worlds.n_groups, deal.shape[1], len(worlds.actors)
    out = Tally.zeros(g_count, m, a_count)
    rejecters = np.zeros((w.shape[0], m), dtype=np.int64)
    for i in worlds.deciders:
        rejecters += ~accepts[i]
    out.w[:], out.w2[:], out.fight[:], out.fight2[:] = world_sums(worlds)
    for g in range(g_count):
        sel = group == g
        if not sel.any():
            continue
        wg, w2g = w[sel, None], w2[sel, None]
        for i in range(a_count):
            acc = accepts[i][sel]
            out.accept[g, :, i] = _seqsum(wg * acc)
            out.accept2[g, :, i] = _seqsum(w2g * acc)
            if i in worlds.deciders:
                sole = (~accepts[i][sel]) & (rejecters[sel] == 1)
                out.sole[g, :, i] = _seqsum(wg * sole)
        dg = deal[sel]
        out.deal[g] = _seqsum(wg * dg)
        out.deal2[g] = _seqsum(w2g * dg)
        wr = war[sel]
        out.war[g] = _seqsum(wg * wr)
        out.war2[g] = _seqsum(w2g * wr)
        z = payoff[sel]
        out.payoff[g] = _seqsum(wg * z)
        out.payoff2[g] = _seqsum(w2g * z)
        out.payoff_sq2[g] = _seqsum(w2g * (z * z))
        out.proposer_u[g] = _seqsum(wg * u_proposer[sel])
    return out


def tally(worlds: Worlds, offers: Offers, max_cells: int = 4_000_000) -> Tally:
    """Weighted sums of acceptance, deal, war and payoff over all worlds.

    Parameters
    ----------
    worlds : Worlds
        The sampled population.
    offers : Offers
        M offers.
    max_cells : int
        Most world-offer pairs held at once; bounds memory (about 100 bytes a
        pair for a few actors).

    Returns
    -------
    Tally
        Sums grouped by type stratum; see :class:`~goldenbridge.engine.arrays.Tally`.
    """
    total = Tally.zeros(worlds.n_groups, offers.m, len(worlds.actors))
    offer_block = max(1, max_cells // WORLD_BLOCK)
    for n0 in range(0, worlds.n, WORLD_BLOCK):
        block = worlds.subset(slice(n0, n0 + WORLD_BLOCK))
        part = Tally.zeros(worlds.n_groups, offers.m, len(worlds.actors))
        for m0 in range(0, offers.m, offer_block):
            sl = slice(m0, m0 + offer_block)
            sub = _tally_block(block, offers.subset(sl))
            for name in part.array_names():
                dest = getattr(part, name)
                src = getattr(sub, name)
                if dest.ndim == 1:
                    dest[:] = src  # per-world sums do not depend on the offers
                else:
                    dest[:, sl] = src
        total.add(part)
    return total


def utilities_at(actor: ActorArrays, x: np.ndarray, option: np.ndarray) -> np.ndarray:
    """Utility of one actor for one outcome per world (docs/design.md section 3).

    Parameters
    ----------
    actor : ActorArrays
        The actor's arrays for N worlds.
    x : (N, Kc) float64
        Each world's outcome on the continuous issues (normalised).
    option : (N, Kd) int64
        Each world's outcome on the discrete issues.

    Returns
    -------
    (N,) float64 array of ``u_i,n(outcome_n)``.
    """
    u = np.zeros(x.shape[0])
    for c in range(x.shape[1]):  # issue by issue, in order (as utilities())
        u += actor.weight[:, c] * (1.0 - loss(x[:, c] - actor.ideal[:, c], actor.rho))
    rows = np.arange(x.shape[0])
    for k in range(actor.table.shape[1]):
        u += actor.table[rows, k, option[:, k]]
    return u
