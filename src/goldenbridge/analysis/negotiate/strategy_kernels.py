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

``game`` is the tuple :func:`~goldenbridge.analysis.negotiate.regret.kernel_args` returns
(the game's arrays with the types in the kernels' order, then ``inc``, ``inc_none``,
``q``, ``levels``, ``rounds``, ``delta``, ``hazard``); the notation is timegame's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from goldenbridge.analysis.negotiate.kernels import _held, _reply, _state

__all__: list[str] = []

# Places in ``game`` (kernel_args' order; numba reads a module constant as a literal index).
_ACCEPT, _PRETEXT_NOW, _WAR, _DRIFT, _PRETEXT, _MOB, _STAND = 0, 1, 2, 3, 4, 5, 6
_WAR_P, _DRIFT_P, _STAND_P, _APPROVED, _DEAL_ROUNDS, _PRETEXT_NONE, _ROW = 8, 9, 10, 11, 12, 13, 14
_INC, _INC_NONE, _Q, _LEVELS, _ROUNDS, _DELTA, _HAZARD = 15, 16, 17, 18, 19, 20, 21


@njit(cache=True, nogil=True)
def _held_of(game, t, s, last, tv_next, pay_next, held_v, held_p, types):  # pragma: no cover
    """:func:`kernels._held` on ``game``."""
    _held(
        game[_WAR],
        game[_DRIFT],
        game[_PRETEXT],
        game[_MOB],
        game[_STAND],
        game[_WAR_P],
        game[_DRIFT_P],
        game[_STAND_P],
        game[_PRETEXT_NONE],
        tv_next,
        pay_next,
        t,
        s,
        last,
        game[_DELTA],
        game[_HAZARD],
        held_v,
        held_p,
        types,
    )


@njit(cache=True, nogil=True)
def _state_of(
    game, t, c, lv, j, s, last, tv_next, pay_next, held_v, held_p, out_v, out_p, types
):  # pragma: no cover
    """:func:`kernels._state` on ``game``, in state ``(t, c, lv)`` (its row of approvals)."""
    _state(
        game[_ACCEPT],
        game[_PRETEXT_NOW],
        game[_WAR],
        game[_DRIFT],
        game[_PRETEXT],
        game[_MOB],
        game[_STAND],
        game[_WAR_P],
        game[_DRIFT_P],
        game[_STAND_P],
        game[_APPROVED],
        game[_DEAL_ROUNDS],
        game[_ROW][t, c, lv],
        t,
        j,
        s,
        last,
        game[_DELTA],
        game[_HAZARD],
        tv_next,
        pay_next,
        held_v,
        held_p,
        out_v,
        out_p,
        types,
    )


@njit(cache=True, nogil=True)
def _waits(game, k, j, t, s, v_next):  # pragma: no cover
    """Type k waits in round t (not the last) when offered j (-1: nothing, a blocked
    round) and the next state is worth ``v_next`` to it."""
    f = game[_WAR][k] + game[_DRIFT][k] * t + game[_PRETEXT][k] * s
    f += game[_PRETEXT_NONE][k] if j < 0 else game[_PRETEXT_NOW][k, j]
    act, _, _, _ = _reply(
        -np.inf if j < 0 else game[_ACCEPT][k, j],
        f,
        game[_STAND][k],
        game[_WAR_P][k] + game[_DRIFT_P][k] * t,
        game[_STAND_P][k],
        game[_MOB][k],
        False,
        v_next,
        0.0,
        game[_DELTA],
        game[_HAZARD],
    )
    return act == 0


@njit(cache=True, nogil=True)
def _chance(offer, mix_row, mix_p, t, c, lv, j):  # pragma: no cover
    """The probability that the strategy offers j in state ``(t, c, lv)``."""
    row = mix_row[t, c, lv]
    if row < 0:
        return 1.0 if j == offer[t, c, lv] else 0.0
    return mix_p[row, j]


