"""The golden bridge over its P(war) target: what each target costs, and why none exists
(docs/design.md section 6; issue 13 part 4).

* :func:`bridge_curve` -- the proposer's best utility ``max E[u_P(x)]`` over offers with
  ``P(war) <= Q``, for a grid of targets ``Q`` (the golden bridge of section 6 as a
  function of its target). Each point is the bridge search of
  :mod:`~goldenbridge.analysis.optimize.model_search` (a pattern search, Hooke & Jeeves
  1961) started from the best feasible offer seen so far, the targets taken in increasing
  order: an offer feasible at ``Q`` is feasible at every larger target, so the curve is
  non-decreasing by construction on the search population.
* :func:`why_no_bridge` -- when no offer reaches the target, the reason along the
  concession path from the status quo towards the target's mean position: where P(war) is
  lowest, and from which concession on each veto actor's approval falls below one half.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.analysis.optimize.model_search import (
    DESIGN_POINTS,
    Criterion,
    ModelScores,
    _anchors,
    _pattern,
    model_scores,
)
from goldenbridge.analysis.optimize.search import Space
from goldenbridge.analysis.results import JSON_SKIP, to_dict
from goldenbridge.population import Population, first_worlds
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import OfferValue

__all__ = ["CurvePoint", "BridgeCurve", "bridge_curve", "VetoLimit", "NoBridge", "why_no_bridge"]

#: Smallest pattern-search step of a curve point (of the issue's scale): coarser than the
#: bridge's own 1/512, since a curve has several points.
CURVE_STEP = 1 / 128


@dataclass(frozen=True)
class CurvePoint:
    """The best offer for the proposer with P(war) at most ``max_p_war``.

    ``values`` is None (and the numbers NaN) when no offer found reaches the target.
    """

    max_p_war: float
    values: dict[str, OfferValue] | None
    proposer_u: float
    p_war: float
    p_deal: float
    proposer_eu: float


@dataclass(frozen=True)
class BridgeCurve:
    """The result of :func:`bridge_curve` (numbers on the search population)."""

    scenario: str
    proposer: str
    samples: int
    seed: int
    p_war_nothing: float
    points: tuple[CurvePoint, ...]

    def to_dict(self) -> dict[str, Any]:
        """The ``curve`` part of ``goldenbridge optimize --curve --json``."""
        return to_dict(self)


def _offered(space: Space, x: np.ndarray) -> np.ndarray:
    nothing = space.base.x[0, list(space.columns)]
    return ~np.all(np.atleast_2d(x) == nothing[None, :], axis=1)


def bridge_curve(
    population: Population,
    space: Space,
    targets: Sequence[float] | None = None,
    *,
    points: int = 6,
    search_samples: int = 10_000,
    values_of: Callable[[np.ndarray], dict[str, OfferValue]],
    starts: np.ndarray | None = None,
    progress: Callable[[str], None] | None = None,
) -> BridgeCurve:
    """The proposer's best utility over the P(war) target ``Q``.

    Parameters
    ----------
    population : Population
    space : Space
        The searched issues (continuous; discrete ones stay at the status quo, as in
        :func:`~goldenbridge.analysis.optimize.model_search.model_search`).
    targets : sequence of float, optional
        The targets ``Q``; default ``points`` values evenly spaced from the lowest P(war)
        among the offers seen (``starts`` and a Sobol design) up to the P(war) of offering
        nothing.
    search_samples : int
        Worlds the search runs on (the first ones of the population's scenario).
    values_of : callable
        Searched coordinates (K,) -> the offer in the issues' units.
    starts : (S, K) array, optional
        Searched coordinates of offers already known to be good (the optimum, the
        bridge, a frontier): searches start from the best of them that is feasible.
    progress : callable, optional
        Called with a stage label before each point.

    Returns
    -------
    BridgeCurve
        Points by increasing target; ``proposer_u`` is non-decreasing in it.
    """
    pop = first_worlds(population, search_samples)
    k = len(space.columns)
    if k == 0:
        raise InputError("the P(war) curve needs a continuous issue to search")

    def score(x: np.ndarray) -> tuple[ModelScores, np.ndarray]:
        x = np.atleast_2d(x)
        return model_scores(pop, space.offers(x)), _offered(space, x)

    from scipy.stats import qmc  # lazy: scipy.stats costs ~1-2 s of every command's start

    design = qmc.Sobol(k, scramble=True, seed=pop.seed).random(DESIGN_POINTS)
    known = np.zeros((0, k)) if starts is None else np.atleast_2d(starts)
    pool = np.concatenate([_anchors(pop, space), known, design])
    pool_s, pool_off = score(pool)
    nothing, _ = score(space.base.x[:, list(space.columns)])
    p_nothing = float(nothing.p_war[0])
    if targets is None:
        lowest = float(np.min(np.where(pool_off, pool_s.p_war, 1.0)))
        qs = [float(q) for q in np.linspace(min(lowest, p_nothing), p_nothing, points)]
    else:
        qs = sorted(float(q) for q in targets)
    if any(not 0.0 <= q <= 1.0 for q in qs):
        raise InputError("every P(war) target must be in [0, 1]")
    out = []
    for q in qs:
        if progress is not None:
            progress(f"bridge curve: P(war) <= {q:.3f}")
        criterion = Criterion(max_p_war=q)
        start = pool[int(np.argmax(criterion.key(pool_s, pool_off)))]
        x = _pattern(score, start, criterion.key, smallest=CURVE_STEP)
        s, off = score(x)
        pool = np.concatenate([pool, x[None, :]])
        pool_s = ModelScores.concat([pool_s, s])
        pool_off = np.concatenate([pool_off, off])
        # the best feasible offer seen so far (a later point may improve an earlier one's
        # start, never the other way round)
        key = criterion.key(pool_s, pool_off)
        best = int(np.argmax(key))
        if criterion.feasible(pool_s, pool_off)[best]:
            out.append(
                CurvePoint(
                    q,
                    values_of(pool[best]),
                    float(pool_s.u[best]),
                    float(pool_s.p_war[best]),
                    float(pool_s.p_deal[best]),
                    float(pool_s.eu[best]),
                )
            )
        else:
            nan = float("nan")
            out.append(CurvePoint(q, None, nan, nan, nan, nan))
    return BridgeCurve(
        scenario=population.scenario.name,
        proposer=population.scenario.proposer.name,
        samples=pop.n,
        seed=pop.seed,
        p_war_nothing=p_nothing,
        points=tuple(out),
    )


@dataclass(frozen=True)
class VetoLimit:
    """Where along the concession path a veto actor stops approving.

    ``values`` is the first package of the path it approves in less than half of the
    worlds (None: it approves every package of the path in at least half).
    """

    actor: str
    values: dict[str, OfferValue] | None
    p_approve: float
    lowest_p_approve: float


@dataclass(frozen=True)
class NoBridge:
    """Why no package reaches P(war) <= ``max_p_war`` (:func:`why_no_bridge`).

    Attributes
    ----------
    toward : dict
        The end of the concession path (the target's mean position on the searched
        issues); the path starts at the status quo.
    best_values, best_p_war : dict, float
        The package of the path with the lowest P(war), and that P(war).
    target_p_accept : float
        The target's P(accept) there (would accept if offered).
    vetoes : tuple of VetoLimit
        Each veto actor's limit, the first to block first.
    """

    max_p_war: float
    toward: dict[str, OfferValue]
    best_values: dict[str, OfferValue]
    best_p_war: float
    best_p_deal: float
    target_p_accept: float
    vetoes: tuple[VetoLimit, ...]
    samples: int
    path: tuple[dict[str, Any], ...] = field(metadata=JSON_SKIP, default=())

    @property
    def blocker(self) -> VetoLimit | None:
        """The veto actor whose approval fails first along the path (None: none fails)."""
        failing = [v for v in self.vetoes if v.values is not None]
        return failing[0] if failing else None

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def why_no_bridge(
    population: Population,
    toward: dict[str, OfferValue],
    max_p_war: float,
    *,
    points: int = 10,
    search_samples: int = 10_000,
) -> NoBridge:
    """Why no package reaches ``P(war) <= max_p_war``, read along the concession path.

    The path runs in ``points`` equal steps from the status quo to ``toward`` (on the
    continuous issues; a discrete issue switches at the half-way point). Each package is
    evaluated with :func:`~goldenbridge.analysis.evaluate.evaluate`; the answer names the
    package with the lowest P(war) and, for each veto actor, the first package it
    approves in less than half of the worlds -- the concession at which its approval
    fails (docs/design.md 4b).
    """
    pop = first_worlds(population, search_samples)
    scenario = pop.scenario
    start = scenario.complete({})
    offers: dict[str, dict[str, OfferValue]] = {}
    for step in range(1, points + 1):
        t = step / points
        offer: dict[str, OfferValue] = {}
        for issue in scenario.issues:
            a, b = start[issue.name], toward[issue.name]
            if isinstance(a, str) or isinstance(b, str):
                offer[issue.name] = b if t >= 0.5 else a
            else:
                offer[issue.name] = float(min(max(a + t * (b - a), issue.min), issue.max))
        offers[f"step{step}"] = offer
    e = evaluate(pop, offers)
    results = list(e.offers)
    best = min(results, key=lambda r: r.p_war)
    limits = []
    for actor in scenario.actors:
        if actor.role != "veto":
            continue
        approvals = [r.actors[actor.name].p_approve for r in results]
        first = next((i for i, p in enumerate(approvals) if p < 0.5), None)
        limits.append(
            VetoLimit(
                actor.name,
                None if first is None else dict(results[first].values),
                float("nan") if first is None else approvals[first],
                min(approvals),
            )
        )
    limits.sort(key=lambda v: (v.values is None, _first_step(results, v)))
    return NoBridge(
        max_p_war=float(max_p_war),
        toward=dict(toward),
        best_values=dict(best.values),
        best_p_war=best.p_war,
        best_p_deal=best.p_deal,
        target_p_accept=best.actors[scenario.target.name].p_accept,
        vetoes=tuple(limits),
        samples=pop.n,
        path=tuple(
            {
                "values": dict(r.values),
                "p_war": r.p_war,
                "p_deal": r.p_deal,
                **{f"p_approve.{n}": a.p_approve for n, a in r.actors.items() if a.role == "veto"},
            }
            for r in results
        ),
    )


def _first_step(results: list, limit: VetoLimit) -> int:
    if limit.values is None:
        return len(results)
    return next(i for i, r in enumerate(results) if dict(r.values) == limit.values)
