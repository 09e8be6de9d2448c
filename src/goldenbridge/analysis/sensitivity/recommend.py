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

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.optimize.best import search_space, values_of
from goldenbridge.analysis.optimize.model_search import (
    Criterion,
    ModelScores,
    model_scores,
    model_search,
    polish,
)
from goldenbridge.analysis.optimize.search import Space
from goldenbridge.analysis.results import JSON_SKIP, to_dict
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.population import Population
from goldenbridge.scenario.schema import OfferValue

__all__ = ["Answer", "Recommender", "STEP", "SMALLEST"]

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

    def measure(self, output: Output) -> float:
        """P(war), P(deal) or the proposer's EU."""
        return float(getattr(self, output))

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


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
            found = model_search(base, self.space, Criterion())
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

    def _answer(self, population: Population, x: np.ndarray, s: ModelScores) -> Answer:
        offers = self.space.offers(x[None, :]) if x.size else self.offers
        return Answer(
            values_of(self.base_population, offers),
            float(s.p_war[0]),
            float(s.p_deal[0]),
            float(s.eu[0]),
            x,
        )

    def fixed(self, population: Population) -> Answer:
        """The base offer held fixed on ``population``."""
        return self._answer(population, self.x0, model_scores(population, self.offers))

    def at(self, population: Population, step: float = STEP) -> Answer:
        """The answer on ``population``: re-optimised from the base optimum (warm start),
        or the fixed offer scored."""
        if not self.reoptimise:
            return self.fixed(population)
        x, s = polish(population, self.space, self.x0, step, SMALLEST)
        return self._answer(population, x, s)
