"""optimize(): which package should the proposer offer? (docs/design.md section 6)

Three answers over the whole offer space (not only the named offers):

* the **risk-return optimum**: the offer maximising the proposer's expected
  utility ``EU(x)`` (deal value where every decider accepts, each world's no-deal
  value elsewhere) -- Powell's risk-return trade-off (Powell 1999, *In the Shadow
  of Power*, ch. 3; Fearon 1995, "Rationalist explanations for war");
* the **golden bridge**: the offer with the highest expected proposer utility
  ``E[u_P(x)]`` among those with ``P(deal) >= q``;
* the **frontier**: offers no other offer beats in both ``E[u_P(x)]`` and P(deal).

The search is exact along one issue (:mod:`~goldenbridge.analysis.optimize.line_search`),
exhaustive over discrete options, and in K continuous dimensions a
boundary-candidate search with local refinement
(:mod:`~goldenbridge.analysis.optimize.search`). An optimum chosen on one population looks
better there than it is (the optimiser's curse: Smith & Winkler 2006, Management
Science 52(3)), so each reported offer is re-evaluated on an independent
population drawn with a fresh seed, and both values are reported. The Nash and
Kalai–Smorodinsky solutions (:mod:`~goldenbridge.analysis.optimize.solutions`) come with
the result.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.bargaining_range import TIE
from goldenbridge.analysis.evaluate import OfferResult, evaluate, per_world_rule
from goldenbridge.analysis.optimize.bridge import BridgeCurve, NoBridge, bridge_curve, why_no_bridge
from goldenbridge.analysis.optimize.line_search import _non_dominated, line_search
from goldenbridge.analysis.optimize.model_search import Criterion, model_scores, model_search
from goldenbridge.analysis.optimize.search import (
    Objective,
    Scores,
    Space,
    mixed_starts,
    score,
    search_continuous,
    search_discrete,
)
from goldenbridge.analysis.optimize.solutions import (
    Solution,
    kalai_smorodinsky,
    nash,
    no_offer_values,
)
from goldenbridge.analysis.results import to_dict
from goldenbridge.engine import Offers
from goldenbridge.engine.threads import aside
from goldenbridge.population import Population, first_worlds, sample
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue

__all__ = [
    "OptimizeResult",
    "FrontierPoint",
    "optimize",
    "search_space",
    "values_of",
    "DEFAULT_TARGET_P",
    "MAX_COMBINATIONS",
]

#: Required P(deal) of the golden bridge when none is given.
DEFAULT_TARGET_P = 0.5
#: Largest number of option combinations searched exhaustively.
MAX_COMBINATIONS = 1_000_000
#: Option combinations under which a mixed search runs the continuous search
#: (one continuous issue; an eighth of it for K-D searches).
MIXED_STARTS = 32
#: Most world-offer pairs an exhaustive search evaluates on every world; beyond
#: it the options are screened on a subsample and the best re-ranked on all worlds.
PAIR_BUDGET = 200_000_000


@dataclass(frozen=True)
class FrontierPoint:
    """One non-dominated offer: its values, P(deal) and E[u_P(x)], with the standard errors
    of P(deal), EU and P(war) on the worlds it was scored on (0 on an enumerated population;
    P(war) and its SE are None where the search did not score it)."""

    values: dict[str, OfferValue]
    p_deal: float
    proposer_u: float
    proposer_eu: float
    p_war: float | None = None
    p_deal_se: float | None = None
    proposer_eu_se: float | None = None
    p_war_se: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


@dataclass(frozen=True)
class OptimizeResult:
    """The result of :func:`optimize`.

    Attributes
    ----------
    optimum, optimum_fresh : OfferResult
        The risk-return optimum, evaluated on the search population and on an
        independent one (seed ``fresh_seed``).
    bridge, bridge_fresh : OfferResult or None
        The golden bridge for ``target_p`` (None when no offer found reaches it).
    frontier : tuple of FrontierPoint
        By decreasing E[u_P]; increasing P(deal).
    max_deal : OfferResult
        The package with concessions (not the status quo) with the highest
        P(deal) found, with who blocks it: what caps P(deal) when no bridge
        exists or the bridge is the status quo itself.
    status_quo : OfferResult
    method : str
        ``exact-1d``, ``exhaustive``, ``boundary-refine`` or a combination.
    exact : bool
        True when the optimum is exact on the search population.
    nash, ks : Solution or None
    nash_by_type : dict
        Stratum label (``actor=type, ...``) -> Nash values within that stratum.
    """

    scenario: str
    samples: int
    seed: int
    fresh_seed: int
    issues: tuple[str, ...]
    target_p: float
    method: str
    exact: bool
    candidates: int
    optimum: OfferResult
    optimum_fresh: OfferResult
    bridge: OfferResult | None
    bridge_fresh: OfferResult | None
    frontier: tuple[FrontierPoint, ...]
    max_deal: OfferResult
    status_quo: OfferResult
    nash: Solution | None = None
    ks: Solution | None = None
    nash_by_type: dict[str, dict[str, OfferValue]] = field(default_factory=dict)
    #: ``p_deal``: the bridge has P(deal) >= target_p; ``p_war``: P(war) <= target_p.
    bridge_by: str = "p_deal"
    #: The proposer's best utility over the P(war) target, when asked for.
    curve: BridgeCurve | None = None
    #: Why no package reaches P(war) <= target_p (None when one does, or by P(deal)).
    no_bridge: NoBridge | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge optimize --json``."""
        o, of = self.optimum, self.optimum_fresh
        bridge = None
        if self.bridge is not None and self.bridge_fresh is not None:
            b, bf = self.bridge, self.bridge_fresh
            bridge = {
                "target_p": self.target_p,
                "bridge_by": self.bridge_by,
                "values": dict(b.values),
                "p_deal": b.p_deal,
                "p_deal_se": b.p_deal_se,
                "p_deal_fresh": bf.p_deal,
                "p_deal_fresh_se": bf.p_deal_se,
                "proposer_eu": b.proposer_eu,
                "proposer_eu_se": b.proposer_eu_se,
                "proposer_eu_fresh": bf.proposer_eu,
                "proposer_eu_fresh_se": bf.proposer_eu_se,
                "proposer_u": b.proposer_u,
                "p_war": b.p_war,
                "p_war_se": b.p_war_se,
                "approve": {n: a.p_accept for n, a in b.actors.items() if a.role == "veto"},
                "approve_se": {n: a.p_accept_se for n, a in b.actors.items() if a.role == "veto"},
            }
        nash = None if self.nash is None else self.nash.to_dict()
        if nash is not None and self.nash_by_type:
            nash["by_type"] = self.nash_by_type
        return {
            "scenario": self.scenario,
            "samples": self.samples,
            "seed": self.seed,
            "fresh_seed": self.fresh_seed,
            "issues": list(self.issues),
            "method": self.method,
            "exact": self.exact,
            "candidates": self.candidates,
            "optimum": {
                "values": dict(o.values),
                "p_deal": o.p_deal,
                "p_deal_se": o.p_deal_se,
                "p_deal_fresh": of.p_deal,
                "p_deal_fresh_se": of.p_deal_se,
                "proposer_eu": o.proposer_eu,
                "proposer_eu_se": o.proposer_eu_se,
                "proposer_eu_fresh": of.proposer_eu,
                "proposer_eu_fresh_se": of.proposer_eu_se,
                "proposer_u": o.proposer_u,
                "p_war": o.p_war,
                "p_war_se": o.p_war_se,
                "p_deterred": o.p_deterred,
                "p_deterred_se": o.p_deterred_se,
                "approve": {n: a.p_accept for n, a in o.actors.items() if a.role == "veto"},
                "approve_se": {n: a.p_accept_se for n, a in o.actors.items() if a.role == "veto"},
            },
            "bridge_by": self.bridge_by,
            "bridge": bridge,
            "target_p": self.target_p,
            "frontier": [f.to_dict() for f in self.frontier],
            "max_deal": _blocking(self.max_deal),
            "status_quo": _blocking(self.status_quo),
            "nash": nash,
            "ks": None if self.ks is None else self.ks.to_dict(),
            **({} if self.curve is None else {"curve": self.curve.to_dict()}),
            **({} if self.no_bridge is None else {"no_bridge": self.no_bridge.to_dict()}),
        }


