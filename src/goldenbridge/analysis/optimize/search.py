"""Searching the offer space: exhaustive over options, boundary candidates in K-D.

Three searches, chosen by the shape of the space (docs/design.md section 6):

* one continuous issue: exact, by :mod:`goldenbridge.analysis.optimize.line_search`;
* discrete issues only: every combination of options is evaluated (up to 10^6);
* K continuous issues: the optimum of a step function sits where some world's
  acceptance constraint binds, so the candidates are the points where each
  sampled world's target or veto becomes indifferent -- along the ray from the
  proposer's favourite offer to that decider's ideal point (where the decider's
  loss shrinks by the same factor on every issue, so the point has a closed form
  for any exponent) and along the contract curve of quadratic preferences -- plus
  anchors (status quo, ideal points, named offers) and a Sobol design. The best
  candidates are refined by exact line searches along each issue alternated with
  a pattern search over diagonal moves (Hooke & Jeeves 1961), with a halving step.

Every hot loop evaluates a batch of offers with :func:`goldenbridge.engine.tally`,
so a faster engine speeds the search up without a change here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.bargaining_range import TIE
from goldenbridge.analysis.optimize.line_search import _non_dominated, line_search
from goldenbridge.analysis.stats import mean, proportion
from goldenbridge.engine import Offers, Worlds, tally, utilities

__all__ = [
    "Space",
    "Scores",
    "score",
    "Objective",
    "search_continuous",
    "search_discrete",
    "mixed_starts",
]

#: Offers evaluated per engine call.
BATCH = 4096


@dataclass(frozen=True)
class Space:
    """The searched part of the offer space.

    Attributes
    ----------
    base : Offers
        One offer: the value of every issue not searched (and the start).
    columns : tuple of int
        Continuous columns searched.
    choices : tuple of int
        Discrete columns searched.
    n_options : tuple of int
        Number of options of each searched discrete column.
    """

    base: Offers
    columns: tuple[int, ...]
    choices: tuple[int, ...]
    n_options: tuple[int, ...]

    def offers(self, x: np.ndarray, option: np.ndarray | None = None) -> Offers:
        """Offers from searched coordinates ``x`` (M, len(columns)) and options."""
        m = x.shape[0]
        full_x = np.repeat(self.base.x, m, axis=0)
        full_x[:, list(self.columns)] = x
        full_o = np.repeat(self.base.option, m, axis=0)
        if option is not None and self.choices:
            full_o[:, list(self.choices)] = option
        return Offers(full_x, full_o)

    @property
    def combinations(self) -> int:
        """Number of option combinations of the searched discrete issues."""
        return int(np.prod(self.n_options, dtype=np.float64)) if self.choices else 1


@dataclass(frozen=True)
class Scores:
    """P(deal), EU and E[u_P] of M offers (all (M,) float64), with the standard errors of
    P(deal) and EU (:mod:`goldenbridge.analysis.stats`; None where not kept)."""

    p_deal: np.ndarray
    eu: np.ndarray
    u: np.ndarray
    p_deal_se: np.ndarray | None = None
    eu_se: np.ndarray | None = None

    @staticmethod
    def concat(parts: Sequence[Scores]) -> Scores:
        """The scores of several batches of offers, one after the other."""
        p_deal, eu, u, p_deal_se, eu_se = _concat(
            parts, ("p_deal", "eu", "u", "p_deal_se", "eu_se")
        )
        assert p_deal is not None and eu is not None and u is not None  # always kept
        return Scores(p_deal, eu, u, p_deal_se, eu_se)


def _concat(parts: Sequence, names: Sequence[str]) -> list[np.ndarray | None]:
    """Each field concatenated over ``parts`` (None where a part lacks it)."""
    out: list[np.ndarray | None] = []
    for name in names:
        columns = [getattr(p, name) for p in parts]
        out.append(None if any(c is None for c in columns) else np.concatenate(columns))
    return out


def score(worlds: Worlds, offers: Offers) -> Scores:
    """Evaluate offers in batches with the engine."""
    parts = []
    for s in range(0, offers.m, BATCH):
        t = tally(worlds, offers.subset(slice(s, s + BATCH)))
        w, w2 = t.w.sum(), t.w2.sum()
        p_deal, p_deal_se = proportion(t.deal.sum(0), t.deal2.sum(0), w, w2)
        eu, eu_se = mean(t.payoff.sum(0), t.payoff2.sum(0), t.payoff_sq2.sum(0), w, w2)
        parts.append(Scores(p_deal, eu, t.proposer_u.sum(0) / w, p_deal_se, eu_se))
    return Scores.concat(parts)


@dataclass(frozen=True)
class Objective:
    """What a search maximises: EU, or E[u_P] subject to P(deal) >= q (the bridge)."""

    q: float | None = None

    def key(self, s: Scores) -> np.ndarray:
        """One number per offer, larger is better: feasible offers rank by U above
        every infeasible one, which rank by P(deal)."""
        if self.q is None:
            return s.eu
        feasible = s.p_deal >= self.q - 1e-12
        return np.where(feasible, 10.0 + s.u, s.p_deal)

    def along(self, worlds: Worlds, offer: Offers, column: int) -> float | None:
        """The exact best point along one issue through ``offer``."""
        ls = line_search(worlds, offer, column)
        t = ls.best_eu()[0] if self.q is None else ls.bridge(self.q)
        return None if t is None else self.snap(worlds, offer, column, t)

    def snap(self, worlds: Worlds, offer: Offers, column: int, t: float) -> float:
        """The best of ``t`` and its neighbours ``t +- 2 TIE`` by the engine's verdict.

        The line search counts offers within ``TIE`` of an indifference point as
        accepted, so an end point it picks may lie just outside a world's exact
        acceptance set; a step of ``2 TIE`` inwards is inside it. The base point
        itself is kept where it is near: there ties are exact.
        """
        x0 = float(offer.x[0, column])
        ts = [t, t - 2 * TIE, t + 2 * TIE] + ([x0] if abs(t - x0) < 4 * TIE else [])
        ts_arr = np.clip(np.array(ts), 0.0, 1.0)
        x = np.repeat(offer.x, ts_arr.size, axis=0)
        x[:, column] = ts_arr
        keys = self.key(score(worlds, Offers(x, np.repeat(offer.option, ts_arr.size, axis=0))))
        return float(ts_arr[int(np.argmax(keys))])


# -- candidates ------------------------------------------------------------------------


def proposer_favourite(worlds: Worlds, columns: tuple[int, ...]) -> np.ndarray:
    """Per searched issue, the value maximising E[u_P] (u_P is additive over issues)."""
    p = worlds.actors[worlds.proposer]
    w = worlds.weights
    grid = np.linspace(0.0, 1.0, 201)
    best = np.empty(len(columns))
    for j, c in enumerate(columns):
        loss = np.abs(grid[None, :] - p.ideal[:, c, None]) ** p.rho[:, None]
        value = (w * p.weight[:, c]) @ (1.0 - loss)
        best[j] = grid[int(np.argmax(value))]
    return best


def _other_utility(actor, base: Offers, columns: list[int]) -> np.ndarray:
    """Each world's utility from the issues not searched."""
    here = utilities(actor, base)[:, 0]
    d = np.abs(base.x[0, columns][None, :] - actor.ideal[:, columns])
    return here - (actor.weight[:, columns] * (1.0 - d ** actor.rho[:, None])).sum(axis=1)


