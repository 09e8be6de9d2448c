"""The compiled kernels of the talks game (:mod:`goldenbridge.analysis.negotiate.timegame`).

``_along``: each type's optimal stopping along a path of offers, every offer made (its
value, and the proposer's payoff from it); ``_reply``: a type's best reply in one round;
``_held``, ``_state``: the types' values of a state, blocked or with a given offer;
``_backward``: backward induction over ``(t, c, l)`` for the proposer's offer in every
state and every type's value of it, with the vetoes' approvals state by state (a blocked
round passes with nothing offered); ``_type_sums``, ``_type_deal_sums``: the types' shares
of the worlds that approve; :func:`gain_signs`, ``_take_cells``: the continuation
approvals' signs and gathers (:mod:`~goldenbridge.analysis.negotiate.continuation`). The
values of a given, possibly mixed, strategy are in
:mod:`~goldenbridge.analysis.negotiate.strategy_kernels`. The game and its notation
are in the docstring of :mod:`~goldenbridge.analysis.negotiate.timegame`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from goldenbridge.engine.threads import by_rows

__all__: list[str] = []


@njit(cache=True, nogil=True)
def _exit_value(war, drift, pretext, pretext_now, k, j, t, s):  # pragma: no cover
    return war[k] + drift[k] * t + pretext[k] * s + pretext_now[k, j]


@njit(cache=True, nogil=True)
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


@njit(cache=True, nogil=True)
def _reply(a, f, stand_k, war_pk, stand_pk, mob_k, last, v_next, p_next, delta, hazard):
    """Type k's best reply to an offer it values ``a`` (``-inf``: nothing offered) with exit
    value ``f`` and, if it waits, the value ``v_next`` of the next state (the proposer's
    payoff from it ``p_next``): ``(action, its value, the value of the best other action,
    the proposer's payoff)``, the proposer's payoff NaN for ACCEPT (the caller's deal).
    Ties: accept, then exit, then wait. ``war_pk`` is the proposer's war payoff this round."""
    e = f if f > stand_k else stand_k
    pe = war_pk if f > stand_k else stand_pk
    w = -np.inf
    if not last:
        w = -mob_k + hazard * f + (1.0 - hazard) * delta * v_next
    if a >= e and a >= w:
        return 1, a, e if e > w else w, np.nan
    if e >= w:
        return 2 if f > stand_k else 4, e, a if a > w else w, pe
    pw = hazard * war_pk + (1.0 - hazard) * delta * p_next
    return 0, w, a if a > e else e, pw


@njit(cache=True, nogil=True)
def _held(
    war,
    drift,
    pretext,
    mob,
    stand,
    war_p,
    drift_p,
    stand_p,
    pretext_none,
    tv_next,
    pay_next,
    t,
    s,
    last,
    delta,
    hazard,
    held_v,
    held_p,
    types,
):  # pragma: no cover - compiled
    """The value of each of ``types``, and the proposer's payoff from it, of a blocked
    round in round t (nothing offered; the proposer's state unchanged), into ``held_v``
    and ``held_p``."""
    for k in types:
        f = war[k] + drift[k] * t + pretext[k] * s + pretext_none[k]
        _, held_v[k], _, held_p[k] = _reply(
            -np.inf,
            f,
            stand[k],
            war_p[k] + drift_p[k] * t,
            stand_p[k],
            mob[k],
            last,
            tv_next[k],
            pay_next[k],
            delta,
            hazard,
        )


@njit(cache=True, nogil=True)
def _state(
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
    r,
    t,
    j,
    s,
    last,
    delta,
    hazard,
    tv_next,
    pay_next,
    held_v,
    held_p,
    out_v,
    out_p,
    types,
):  # pragma: no cover - compiled
    """The value of each of ``types`` of a state in round t where the proposer offers j
    (the vetoes approving a share, ``approved[r]``, ``r`` the state's row of approvals; the
    rest a blocked round: ``held_v``, ``held_p``), and the proposer's payoff from it, given
    the next state's values: into ``out_v``, ``out_p``."""
    for k in types:
        share = approved[r, k, j]
        f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
        act, v, _, got = _reply(
            accept[k, j],
            f,
            stand[k],
            war_p[k] + drift_p[k] * t,
            stand_p[k],
            mob[k],
            last,
            tv_next[k],
            pay_next[k],
            delta,
            hazard,
        )
        got = deal_rounds[r, k, j] if act == 1 else share * got
        if share < 1.0:
            got += (1.0 - share) * held_p[k]
            v = share * v + (1.0 - share) * held_v[k]
        out_p[k] = got
        out_v[k] = v


@njit(cache=True, nogil=True)
def _backward_rows(
    lo,
    hi,
    t,
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
    row,
    inc,
    inc_none,
    q,
    levels,
    rounds,
    delta,
    hazard,
    offer,
    cutoff,
    gap,
    value,
    tv,
    pay,
):  # pragma: no cover - compiled
    """Round ``t`` of :func:`_backward` for the states ``lo <= i < hi``, ``i = lv (K + 1) +
    c`` (rows for :func:`goldenbridge.engine.threads.by_rows`: a state reads only round
    ``t + 1``)."""
    n_types, n_offers = accept.shape
    held_v = np.zeros(n_types)
    held_p = np.zeros(n_types)
    every = np.arange(n_types)
    last = t == rounds - 1
    for i in range(lo, hi):
        lv, c = i // (n_types + 1), i % (n_types + 1)
        r = row[t, c, lv]
        s = lv / q if q > 0 else 0.0
        le = min(lv + inc_none, levels - 1)
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
        best_value = -np.inf
        best_offer = 0
        for j in range(n_offers):
            lp = min(lv + inc[j], levels - 1)
            # cutoff search (as in the skimming literature): type cp-1 accepts,
            # type cp does not; the largest such cp, else the smallest violation
            chosen = c
            chosen_gap = np.inf
            for cp in range(n_types, c - 1, -1):
                viol = 0.0
                for k in (cp - 1, cp):
                    if k < c or k >= n_types:
                        continue
                    f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                    act, v, alt, _ = _reply(
                        accept[k, j],
                        f,
                        stand[k],
                        0.0,
                        0.0,
                        mob[k],
                        last,
                        tv[t + 1, cp, lp, k],
                        0.0,
                        delta,
                        hazard,
                    )
                    if k < cp and act != 1:  # the last type taken accepts
                        viol = max(viol, v - accept[k, j])
                    elif k >= cp and act == 1:  # the first type left does not
                        # (a tie accepts, so it is a violation, if the least one)
                        viol = max(viol, v - alt, 1e-300)
                if viol < chosen_gap:
                    chosen = cp
                    chosen_gap = viol
                if viol <= 0.0:
                    break
            total = 0.0
            worst = 0.0
            for k in range(c, n_types):
                share = approved[r, k, j]
                f = _exit_value(war, drift, pretext, pretext_now, k, j, t, s)
                act, v, alt, got = _reply(
                    accept[k, j],
                    f,
                    stand[k],
                    war_p[k] + drift_p[k] * t,
                    stand_p[k],
                    mob[k],
                    last,
                    tv[t + 1, chosen, lp, k],
                    pay[t + 1, chosen, lp, k],
                    delta,
                    hazard,
                )
                total += deal_rounds[r, k, j] if act == 1 else share * got
                if share < 1.0:
                    total += (1.0 - share) * held_p[k]
                if (k < chosen and act == 0) or (k >= chosen and act == 1):
                    worst = max(worst, v - alt)
            cutoff[t, c, lv, j] = chosen
            gap[t, c, lv, j] = worst
            if j == 0 or total > best_value + 1e-12 * (1.0 + abs(best_value)):
                best_value = total
                best_offer = j
        offer[t, c, lv] = best_offer
        value[t, c, lv] = best_value
        j = best_offer
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
            r,
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
            tv[t, c, lv],
            pay[t, c, lv],
            every,
        )


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
    row,
    inc,
    inc_none,
    q,
    levels,
    rounds,
    delta,
    hazard,
):
    """Backward induction over ``(t, c, l)``. Every type best-replies to the proposer's
    strategy, given what the vetoes approve (a blocked offer is a round with nothing
    offered): ``tv[t, c, l, k]`` is type k's value of state ``(t, c, l)`` and ``pay[t, c,
    l, k]`` the proposer's payoff from it, for every type (a type below ``c`` can still be
    in the talks when the cutoff misjudged it). The proposer's offer maximises its payoff
    summed over the types its belief holds (``>= c``); the cutoff after an offer is its
    belief (timegame's module docstring), ``gap`` how far the types' best replies are from
    it. ``approved[row[t, c, l]]`` and ``deal_rounds[row[t, c, l]]`` are the approvals of
    state ``(t, c, l)`` (:meth:`~goldenbridge.analysis.negotiate.timegame.TimeGame.rows`)."""
    n_types, n_offers = accept.shape
    offer = np.zeros((rounds, n_types + 1, levels), dtype=np.int64)
    cutoff = np.zeros((rounds, n_types + 1, levels, n_offers), dtype=np.int64)
    gap = np.zeros((rounds, n_types + 1, levels, n_offers))
    value = np.zeros((rounds, n_types + 1, levels))
    pay = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    tv = np.zeros((rounds + 1, n_types + 1, levels, n_types))
    step = max(int(inc.max()), inc_none)
    args = (accept, pretext_now, war, drift, pretext, mob, stand, deal, war_p, drift_p)
    args += (stand_p, approved, deal_rounds, pretext_none, row, inc, inc_none, q, levels, rounds)
    for t in range(rounds - 1, -1, -1):
        states = (min(levels - 1, step * t) + 1) * (n_types + 1)
        work = states * n_offers * n_types  # the cutoff searches and the sums
        by_rows(
            _backward_rows,
            states,
            work,
            t,
            *args,
            delta,
            hazard,
            offer,
            cutoff,
            gap,
            value,
            tv,
            pay,
        )
    return offer, cutoff, gap, value, tv, pay


