"""A veto's expected gain when a scalar of its own moves the target: sorted thresholds.

docs/design.md 4b: a veto ``j`` whose own threat's credibility ``c`` changes the target's
war value -- ``w_T = w_T,q - (c - c_q) e_q`` in the pair of ``j``'s world with partner
``q`` -- sees the target's choice in each partner world flip at up to three thresholds of
``c``: where accepting ``x`` starts to beat fighting (``tau_a``), where fighting after a
rejection stops beating standing down (``tau_f``), and the same when nothing is offered
(``tau_0``). Between thresholds the choice is constant, so ``a_q(c)`` (accepts) and
``g_q(c) = (1 - a) fight_if_rejected - fight_if_nothing`` are step functions of ``c``, and
every population sum of the gain (``sum_q w_q a_q``, ``sum_q w_q g_q p_q``, ... and the
binned sums of :mod:`goldenbridge.engine.binned`) is a step function too. Sorting the
thresholds and sweeping ``j``'s worlds in the order of their own ``c`` gives each world
the sums at its ``c`` exactly -- O((N + E) log) per offer rather than N^2 pairs.

The gain of world ``n`` for offer ``x`` is then, with weights normalised to sum to 1,

    (u_j,n(x) - U0_n) S_a + (u_win_ref - U0) S_gp + (u_lose_ref - U0) S_g(1-p)
        - K_n S_g - S_g.against + residual(win) + residual(lose)

(``K_n`` j's own cost of war and of its threats, ``U0_n`` its status-quo utility, the
residuals those of :mod:`goldenbridge.engine.binned`), or ``(W_n - U0_n) S_g -
S_g.against`` where j's war value is given directly. A partner whose threshold lies
within :data:`BAND` of ``c_n`` (float rounding could put it on either side) adds its
weight times the largest possible ``|gain|`` to the bound.
"""

from __future__ import annotations

import copy

import numba
import numpy as np

from goldenbridge.engine.arrays import stable_argsort
from goldenbridge.engine.binned import loss_range
from goldenbridge.engine.utility import loss

__all__ = ["BAND", "Events", "events", "sorted_fields", "sweep_layout", "threshold_gain"]

#: Half-width of the band of ``c`` around a threshold inside which the side is left
#: to the bound (thresholds are computed in float64 from quantities of order 1).
BAND = 1e-9


@numba.njit(cache=True)
def _choice(c, q_war, c_q, e, pre, stand, keep, sh, offered):  # pragma: no cover - compiled
    """(accept, g, |g|) at ``c``, exactly as the pair kernel of
    :mod:`goldenbridge.engine.choice` decides them."""
    wt = q_war - (c - c_q) * e
    fight = wt + pre * sh
    accept = offered and keep >= stand and keep >= fight
    g = (1.0 if (not accept) and fight > stand else 0.0) - (1.0 if wt + pre > stand else 0.0)
    return (1.0 if accept else 0.0), g, abs(g)


@numba.njit(cache=True, nogil=True)
def _steps(q_war, c_q, e, pre, stand, keep, sh, offered):  # pragma: no cover - compiled
    """Per offer, the events (threshold, partner, steps of ``a``, ``g``, ``|g|``) in
    partner order, the first ``count[x]`` of each row (the rest is not written:
    :func:`events` sorts them and :func:`_in_order` pads); and each partner's values
    below every threshold."""
    n, m = keep.shape
    tau = np.empty((m, 3 * n))
    who = np.empty((m, 3 * n), dtype=np.int64)
    step = np.empty((3, m, 3 * n))
    start = np.empty((3, n, m))  # every entry written below
    count = np.zeros(m, dtype=np.int64)
    for x in range(m):
        used = 0
        for q in range(n):
            t0 = t1 = t2 = np.inf
            if e[q] != 0.0:
                t0 = c_q[q] + (q_war[q] + pre[q] * sh[q, x] - keep[q, x]) / e[q]
                t1 = c_q[q] + (q_war[q] + pre[q] * sh[q, x] - stand[q]) / e[q]
                t2 = c_q[q] + (q_war[q] + pre[q] - stand[q]) / e[q]
                if t0 > t1:
                    t0, t1 = t1, t0
                if t1 > t2:
                    t1, t2 = t2, t1
                if t0 > t1:
                    t0, t1 = t1, t0
            span = 1.0 + max(abs(t0), abs(t1), abs(t2)) if e[q] != 0.0 else 1.0
            qw, cq, eq, pq, sd = q_war[q], c_q[q], e[q], pre[q], stand[q]
            kp, sx, ox = keep[q, x], sh[q, x], offered[x]
            point = (t0 if e[q] != 0.0 else 0.0) - span  # below every threshold
            a, g, ag = _choice(point, qw, cq, eq, pq, sd, kp, sx, ox)
            start[0, q, x], start[1, q, x], start[2, q, x] = a, g, ag
            if e[q] == 0.0:
                continue
            for k in range(3):
                here = t0 if k == 0 else (t1 if k == 1 else t2)
                nxt = t1 if k == 0 else (t2 if k == 1 else np.inf)
                # a point inside the interval above threshold k
                point = 0.5 * (here + nxt) if np.isfinite(nxt) else here + span
                a2, g2, ag2 = _choice(point, qw, cq, eq, pq, sd, kp, sx, ox)
                if a2 != a or g2 != g or ag2 != ag:
                    tau[x, used], who[x, used] = here, q
                    step[0, x, used], step[1, x, used] = a2 - a, g2 - g
                    step[2, x, used] = ag2 - ag
                    used += 1
                a, g, ag = a2, g2, ag2
        count[x] = used
    return tau, who, step, start, count