def boundary_candidates(worlds: Worlds, space: Space, start: np.ndarray) -> np.ndarray:
    """Points where each world's deciders become indifferent, in searched coordinates.

    Along the ray ``x(s) = start + s (a - start)`` towards decider ``i``'s ideal
    point ``a`` every searched issue's distance shrinks by ``(1 - s)``, so
    ``u_i(s) = C + sum_k w_k (1 - (1 - s)^rho |start_k - a_k|^rho)`` and the
    indifference point ``u_i = r_i`` is ``s = 1 - (slack / L0)^(1/rho)``. For the
    target, also the contract curve of quadratic preferences
    ``x_k(l) = (W_k s_k + l v_k a_k) / (W_k + l v_k)`` (W, v: the proposer's mean and
    the world's own weights), found by bisection on ``l / (1 + l)``.
    """
    cols = list(space.columns)
    out = []
    p = worlds.actors[worlds.proposer]
    mean_wp = np.maximum(worlds.weights @ p.weight[:, cols] / worlds.weights.sum(), 1e-12)
    for i in worlds.deciders:
        actor = worlds.actors[i]
        a = actor.ideal[:, cols]
        rho = actor.rho
        other = _other_utility(actor, space.base, cols)
        wk = actor.weight[:, cols]
        loss0 = (wk * np.abs(start[None, :] - a) ** rho[:, None]).sum(axis=1)
        slack = other + wk.sum(axis=1) - actor.reservation
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(loss0 > 0, slack / loss0, 1.0)
        ok = ratio >= 0
        s = 1.0 - np.minimum(ratio[ok], 1.0) ** (1.0 / rho[ok])
        out.append(start[None, :] + s[:, None] * (a[ok] - start[None, :]))
        if i != worlds.deciders[0]:
            continue

        def curve(frac: np.ndarray, a=a, wk=wk) -> np.ndarray:
            lam = (frac / np.maximum(1.0 - frac, 1e-12))[:, None]
            return (mean_wp * start + lam * wk * a) / (mean_wp + lam * wk)

        def accepts(x: np.ndarray, a=a, wk=wk, rho=rho, other=other, actor=actor) -> np.ndarray:
            loss = (wk * np.abs(x - a) ** rho[:, None]).sum(axis=1)
            return other + wk.sum(axis=1) - loss >= actor.reservation

        lo, hi = np.zeros(worlds.n), np.ones(worlds.n)
        reachable = accepts(curve(hi))
        for _ in range(40):
            mid = (lo + hi) / 2
            yes = accepts(curve(mid))
            hi = np.where(yes, mid, hi)
            lo = np.where(yes, lo, mid)
        out.append(curve(hi)[reachable])
    return np.clip(np.concatenate(out), 0.0, 1.0)


