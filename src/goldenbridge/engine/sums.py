"""The sums of decided outcomes, compiled: the reference's numbers in one pass.

:func:`goldenbridge.engine.reference.outcome_sums` sums each quantity of one block of
worlds (docs/design.md section 5) with ``np.cumsum`` over the worlds in order: every
accumulator adds its terms one by one, first world first, per stratum. :func:`outcome_sums`
computes the same terms with the same float64 operations (``w * a`` with ``a`` 0 or 1,
``w^2 z^2`` as ``w2 * (z * z)``) and adds them in the same order in one pass over the
worlds, so its sums are the reference's bit for bit (tests/test_same_numbers.py). Each
accumulator starts at ``-0.0``, the identity of float addition (``-0.0 + t`` is ``t`` for
every ``t``), so it holds exactly the sequential sum from the first term on; a stratum
without worlds is 0, as in the reference.
"""

from __future__ import annotations

import numba
import numpy as np

from goldenbridge.engine.arrays import Tally, Worlds
from goldenbridge.engine.reference import world_sums

__all__ = ["outcome_sums"]


@numba.njit(cache=True, nogil=True)
def _sums(  # pragma: no cover - compiled
    w, w2, group, accepts, decider, deal, war, payoff, u_p, acc, acc2, sole, per_offer, seen
):
    """One pass over the worlds of a block. ``accepts`` (A, n, M) bool; ``decider`` (A,)
    bool; ``acc``, ``acc2``, ``sole`` (G, M, A) and ``per_offer`` (8, G, M): deal, deal2,
    war, war2, payoff, payoff2, payoff_sq2, proposer_u, all ``-0.0``; ``seen`` (G,)."""
    n, m = deal.shape
    actors = accepts.shape[0]
    for i in range(n):
        g = group[i]
        seen[g] = True
        wi, w2i = w[i], w2[i]
        for j in range(m):
            rejecters = 0
            for a in range(actors):
                if decider[a] and not accepts[a, i, j]:
                    rejecters += 1
            for a in range(actors):
                yes = 1.0 if accepts[a, i, j] else 0.0
                acc[g, j, a] += wi * yes
                acc2[g, j, a] += w2i * yes
                if decider[a]:
                    alone = 1.0 if (not accepts[a, i, j]) and rejecters == 1 else 0.0
                    sole[g, j, a] += wi * alone
            d = 1.0 if deal[i, j] else 0.0
            f = 1.0 if war[i, j] else 0.0
            z = payoff[i, j]
            per_offer[0, g, j] += wi * d
            per_offer[1, g, j] += w2i * d
            per_offer[2, g, j] += wi * f
            per_offer[3, g, j] += w2i * f
            per_offer[4, g, j] += wi * z
            per_offer[5, g, j] += w2i * z
            per_offer[6, g, j] += w2i * (z * z)
            per_offer[7, g, j] += wi * u_p[i, j]


def outcome_sums(
    worlds: Worlds,
    accepts: list[np.ndarray],
    deal: np.ndarray,
    war: np.ndarray,
    payoff: np.ndarray,
    u_proposer: np.ndarray,
) -> Tally:
    """:func:`goldenbridge.engine.reference.outcome_sums`, compiled: the same parameters,
    the same numbers bit for bit (module docstring).

    Examples
    --------
    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> from goldenbridge.engine import reference
    >>> pop = sample(load("fearon-1d"), samples=500, seed=1)
    >>> offers = pop.encode([{"share": 0.6}, {"share": 0.8}])
    >>> u = [reference.utilities(a, offers) for a in pop.worlds.actors]
    >>> acc = [u_i >= a.reservation[:, None] for u_i, a in zip(u, pop.worlds.actors)]
    >>> deal = acc[0] & acc[1]
    >>> war = ~deal & pop.worlds.fight[:, None]
    >>> args = (pop.worlds, acc, deal, war, u[0], u[0])
    >>> a, b = outcome_sums(*args), reference.outcome_sums(*args)
    >>> all(np.array_equal(getattr(a, k), getattr(b, k)) for k in a.array_names())
    True
    """
    w = np.ascontiguousarray(worlds.weights, dtype=np.float64)
    g_count, m, a_count = worlds.n_groups, deal.shape[1], len(worlds.actors)
    decider = np.zeros(a_count, dtype=np.bool_)
    decider[list(worlds.deciders)] = True
    acc = np.full((g_count, m, a_count), -0.0)
    acc2 = np.full((g_count, m, a_count), -0.0)
    sole = np.full((g_count, m, a_count), -0.0)
    per_offer = np.full((8, g_count, m), -0.0)
    seen = np.zeros(g_count, dtype=np.bool_)
    c = np.ascontiguousarray
    _sums(
        w,
        w * w,
        c(worlds.group, dtype=np.int64),
        np.stack([c(a, dtype=np.bool_) for a in accepts]),
        decider,
        c(deal, dtype=np.bool_),
        c(war, dtype=np.bool_),
        c(payoff, dtype=np.float64),
        c(u_proposer, dtype=np.float64),
        acc,
        acc2,
        sole,
        per_offer,
        seen,
    )
    empty = ~seen  # a stratum without worlds: 0, as the reference leaves it
    for arr in (acc, acc2, sole):
        arr[empty] = 0.0
    per_offer[:, empty] = 0.0
    sole[:, :, ~decider] = 0.0  # only deciders block alone
    out = Tally.zeros(g_count, m, a_count)
    out.w[:], out.w2[:], out.fight[:], out.fight2[:] = world_sums(worlds)
    out.accept[:], out.accept2[:], out.sole[:] = acc, acc2, sole
    names = ("deal", "deal2", "war", "war2", "payoff", "payoff2", "payoff_sq2", "proposer_u")
    for k, name in enumerate(names):
        getattr(out, name)[:] = per_offer[k]
    return out
