"""The compiled kernels of the talks game (:mod:`goldenbridge.analysis.negotiate.timegame`).

``_along``: each type's optimal stopping along a path of offers (its value, and the
proposer's payoff from it); ``_backward``: backward induction over ``(t, c, l)`` for the
proposer's offer in every state, with the vetoes' approvals round by round (a blocked round
passes with nothing offered, ``_blocked``). The game and its notation are in the docstring
of :mod:`~goldenbridge.analysis.negotiate.timegame`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []


@njit(cache=True)
def _exit_value(war, drift, pretext, pretext_now, k, j, t, s):  # pragma: no cover
    return war[k] + drift[k] * t + pretext[k] * s + pretext_now[k, j]


@njit(cache=True)
def _along(
    accept,
    pretext_now,
    war,
    drift,
    pretext,
    mob,
    stand,
    deal,
    war_p,
    drift_p,
    stand_p,
    inc,
    q,
    rounds,
    delta,
    hazard,
    path,
    t0,
    level0,
    out_v,
    out_p,
    out_first,
):  # pragma: no cover - compiled
    """Each type's value, and the proposer's payoff from it, along ``path`` from round t0
    (pretext level level0), the type stopping optimally; ``out_first`` its first action."""
    n_types = accept.shape[0]
    n_rounds = rounds - t0
    lev = np.empty(n_rounds, dtype=np.int64)
    lv = level0
    for i in range(n_rounds):
        lev[i] = lv
        lv = lv + inc[path[t0 + i]]
    for k in range(n_types):
        v = 0.0
        p = 0.0
        first = 0
        for i in range(n_rounds - 1, -1, -1):
            t = t0 + i
            j = path[t]
            s = lev[i] / q if q > 0 else 0.0
            f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
            e = f if f > stand[k] else stand[k]
            pe = war_p[k] + drift_p[k] * t if f > stand[k] else stand_p[k]
            a = accept[k, j]
            if t == rounds - 1:
                if a >= e:
                    v, p, first = a, deal[k, j], 1
                else:
                    v, p, first = e, pe, 2 if f > stand[k] else 4
            else:
                w = -mob[k] + hazard * f + (1.0 - hazard) * delta * v
                pw = hazard * (war_p[k] + drift_p[k] * t) + (1.0 - hazard) * delta * p
                if a >= e and a >= w:
                    v, p, first = a, deal[k, j], 1
                elif e >= w:
                    v, p, first = e, pe, 2 if f > stand[k] else 4
                else:
                    v, p, first = w, pw, 0
        out_v[k] = v
        out_p[k] = p
        out_first[k] = first


@njit(cache=True)
def _blocked(
    war,
    drift,
    pretext,
    pretext_none,
    mob,
    stand,
    war_p,
    drift_p,
    stand_p,
    k,
    t,
    s,
    last,
    nv_k,
    pay_k,
    delta,
    hazard,
):  # pragma: no cover - compiled
    """The proposer's payoff from type k in a round whose offer was blocked: nothing is
    offered, the type exits or waits (the next state's target value ``nv_k``, the
    proposer's ``pay_k``)."""
    f = war[k] + drift[k] * t + pretext[k] * s + pretext_none[k]
    e = f if f > stand[k] else stand[k]
    pe = war_p[k] + drift_p[k] * t if f > stand[k] else stand_p[k]
    if last:
        return pe
    w = -mob[k] + hazard * f + (1.0 - hazard) * delta * nv_k
    if e >= w:
        return pe
    return hazard * (war_p[k] + drift_p[k] * t) + (1.0 - hazard) * delta * pay_k


@njit(cache=True)
def _backward(
    accept,
    pretext_now,
    war,
    drift,
    pretext,
    mob,
    stand,
    deal,
    war_p,
    drift_p,
    stand_p,
    approved,
    deal_rounds,
    pretext_none,
    inc,
    inc_none,
    q,
    levels,
    rounds,
    delta,
    hazard,
):  # pragma: no cover - compiled
    n_types, n_offers = accept.shape
    offer = np.zeros((rounds, n_types + 1, levels), dtype=np.int64)
    cutoff = np.zeros((rounds, n_types + 1, levels, n_offers), dtype=np.int64)
    gap = np.zeros((rounds, n_types + 1, levels, n_offers))
    value = np.zeros((rounds, n_types + 1, levels))
    paths = np.full((rounds, n_types + 1, levels, rounds), -1, dtype=np.int64)
    # the proposer's payoff from each type, from each state on (blocks included)
    pay = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    nv = np.zeros((n_types + 1, levels, n_types))
    np_ = np.zeros((n_types + 1, levels, n_types))
    first = np.zeros(n_types, dtype=np.int64)
    step = max(int(inc.max()), inc_none)
    for t in range(rounds - 1, -1, -1):
        last = t == rounds - 1
        top_level = min(levels - 1, step * t)
        if not last:  # the target's continuation values from every state of round t + 1
            next_top = min(levels - 1, step * (t + 1))
            for cp in range(n_types + 1):
                for lp in range(next_top + 1):
                    _along(
                        accept,
                        pretext_now,
                        war,
                        drift,
                        pretext,
                        mob,
                        stand,
                        deal,
                        war_p,
                        drift_p,
                        stand_p,
                        inc,
                        q,
                        rounds,
                        delta,
                        hazard,
                        paths[t + 1, cp, lp],
                        t + 1,
                        lp,
                        nv[cp, lp],
                        np_[cp, lp],
                        first,
                    )
        for lv in range(top_level + 1):
            s = lv / q if q > 0 else 0.0
            le = min(lv + inc_none, levels - 1)
            for c in range(n_types + 1):
                best_value = -np.inf
                best_offer = 0
                for j in range(n_offers):
                    lp = min(lv + inc[j], levels - 1)
                    # cutoff search: type cp-1 accepts, type cp does not
                    chosen = c
                    chosen_gap = np.inf
                    for cp in range(n_types, c - 1, -1):
                        viol = 0.0
                        if cp > c:
                            k = cp - 1
                            f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                            alt = f if f > stand[k] else stand[k]
                            if not last:
                                w = -mob[k] + hazard * f + (1.0 - hazard) * delta * nv[cp, lp, k]
                                alt = max(alt, w)
                            if accept[k, j] < alt:
                                viol = max(viol, alt - accept[k, j])
                        if cp < n_types:
                            k = cp
                            f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                            alt = f if f > stand[k] else stand[k]
                            if not last:
                                w = -mob[k] + hazard * f + (1.0 - hazard) * delta * nv[cp, lp, k]
                                alt = max(alt, w)
                            if accept[k, j] > alt:
                                viol = max(viol, accept[k, j] - alt)
                        if viol < chosen_gap:
                            chosen = cp
                            chosen_gap = viol
                        if viol <= 0.0:
                            break
                    total = 0.0
                    worst = 0.0
                    for k in range(c, n_types):
                        share = approved[t, k, j]
                        f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                        e = f if f > stand[k] else stand[k]
                        pe = war_p[k] + drift_p[k] * t if f > stand[k] else stand_p[k]
                        a = accept[k, j]
                        if last:
                            w = -np.inf
                        else:
                            w = -mob[k] + hazard * f + (1.0 - hazard) * delta * nv[chosen, lp, k]
                        if k < chosen:
                            if a >= e:
                                total += deal_rounds[t, k, j]
                            else:
                                total += share * pe
                            if w > max(a, e):
                                worst = max(worst, w - max(a, e))
                        else:
                            if e >= w:
                                total += share * pe
                            else:
                                total += share * (
                                    hazard * (war_p[k] + drift_p[k] * t)
                                    + (1.0 - hazard) * delta * pay[t + 1, chosen, lp, k]
                                )
                            if a > max(e, w):
                                worst = max(worst, a - max(e, w))
                        if share < 1.0:
                            total += (1.0 - share) * _blocked(
                                war,
                                drift,
                                pretext,
                                pretext_none,
                                mob,
                                stand,
                                war_p,
                                drift_p,
                                stand_p,
                                k,
                                t,
                                s,
                                last,
                                nv[c, le, k],
                                pay[t + 1, c, le, k],
                                delta,
                                hazard,
                            )
                    cutoff[t, c, lv, j] = chosen
                    gap[t, c, lv, j] = worst
                    if j == 0 or total > best_value + 1e-12 * (1.0 + abs(best_value)):
                        best_value = total
                        best_offer = j
                offer[t, c, lv] = best_offer
                value[t, c, lv] = best_value
                paths[t, c, lv, t] = best_offer
                j = best_offer
                cp = cutoff[t, c, lv, j]
                lp = min(lv + inc[j], levels - 1)
                if not last:
                    for i in range(t + 1, rounds):
                        paths[t, c, lv, i] = paths[t + 1, cp, lp, i]
                # each type's payoff to the proposer from this state on, the type stopping
                # optimally along the path (as in _along), blocks included
                for k in range(n_types):
                    share = approved[t, k, j]
                    f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                    e = f if f > stand[k] else stand[k]
                    pe = war_p[k] + drift_p[k] * t if f > stand[k] else stand_p[k]
                    a = accept[k, j]
                    if last:
                        got = deal_rounds[t, k, j] if a >= e else share * pe
                    else:
                        w = -mob[k] + hazard * f + (1.0 - hazard) * delta * nv[cp, lp, k]
                        if a >= e and a >= w:
                            got = deal_rounds[t, k, j]
                        elif e >= w:
                            got = share * pe
                        else:
                            got = share * (
                                hazard * (war_p[k] + drift_p[k] * t)
                                + (1.0 - hazard) * delta * pay[t + 1, cp, lp, k]
                            )
                    if share < 1.0:
                        got += (1.0 - share) * _blocked(
                            war,
                            drift,
                            pretext,
                            pretext_none,
                            mob,
                            stand,
                            war_p,
                            drift_p,
                            stand_p,
                            k,
                            t,
                            s,
                            last,
                            nv[c, le, k],
                            pay[t + 1, c, le, k],
                            delta,
                            hazard,
                        )
                    pay[t, c, lv, k] = got
    return offer, cutoff, gap, value, paths