def _anchors(worlds: Worlds, space: Space, favourite: np.ndarray, named: np.ndarray) -> np.ndarray:
    cols = list(space.columns)
    points = [space.base.x[0, cols], favourite]
    w = worlds.weights
    for i in worlds.deciders:
        points.append(w @ worlds.actors[i].ideal[:, cols] / w.sum())
    points.extend(named)
    from scipy.stats import qmc  # lazy: scipy costs ~0.3 s at start-up

    sobol = qmc.Sobol(len(cols), scramble=True, seed=0).random(256)
    return np.vstack([np.array(points).reshape(-1, len(cols)), sobol])


# -- refinement ------------------------------------------------------------------------


def _directions(k: int) -> np.ndarray:
    """Compass moves ``+-e_i`` and diagonal moves ``+-e_i +- e_j``."""
    out = [s * np.eye(k)[i] for i in range(k) for s in (1.0, -1.0)]
    for i, j in itertools.combinations(range(k), 2):
        for si, sj in itertools.product((1.0, -1.0), repeat=2):
            d = np.zeros(k)
            d[i], d[j] = si, sj
            out.append(d)
    return np.array(out).reshape(-1, k)


def _sweep_all(worlds: Worlds, space: Space, x: np.ndarray, current: float, objective: Objective):
    """Exact line searches along each searched issue in turn (moves that improve)."""
    for j, c in enumerate(space.columns):
        t = objective.along(worlds, space.offers(x[None, :]), c)
        if t is None or t == x[j]:
            continue
        trial = x.copy()
        trial[j] = t
        value = float(objective.key(score(worlds, space.offers(trial[None, :])))[0])
        if value > current + 1e-12:
            x, current = trial, value
    return x, current


def refine(
    worlds: Worlds,
    space: Space,
    x: np.ndarray,
    objective: Objective,
    step: float = 0.1,
    min_step: float = 1e-3,
    max_polls: int = 60,
    visited: list[tuple[np.ndarray, Scores]] | None = None,
) -> tuple[np.ndarray, float]:
    """Local refinement: a pattern search with a halving step, exact line searches.

    Each poll evaluates the compass and diagonal moves of the current step in one
    engine call and takes the best improving one; without one the step halves.
    The exact line searches along each issue run at every new step size when the
    proposer's utility is polynomial along the issues (cheap), else once at the end.
    """
    x = x.copy()
    current = float(objective.key(score(worlds, space.offers(x[None, :])))[0])
    directions = _directions(len(space.columns))
    p = worlds.actors[worlds.proposer]
    cheap = bool(np.all((p.rho == 1.0) | (p.rho == 2.0)))
    polls, new_step = 0, True
    while step >= min_step and polls < max_polls:
        if cheap and new_step:
            x, current = _sweep_all(worlds, space, x, current, objective)
        trials = np.clip(x[None, :] + step * directions, 0.0, 1.0)
        s = score(worlds, space.offers(trials))
        polls += 1
        if visited is not None:
            visited.append((trials, s))
        keys = objective.key(s)
        b = int(np.argmax(keys))
        new_step = keys[b] <= current + 1e-12
        if new_step:
            step /= 2
        else:
            x, current = trials[b], float(keys[b])
    return _sweep_all(worlds, space, x, current, objective)


@dataclass(frozen=True)
class ContinuousResult:
    """Best searched coordinates for the optimum and the bridge, and frontier points."""

    optimum: np.ndarray
    bridge: np.ndarray | None
    frontier: np.ndarray  # (F, K) searched coordinates
    candidates: int