class Events:
    """The step functions of every partner world, per offer, sorted by threshold.

    Attributes (M offers, E events at most per offer)
    ----------
    tau, q, da, dg, dabs : (M, E)
        Threshold, partner world, and the change of ``a``, ``g`` and ``|g|`` there
        (padded with +inf thresholds).
    a0, g0, abs0 : (N, M)
        Each partner's ``a``, ``g``, ``|g|`` below every threshold.
    w, p, against : (M, E)
        Each event's partner's weight (normalised to sum 1), chance of winning and
        ``against``, in event order (read consecutively by the sweep, at every level).
    cols : (M',) int64
        The offers (rows of the arrays above, columns of ``a0``, ``g0``, ``abs0``) these
        events are of: every offer, or those of :meth:`subset`.
    """

    def __init__(self, tau, q, da, dg, dabs, a0, g0, abs0, w, p, against):
        self.tau, self.q, self.da, self.dg, self.dabs = tau, q, da, dg, dabs
        self.a0, self.g0, self.abs0 = a0, g0, abs0
        self.w, self.p, self.against = w, p, against
        self.cols = np.arange(tau.shape[0], dtype=np.int64)

    def subset(self, cols: np.ndarray) -> Events:
        """The events of the offers ``cols`` alone (each offer's sweep is its own): the
        same arrays, not copied (an offer's events at 100 000 worlds are ~20 MB)."""
        out = copy.copy(self)
        out.cols = np.ascontiguousarray(self.cols[cols], dtype=np.int64)
        return out


def events(parts: dict, u_target: np.ndarray, offered: np.ndarray) -> Events:
    """Thresholds and steps of each partner's choice for each offer (module docstring).

    ``parts`` is :func:`goldenbridge.information.pair_parts` of a veto with exactly one
    threat of its own against the target (``cred_own`` of one column).
    """
    c = np.ascontiguousarray
    sq = parts["target_sq"]
    bd, face = parts["backing_down"], parts["face"]
    sh = np.where(
        offered[None, :],
        np.clip(1.0 - (u_target - sq[:, None]) / face[:, None], 0.0, 1.0),
        1.0,
    )
    tau, who, step, start, count = _steps(
        c(parts["target_war"]),
        c(parts["cred_partner"][:, 0]),
        c(parts["effect"][:, 0]),
        c(parts["pretext"]),
        c(sq - bd),
        c(u_target - bd[:, None] * sh),
        c(sh),
        c(offered, dtype=np.bool_),
    )
    width = max(int(count.max()) if count.size else 0, 1)
    m = tau.shape[0]
    orders = np.empty((m, width), np.int64)
    for x in range(m):  # by threshold, ties in partner order (the +inf padding last)
        used = int(count[x])
        head = tau[x, :used]
        if np.isnan(head).any():  # NaN sorts after the padding
            padded = np.full(width, np.inf)
            padded[:used] = head
            orders[x] = np.argsort(padded, kind="stable")
        else:  # the padding (+inf) after every event, in index order: as the stable sort
            orders[x, :used] = stable_argsort(head)
            orders[x, used:] = np.arange(used, width)
    w = parts["world_w"] / parts["world_w"].sum()
    floats = np.empty((7, m, width))  # tau, da, dg, dabs, w, p, against in event order
    qs = np.empty((m, width), np.int64)
    _in_order(orders, count, tau, who, step, w, c(parts["p_win"]), c(parts["against"]), floats, qs)
    a0, g0, abs0 = (c(start[i]) for i in range(3))
    tau_s, da, dg, dabs, w_s, p_s, against_s = floats
    return Events(tau_s, qs, da, dg, dabs, a0, g0, abs0, w_s, p_s, against_s)