def _se(se: np.ndarray | None, m: int | np.integer, population: Population) -> float | None:
    """Offer ``m``'s standard error: none where not kept, 0 where every world is listed."""
    if se is None:
        return None
    return 0.0 if population.exact else float(se[m])


def _blocking(r: OfferResult) -> dict[str, Any]:
    return {
        "values": dict(r.values),
        "p_deal": r.p_deal,
        "p_deal_se": r.p_deal_se,
        "p_war": r.p_war,
        "p_war_se": r.p_war_se,
        "p_reject": {k: v.p_reject for k, v in r.actors.items()},
        "p_reject_se": {k: v.p_accept_se for k, v in r.actors.items()},  # 1 - p: p's SE
        "p_sole_blocker": {k: v.p_sole_blocker for k, v in r.actors.items()},
        "p_sole_blocker_se": {k: v.p_sole_blocker_se for k, v in r.actors.items()},
    }


def search_space(population: Population, issues: Sequence[str] | None = None) -> Space:
    """The searched part of the offer space: ``issues`` (default all), the others at the
    status quo."""
    return _space(population, issues)


def _space(population: Population, issues: Sequence[str] | None) -> Space:
    scenario = population.scenario
    names = [i.name for i in scenario.issues]
    chosen = list(issues) if issues else names
    for name in chosen:
        if name not in names:
            raise ScenarioError(f"issues.{name}", f"no such issue (issues: {', '.join(names)})")
    if len(set(chosen)) != len(chosen):
        raise ScenarioError("issues", "an issue is named twice")
    base = population.encode([{}], "issues")
    columns = tuple(
        population.continuous.index(n) for n in names if n in chosen and n in population.continuous
    )
    choices = tuple(
        population.discrete.index(n) for n in names if n in chosen and n in population.discrete
    )
    n_options = tuple(len(scenario.issue(population.discrete[d]).options or []) for d in choices)
    return Space(base, columns, choices, n_options)


