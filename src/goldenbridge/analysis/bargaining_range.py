"""The bargaining range (docs/design.md section 6): the offers every party prefers to no deal.

One dimension. Along one continuous issue, with every other issue held at a base
offer, actor ``i``'s utility in world ``n`` is ``C + w (1 - |t - a|^rho)`` (``C``
collects the other issues), so ``u_i(t) >= r_i`` holds exactly on the interval
``|t - a| <= ((C + w - r_i) / w)^(1/rho)`` -- closed form for every exponent,
quadratic and linear included. The bargaining range of a world is the
intersection of the proposer's and every decider's interval; for Fearon's crisis
it is his ``[p - c_A, p + c_B]`` (Fearon 1995, "Rationalist explanations for
war", International Organization 49(3), section "War as a bargaining failure").

K dimensions. The acceptable region of a world is the intersection of the
deciders' upper level sets; the analysis reports P(deal) on 2-D slices over any
two issues (the others held at a base offer), where ``P(deal) >= q`` is the
region of offers that reach the required odds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.evaluate import outcome_tally
from goldenbridge.analysis.results import JSON_SKIP, to_dict
from goldenbridge.analysis.stats import proportion
from goldenbridge.engine import Offers, Worlds, utilities
from goldenbridge.population import Population, first_worlds
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue

__all__ = [
    "BargainingRange",
    "RangeSlice",
    "acceptance_intervals",
    "deal_intervals",
    "bargaining_range",
    "range_slice",
    "issue_column",
]

#: Offers within this distance (normalised units) of an indifference point count
#: as accepted: it absorbs float64 rounding so that ties accept (docs/design.md section 4).
TIE = 1e-9


def issue_column(population: Population, issue: str) -> int:
    """The engine column of a continuous issue, or a ScenarioError naming it."""
    if issue not in population.continuous:
        known = ", ".join(population.continuous) or "none"
        kind = "a discrete issue" if issue in population.discrete else "not an issue"
        raise ScenarioError(f"issues.{issue}", f"{kind}; continuous issues: {known}")
    return population.continuous.index(issue)


def acceptance_intervals(
    worlds: Worlds, base: Offers, column: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each actor's acceptable interval along one continuous issue, per world.

    Parameters
    ----------
    worlds : Worlds
    base : Offers
        One offer fixing every other issue.
    column : int
        The continuous column that varies (normalised coordinate ``t`` in [0, 1]).

    Returns
    -------
    lo, hi : (N, A) float64
        Actor ``i`` accepts ``t`` in world ``n`` iff ``lo <= t <= hi``; an empty
        interval has ``lo = inf`` and ``hi = -inf``.

    Examples
    --------
    B in Fearon's crisis (rho 1, ideal 0, war value .5 - c_B) accepts A's share
    ``t`` iff ``t <= .5 + c_B``:

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=3, seed=1)
    >>> lo, hi = acceptance_intervals(pop.worlds, pop.encode([{}]), 0)
    >>> bool(np.allclose(hi[:, 1], 0.5 + pop.inputs["conflict.cost.B"]))
    True
    """
    n, count = worlds.n, len(worlds.actors)
    lo = np.full((n, count), np.inf)
    hi = np.full((n, count), -np.inf)
    x0 = base.x[0, column]
    for i, actor in enumerate(worlds.actors):
        w, a, rho = actor.weight[:, column], actor.ideal[:, column], actor.rho
        here = utilities(actor, base)[:, 0]
        other = here - w * (1.0 - np.abs(x0 - a) ** rho)
        slack = other + w - actor.reservation  # accept iff w |t - a|^rho <= slack
        ok = slack >= -1e-12
        flat = ok & (w <= 0)
        lo[flat, i], hi[flat, i] = 0.0, 1.0
        curved = ok & (w > 0)
        d = (np.maximum(slack[curved], 0.0) / w[curved]) ** (1.0 / rho[curved]) + TIE
        lo[curved, i] = np.maximum(a[curved] - d, 0.0)
        hi[curved, i] = np.minimum(a[curved] + d, 1.0)
    empty = lo > hi
    lo[empty], hi[empty] = np.inf, -np.inf
    return lo, hi


