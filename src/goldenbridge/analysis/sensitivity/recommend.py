"""The recommended offer, and the same offer re-optimised when an assumption changes.

The recommended offer is the risk-return optimum (docs/design.md section 6): the offer
maximising the proposer's expected utility, found over every issue by
:func:`~goldenbridge.analysis.optimize.model_search.model_search` under the model's own
outcome path (the vetoes' approval under their information, 4b). Sensitivity asks how the
*answer* moves -- that offer's P(war), re-optimised -- when an assumption changes, so each
changed population (common random numbers, :func:`~goldenbridge.analysis.sensitivity.
assumptions.population_at`) is searched again, warm-started from the base optimum with a
small pattern search (:func:`~goldenbridge.analysis.optimize.model_search.polish`) rather
than a fresh global search: a change of one assumption moves the optimum a little, and the
incumbent is the best start. A fixed offer (named or custom) is scored as it is.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from goldenbridge.analysis.evaluate import per_world_rule
from goldenbridge.analysis.optimize.best import search_space, values_of
from goldenbridge.analysis.optimize.model_search import (
    Criterion,
    ModelScores,
    model_scores,
    model_search,
    polish,
)
from goldenbridge.analysis.optimize.search import Space
from goldenbridge.analysis.outcomes import Decisions, decide, decided_tally
from goldenbridge.analysis.results import JSON_SKIP, to_dict
from goldenbridge.analysis.sensitivity.assumptions import Assumption
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.engine import utilities
from goldenbridge.population import Population
from goldenbridge.scenario.schema import OfferValue

__all__ = ["Answer", "Recommender", "STEP", "SMALLEST", "proposer_only"]

#: First and last step of the warm-started pattern search (fractions of each issue's
#: scale): a changed assumption moves the optimum a little; a structural switch starts
#: with a wider step (:data:`SWITCH_STEP`).
STEP, SMALLEST = 1 / 32, 1 / 128
SWITCH_STEP = 1 / 8


@dataclass(frozen=True)
class Answer:
    """The recommended (or fixed) offer on one population, with its three measures.

    Attributes
    ----------
    values : dict
        The offer, every issue (options by name).
    p_war, p_deal, proposer_eu : float
    """

    values: dict[str, OfferValue]
    p_war: float
    p_deal: float
    proposer_eu: float
    x: np.ndarray = field(metadata=JSON_SKIP, compare=False, repr=False)
    scores: ModelScores | None = field(default=None, metadata=JSON_SKIP, compare=False, repr=False)

    def measure(self, output: Output) -> float:
        """P(war), P(deal) or the proposer's EU."""
        return float(getattr(self, output))

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def proposer_only(population: Population, assumption: Assumption) -> bool:
    """Whether ``assumption`` moves only the proposer's own fields: its actor entry, its
    ``conflict.cost``, the ``cost_to_threatener`` of its threats (a type prior excluded: a
    reweighting moves every expectation). No decision depends on them -- the target and
    each veto decide on their own fields and the population's others (docs/design.md
    4a-4c) -- so only the proposer's payoff changes with them."""
    if assumption.kind == "prior" or not assumption.location:
        return False
    scenario, loc = population.scenario, assumption.location
    proposer = scenario.proposer.name
    if loc[0] == "actors":
        return scenario.actors[int(loc[1])].name == proposer
    if loc[:2] == ("conflict", "cost"):
        return len(loc) == 3 and loc[2] == proposer
    if loc[0] == "threats":
        return tuple(loc[2:]) == ("cost_to_threatener",) and (
            scenario.threats[int(loc[1])].by == proposer
        )
    return False


class Recommender:
    """The recommended offer on the base population and on changed ones.

    Parameters
    ----------
    base : Population
        The worlds as written.
    offer : mapping, optional
        A fixed offer (issue -> value, every issue): scored as it is, never re-optimised.
        ``None``: the risk-return optimum, re-optimised on every changed population.
    issues : sequence of str, optional
        The searched issues (default all).
    """

    def __init__(
        self,
        base: Population,
        offer: Mapping[str, OfferValue] | None = None,
        issues: tuple[str, ...] | None = None,
    ) -> None:
        self.base_population = base
        self.reoptimise = offer is None
        if offer is None:
            self.space = search_space(base, issues)
            found = model_search(base, self.space, Criterion(), bridge=False)
            start = found.optimum.x[0, list(self.space.columns)]
            # polished once on the base itself, the optimum is a fixed point of the warm
            # start: a change of 0 re-optimises to the same offer
            self.x0, _ = polish(base, self.space, start, STEP, SMALLEST)
            offers = self.space.offers(self.x0[None, :])
        else:
            offers = base.encode([dict(offer)], "offer")
            self.space = Space(offers, (), (), ())
            self.x0 = np.zeros(0)
        self.offers = offers
        self.base = self._answer(base, self.x0, model_scores(base, offers))
        self._decisions: Decisions | None = None
        self._lock = threading.Lock()

    def _answer(self, population: Population, x: np.ndarray, s: ModelScores) -> Answer:
        offers = self.space.offers(x[None, :]) if x.size else self.offers
        return Answer(
            values_of(self.base_population, offers),
            float(s.p_war[0]),
            float(s.p_deal[0]),
            float(s.eu[0]),
            x,
            s,
        )

    def fixed(self, population: Population, same_decisions: bool = False) -> Answer:
        """The base offer held fixed on ``population``.

        ``same_decisions``: ``population`` differs from the base worlds only in the
        proposer's own fields (:func:`proposer_only`, same weights), so every world's
        decisions are the base's and only the proposer's payoff is recomputed -- the same
        numbers as deciding again, without the model run.
        """
        base = self.base_population
        if not same_decisions or per_world_rule(base) or base.exact:
            return self._answer(population, self.x0, model_scores(population, self.offers))
        with self._lock:  # the screening's runs may ask from several threads
            if self._decisions is None:
                self._decisions = decide(base, self.offers)
        d = self._decisions
        p = population.worlds.proposer
        u_p = utilities(population.worlds.actors[p], self.offers)
        war_p = population.war_value[:, p, None]
        payoff = np.where(d.deal, u_p, np.where(d.war, war_p, population.status_quo_u[:, p, None]))
        t = decided_tally(population, replace(d, payoff=payoff, u_proposer=u_p))
        w = t.w.sum()
        s = ModelScores(t.deal.sum(0) / w, t.war.sum(0) / w, t.payoff.sum(0) / w,
                        t.proposer_u.sum(0) / w)  # fmt: skip
        return self._answer(population, self.x0, s)

    def at(self, population: Population, step: float = STEP, start: Answer | None = None) -> Answer:
        """The answer on ``population``: re-optimised from the base optimum (warm start),
        or the fixed offer scored. ``start``: the base offer already scored on
        ``population`` (:meth:`fixed`), so that the search does not score it again."""
        if not self.reoptimise:
            return start if start is not None else self.fixed(population)
        known = start.scores if start is not None else None
        x, s = polish(population, self.space, self.x0, step, SMALLEST, known)
        return self._answer(population, x, s)
