"""evaluate(offers): the odds of each package (DESIGN.md section 6).

For every offer: each actor's P(accept), P(deal) (target and every veto accept),
P(war) (no deal and the target fights), the proposer's expected utility
``EU(x) = sum_n w_n [deal_n u_P,n(x) + (1 - deal_n) r_P,n] / sum_n w_n``, who
blocks, and the breakdown by type, each with its Monte Carlo standard error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.stats import mean, proportion
from goldenbridge.engine import tally
from goldenbridge.engine.arrays import Tally
from goldenbridge.population import Population
from goldenbridge.scenario.schema import OfferValue

__all__ = ["ActorOdds", "TypeOdds", "OfferResult", "Evaluation", "evaluate", "named_offers"]


@dataclass(frozen=True)
class ActorOdds:
    """One actor's response to one offer."""

    p_accept: float
    p_accept_se: float
    p_reject: float
    p_sole_blocker: float


@dataclass(frozen=True)
class TypeOdds:
    """One type of an actor: its share of the worlds and the odds within it."""

    weight: float
    p_accept: float
    p_deal: float


@dataclass(frozen=True)
class OfferResult:
    """Everything :func:`evaluate` says about one offer."""

    name: str
    values: dict[str, OfferValue]
    p_deal: float
    p_deal_se: float
    p_war: float
    p_war_se: float
    proposer_eu: float
    proposer_eu_se: float
    proposer_u: float
    actors: dict[str, ActorOdds]
    types: dict[str, dict[str, TypeOdds]]

    @property
    def p_status_quo(self) -> float:
        """P(no deal and no war): deterrence holds."""
        return max(0.0, 1.0 - self.p_deal - self.p_war)

    @property
    def p_deterred(self) -> float:
        """P(no agreement and no war): the third outcome of DESIGN.md section 4a."""
        return self.p_status_quo

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the CLI's ``--json`` and the web API."""
        return {
            "name": self.name,
            "values": dict(self.values),
            "p_deal": self.p_deal,
            "p_deal_se": self.p_deal_se,
            "p_war": self.p_war,
            "p_war_se": self.p_war_se,
            "p_status_quo": self.p_status_quo,
            "proposer_eu": self.proposer_eu,
            "proposer_eu_se": self.proposer_eu_se,
            "proposer_u": self.proposer_u,
            "actors": {k: asdict(v) for k, v in self.actors.items()},
            "types": {a: {t: asdict(v) for t, v in ts.items()} for a, ts in self.types.items()},
        }


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`: one :class:`OfferResult` per offer.

    ``p_war_no_deal`` is the probability that the target fights when no deal is
    made (DESIGN.md section 4): the baseline every offer's ``p_war`` is compared with.
    """

    scenario: str
    samples: int
    seed: int
    proposer: str
    target: str
    offers: tuple[OfferResult, ...]
    p_war_no_deal: float
    p_war_no_deal_se: float

    def offer(self, name: str) -> OfferResult:
        """The result for the offer called ``name``."""
        return next(o for o in self.offers if o.name == name)

    @property
    def best(self) -> OfferResult:
        """The offer with the highest proposer expected utility."""
        return max(self.offers, key=lambda o: o.proposer_eu)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge evaluate --json``."""
        return {
            "scenario": self.scenario,
            "samples": self.samples,
            "seed": self.seed,
            "proposer": self.proposer,
            "target": self.target,
            "p_war_no_deal": self.p_war_no_deal,
            "p_war_no_deal_se": self.p_war_no_deal_se,
            "offers": [o.to_dict() for o in self.offers],
        }


def named_offers(population: Population) -> dict[str, dict[str, OfferValue]]:
    """The scenario's named offers, or the status quo alone when it names none."""
    scenario = population.scenario
    return dict(scenario.offers) if scenario.offers else {"status_quo": {}}


def _offer_result(
    population: Population, t: Tally, m: int, name: str, values: dict[str, OfferValue]
) -> OfferResult:
    """Read offer ``m`` out of the sums (all strata pooled, then per type)."""
    w, w2 = t.w.sum(), t.w2.sum()
    p_deal, p_deal_se = proportion(t.deal[:, m].sum(), t.deal2[:, m].sum(), w, w2)
    p_war, p_war_se = proportion(t.war[:, m].sum(), t.war2[:, m].sum(), w, w2)
    eu, eu_se = mean(t.payoff[:, m].sum(), t.payoff2[:, m].sum(), t.payoff_sq2[:, m].sum(), w, w2)
    names = population.actor_names
    proposer = population.worlds.proposer
    actors = {}
    for i, actor in enumerate(names):
        if i == proposer:
            continue
        p, se = proportion(t.accept[:, m, i].sum(), t.accept2[:, m, i].sum(), w, w2)
        actors[actor] = ActorOdds(
            p_accept=float(p),
            p_accept_se=float(se),
            p_reject=float(1 - p),
            p_sole_blocker=float(t.sole[:, m, i].sum() / w) if w > 0 else 0.0,
        )
    types: dict[str, dict[str, TypeOdds]] = {}
    groups = [population.group_types(g) for g in range(population.worlds.n_groups)]
    for actor in population.typed_actors:
        i = names.index(actor)
        types[actor] = {}
        for type_name in population.scenario.actor(actor).type_names:
            sel = np.array([g[actor] == type_name for g in groups])
            wt = t.w[sel].sum()
            types[actor][type_name] = TypeOdds(
                weight=float(wt / w) if w > 0 else 0.0,
                p_accept=float(t.accept[sel, m, i].sum() / wt) if wt > 0 else float("nan"),
                p_deal=float(t.deal[sel, m].sum() / wt) if wt > 0 else float("nan"),
            )
    return OfferResult(
        name=name,
        values=values,
        p_deal=float(p_deal),
        p_deal_se=float(p_deal_se),
        p_war=float(p_war),
        p_war_se=float(p_war_se),
        proposer_eu=float(eu),
        proposer_eu_se=float(eu_se),
        proposer_u=float(t.proposer_u[:, m].sum() / w),
        actors=actors,
        types=types,
    )


def evaluate(
    population: Population,
    offers: Mapping[str, Mapping[str, OfferValue]] | None = None,
    *,
    backend: str = "auto",
    dask: str | None = None,
) -> Evaluation:
    """Evaluate named offers on a sampled population.

    Parameters
    ----------
    population : Population
        Sampled worlds (:func:`goldenbridge.population.sample`).
    offers : mapping, optional
        Offer name -> {issue: value}; issues left out stay at the status quo.
        Defaults to the scenario's named offers.
    backend : {"auto", "numpy", "numba", "dask"}
        Engine (:func:`goldenbridge.engine.tally`); all give the same numbers.
    dask : str, optional
        ``"local"`` or a scheduler address ``tcp://host:port``: split the worlds
        across a Dask cluster (implies ``backend="dask"`` under ``"auto"``).

    Returns
    -------
    Evaluation

    Examples
    --------
    Fearon's crisis (DESIGN.md section 2): B accepts x with probability
    (0.8 - x) / 0.3 on [0.5, 0.8].

    >>> from goldenbridge.scenario import load
    >>> from goldenbridge.population import sample
    >>> pop = sample(load("fearon-1d"), samples=100_000, seed=1)
    >>> r = evaluate(pop, {"x": {"share": 0.6}}).offer("x")
    >>> abs(r.p_deal - 2 / 3) < 3 * r.p_deal_se
    True
    """
    offers = dict(named_offers(population) if offers is None else offers)
    scenario = population.scenario
    values = [scenario.complete(dict(v)) for v in offers.values()]
    encoded = population.encode(values)
    t = tally(population.worlds, encoded, backend=backend, dask=dask)
    results = tuple(
        _offer_result(population, t, m, name, values[m]) for m, name in enumerate(offers)
    )
    p_fight, p_fight_se = proportion(t.fight.sum(), t.fight2.sum(), t.w.sum(), t.w2.sum())
    return Evaluation(
        p_war_no_deal=float(p_fight),
        p_war_no_deal_se=float(p_fight_se),
        scenario=scenario.name,
        samples=population.n,
        seed=population.seed,
        proposer=scenario.proposer.name,
        target=scenario.target.name,
        offers=results,
    )