def deal_intervals(worlds: Worlds, base: Offers, column: int) -> tuple[np.ndarray, np.ndarray]:
    """Per world, the interval of the issue on which every decider accepts.

    Returns
    -------
    lo, hi : (N,) float64
        A deal holds at ``t`` in world ``n`` iff ``lo <= t <= hi`` (empty: lo > hi).
    """
    lo, hi = acceptance_intervals(worlds, base, column)
    deciders = list(worlds.deciders)
    return lo[:, deciders].max(axis=1), hi[:, deciders].min(axis=1)


def _to_scale(population: Population, column: int, t: np.ndarray) -> np.ndarray:
    issue = population.scenario.issue(population.continuous[column])
    return issue.min + np.asarray(t) * (issue.max - issue.min)


@dataclass(frozen=True)
class BargainingRange:
    """The exact bargaining range along one issue, world by world.

    Attributes
    ----------
    issue : str
    lo, hi : (N,) float64
        The range of each world in the issue's units: offers the proposer and
        every decider weakly prefer to no deal (NaN where it is empty).
    deal_lo, deal_hi : (N,) float64
        Offers every decider accepts (the proposer's own constraint left out);
        ``P(deal at x) = P(deal_lo <= x <= deal_hi)``.
    weights : (N,) float64
    """

    issue: str
    lo: np.ndarray
    hi: np.ndarray
    deal_lo: np.ndarray
    deal_hi: np.ndarray
    weights: np.ndarray

    def _share(self, inside: np.ndarray) -> tuple[float, float]:
        w = self.weights
        y = inside.astype(np.float64)
        p, se = proportion(w @ y, (w * w) @ y, w.sum(), (w * w).sum())
        return float(p), float(se)

    @property
    def p_nonempty(self) -> float:
        """P(the range is not empty): some offer beats no deal for everyone."""
        return self._share(~np.isnan(self.lo))[0]

    def p_in_range(self, value: float) -> tuple[float, float]:
        """P(value lies in the range) and its Monte Carlo standard error."""
        return self._share((self.lo <= value) & (value <= self.hi))

    def p_deal(self, value: float) -> tuple[float, float]:
        """P(every decider accepts value) and its standard error."""
        return self._share((self.deal_lo <= value) & (value <= self.deal_hi))

    def to_dict(self) -> dict[str, Any]:
        """Summary for JSON: the range's end points by quantile, and P(non-empty)."""
        quantiles = (0.05, 0.25, 0.5, 0.75, 0.95)
        ok = ~np.isnan(self.lo)

        def q(v: np.ndarray) -> dict[str, float] | None:
            if not ok.any():
                return None
            return {f"q{int(100 * k):02d}": float(np.quantile(v[ok], k)) for k in quantiles}

        return {
            "issue": self.issue,
            "p_nonempty": self.p_nonempty,
            "lo": q(self.lo),
            "hi": q(self.hi),
        }