def values_of(population: Population, offers: Offers, m: int = 0) -> dict[str, OfferValue]:
    """Offer ``m`` in the issues' own units (options by name), every issue included.

    A coordinate at the status quo maps back to the status quo exactly (ties at
    the status quo are exact); others are rounded to 1e-10 of the scale.
    """
    out: dict[str, OfferValue] = {}
    status_quo = population.encode([{}])
    for issue in population.scenario.issues:
        if issue.discrete:
            d = population.discrete.index(issue.name)
            out[issue.name] = (issue.options or [])[int(offers.option[m, d])]
            continue
        c = population.continuous.index(issue.name)
        if offers.x[m, c] == status_quo.x[0, c]:
            out[issue.name] = issue.status_quo_value
            continue
        width = issue.max - issue.min
        decimals = max(0, 10 - math.floor(math.log10(width)))
        value = issue.min + float(offers.x[m, c]) * width
        out[issue.name] = min(max(round(value, decimals), issue.min), issue.max)
    return out


@dataclass
class _Found:
    """Search output in engine coordinates."""

    optimum: Offers
    bridge: Offers | None
    frontier: Offers
    method: str
    exact: bool
    candidates: int


def _one_issue(population: Population, space: Space, q: float) -> _Found:
    worlds, column = population.worlds, space.columns[0]
    ls = line_search(worlds, space.base, column)
    t, _, exact = ls.best_eu()
    t = Objective().snap(worlds, space.base, column, t)
    b = ls.bridge(q)
    b = None if b is None else Objective(q).snap(worlds, space.base, column, b)
    ts, _, _ = ls.frontier()
    # Frontier points are where P(deal) steps up moving away from the proposer's
    # favourite: a step of 2 TIE further lies inside the entering worlds' sets.
    ts = np.clip(ts + 2 * TIE * np.sign(ts - ls.peak_u()), 0.0, 1.0)
    frontier = Offers(
        np.repeat(space.base.x, ts.shape[0], axis=0), np.repeat(space.base.option, ts.size, axis=0)
    )
    frontier.x[:, space.columns[0]] = ts
    return _Found(
        ls.offer(t),
        None if b is None else ls.offer(b),
        frontier,
        "exact-1d" if exact else "sweep-refine-1d",
        exact,
        int(ls.positions.size),
    )