@njit(cache=True, nogil=True)
def _type_sums(bits, type_of, weights, types):  # pragma: no cover - compiled
    """(K, G) each type's weight of the worlds that approve offer g: ``bits`` (G, N / 8)
    each offer's approvals in the worlds packed as ``np.packbits`` packs them (world n
    is bit ``7 - n % 8`` of byte ``n // 8``). Summed in the worlds' order, so the same on
    every run."""
    offers = bits.shape[0]
    out = np.zeros((types, offers))
    for n in range(type_of.size):
        k = type_of[n]
        w = weights[n]
        byte, shift = n >> 3, 7 - (n & 7)
        for g in range(offers):
            if bits[g, byte] >> shift & 1:
                out[k, g] += w
    return out


@njit(cache=True, nogil=True)
def _type_deal_sums(bits, gains, type_of, weights, types):  # pragma: no cover - compiled
    """(K, G) each type's weight of the worlds that approve offer g (``bits`` as in
    :func:`_type_sums`), and (K, G) the weighted sum of ``gains[n, g]`` over them: summed
    in the worlds' order, so the same on every run (and as a sparse one-hot product in
    that order sums them)."""
    offers = bits.shape[0]
    deal = np.zeros((types, offers))
    for n in range(type_of.size):
        k = type_of[n]
        w = weights[n]
        byte, shift = n >> 3, 7 - (n & 7)
        for g in range(offers):
            if bits[g, byte] >> shift & 1:
                deal[k, g] += w * gains[n, g]
    return _type_sums(bits, type_of, weights, types), deal