@numba.njit(cache=True, nogil=True)
def _in_order(orders, count, tau, who, step, w, p, against, floats, qs):  # pragma: no cover
    """Each offer's events in the order ``orders`` (M, E): thresholds, partners and
    steps, and each partner's weight, chance of winning and ``against`` (copies); an
    index at or beyond ``count`` is padding: threshold +inf, partner 0, no step."""
    m, width = orders.shape
    for x in range(m):
        for k in range(width):
            e = orders[x, k]
            if e < count[x]:
                q = who[x, e]
                floats[0, x, k] = tau[x, e]
                floats[1, x, k] = step[0, x, e]
                floats[2, x, k] = step[1, x, e]
                floats[3, x, k] = step[2, x, e]
            else:
                q = 0
                floats[0, x, k] = np.inf
                floats[1, x, k] = floats[2, x, k] = floats[3, x, k] = 0.0
            qs[x, k] = q
            floats[4, x, k] = w[q]
            floats[5, x, k] = p[q]
            floats[6, x, k] = against[q]


@numba.njit(cache=True, inline="always")
def _add_bins(
    hist, habs, opts, sides, ncols_of, bin_of, opt_of, q, pq, wg, wab
):  # pragma: no cover - compiled
    """Add partner ``q``'s weighted ``g`` and ``|g|`` (or their steps) to one offer's
    binned sums (``hist``, ``habs``: (2, C, B); ``opts``: (2, Kd, O))."""
    if wg == 0.0 and wab == 0.0:
        return
    for s in range(2):
        ps = pq if s == 0 else 1.0 - pq
        if sides[s]:
            for c in range(ncols_of[s]):
                hist[s, c, bin_of[s, q, c]] += wg * ps
                habs[s, c, bin_of[s, q, c]] += wab * ps
            for k in range(opt_of.shape[2]):
                opts[s, k, opt_of[s, q, k]] += wg * ps


@numba.njit(cache=True)
def _below(
    x, col, w, a0, g0, abs0, p, against, sides, ncols_of, bin_of, opt_of, st, hist, habs, opts
):  # pragma: no cover - compiled
    """Offer ``x``'s sums below every threshold (column ``col`` of ``a0``, ``g0``,
    ``abs0``): ``st[x]`` = (sum a, sum g, sum g.against, sum g p, sum g (1 - p)), and its
    binned sums."""
    sa = sg = sgt = sp = sq = 0.0
    for q in range(w.shape[0]):
        wa, wg, wab = w[q] * a0[q, col], w[q] * g0[q, col], w[q] * abs0[q, col]
        sa += wa
        sg += wg
        sgt += wg * against[q]
        sp += wg * p[q]
        sq += wg * (1.0 - p[q])
        _add_bins(hist[x], habs[x], opts[x], sides, ncols_of, bin_of, opt_of, q, p[q], wg, wab)
    st[x, 0], st[x, 1], st[x, 2], st[x, 3], st[x, 4] = sa, sg, sgt, sp, sq