@njit(cache=True, nogil=True)
def _revalue(
    game, offer, cutoff, mix_row, mix_p, value, tv, pay, changed
):  # pragma: no cover - compiled
    """Recompute ``value``, ``tv`` and ``pay`` (as ``_backward`` returns them, nothing
    re-optimised) in the states where ``changed`` and in every state whose strategy leads
    to one (backwards: a state is recomputed when a successor was: the state after each
    offer it makes, or after a blocked round). Returns the states recomputed."""
    n_types, n_offers = game[_ACCEPT].shape
    inc, inc_none, q, levels, rounds = (
        game[_INC],
        game[_INC_NONE],
        game[_Q],
        game[_LEVELS],
        game[_ROUNDS],
    )
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
                redo = changed[t, c, lv]
                if not redo and not last:
                    redo = dirty[t + 1, c, le]
                    for j in range(n_offers):
                        if _chance(offer, mix_row, mix_p, t, c, lv, j) > 0.0:
                            lp = min(lv + inc[j], levels - 1)
                            if dirty[t + 1, cutoff[t, c, lv, j], lp]:
                                redo = True
                                break
                if not redo:
                    continue
                dirty[t, c, lv] = True
                count += 1
                _held_of(
                    game, t, s, last, tv[t + 1, c, le], pay[t + 1, c, le], held_v, held_p, every
                )
                mixed = mix_row[t, c, lv] >= 0
                if mixed:
                    tv[t, c, lv] = 0.0
                    pay[t, c, lv] = 0.0
                for j in range(n_offers):
                    p = _chance(offer, mix_row, mix_p, t, c, lv, j)
                    if p <= 0.0:
                        continue
                    cp = cutoff[t, c, lv, j]
                    lp = min(lv + inc[j], levels - 1)
                    _state_of(
                        game,
                        t,
                        c,
                        lv,
                        j,
                        s,
                        last,
                        tv[t + 1, cp, lp],
                        pay[t + 1, cp, lp],
                        held_v,
                        held_p,
                        out_v,
                        out_p,
                        every,
                    )
                    if not mixed:  # one offer: the values as _backward writes them
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
def _values(game, offer, cutoff, mix_row, mix_p):  # pragma: no cover - compiled
    """``value``, ``tv`` and ``pay`` of the strategy, every state computed."""
    n_types = game[_ACCEPT].shape[0]
    levels, rounds = game[_LEVELS], game[_ROUNDS]
    value = np.zeros((rounds, n_types + 1, levels))
    pay = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    tv = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    changed = np.ones(offer.shape, dtype=np.bool_)
    _revalue(game, offer, cutoff, mix_row, mix_p, value, tv, pay, changed)
    return value, tv, pay


@njit(cache=True, nogil=True)
def _reach(game, offer, cutoff, mix_row, mix_p, tv):  # pragma: no cover - compiled
    """``alive[t, c, l, k]``: the share of type k's weight that reaches state ``(t, c, l)``
    (before the vetoes decide) when the strategy is played and every type best-replies
    (``tv``: its values); ``hit[t, c, l]``: some weight reaches it."""
    n_types, n_offers = game[_ACCEPT].shape
    approved, inc, inc_none, hazard = game[_APPROVED], game[_INC], game[_INC_NONE], game[_HAZARD]
    row = game[_ROW]
    q, levels, rounds = game[_Q], game[_LEVELS], game[_ROUNDS]
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
                for j in range(n_offers):
                    p = _chance(offer, mix_row, mix_p, t, c, lv, j)
                    if p <= 0.0:
                        continue
                    cp = cutoff[t, c, lv, j]
                    lp = min(lv + inc[j], levels - 1)
                    for k in range(n_types):
                        w = alive[t, c, lv, k] * p
                        if w <= 0.0:
                            continue
                        share = approved[row[t, c, lv], k, j]
                        if share > 0.0 and _waits(game, k, j, t, s, tv[t + 1, cp, lp, k]):
                            alive[t + 1, cp, lp, k] += w * share * (1.0 - hazard)
                            hit[t + 1, cp, lp] = True
                        if share < 1.0 and _waits(game, k, -1, t, s, tv[t + 1, c, le, k]):
                            alive[t + 1, c, le, k] += w * (1.0 - share) * (1.0 - hazard)
                            hit[t + 1, c, le] = True
    return alive, hit


@njit(cache=True, nogil=True)
def _offer_gains(game, cutoff, tv, pay, t, c, lv, alive):  # pragma: no cover - compiled
    """The proposer's payoff from each offer j in state ``(t, c, lv)`` against the types
    in ``alive`` (each type's share of its weight in that state; types with none are
    skipped), every type best-replying and the strategy followed from the next state on
    (``cutoff``, ``tv``, ``pay``)."""
    n_types, n_offers = game[_ACCEPT].shape
    inc, inc_none, q, levels = game[_INC], game[_INC_NONE], game[_Q], game[_LEVELS]
    last = t == game[_ROUNDS] - 1
    s = lv / q if q > 0 else 0.0
    le = min(lv + inc_none, levels - 1)
    types = np.flatnonzero(alive > 0.0)
    held_v = np.zeros(n_types)
    held_p = np.zeros(n_types)
    out_v = np.zeros(n_types)
    out_p = np.zeros(n_types)
    _held_of(game, t, s, last, tv[t + 1, c, le], pay[t + 1, c, le], held_v, held_p, types)
    gains = np.zeros(n_offers)
    for j in range(n_offers):
        cp = cutoff[t, c, lv, j]
        lp = min(lv + inc[j], levels - 1)
        _state_of(
            game,
            t,
            c,
            lv,
            j,
            s,
            last,
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
def _gains_many(lo, hi, game, cutoff, tv, pay, states, alive, out):  # pragma: no cover
    """:func:`_offer_gains` for the states ``states[i] = (t, c, l)``, ``lo <= i < hi``, each
    with its posterior ``alive[t, c, l]``, into ``out[i]`` (S, G): rows for
    :func:`goldenbridge.engine.threads.by_rows`."""
    for i in range(lo, hi):
        t, c, lv = states[i, 0], states[i, 1], states[i, 2]
        out[i] = _offer_gains(game, cutoff, tv, pay, t, c, lv, alive[t, c, lv])