def _pick(scores: Scores, q: float) -> tuple[int, int | None]:
    best = int(np.argmax(scores.eu))
    bridge_key = Objective(q).key(scores)
    b = int(np.argmax(bridge_key))
    return best, (b if scores.p_deal[b] >= q - 1e-12 else None)


def _exhaustive(
    population: Population, space: Space, q: float, x: np.ndarray, note: Callable[[str], None]
) -> _Found:
    worlds = population.worlds
    screened = space.combinations * worlds.n > PAIR_BUDGET
    first = worlds.subset(slice(0, max(1000, PAIR_BUDGET // space.combinations)))
    options, s = search_discrete(first if screened else worlds, space, x, note)
    if screened:  # re-rank the most promising on every world
        top = np.unique(np.r_[np.argsort(-s.eu)[:256], np.argsort(-Objective(q).key(s))[:256]])
        top = np.unique(np.r_[top, np.flatnonzero(_frontier_mask(s))[:512]])
        options = options[top]
        s = score(worlds, space.offers(np.repeat(x[None, :], top.size, axis=0), options))
    best, b = _pick(s, q)
    xs = np.repeat(x[None, :], options.shape[0], axis=0)
    offers = space.offers(xs, options)
    front = np.flatnonzero(_frontier_mask(s))
    return _Found(
        offers.subset([best]),
        None if b is None else offers.subset([b]),
        offers.subset(front),
        "exhaustive-screened" if screened else "exhaustive",
        not screened,
        space.combinations,
    )


def _frontier_mask(s: Scores) -> np.ndarray:
    mask = np.zeros(s.p_deal.shape[0], dtype=bool)
    mask[_non_dominated(s.u, s.p_deal)] = True
    return mask


def _continuous(
    population: Population, space: Space, q: float, search_samples: int, note
) -> _Found:
    scenario = population.scenario
    cols = list(space.columns)
    named = (
        population.encode([dict(v) for v in scenario.offers.values()]).x[:, cols]
        if scenario.offers
        else np.zeros((0, len(cols)))
    )
    found = search_continuous(
        population.worlds, space, q, named, search=search_samples, progress=note
    )

    def offers(x: np.ndarray) -> Offers:
        return space.offers(np.atleast_2d(x))

    return _Found(
        offers(found.optimum),
        None if found.bridge is None else offers(found.bridge),
        offers(found.frontier),
        "boundary-refine",
        False,
        found.candidates,
    )


def _search(population: Population, space: Space, q: float, search_samples: int, note) -> _Found:
    if not space.columns and not space.choices:
        raise ScenarioError("issues", "nothing to search")
    if space.combinations > MAX_COMBINATIONS:
        raise ScenarioError(
            "issues",
            f"{space.combinations:,} option combinations exceed the exhaustive limit of "
            f"{MAX_COMBINATIONS:,}; restrict the searched issues (--issues)",
        )
    if not space.choices:
        if len(space.columns) == 1:
            return _one_issue(population, space, q)
        return _continuous(population, space, q, search_samples, note)
    x0 = space.base.x[0, list(space.columns)]
    found = _exhaustive(population, space, q, x0, note)
    if not space.columns:
        return found
    # Mixed spaces. Alternating between the options and the continuous issues alone
    # stalls where the best options at the status quo are not the best ones after
    # the continuous concessions, so the continuous search first runs under each of
    # several option combinations (all of them when few); block-coordinate ascent
    # then continues from the best, until the options stop changing.
    worlds, choices = population.worlds, list(space.choices)

    def continuous_at(offer: Offers) -> _Found:
        sub = Space(offer, space.columns, (), ())
        if len(space.columns) == 1:
            return _one_issue(population, sub, q)
        return _continuous(population, sub, q, search_samples, note)

    fronts, bridges = [found.frontier], [found.bridge]
    candidates, method = found.candidates, ""
    current: Offers | None = None
    limit = MIXED_STARTS if len(space.columns) == 1 else MIXED_STARTS // 8
    starts = mixed_starts(worlds, space, x0, limit)
    exact = len(space.columns) == 1 and starts.shape[0] == space.combinations
    for option in starts:
        cont = continuous_at(space.offers(x0[None, :], option[None, :]))
        fronts.append(cont.frontier)
        bridges.append(cont.bridge)
        candidates += cont.candidates
        method = cont.method
        exact = exact and cont.exact
        if current is None or score(worlds, cont.optimum).eu[0] > score(worlds, current).eu[0]:
            current = cont.optimum
    assert current is not None
    for _ in range(3):
        option = current.option[0, choices]
        disc = _exhaustive(
            population, Space(current, (), space.choices, space.n_options), q, np.zeros(0), note
        )
        fronts.append(disc.frontier)
        bridges.append(disc.bridge)
        if np.array_equal(disc.optimum.option[0, choices], option):
            break
        cont = continuous_at(disc.optimum)
        fronts.append(cont.frontier)
        bridges.append(cont.bridge)
        candidates += cont.candidates
        current = cont.optimum
    pool = _stack([current, found.optimum, disc.optimum])
    best = int(np.argmax(score(worlds, pool).eu))
    found = _Found(
        pool.subset([best]),
        None,
        _stack([*fronts, current]),
        f"{found.method.split('+')[0]}+{method}",
        exact,
        candidates,
    )
    feasible = [b for b in bridges if b is not None]
    if feasible:
        pool = _stack(feasible)
        b = int(np.argmax(Objective(q).key(score(worlds, pool))))
        found.bridge = pool.subset([b])
        if score(worlds, found.bridge).p_deal[0] < q - 1e-12:
            found.bridge = None
    return found


def _own_information(
    population: Population,
    space: Space,
    target_p: float | None,
    max_p_war: float | None,
    search_samples: int,
    note: Callable[[str], None],
) -> tuple[_Found, tuple[FrontierPoint, ...], Offers, float]:
    """The search under the default information structure (docs/design.md 4b):
    :func:`~goldenbridge.analysis.optimize.model_search.model_search` on the first
    ``search_samples`` worlds; the bridge by P(war) unless a P(deal) target is given."""
    search_pop = first_worlds(population, search_samples)
    status_quo = population.encode([{}])
    if target_p is None:
        q = (
            0.5 * float(model_scores(search_pop, status_quo).p_war[0])
            if max_p_war is None
            else (float(max_p_war))
        )
        criterion = Criterion(max_p_war=q)
    else:
        q = float(target_p)
        criterion = Criterion(min_p_deal=q)
    mf = model_search(search_pop, space, criterion, note)
    s = mf.scores
    offered = ~(
        np.all(mf.candidates.x == status_quo.x, axis=1)
        & np.all(mf.candidates.option == status_quo.option, axis=1)
    )
    keep = _non_dominated(s.u, 1.0 - s.p_war)
    keep = keep[np.argsort(-s.u[keep])]
    frontier = tuple(
        FrontierPoint(
            values_of(population, mf.candidates, int(m)),
            float(s.p_deal[m]),
            float(s.u[m]),
            float(s.eu[m]),
            float(s.p_war[m]),
            _se(s.p_deal_se, m, search_pop),
            _se(s.eu_se, m, search_pop),
            _se(s.p_war_se, m, search_pop),
        )
        for m in keep
    )
    best_deal = int(np.argmax(np.where(offered, s.p_deal, -1.0)))
    max_deal = mf.candidates.subset([best_deal]) if offered.any() else status_quo
    found = _Found(mf.optimum, mf.bridge, mf.candidates, "model-search", False, mf.candidates.m)
    return found, frontier, max_deal, q


def _same(offers: Offers, m: int, other: Offers) -> bool:
    return bool(
        np.array_equal(offers.x[m], other.x[0])
        and np.array_equal(offers.option[m], other.option[0])
    )


def _stack(offers: list[Offers]) -> Offers:
    return Offers(np.vstack([o.x for o in offers]), np.vstack([o.option for o in offers]))


def optimize(
    population: Population,
    target_p: float | None = None,
    issues: Sequence[str] | None = None,
    *,
    fresh_seed: int | None = None,
    fresh_population: Population | None = None,
    search_samples: int = 10_000,
    solutions: bool = True,
    capability_weighted: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    max_p_war: float | None = None,
    curve: int | Sequence[float] | None = None,
) -> OptimizeResult:
    """The risk-return optimum, the golden bridge and the frontier.

    Parameters
    ----------
    population : Population
        Sampled worlds (:func:`goldenbridge.population.sample`).
    target_p : float, optional
        Required P(deal) of the golden bridge (default 0.5 under the per-world rule;
        under the default information structure only when given).
    max_p_war : float, optional
        Under the default information structure (docs/design.md 4b): the bridge is the
        best offer with P(war) at most this (default half the status quo's P(war)).
    issues : sequence of str, optional
        Issues to search (default all); the others stay at the status quo.
    fresh_seed : int, optional
        Seed of the independent population for re-evaluation (default seed + 1).
    fresh_population : Population, optional
        The independent population itself, when redrawing the scenario is not
        enough (a posterior: the same observations on a fresh prior draw).
    search_samples : int
        Worlds the K-D refinement runs on (the final polish uses all of them).
    solutions : bool
        Also compute the Nash and Kalai–Smorodinsky solutions.
    capability_weighted : bool
        Weight the Nash product by the parties' capabilities.
    progress : callable, optional
        ``progress(stage, done, total)``, called as the search advances.
    curve : int or sequence of float, optional
        Also compute the proposer's best utility over the P(war) target
        (:func:`~goldenbridge.analysis.optimize.bridge.bridge_curve`): that many evenly
        spaced targets, or these targets.

    Returns
    -------
    OptimizeResult

    Examples
    --------
    Fearon's crisis (docs/design.md section 2): x* = 0.6, P(deal) = 2/3, EU = 0.5333.

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> r = optimize(sample(load("fearon-1d"), samples=20_000, seed=1), solutions=False)
    >>> round(r.optimum.values["share"], 1), round(r.optimum.proposer_eu, 2), r.method
    (0.6, 0.53, 'exact-1d')
    """
    q = DEFAULT_TARGET_P if target_p is None else float(target_p)
    if not 0.0 <= q <= 1.0:
        raise InputError(f"target_p must be in [0, 1], got {q}")
    steps = iter(range(1, 1000))

    def note(stage: str) -> None:
        if progress is not None:
            progress(stage, min(next(steps), 11), 12)

    space = _space(population, issues)
    # the solution concepts read only the worlds and the space, and the fresh population
    # only the scenario: both on a core of their own (serial kernels, scipy's SLSQP) while
    # the searches below run
    pending = None
    if solutions and space.combinations <= 4096:
        pending = aside(lambda: _solutions(population, space, search_samples, capability_weighted))
    if fresh_population is not None:
        fresh = fresh_population.seed
    else:
        fresh = population.seed + 1 if fresh_seed is None else int(fresh_seed)
    redrawn = aside(
        lambda: (
            fresh_population
            if fresh_population is not None
            else sample(population.scenario, population.n, fresh)
        )
    )
    names = [i.name for i in population.scenario.issues]
    searched = tuple(n for n in names if not issues or n in issues)
    status_quo = population.encode([{}])
    if per_world_rule(population):
        found = _search(population, space, q, search_samples, note)
        note("evaluating the frontier")
        front_s = score(population.worlds, found.frontier)
        keep = _non_dominated(front_s.u, front_s.p_deal)
        keep = keep[np.argsort(-front_s.u[keep])]
        frontier = tuple(
            FrontierPoint(
                values_of(population, found.frontier, int(m)),
                float(front_s.p_deal[m]),
                float(front_s.u[m]),
                float(front_s.eu[m]),
                p_deal_se=_se(front_s.p_deal_se, m, population),
                proposer_eu_se=_se(front_s.eu_se, m, population),
            )
            for m in keep
        )
        # The package with concessions reaching the highest P(deal): what caps P(deal)
        # when even the bridge is the status quo or there is none.
        moved = [int(m) for m in keep if not _same(found.frontier, m, status_quo)]
        max_deal = found.frontier.subset([moved[-1]]) if moved else status_quo
    else:
        found, frontier, max_deal, q = _own_information(
            population, space, target_p, max_p_war, search_samples, note
        )
    bridge_by = "p_deal" if per_world_rule(population) or target_p is not None else "p_war"

    note("re-evaluating on a fresh population")
    fresh_pop = redrawn.result()
    chosen = {
        "optimum": values_of(population, found.optimum),
        "max_deal": values_of(population, max_deal),
        "status_quo": population.scenario.status_quo(),
    }
    if found.bridge is not None:
        chosen["bridge"] = values_of(population, found.bridge)
    here = evaluate(population, chosen)
    there = evaluate(fresh_pop, {k: v for k, v in chosen.items() if k in ("optimum", "bridge")})

    no_bridge = None
    if found.bridge is None and bridge_by == "p_war":
        note("reading why no package reaches the target")
        no_bridge = why_no_bridge(
            population, _toward(population, searched), q, search_samples=search_samples
        )
    bridge_curve_ = None
    if curve is not None:
        targets = None if isinstance(curve, int) else list(curve)
        bridge_curve_ = bridge_curve(
            population,
            space,
            targets,
            points=curve if isinstance(curve, int) else 6,
            search_samples=search_samples,
            values_of=lambda x: values_of(population, space.offers(x[None, :])),
            starts=_stack(
                [found.frontier, found.optimum, *([found.bridge] if found.bridge else [])]
            ).x[:, list(space.columns)],
            progress=note,
        )

    nash_s = ks_s = None
    by_type: dict[str, dict[str, OfferValue]] = {}
    if pending is not None:
        note("solving for the Nash and Kalai–Smorodinsky solutions")
        nash_s, ks_s, by_type = pending.result()

    return OptimizeResult(
        scenario=population.scenario.name,
        samples=population.n,
        seed=population.seed,
        fresh_seed=fresh,
        issues=searched,
        target_p=q,
        method=found.method,
        exact=found.exact,
        candidates=found.candidates,
        optimum=here.offer("optimum"),
        optimum_fresh=there.offer("optimum"),
        bridge=here.offer("bridge") if found.bridge is not None else None,
        bridge_fresh=there.offer("bridge") if found.bridge is not None else None,
        frontier=frontier,
        max_deal=here.offer("max_deal"),
        status_quo=here.offer("status_quo"),
        nash=nash_s,
        ks=ks_s,
        nash_by_type=by_type,
        bridge_by=bridge_by,
        curve=bridge_curve_,
        no_bridge=no_bridge,
    )


def _toward(population: Population, searched: Sequence[str]) -> dict[str, OfferValue]:
    """The target's mean position on the searched issues, the status quo elsewhere."""
    from goldenbridge.analysis.negotiate.concession_path import target_mean_position

    end = target_mean_position(population)
    start = population.scenario.complete({})
    out: dict[str, OfferValue] = {}
    for issue in population.scenario.issues:
        v = end[issue.name] if issue.name in searched else start[issue.name]
        # the mean of a fixed position can miss it by rounding: keep it on the scale
        out[issue.name] = v if isinstance(v, str) else min(max(v, issue.min), issue.max)
    return out


def _solutions(
    population: Population, space: Space, search_samples: int, capability_weighted: bool
) -> tuple[Solution | None, Solution | None, dict[str, dict[str, OfferValue]]]:
    # Expected utilities are smooth and their sampling error small: 5 000 worlds do.
    worlds = population.worlds.subset(slice(0, min(search_samples, 5_000, population.n)))
    names = population.actor_names
    target = population.scenario.target.name
    cap = population.capability[: worlds.n] if capability_weighted else None
    # the no-offer values the approval rule compares a package with (docs/design.md 4b)
    r = no_offer_values(population)[: worlds.n]

    def with_values(sol: Solution | None) -> Solution | None:
        if sol is None:
            return None
        # SLSQP is accurate to about 1e-6 of the scale: round so that bounds read as bounds.
        x = np.round(sol.x[None, :], 6)
        values = values_of(population, space.offers(x, sol.option[None, :]))
        return Solution(**{**sol.__dict__, "values": values})

    nash_s = with_values(nash(worlds, space, names, target, cap, r))
    ks_s = with_values(kalai_smorodinsky(worlds, space, names, target, r))
    by_type: dict[str, dict[str, OfferValue]] = {}
    if population.typed_actors:
        for g in range(worlds.n_groups):
            mask = worlds.group == g
            if mask.sum() < 100:
                continue
            label = ", ".join(f"{a}={t}" for a, t in population.group_types(g).items())
            sub = worlds.subset(np.flatnonzero(mask))
            sub_cap = None if cap is None else cap[mask]
            sol = with_values(nash(sub, space, names, target, sub_cap, r[mask]))
            if sol is not None:
                by_type[label] = sol.values
    return nash_s, ks_s, by_type