@numba.njit(cache=True, nogil=True)
def _sweep(  # pragma: no cover - compiled
    c_rows,
    u_own,
    ev_tau,
    ev_da,
    ev_dg,
    ev_dabs,
    ev_w,
    ev_p,
    ev_against,
    ev_q,
    ev_cols,
    a0,
    g0,
    abs0,
    w,
    p,
    against,
    own_sq,
    cost,
    direct,
    weight,
    ideal,
    rho,
    table,
    spread,
    sides,
    bases,
    refs,
    ncols_of,
    cols_of,
    edges_of,
    bin_of,
    opt_of,
    band,
    block,
    need,
    world,
    losses_win,
    losses_lose,
):
    """Rows sorted by ``c_rows``, the offers ``ev_cols`` (rows of the ``ev_`` arrays,
    columns of ``a0``, ``g0``, ``abs0``; output column ``x`` is offer ``ev_cols[x]``),
    every array of j's own fields (``u_own``, ``own_sq``,
    ``cost``, ``direct``, ``weight``, ``ideal``, ``rho``, ``table``, ``spread``, ``bases``,
    ``refs``) laid out in that order (read consecutively). ``sides`` (2,) bool: win/lose
    residual present; ``ncols_of`` (2,) its varying issues, ``cols_of`` (2, C),
    ``edges_of`` (2, C, B + 1), ``bin_of`` (2, N, C), ``opt_of`` (2, N, Kd) (Kd 0 unless
    that outcome's options vary), each indexed by the partner (``ev_q`` (M, E): each
    event's partner); ``direct`` j's given war value net of its threats' costs (NaN
    where computed); ``need`` (R, M) bool: the entries to compute (the others are left
    0, the events still swept past them); ``world`` (R,) each row's world, and
    ``losses_win``, ``losses_lose`` (N, C, B + 1) each world's loss at the edges
    (:func:`goldenbridge.engine.binned.edge_losses`) or of size 0 (computed here).

    Each offer is one sequential sweep over its events; ``block`` rows at a time share
    a table of j's losses at the bins (its size only bounds memory). Like
    :func:`_steps` it is compiled without parallel loops: it runs in a fraction of a
    second, and numba's parallel build would cost ~20 s more of compilation on a
    fresh install (docs/performance-log.md, stop 22)."""
    r = c_rows.shape[0]
    m = ev_cols.shape[0]
    nc = cols_of.shape[1]
    nb = edges_of.shape[2] - 1
    kd = opt_of.shape[2]
    no = table.shape[2]
    st = np.zeros((m, 5))
    hist = np.zeros((m, 2, nc, nb))
    habs = np.zeros((m, 2, nc, nb))
    opts = np.zeros((m, 2, kd, no))
    for x in range(m):
        _below(
            x,
            ev_cols[x],
            w,
            a0,
            g0,
            abs0,
            p,
            against,
            sides,
            ncols_of,
            bin_of,
            opt_of,
            st,
            hist,
            habs,
            opts,
        )
    est = np.zeros((r, m))
    bound = np.zeros((r, m))
    head = np.zeros(m, dtype=np.int64)
    block = max(1, min(block, r))  # no larger than the rows: a fresh table is paged in
    mid = np.empty((block, 2, nc, nb))  # every entry read is written first (below)
    half = np.empty((block, 2, nc, nb))
    for first in range(0, r, block):
        last = min(r, first + block)
        for n in range(first, last):  # j's loss at the bins of the war's outcome
            for s in range(2):
                if not sides[s]:
                    continue
                kept = losses_win if s == 0 else losses_lose
                q = world[n]
                for c in range(ncols_of[s]):
                    a = ideal[n, cols_of[s, c]]
                    if kept.shape[0] > 0:
                        lo_loss = kept[q, c, 0]
                    else:
                        lo_loss = loss(edges_of[s, c, 0] - a, rho[n])
                    for b in range(nb):
                        lo, hi = edges_of[s, c, b], edges_of[s, c, b + 1]
                        if kept.shape[0] > 0:
                            hi_loss = kept[q, c, b + 1]
                        else:
                            hi_loss = loss(hi - a, rho[n])
                        mid[n - first, s, c, b], half[n - first, s, c, b] = loss_range(
                            lo_loss, hi_loss, lo, hi, a
                        )
                        lo_loss = hi_loss
        for x in range(m):
            cx = ev_cols[x]
            sa, sg, sgt, sp, sq = st[x, 0], st[x, 1], st[x, 2], st[x, 3], st[x, 4]
            hx, ax, ox = hist[x], habs[x], opts[x]
            e = head[x]
            for n in range(first, last):
                c_n = c_rows[n]
                while e < ev_tau.shape[1] and ev_tau[cx, e] < c_n - band:
                    we, pe = ev_w[cx, e], ev_p[cx, e]
                    wa, wg, wab = we * ev_da[cx, e], we * ev_dg[cx, e], we * ev_dabs[cx, e]
                    sa += wa
                    sg += wg
                    sgt += wg * ev_against[cx, e]
                    sp += wg * pe
                    sq += wg * (1.0 - pe)
                    _add_bins(hx, ax, ox, sides, ncols_of, bin_of, opt_of, ev_q[cx, e], pe, wg, wab)
                    e += 1
                if not need[n, x]:
                    continue
                near = 0.0  # partners whose side of a threshold rounding could flip
                k = e
                while k < ev_tau.shape[1] and ev_tau[cx, k] <= c_n + band:
                    near += ev_w[cx, k]
                    k += 1
                u0 = own_sq[n]
                gain = (u_own[n, x] - u0) * sa
                err = 0.0
                if np.isnan(direct[n]):
                    gain += (refs[0, n] - u0) * sp + (refs[1, n] - u0) * sq
                    gain -= cost[n] * sg + sgt
                    for s in range(2):
                        if not sides[s]:
                            continue
                        const = bases[s, n] - refs[s, n]
                        for c in range(ncols_of[s]):
                            wc = weight[n, cols_of[s, c]]
                            const += wc
                            for b in range(nb):
                                gain -= wc * hx[s, c, b] * mid[n - first, s, c, b]
                                err += wc * ax[s, c, b] * half[n - first, s, c, b]
                        gain += const * (sp if s == 0 else sq)
                        for kk in range(kd):
                            for o in range(no):
                                gain += table[n, kk, o] * ox[s, kk, o]
                else:
                    gain += (direct[n] - u0) * sg - sgt
                est[n, x] = gain
                bound[n, x] = err + near * (abs(u_own[n, x] - u0) + spread[n])
            st[x, 0], st[x, 1], st[x, 2], st[x, 3], st[x, 4] = sa, sg, sgt, sp, sq
            head[x] = e
    return est, bound


