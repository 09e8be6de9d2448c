"""Exact search along one issue: P(deal) is a step function of the offer.

Along one continuous issue (every other issue held at a base offer) each world's
deal set is an interval ``[L_n, R_n]``
(:func:`~goldenbridge.analysis.bargaining_range.deal_intervals`), so
``P(deal)(t)`` changes only at the sorted end points. The proposer's expected
utility (docs/design.md section 6)

    EU(t) = [sum_n w_n r_P,n + sum_{n: L_n <= t <= R_n} w_n (u_P,n(t) - r_P,n)] / sum_n w_n

is, between consecutive end points, a fixed sum of the proposer's utilities. When
the proposer's loss exponent is 1 or 2 in every world (or the issue carries no
weight for it), each term is a polynomial of degree <= 2 in ``t`` (linear pieces
split at the proposer's ideal point), so a sweep over the sorted events with
cumulative coefficient sums gives EU at every end point and its maximum inside
every segment in closed form: the risk-return optimum along the issue is exact
(O(N log N)). Other exponents fall back to a coarse-to-fine search over the same
end points, evaluated exactly, with a bounded scalar search inside the best
segments (reported as not exact).

The frontier and the golden bridge use the proposer's expected utility of the
offer itself, ``U(t) = E[u_P(t)]``, which is concave when every proposer exponent
is >= 1: then for any required ``q`` the best offer with ``P(deal) >= q`` is the
feasible end point nearest to the peak of ``U`` on either side, which makes the
bridge exact and the frontier the running records of P(deal) outward from the
peak (Powell 1999, *In the Shadow of Power*, ch. 3: the risk-return trade-off).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from goldenbridge.analysis.bargaining_range import deal_intervals
from goldenbridge.engine import Offers, Worlds, utilities

__all__ = ["LineSearch", "line_search"]

# Event kinds, in the order they apply at one position: a piece that ends just
# before the position, a piece that starts at it, a piece that ends just after it.
_END_OPEN, _START, _END_CLOSED = 0, 1, 2
#: World-offer pairs per chunk of direct evaluation (bounds memory).
_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class LineSearch:
    """Everything needed to search one issue exactly.

    Attributes
    ----------
    column : int
        The continuous column searched (normalised coordinate ``t``).
    base : Offers
        One offer fixing the other issues.
    lo, hi : (N,) float64
        Each world's deal interval (empty: lo > hi).
    positions : (J,) float64
        Sorted distinct end points in [0, 1], 0 and 1 included.
    p_point : (J,) float64
        P(deal) at each position.
    weights : (N,) float64
    """

    worlds: Worlds
    column: int
    base: Offers
    lo: np.ndarray
    hi: np.ndarray
    positions: np.ndarray
    p_point: np.ndarray
    weights: np.ndarray
    _u_other: np.ndarray  # (N,) proposer utility from the other issues
    _sorted_lo: np.ndarray
    _cum_lo: np.ndarray
    _sorted_hi: np.ndarray
    _cum_hi: np.ndarray
    _cache: dict[str, float] = field(default_factory=dict)

    # -- exact evaluation at given points -------------------------------------------------
    def p_deal(self, t: np.ndarray) -> np.ndarray:
        """P(deal) at points ``t`` (exact, O(log N) each)."""
        t = np.asarray(t, dtype=np.float64)
        started = self._cum_lo[np.searchsorted(self._sorted_lo, t, side="right")]
        ended = self._cum_hi[np.searchsorted(self._sorted_hi, t, side="left")]
        return (started - ended) / self.weights.sum()

    def proposer_u(self, t: np.ndarray) -> np.ndarray:
        """(N, T) proposer utility of the offers ``t`` in every world."""
        p = self.worlds.actors[self.worlds.proposer]
        c = self.column
        t = np.asarray(t, dtype=np.float64)
        loss = np.abs(t[None, :] - p.ideal[:, c, None]) ** p.rho[:, None]
        return self._u_other[:, None] + p.weight[:, c, None] * (1.0 - loss)

    def _chunks(self, t: np.ndarray):
        step = max(1, _CHUNK_CELLS // max(1, self.worlds.n))
        for s in range(0, t.shape[0], step):
            yield s, t[s : s + step]

    def mean_u(self, t: np.ndarray) -> np.ndarray:
        """E[u_P(t)]: the proposer's expected utility of the offer itself."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        out = np.empty(t.shape[0])
        w = self.weights
        for s, part in self._chunks(t):
            out[s : s + part.shape[0]] = w @ self.proposer_u(part) / w.sum()
        return out

    def eu(self, t: np.ndarray) -> np.ndarray:
        """EU(t) of docs/design.md section 6, exact."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        r = self.worlds.actors[self.worlds.proposer].reservation
        w = self.weights
        out = np.empty(t.shape[0])
        for s, part in self._chunks(t):
            deal = (self.lo[:, None] <= part[None, :]) & (part[None, :] <= self.hi[:, None])
            z = np.where(deal, self.proposer_u(part), r[:, None])
            out[s : s + part.shape[0]] = w @ z / w.sum()
        return out

    def offer(self, t: float) -> Offers:
        """The offer at ``t`` (other issues at the base)."""
        x = self.base.x.copy()
        x[0, self.column] = t
        return Offers(x, self.base.option.copy())

    # -- searches ---------------------------------------------------------------------------
    @property
    def polynomial(self) -> bool:
        """True when every proposer term is a polynomial of degree <= 2 in t."""
        p = self.worlds.actors[self.worlds.proposer]
        w = p.weight[:, self.column]
        return bool(np.all((w == 0) | (p.rho == 1.0) | (p.rho == 2.0)))

    def best_eu(self) -> tuple[float, float, bool]:
        """The risk-return optimum along the issue: ``(t, EU(t), exact)``."""
        if self.polynomial:
            t, value = self._sweep_best()
            return t, value, True
        t, value = self._refine_best()
        return t, value, False

    def _sweep_best(self) -> tuple[float, float]:
        pos, coef_point, coef_seg, base = _sweep(self)
        total = self.weights.sum()

        def value(c: np.ndarray, t: np.ndarray) -> np.ndarray:
            return (base + c[:, 0] * t * t + c[:, 1] * t + c[:, 2]) / total

        cand_t = [pos]
        cand_v = [value(coef_point, pos)]
        left, right = pos[:-1], pos[1:]
        c2, c1 = coef_seg[:, 0], coef_seg[:, 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            stationary = np.where(c2 < 0, -c1 / (2 * c2), np.nan)
        inside = (stationary > left) & (stationary < right)
        cand_t.append(stationary[inside])
        cand_v.append(value(coef_seg[inside], stationary[inside]))
        # A world that joins the deal at an end point may lower EU there (the
        # proposer prefers war in it): the segment's supremum is then approached,
        # not attained, and a point just inside stands for it.
        nudge = np.minimum(1e-9, (right - left) / 2)
        for end, shift, point_v in ((left, nudge, cand_v[0][:-1]), (right, -nudge, cand_v[0][1:])):
            limit = value(coef_seg, end)
            better = limit > point_v + 1e-15
            t = end[better] + shift[better]
            cand_t.append(t)
            cand_v.append(value(coef_seg[better], t))
        t_all, v_all = np.concatenate(cand_t), np.concatenate(cand_v)
        best = int(np.argmax(v_all))
        return float(t_all[best]), float(v_all[best])

    def _refine_best(self, batch: int = 256) -> tuple[float, float]:
        """Coarse-to-fine over the end points, then a scalar search in the best segments."""
        pos = np.union1d(self.positions, np.clip(self._proposer_peaks(), 0, 1))
        lo_i, hi_i = 0, pos.shape[0] - 1
        best_t, best_v = 0.0, -np.inf
        while True:
            count = hi_i - lo_i + 1
            idx = np.arange(lo_i, hi_i + 1)
            if count > batch:
                idx = np.unique(np.linspace(lo_i, hi_i, batch).round().astype(int))
            values = self.eu(pos[idx])
            b = int(np.argmax(values))
            if values[b] > best_v:
                best_t, best_v = float(pos[idx[b]]), float(values[b])
            if count <= batch:
                break
            lo_i, hi_i = int(idx[max(b - 1, 0)]), int(idx[min(b + 1, idx.shape[0] - 1)])
        j = int(np.searchsorted(pos, best_t))
        for a, b in ((j - 1, j), (j, j + 1)):
            if 0 <= a and b < pos.shape[0] and pos[b] - pos[a] > 4e-9:
                from scipy.optimize import minimize_scalar  # lazy: scipy costs ~0.3 s at start-up

                res = minimize_scalar(
                    lambda t: -self.eu(np.array([t]))[0],
                    bounds=(pos[a] + 1e-9, pos[b] - 1e-9),
                    method="bounded",
                    options={"xatol": 1e-8},
                )
                if -res.fun > best_v:
                    best_t, best_v = float(res.x), float(-res.fun)
        return best_t, best_v

    def _proposer_peaks(self) -> np.ndarray:
        p = self.worlds.actors[self.worlds.proposer]
        return np.quantile(p.ideal[:, self.column], np.linspace(0, 1, 33))

    def peak_u(self) -> float:
        """The offer along the issue the proposer likes best in expectation."""
        if "peak" not in self._cache:
            self._cache["peak"] = self._peak_u()
        return self._cache["peak"]

    def _peak_u(self) -> float:
        grid = np.linspace(0.0, 1.0, 65)
        values = self.mean_u(grid)
        b = int(np.argmax(values))
        a, c = grid[max(b - 1, 0)], grid[min(b + 1, 64)]
        from scipy.optimize import minimize_scalar  # lazy: scipy costs ~0.3 s at start-up

        res = minimize_scalar(
            lambda t: -self.mean_u(np.array([t]))[0],
            bounds=(a, c),
            method="bounded",
            options={"xatol": 1e-10},
        )
        return float(res.x) if -res.fun >= values[b] else float(grid[b])

    def frontier(self, max_points: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Non-dominated ``(t, P(deal), U)`` along the issue, by decreasing U.

        Exact when ``U`` is unimodal (every proposer exponent >= 1); thinned to at
        most about ``max_points`` points, evenly in P(deal).
        """
        peak = self.peak_u()
        pos, p = self.positions, self.p_point
        picks = [np.array([peak])]
        # Moving away from the peak U falls, so only new records of P(deal) can
        # be non-dominated on each side.
        for order in (np.flatnonzero(pos >= peak), np.flatnonzero(pos <= peak)[::-1]):
            records = order[_records(p[order])]
            if records.size > max_points // 2:
                levels = np.floor(p[records] * (max_points // 2)).astype(int)
                keep = np.r_[levels[1:] != levels[:-1], True]
                records = records[keep]
            picks.append(pos[records])
        t = np.unique(np.concatenate(picks))
        p_t = self.p_deal(t)
        u_t = self.mean_u(t)
        keep = _non_dominated(u_t, p_t)
        order = np.argsort(-u_t[keep])
        return t[keep][order], p_t[keep][order], u_t[keep][order]

    def bridge(self, q: float) -> float | None:
        """The golden bridge along the issue: argmax U(t) subject to P(deal)(t) >= q.

        None when no point reaches ``q``.
        """
        peak = self.peak_u()
        if self.p_deal(np.array([peak]))[0] >= q - 1e-12:
            return peak
        pos, p = self.positions, self.p_point
        feasible = p >= q - 1e-12
        options = []
        right = np.flatnonzero(feasible & (pos > peak))
        left = np.flatnonzero(feasible & (pos < peak))
        if right.size:
            options.append(pos[right[0]])
        if left.size:
            options.append(pos[left[-1]])
        if not options:
            return None
        t = np.array(options)
        return float(t[int(np.argmax(self.mean_u(t)))])


def _records(p: np.ndarray) -> np.ndarray:
    """Indices where ``p`` exceeds every earlier value (the first index included)."""
    if p.size == 0:
        return np.zeros(0, dtype=int)
    previous = np.r_[-np.inf, np.maximum.accumulate(p)[:-1]]
    return np.flatnonzero(p > previous)


def _non_dominated(u: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Indices of points no other point beats in both U and P (ties kept once)."""
    order = np.lexsort((-u, -p))  # by P descending, then U descending
    keep, best_u = [], -np.inf
    for i in order:
        if u[i] > best_u + 1e-15:
            keep.append(i)
            best_u = u[i]
    return np.array(sorted(keep), dtype=int)


def line_search(worlds: Worlds, base: Offers, column: int) -> LineSearch:
    """Prepare the exact search along continuous ``column`` through ``base``.

    Parameters
    ----------
    worlds : Worlds
    base : Offers
        One offer fixing every other issue.
    column : int

    Returns
    -------
    LineSearch

    Examples
    --------
    Fearon's crisis: the risk-return optimum is x* = 0.6 with EU 0.5333.

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=20_000, seed=1)
    >>> t, eu, exact = line_search(pop.worlds, pop.encode([{}]), 0).best_eu()
    >>> round(t, 1), round(eu, 2), exact
    (0.6, 0.53, True)
    """
    lo, hi = deal_intervals(worlds, base, column)
    ok = lo <= hi
    w = worlds.weights
    proposer = worlds.actors[worlds.proposer]
    here = utilities(proposer, base)[:, 0]
    c = column
    u_other = here - proposer.weight[:, c] * (
        1.0 - np.abs(base.x[0, c] - proposer.ideal[:, c]) ** proposer.rho
    )
    positions = np.unique(np.concatenate([[0.0, 1.0], lo[ok], hi[ok]]))
    s_lo_order = np.argsort(lo[ok], kind="stable")
    s_hi_order = np.argsort(hi[ok], kind="stable")
    wk = w[ok]
    search = LineSearch(
        worlds=worlds,
        column=column,
        base=base,
        lo=lo,
        hi=hi,
        positions=positions,
        p_point=np.zeros(0),
        weights=w,
        _u_other=u_other,
        _sorted_lo=lo[ok][s_lo_order],
        _cum_lo=np.r_[0.0, np.cumsum(wk[s_lo_order])],
        _sorted_hi=hi[ok][s_hi_order],
        _cum_hi=np.r_[0.0, np.cumsum(wk[s_hi_order])],
    )
    object.__setattr__(search, "p_point", search.p_deal(positions))
    return search


def _sweep(search: LineSearch) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Cumulative polynomial coefficients of sum_{deal} w (u_P - r_P) along the issue.

    Returns the positions, the coefficients ``(c2, c1, c0)`` at each position
    (closed intervals: worlds whose interval starts or ends there included) and on
    each open segment between consecutive positions, and ``sum_n w_n r_P,n``.
    """
    worlds, c = search.worlds, search.column
    p = worlds.actors[worlds.proposer]
    ok = search.lo <= search.hi
    w = search.weights[ok]
    lo, hi = search.lo[ok], search.hi[ok]
    a = p.ideal[ok, c]
    wp = p.weight[ok, c]
    rho = p.rho[ok]
    const = search._u_other[ok] + wp - p.reservation[ok]  # u_P - r_P = const - wp |t - a|^rho
    flat = wp == 0
    quad = ~flat & (rho == 2.0)
    lin = ~flat & ~quad
    zeros = np.zeros_like(w)
    # u - r as c2 t^2 + c1 t + c0: quadratic, and the two linear sides of |t - a|.
    quad_c = np.stack([-wp, 2 * wp * a, const - wp * a * a], axis=1)
    left_c = np.stack([zeros, wp, const - wp * a], axis=1)  # t <= a
    right_c = np.stack([zeros, -wp, const + wp * a], axis=1)  # t >= a
    flat_c = np.stack([zeros, zeros, const], axis=1)

    pieces_lo, pieces_hi, pieces_end, pieces_c = [], [], [], []

    def add(mask: np.ndarray, start: np.ndarray, end: np.ndarray, kind: int, coef: np.ndarray):
        pieces_lo.append(start[mask])
        pieces_hi.append(end[mask])
        pieces_end.append(np.full(int(mask.sum()), kind))
        pieces_c.append(coef[mask] * w[mask, None])

    add(flat, lo, hi, _END_CLOSED, flat_c)
    add(quad, lo, hi, _END_CLOSED, quad_c)
    add(lin & (a >= hi), lo, hi, _END_CLOSED, left_c)
    add(lin & (a <= lo), lo, hi, _END_CLOSED, right_c)
    split = lin & (a > lo) & (a < hi)
    add(split, lo, a, _END_OPEN, left_c)
    add(split, a, hi, _END_CLOSED, right_c)
    starts = np.concatenate(pieces_lo)
    ends = np.concatenate(pieces_hi)
    end_kind = np.concatenate(pieces_end)
    coef = np.concatenate(pieces_c)
    sentinels = np.array([0.0, 1.0])
    pos = np.concatenate([starts, ends, sentinels])
    kind = np.concatenate([np.full(starts.shape[0], _START), end_kind, [_START, _START]])
    delta = np.concatenate([coef, -coef, np.zeros((2, 3))])
    order = np.lexsort((kind, pos))
    pos, kind, delta = pos[order], kind[order], delta[order]
    cum = np.vstack([np.zeros((1, 3)), np.cumsum(delta, axis=0)])
    uniq, first = np.unique(pos, return_index=True)
    last = np.r_[first[1:], pos.shape[0]] - 1
    before_closed = np.add.reduceat((kind <= _START).astype(int), first)
    coef_point = cum[first + before_closed]  # cum row k+1 holds events 0..k
    coef_seg = cum[last + 1][:-1]
    base = float(search.weights @ p.reservation)
    return uniq, coef_point, coef_seg, base