def bargaining_range(
    population: Population, issue: str, base: Mapping[str, OfferValue] | None = None
) -> BargainingRange:
    """The exact bargaining range along ``issue`` in every world.

    Parameters
    ----------
    population : Population
    issue : str
        A continuous issue.
    base : mapping, optional
        Values of the other issues (default: the status quo).

    Returns
    -------
    BargainingRange

    Examples
    --------
    Fearon's range ``[p - c_A, p + c_B]`` in A's share, ``p`` = P(A wins) = 0.5:

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=5, seed=2)
    >>> r = bargaining_range(pop, "share")
    >>> bool(np.allclose(r.lo, 0.4, atol=1e-8))
    True
    >>> bool(np.allclose(r.hi, 0.5 + pop.inputs["conflict.cost.B"], atol=1e-8))
    True
    """
    column = issue_column(population, issue)
    worlds = population.worlds
    encoded = population.encode([dict(base or {})], "base")
    lo, hi = acceptance_intervals(worlds, encoded, column)
    parties = [worlds.proposer, *worlds.deciders]
    r_lo, r_hi = lo[:, parties].max(axis=1), hi[:, parties].min(axis=1)
    d_lo, d_hi = lo[:, list(worlds.deciders)].max(axis=1), hi[:, list(worlds.deciders)].min(axis=1)

    def scaled(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        empty = a > b
        a = np.where(empty, np.nan, _to_scale(population, column, np.where(empty, 0, a)))
        b = np.where(empty, np.nan, _to_scale(population, column, np.where(empty, 0, b)))
        return a, b

    r_lo, r_hi = scaled(r_lo, r_hi)
    d_lo, d_hi = scaled(d_lo, d_hi)
    return BargainingRange(issue, r_lo, r_hi, d_lo, d_hi, worlds.weights.copy())


@dataclass(frozen=True)
class RangeSlice:
    """P(deal) on a grid over two issues, the others held at a base offer.

    Attributes
    ----------
    issues : (str, str)
    x, y : (G,) float64
        Grid values of the two issues (their own units).
    p_deal, p_deal_se : (G, G) float64
        ``p_deal[j, i]`` at ``(x[i], y[j])``.
    p_war : (G, G) float64
    proposer_eu : (G, G) float64
    base : dict
        The other issues' values.
    samples : int
        Worlds the grid was evaluated on.
    """

    issues: tuple[str, str]
    x: np.ndarray
    y: np.ndarray
    p_deal: np.ndarray
    p_deal_se: np.ndarray = field(metadata=JSON_SKIP)
    p_war: np.ndarray
    proposer_eu: np.ndarray
    base: dict[str, OfferValue]
    samples: int

    def region(self, q: float) -> np.ndarray:
        """(G, G) bool: grid offers with P(deal) >= q."""
        return self.p_deal >= q

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def range_slice(
    population: Population,
    issues: Sequence[str],
    base: Mapping[str, OfferValue] | None = None,
    resolution: int = 41,
    samples: int | None = None,
) -> RangeSlice:
    """P(deal) and the proposer's EU over a ``resolution`` x ``resolution`` grid.

    Parameters
    ----------
    population : Population
    issues : two continuous issue names
    base : mapping, optional
        Values of the other issues (default: the status quo).
    resolution : int
        Grid points per issue.
    samples : int, optional
        Evaluate on the first ``samples`` worlds only
        (:func:`~goldenbridge.population.first_worlds`); default all.

    Each grid offer is decided as :func:`~goldenbridge.analysis.evaluate.evaluate` decides
    it (:func:`~goldenbridge.analysis.evaluate.outcome_tally`: the allies on their own
    information unless informed; the status quo offers nothing, so no deal), so the slice
    agrees with ``evaluate`` at every grid offer.
    """
    if len(issues) != 2 or issues[0] == issues[1]:
        raise InputError("a range slice needs two different issues")
    cols = [issue_column(population, name) for name in issues]
    population = first_worlds(population, samples)
    scenario = population.scenario
    base_values = scenario.complete(dict(base or {}))
    encoded = population.encode([base_values], "base")
    grid = np.linspace(0.0, 1.0, resolution)
    gx, gy = np.meshgrid(grid, grid)
    x = np.repeat(encoded.x, gx.size, axis=0)
    x[:, cols[0]], x[:, cols[1]] = gx.ravel(), gy.ravel()
    offers = Offers(x, np.repeat(encoded.option, gx.size, axis=0))
    t = outcome_tally(population, offers)[0]
    w, w2 = t.w.sum(), t.w2.sum()
    p, se = proportion(t.deal.sum(0), t.deal2.sum(0), w, w2)
    eu = t.payoff.sum(0) / w
    shape = gx.shape
    return RangeSlice(
        issues=(issues[0], issues[1]),
        x=_to_scale(population, cols[0], grid),
        y=_to_scale(population, cols[1], grid),
        p_deal=p.reshape(shape),
        p_deal_se=se.reshape(shape),
        p_war=(t.war.sum(0) / w).reshape(shape),
        proposer_eu=eu.reshape(shape),
        base={k: v for k, v in base_values.items() if k not in issues},
        samples=population.n,
    )