@njit(cache=True, nogil=True)
def _row_abs_max(lo, hi, gain, out):  # pragma: no cover - compiled
    """``out[n]``: the largest ``|gain[n, g]|`` of each row n in ``lo .. hi - 1`` (0 for
    none larger; exact, so the same however the rows are split)."""
    for n in range(lo, hi):
        top = 0.0
        for g in range(gain.shape[1]):
            a = abs(gain[n, g])
            if a > top:
                top = a
        out[n] = top


@njit(cache=True, nogil=True)
def _gain_signs(lo, hi, gain, offered, floor, out):  # pragma: no cover - compiled
    """The worlds ``8 lo .. 8 hi - 1`` of ``gain[n, g] >= floor or not offered[g]``,
    offer-major and packed as ``np.packbits`` packs them into ``out`` (G, N / 8): each
    byte the decisions of 8 worlds (the bits past N are 0)."""
    n_all, g_all = gain.shape
    column = np.empty(g_all, dtype=np.uint8)  # the 8 worlds' byte of each offer
    for b in range(lo, hi):
        column[:] = 0
        for n in range(8 * b, min(8 * b + 8, n_all)):
            world = np.uint8(1 << (7 - (n & 7)))
            for g in range(g_all):
                if gain[n, g] >= floor or not offered[g]:
                    column[g] |= world
        for g in range(g_all):
            out[g, b] = column[g]


def gain_signs(gain: np.ndarray, offered: np.ndarray, out: np.ndarray) -> None:
    """Each world's approval of each offer from its gain (N, G): the gain is at least
    ``-1e-12 (1 + max |gain|)`` (rounding, relative to the largest gain), or the offer
    offers nothing (``offered[g]`` False). Written offer-major and bit-packed
    (``np.packbits``' order, along the worlds) into ``out`` (G, ceil(N / 8)) uint8; on the
    numba threads, the same bits however many.

    Examples
    --------
    >>> gain = np.array([[1.0, -1e-13, -0.5], [-2.0, 0.0, 3.0]])
    >>> out = np.empty((3, 1), dtype=np.uint8)
    >>> gain_signs(gain, np.array([True, True, False]), out)
    >>> np.unpackbits(out, axis=1, count=2).tolist()
    [[1, 0], [1, 1], [1, 1]]
    """
    n, g = gain.shape
    top = np.empty(n)
    by_rows(_row_abs_max, n, n * g, gain, top)
    floor = -1e-12 * (1.0 + (top.max() if n else 0.0))
    by_rows(_gain_signs, (n + 7) // 8, n * g, gain, offered, floor, out)


@njit(cache=True, nogil=True)
def _take_cells(mat, rows, cols):  # pragma: no cover - compiled
    """(C, R) ``mat[rows[i], cols[j]]`` at ``[j, i]``: the transpose of the cells of those
    rows and columns (for a column-major ``mat``, read column by column)."""
    out = np.empty((cols.size, rows.size))
    for j in range(cols.size):
        c = cols[j]
        for i in range(rows.size):
            out[j, i] = mat[rows[i], c]
    return out
