"""Compiled kernels for a given strategy of the proposer, pure or mixed.

Used by :mod:`~goldenbridge.analysis.negotiate.regret` and
:mod:`~goldenbridge.analysis.negotiate.fictitious`. A strategy is the skimming solver's
states and transitions (``cutoff``) with, in each state ``(t, c, l)``, the offer
``offer[t, c, l]``, or, where ``mix_row[t, c, l] = m >= 0``, each offer j with
probability ``mix_p[m, j]``. Every type best-replies to it (:func:`kernels._reply`).

- ``_revalue``: every type's value of each state and the proposer's payoff from it,
  recomputed in place for the states whose strategy changed and those that lead to them;
  ``_values``: the same from scratch.
- ``_reach``: the share of each type's weight that reaches each state.
- ``_offer_gains`` / ``_gains_many``: the proposer's payoff from each pure offer in a
  state, against its posterior there.

The arguments up to ``hazard`` are :func:`~goldenbridge.analysis.negotiate.regret.
kernel_args`'s (the types in the kernels' order); the notation is timegame's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from goldenbridge.analysis.negotiate.kernels import _exit_value, _held, _reply, _state

__all__: list[str] = []


@njit(cache=True, nogil=True)
def _revalue(
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
    offer,
    cutoff,
    mix_row,
    mix_p,
    value,
    tv,
    pay,
    changed,
):  # pragma: no cover - compiled
    """Recompute ``value``, ``tv`` and ``pay`` (as ``_backward`` returns them, nothing
    re-optimised) in the states where ``changed`` and in every state whose strategy leads
    to one (backwards: a state is recomputed when a successor was: the state after each
    offer it makes, or after a blocked round). Returns the states recomputed."""
    n_types, n_offers = accept.shape
    held_v = np.zeros(n_types)
    held_p = np.zeros(n_types)
    out_v = np.zeros(n_types)
    out_p = np.zeros(n_types)
    every = np.arange(n_types)
    dirty = np.zeros(offer.shape, dtype=np.bool_)
    step = max(int(inc.max()), inc_none)
    count = 0
    for t in range(rounds - 1, -1, -1):
        last = t == rounds - 1
        for lv in range(min(levels - 1, step * t) + 1):
            s = lv / q if q > 0 else 0.0
            le = min(lv + inc_none, levels - 1)
            for c in range(n_types + 1):
                row = mix_row[t, c, lv]
                redo = changed[t, c, lv]
                if not redo and not last:
                    redo = dirty[t + 1, c, le]
                    for j in range(n_offers):
                        p = (1.0 if j == offer[t, c, lv] else 0.0) if row < 0 else mix_p[row, j]
                        if (
                            p > 0.0
                            and dirty[t + 1, cutoff[t, c, lv, j], min(lv + inc[j], levels - 1)]
                        ):
                            redo = True
                            break
                if not redo:
                    continue
                dirty[t, c, lv] = True
                count += 1
                _held(
                    war,
                    drift,
                    pretext,
                    mob,
                    stand,
                    war_p,
                    drift_p,
                    stand_p,
                    pretext_none,
                    tv[t + 1, c, le],
                    pay[t + 1, c, le],
                    t,
                    s,
                    last,
                    delta,
                    hazard,
                    held_v,
                    held_p,
                    every,
                )
                if row >= 0:
                    tv[t, c, lv] = 0.0
                    pay[t, c, lv] = 0.0
                for j in range(n_offers):
                    p = (1.0 if j == offer[t, c, lv] else 0.0) if row < 0 else mix_p[row, j]
                    if p <= 0.0:
                        continue
                    cp = cutoff[t, c, lv, j]
                    lp = min(lv + inc[j], levels - 1)
                    _state(
                        accept,
                        pretext_now,
                        war,
                        drift,
                        pretext,
                        mob,
                        stand,
                        war_p,
                        drift_p,
                        stand_p,
                        approved,
                        deal_rounds,
                        t,
                        j,
                        s,
                        last,
                        delta,
                        hazard,
                        tv[t + 1, cp, lp],
                        pay[t + 1, cp, lp],
                        held_v,
                        held_p,
                        out_v,
                        out_p,
                        every,
                    )
                    if row < 0:  # one offer: the values as _backward writes them
                        tv[t, c, lv] = out_v
                        pay[t, c, lv] = out_p
                    else:
                        for k in range(n_types):
                            tv[t, c, lv, k] += p * out_v[k]
                            pay[t, c, lv, k] += p * out_p[k]
                total = 0.0
                for k in range(c, n_types):  # in order, as _backward sums
                    total += pay[t, c, lv, k]
                value[t, c, lv] = total
    return count


@njit(cache=True, nogil=True)
def _values(
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
    offer,
    cutoff,
    mix_row,
    mix_p,
):  # pragma: no cover - compiled
    """``value``, ``tv`` and ``pay`` of the strategy, every state computed."""
    n_types = accept.shape[0]
    value = np.zeros((rounds, n_types + 1, levels))
    pay = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    tv = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    _revalue(
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
        offer,
        cutoff,
        mix_row,
        mix_p,
        value,
        tv,
        pay,
        np.ones(offer.shape, dtype=np.bool_),
    )
    return value, tv, pay


@njit(cache=True, nogil=True)
def _reach(
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
    offer,
    cutoff,
    mix_row,
    mix_p,
    tv,
):  # pragma: no cover - compiled
    """``alive[t, c, l, k]``: the share of type k's weight that reaches state ``(t, c, l)``
    (before the vetoes decide) when the strategy is played and every type best-replies
    (``tv``: its values); ``hit[t, c, l]``: some weight reaches it."""
    n_types, n_offers = accept.shape
    alive = np.zeros((rounds, n_types + 1, levels, n_types))
    hit = np.zeros(offer.shape, dtype=np.bool_)
    alive[0, 0, 0, :] = 1.0
    hit[0, 0, 0] = True
    for t in range(rounds - 1):
        for lv in range(levels):
            s = lv / q if q > 0 else 0.0
            le = min(lv + inc_none, levels - 1)
            for c in range(n_types + 1):
                if not hit[t, c, lv]:
                    continue
                row = mix_row[t, c, lv]
                for j in range(n_offers):
                    p = (1.0 if j == offer[t, c, lv] else 0.0) if row < 0 else mix_p[row, j]
                    if p <= 0.0:
                        continue
                    cp = cutoff[t, c, lv, j]
                    lp = min(lv + inc[j], levels - 1)
                    for k in range(n_types):
                        w = alive[t, c, lv, k] * p
                        if w <= 0.0:
                            continue
                        share = approved[t, k, j]
                        wp = war_p[k] + drift_p[k] * t
                        f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                        act, _, _, _ = _reply(
                            accept[k, j],
                            f,
                            stand[k],
                            wp,
                            stand_p[k],
                            mob[k],
                            False,
                            tv[t + 1, cp, lp, k],
                            0.0,
                            delta,
                            hazard,
                        )
                        if act == 0 and share > 0.0:
                            alive[t + 1, cp, lp, k] += w * share * (1.0 - hazard)
                            hit[t + 1, cp, lp] = True
                        if share < 1.0:
                            f = war[k] + drift[k] * t + pretext[k] * s + pretext_none[k]
                            act, _, _, _ = _reply(
                                -np.inf,
                                f,
                                stand[k],
                                wp,
                                stand_p[k],
                                mob[k],
                                False,
                                tv[t + 1, c, le, k],
                                0.0,
                                delta,
                                hazard,
                            )
                            if act == 0:
                                alive[t + 1, c, le, k] += w * (1.0 - share) * (1.0 - hazard)
                                hit[t + 1, c, le] = True
    return alive, hit


@njit(cache=True, nogil=True)
def _offer_gains(
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
    cutoff,
    tv,
    pay,
    t,
    c,
    lv,
    alive,
):  # pragma: no cover - compiled
    """The proposer's payoff from each offer j in state ``(t, c, lv)`` against the types
    in ``alive`` (each type's share of its weight in that state; types with none are
    skipped), every type best-replying and the strategy followed from the next state on
    (``cutoff``, ``tv``, ``pay``)."""
    n_types, n_offers = accept.shape
    last = t == rounds - 1
    s = lv / q if q > 0 else 0.0
    le = min(lv + inc_none, levels - 1)
    types = np.flatnonzero(alive > 0.0)
    held_v = np.zeros(n_types)
    held_p = np.zeros(n_types)
    out_v = np.zeros(n_types)
    out_p = np.zeros(n_types)
    _held(
        war,
        drift,
        pretext,
        mob,
        stand,
        war_p,
        drift_p,
        stand_p,
        pretext_none,
        tv[t + 1, c, le],
        pay[t + 1, c, le],
        t,
        s,
        last,
        delta,
        hazard,
        held_v,
        held_p,
        types,
    )
    gains = np.zeros(n_offers)
    for j in range(n_offers):
        cp = cutoff[t, c, lv, j]
        lp = min(lv + inc[j], levels - 1)
        _state(
            accept,
            pretext_now,
            war,
            drift,
            pretext,
            mob,
            stand,
            war_p,
            drift_p,
            stand_p,
            approved,
            deal_rounds,
            t,
            j,
            s,
            last,
            delta,
            hazard,
            tv[t + 1, cp, lp],
            pay[t + 1, cp, lp],
            held_v,
            held_p,
            out_v,
            out_p,
            types,
        )
        total = 0.0
        for k in types:
            total += alive[k] * out_p[k]
        gains[j] = total
    return gains


@njit(cache=True, nogil=True)
def _gains_many(
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
    cutoff,
    tv,
    pay,
    states,
    alive,
):  # pragma: no cover - compiled
    """:func:`_offer_gains` for each state ``states[i] = (t, c, l)``, its posterior
    ``alive[t, c, l]``: (S, G)."""
    out = np.zeros((states.shape[0], accept.shape[1]))
    for i in range(states.shape[0]):
        t, c, lv = states[i, 0], states[i, 1], states[i, 2]
        out[i] = _offer_gains(
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
            cutoff,
            tv,
            pay,
            t,
            c,
            lv,
            alive[t, c, lv],
        )
    return out