def search_continuous(
    worlds: Worlds,
    space: Space,
    q: float | None,
    named: np.ndarray,
    screen: int = 4000,
    search: int = 10_000,
    starts: int = 2,
    max_frontier: int = 60,
    progress: Callable[[str], None] | None = None,
) -> ContinuousResult:
    """K-D search: boundary candidates screened on ``screen`` worlds, the best
    ``starts`` refined on ``search`` worlds, the winner polished on all worlds.
    """
    note = progress or (lambda _: None)
    screen_w = worlds.subset(slice(0, min(screen, worlds.n)))
    search_w = worlds.subset(slice(0, min(search, worlds.n)))
    favourite = proposer_favourite(screen_w, space.columns)
    boundary = boundary_candidates(screen_w.subset(slice(0, 400)), space, favourite)
    cand = np.unique(np.vstack([_anchors(screen_w, space, favourite, named), boundary]), axis=0)
    note(f"screening {cand.shape[0]} candidate offers on {screen_w.n} worlds")
    s = score(screen_w, space.offers(cand))
    visited: list[tuple[np.ndarray, Scores]] = []

    def best_of(objective: Objective) -> np.ndarray:
        order = np.argsort(-objective.key(s), kind="stable")[:starts]
        results = []
        for r, i in enumerate(order):
            note(f"refining start {r + 1}/{len(order)}" + (" (bridge)" if objective.q else ""))
            results.append(refine(search_w, space, cand[i], objective, visited=visited))
        x = max(results, key=lambda xv: xv[1])[0]
        note("polishing on all worlds")
        # Exact line searches only: a poll of every move on all worlds costs more
        # than it finds at this step size.
        return refine(worlds, space, x, objective, max_polls=0)[0]

    optimum = best_of(Objective())
    bridge = None
    if q is not None:
        bridge = best_of(Objective(q))
        if score(worlds, space.offers(bridge[None, :])).p_deal[0] < q - 1e-12:
            bridge = None
    # The frontier: non-dominated offers among all those evaluated, re-scored on all worlds.
    pool = np.vstack([cand, *(v[0] for v in visited), optimum[None, :]])
    pool_s = [s, *(v[1] for v in visited)]
    p_all = np.concatenate([*(x.p_deal for x in pool_s), [1.0]])
    u_all = np.concatenate([*(x.u for x in pool_s), [-np.inf]])
    keep = _non_dominated(u_all[:-1], p_all[:-1])
    front = pool[keep]
    if front.shape[0] > max_frontier:  # thin evenly in P(deal)
        p_keep = p_all[keep]
        order = np.argsort(p_keep)
        picks = np.unique(np.linspace(0, order.size - 1, max_frontier).round().astype(int))
        front = front[order[picks]]
    if bridge is not None:
        front = np.vstack([front, bridge[None, :]])
    front = np.vstack([front, optimum[None, :]])
    return ContinuousResult(optimum, bridge, front, int(cand.shape[0]))


def option_combinations(space: Space) -> Iterator[np.ndarray]:
    """All option combinations of the searched discrete issues, in blocks."""
    total = space.combinations
    for s in range(0, total, BATCH):
        index = np.arange(s, min(s + BATCH, total))
        yield np.stack(np.unravel_index(index, space.n_options), axis=1).astype(np.int64)


def search_discrete(
    worlds: Worlds,
    space: Space,
    x: np.ndarray,
    progress: Callable[[str], None] | None = None,
) -> tuple[np.ndarray, Scores]:
    """Every option combination (continuous issues at ``x``): options and scores."""
    note = progress or (lambda _: None)
    options, parts = [], []
    total = space.combinations
    done = 0
    for block in option_combinations(space):
        xs = np.repeat(x[None, :], block.shape[0], axis=0)
        parts.append(score(worlds, space.offers(xs, block)))
        options.append(block)
        done += block.shape[0]
        note(f"evaluated {done:,}/{total:,} option combinations")
    s = Scores.concat(parts)
    return np.concatenate(options), s


def mixed_starts(worlds: Worlds, space: Space, x0: np.ndarray, limit: int) -> np.ndarray:
    """Option combinations to run the continuous search under in a mixed space:
    all of them when there are at most ``limit``, else the ``limit`` best by EU at a
    few continuous points (``x0``, the middle of every scale, a Sobol design), on
    up to 2 000 worlds."""
    every = np.concatenate(list(option_combinations(space)))
    if every.shape[0] <= limit:
        return every
    from scipy.stats import qmc

    k = len(space.columns)
    points = np.vstack([x0, np.full(k, 0.5), qmc.Sobol(k, seed=0).random(8)])
    sub = worlds.subset(slice(0, min(worlds.n, 2000)))
    best = np.full(every.shape[0], -np.inf)
    for x in points:
        xs = np.repeat(x[None, :], every.shape[0], axis=0)
        best = np.maximum(best, score(sub, space.offers(xs, every)).eu)
    return every[np.argsort(-best, kind="stable")[: max(1, limit)]]