#: Doubles of j's loss table per block of rows in the sweep (bounds its memory only).
LOSS_TABLE = 1 << 18


def sweep_layout(parts: dict, binned: tuple) -> dict:
    """What the sweep needs of the population and the bins alone (not of the offers or
    the rows): the callers keep it per population and level. ``binned`` as
    :func:`threshold_gain` takes it."""
    n = parts["world_w"].shape[0]
    sides = np.array([b is not None for b in binned])
    present = [b for b in binned if b is not None]
    nc = max((b[0].size for b in present), default=0)
    nb = max((b[1].shape[1] - 1 for b in present), default=1)
    kd = parts["table"].shape[1] if any(b[2] for b in present) else 0
    ncols_of = np.zeros(2, dtype=np.int64)
    cols_of = np.zeros((2, nc), dtype=np.int64)
    edges_of = np.zeros((2, nc, nb + 1))
    bin_of = np.zeros((2, n, nc), dtype=np.int64)
    opt_of = np.zeros((2, n, kd), dtype=np.int64)
    for s, (b, name) in enumerate(zip(binned, ("win", "lose"), strict=True)):
        if b is None:
            continue
        cols, edges, options_vary = b[:3]
        ncols_of[s] = cols.size
        cols_of[s, : cols.size] = cols
        edges_of[s, : cols.size] = edges
        x = parts[f"{name}_x"]
        for i in range(cols.size):
            if len(b) > 3:
                bin_of[s, :, i] = b[3][i]
            else:
                bin_of[s, :, i] = np.searchsorted(edges[i, 1:-1], x[:, cols[i]], "right")
        if options_vary:
            opt_of[s] = parts[f"{name}_opt"]
    return {
        "sides": sides,
        "ncols_of": ncols_of,
        "cols_of": cols_of,
        "edges_of": edges_of,
        "bin_of": bin_of,
        "opt_of": opt_of,
        "block": max(1, LOSS_TABLE // (2 * max(nc, 1) * nb)),
    }


def _spread(parts: dict) -> np.ndarray:
    """(N,) the largest ``|W - U0|`` of each world's veto over every partner (the bound
    of a partner near a threshold)."""
    n = parts["world_w"].shape[0]
    weight = parts["weight"]
    cost = parts["base_cost"] + parts["own_threat"]
    table = parts["table"]
    hi = weight.sum(axis=1) + (table.max(axis=2).sum(axis=1) if table.size else 0.0)
    lo = table.min(axis=2).sum(axis=1) if table.size else np.zeros(n)
    against = parts["against"]
    direct = parts["direct"]
    war_hi = np.where(np.isnan(direct), hi - cost, direct - parts["own_threat"]) - against.min()
    war_lo = np.where(np.isnan(direct), lo - cost, direct - parts["own_threat"]) - against.max()
    u0 = parts["own_sq"]
    return np.maximum(np.abs(war_hi - u0), np.abs(war_lo - u0))


def sorted_fields(parts: dict, srt: np.ndarray) -> tuple[np.ndarray, ...]:
    """The veto's own fields at the worlds ``srt`` (in the sweep's order), as
    :func:`_sweep` reads them: the callers keep those of every world in the order of
    ``c`` per population."""
    cost = parts["base_cost"] + parts["own_threat"]
    return (
        np.ascontiguousarray(parts["cred_own"][:, 0][srt]),
        parts["own_sq"][srt],
        cost[srt],
        (parts["direct"] - parts["own_threat"])[srt],
        parts["weight"][srt],
        parts["ideal"][srt],
        parts["rho"][srt],
        parts["table"][srt],
        _spread(parts)[srt],
        np.stack([parts["win_base"][srt], parts["lose_base"][srt]]),
        np.stack([parts["u_win_ref"][srt], parts["u_lose_ref"][srt]]),
    )


def threshold_gain(
    rows: np.ndarray,
    parts: dict,
    u_own: np.ndarray,
    ev: Events,
    binned: tuple,
    block: int | None = None,
    need: np.ndarray | None = None,
    order: np.ndarray | None = None,
    layout: dict | None = None,
    fields: tuple[np.ndarray, ...] | None = None,
    losses: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> tuple[np.ndarray, np.ndarray]:
    """The expected gain of each of ``rows`` (any order) and its bound (module docstring).

    Parameters
    ----------
    rows : (R,) int64
    parts : dict
        :func:`goldenbridge.information.pair_parts` of the veto.
    u_own : (R, M)
        The veto's utility of each offer at ``rows``.
    ev : Events
    binned : (win, lose)
        Each ``None`` (the outcome is the same in every world) or ``(cols, edges,
        options_vary[, which])`` with ``edges`` (C, B + 1) as
        :func:`goldenbridge.engine.binned.bins` takes them (and ``which`` (C, N) each
        world's bin, if known).
    block : int, optional
        Rows per block of the loss table (default: :data:`LOSS_TABLE` doubles at most;
        the numbers do not depend on it: tested).
    need : (R, M) bool, optional
        Compute only these entries (the others are returned as 0 with bound 0).
    order : (R,) int64, optional
        The stable argsort of ``cred_own[rows]``, if known.
    layout, fields : optional
        :func:`sweep_layout` of ``binned`` and :func:`sorted_fields` of
        ``rows[order]``, if known (the same numbers: they are only kept).
    losses : (win, lose)
        :func:`goldenbridge.engine.binned.edge_losses` of each side's bins, if kept
        (``None``: computed in the sweep; the same numbers).
    """
    if order is None:
        order = stable_argsort(parts["cred_own"][:, 0][rows])
    srt = rows[order]
    lay = sweep_layout(parts, binned) if layout is None else layout
    own = sorted_fields(parts, srt) if fields is None else fields
    w = parts["world_w"] / parts["world_w"].sum()
    c = np.ascontiguousarray
    est, bound = _sweep(  # type: ignore[call-arg]
        own[0],
        c(u_own[order]),
        ev.tau,
        ev.da,
        ev.dg,
        ev.dabs,
        ev.w,
        ev.p,
        ev.against,
        ev.q,
        ev.cols,
        ev.a0,
        ev.g0,
        ev.abs0,
        w,
        parts["p_win"],
        parts["against"],
        *own[1:9],
        lay["sides"],
        own[9],
        own[10],
        lay["ncols_of"],
        lay["cols_of"],
        lay["edges_of"],
        lay["bin_of"],
        lay["opt_of"],
        BAND,
        lay["block"] if block is None else block,
        np.ones(u_own.shape, np.bool_) if need is None else c(need[order], dtype=np.bool_),
        c(srt, dtype=np.int64),
        *(np.zeros((0, 0, 0)) if k is None else k for k in losses),
    )
    back = np.empty_like(order)
    back[order] = np.arange(order.size)
    return est[back], bound[back]
