"""evaluate(offers): the odds of each package (docs/design.md section 6).

For every offer the three outcomes of docs/design.md section 4a -- P(deal) (an agreement is
signed), P(deterred) (no agreement, no war), P(war) -- summing to 1, the target's
P(accept) (would accept if offered), each veto's and stakeholder's P(approve) under its
own information (section 4b), the proposer's expected utility
``EU(x) = sum_n w_n [deal_n u_P,n(x) + (1 - deal_n) r_P,n(x)] / sum_n w_n``, who blocks,
and the breakdown by type, each with its Monte Carlo standard error.

Three paths give the sums: when every veto is informed and the scenario has no face or
pretext, the engine's fused kernels (the per-world rule, bit for bit as before the
revision of section 4); on an enumerated population (every combination of an all-discrete
scenario's values, :func:`goldenbridge.enumeration.enumerate_worlds`)
:func:`goldenbridge.analysis.exact.decide_exact`, every approval exact; otherwise
:func:`goldenbridge.analysis.outcomes.decide`. On an enumerated population the numbers are
exact: every standard error is 0 and the result says ``exact``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from goldenbridge.analysis.exact import decide_exact
from goldenbridge.analysis.outcomes import decide, decided_tally, offers_nothing
from goldenbridge.analysis.results import json_meta, to_dict
from goldenbridge.analysis.stats import mean, proportion, se_bound_scale, share_se_bound
from goldenbridge.engine import Offers, tally
from goldenbridge.engine.arrays import Tally
from goldenbridge.information import is_informed
from goldenbridge.population import Population, stream
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import OfferValue

__all__ = [
    "ActorOdds",
    "TypeOdds",
    "OfferResult",
    "Evaluation",
    "evaluate",
    "bootstrap_se",
    "named_offers",
]


@dataclass(frozen=True)
class ActorOdds:
    """One actor's response to one offer.

    For the target ``p_accept`` is P(it would accept the offer if offered); for a veto
    actor or a stakeholder it is P(it approves the offer), under its own information
    unless it is informed (docs/design.md section 4b). A stakeholder's approval never enters
    P(deal). ``p_reject`` is 1 - ``p_accept``; ``p_sole_blocker`` P(it is the only one
    of the target and the vetoes to refuse), with a bound on its standard error.
    """

    role: str
    p_accept: float
    p_accept_se: float
    p_reject: float
    p_sole_blocker: float
    #: A bound on ``p_sole_blocker``'s standard error (the engine sums no squares for it:
    #: :func:`~goldenbridge.analysis.stats.share_se_bound`; 0 on an enumerated population).
    p_sole_blocker_se: float = 0.0

    @property
    def p_approve(self) -> float:
        """P(approves): the name of ``p_accept`` for a veto actor or a stakeholder."""
        return self.p_accept

    def to_dict(self) -> dict[str, Any]:
        """``p_accept`` (target) or ``p_approve`` (veto, stakeholder), each with ``_se``."""
        key = "p_accept" if self.role == "target" else "p_approve"
        out: dict[str, Any] = {"role": self.role, key: self.p_accept, f"{key}_se": self.p_accept_se}
        if self.role != "stakeholder":
            out["p_refuse"] = self.p_reject
            out["p_refuse_se"] = self.p_accept_se  # the SE of 1 - p is p's
            out["p_sole_blocker"] = self.p_sole_blocker
            out["p_sole_blocker_se"] = self.p_sole_blocker_se
        return out


@dataclass(frozen=True)
class TypeOdds:
    """One type of an actor: its share of the worlds and the odds within it, each with
    its Monte Carlo standard error (the stratum's own sums: ``p_accept`` and ``p_deal``
    are shares of the type's worlds; NaN where no world has the type)."""

    weight: float
    weight_se: float
    p_accept: float
    p_accept_se: float
    p_deal: float
    p_deal_se: float


@dataclass(frozen=True)
class OfferResult:
    """Everything :func:`evaluate` says about one offer."""

    name: str
    values: dict[str, OfferValue]
    offered: bool
    p_deal: float
    p_deal_se: float
    p_deterred: float
    p_deterred_se: float
    p_war: float
    p_war_se: float
    proposer_eu: float
    proposer_eu_se: float
    proposer_u: float
    actors: dict[str, ActorOdds]
    types: dict[str, dict[str, TypeOdds]]
    inner_error: float = 0.0

    @property
    def p_status_quo(self) -> float:
        """P(no agreement and no war): the old name of :attr:`p_deterred`."""
        return self.p_deterred

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by the CLI's ``--json`` and the web API (every field)."""
        return to_dict(self)


@dataclass(frozen=True)
class Evaluation:
    """The result of :func:`evaluate`: one :class:`OfferResult` per offer.

    ``p_war_no_deal`` is the probability that the target fights when no deal is
    made (docs/design.md section 4): the baseline every offer's ``p_war`` is compared with.
    """

    scenario: str
    samples: int
    seed: int
    proposer: str
    target: str
    offers: tuple[OfferResult, ...]
    p_war_no_deal: float
    p_war_no_deal_se: float
    information: str = "own"
    sincere: tuple[str, ...] = ()
    #: How the standard errors were computed: ``"binomial"`` (each world's approvals
    #: taken as given) or ``"bootstrap (B replicates)"`` (:func:`bootstrap_se`).
    se_method: str = "binomial"
    #: True on an enumerated population (every world, weighted by its probability): the
    #: numbers are exact and every SE is 0; ``None`` (left out of the JSON) on a sample.
    exact: bool | None = field(default=None, metadata=json_meta(omit_empty=True))

    def offer(self, name: str) -> OfferResult:
        """The result for the offer called ``name``."""
        return next(o for o in self.offers if o.name == name)

    @property
    def best(self) -> OfferResult:
        """The offer with the highest proposer expected utility."""
        return max(self.offers, key=lambda o: o.proposer_eu)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge evaluate --json`` (every field)."""
        return to_dict(self)


def named_offers(population: Population) -> dict[str, dict[str, OfferValue]]:
    """The scenario's named offers, or the status quo alone when it names none."""
    scenario = population.scenario
    return dict(scenario.offers) if scenario.offers else {"status_quo": {}}


def _offer_result(
    population: Population,
    t: Tally,
    m: int,
    name: str,
    values: dict[str, OfferValue],
    offered: bool,
    inner_error: float,
) -> OfferResult:
    """Read offer ``m`` out of the sums (all strata pooled, then per type)."""
    w, w2 = t.w.sum(), t.w2.sum()
    deal, deal2 = t.deal[:, m].sum(), t.deal2[:, m].sum()
    war, war2 = t.war[:, m].sum(), t.war2[:, m].sum()
    p_deal, p_deal_se = proportion(deal, deal2, w, w2)
    p_war, p_war_se = proportion(war, war2, w, w2)
    # deal, deterred and war are exclusive, so the third indicator's sums are differences
    p_det, p_det_se = proportion(w - deal - war, w2 - deal2 - war2, w, w2)
    eu, eu_se = mean(t.payoff[:, m].sum(), t.payoff2[:, m].sum(), t.payoff_sq2[:, m].sum(), w, w2)
    sampled = 0.0 if population.exact else 1.0  # every world listed: no sampling error
    names = population.actor_names
    proposer = population.worlds.proposer
    scale = se_bound_scale(population.worlds.weights) * sampled
    actors = {}
    for i, actor in enumerate(names):
        if i == proposer:
            continue
        p, se = proportion(t.accept[:, m, i].sum(), t.accept2[:, m, i].sum(), w, w2)
        sole = float(t.sole[:, m, i].sum() / w) if w > 0 else 0.0
        actors[actor] = ActorOdds(
            role=population.scenario.actors[i].role,
            p_accept=float(p),
            p_accept_se=float(se) * sampled,
            p_reject=float(1 - p),
            p_sole_blocker=sole,
            p_sole_blocker_se=share_se_bound(sole, scale),
        )
    types: dict[str, dict[str, TypeOdds]] = {}
    groups = [population.group_types(g) for g in range(population.worlds.n_groups)]
    for actor in population.typed_actors:
        i = names.index(actor)
        types[actor] = {}
        for type_name in population.scenario.actor(actor).type_names:
            sel = np.array([g[actor] == type_name for g in groups])
            wt, wt2 = t.w[sel].sum(), t.w2[sel].sum()
            share, share_se = proportion(wt, wt2, w, w2)  # the type's indicator
            nan = (float("nan"), float("nan"))
            accept = proportion(t.accept[sel, m, i].sum(), t.accept2[sel, m, i].sum(), wt, wt2)
            deal_t = proportion(t.deal[sel, m].sum(), t.deal2[sel, m].sum(), wt, wt2)
            accept, deal_t = (accept, deal_t) if wt > 0 else (nan, nan)
            types[actor][type_name] = TypeOdds(
                weight=float(share) if w > 0 else 0.0,
                weight_se=float(share_se) * sampled,
                p_accept=float(accept[0]),
                p_accept_se=float(accept[1]) * sampled,
                p_deal=float(deal_t[0]),
                p_deal_se=float(deal_t[1]) * sampled,
            )
    return OfferResult(
        name=name,
        values=values,
        offered=offered,
        p_deal=float(p_deal),
        p_deal_se=float(p_deal_se) * sampled,
        p_deterred=float(min(max(p_det, 0.0), 1.0)),
        p_deterred_se=float(p_det_se) * sampled,
        p_war=float(p_war),
        p_war_se=float(p_war_se) * sampled,
        inner_error=float(inner_error),
        proposer_eu=float(eu),
        proposer_eu_se=float(eu_se) * sampled,
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
    bootstrap: int = 0,
    progress: Callable[[int, int], None] | None = None,
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
    bootstrap : int
        With B > 0, the standard errors of P(deal), P(deterred), P(war) and EU come from
        B bootstrap replicates of the population (:func:`bootstrap_se`), which include
        the error of each veto's own-information threshold; ignored where no veto
        decides on its own information (the binomial errors are then complete).
    progress : callable, optional
        Called as ``progress(done, total)`` after each bootstrap replicate.

    Returns
    -------
    Evaluation

    Examples
    --------
    Fearon's crisis (docs/design.md section 2): B accepts x with probability
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
    t, offered, inner_error, sincere = outcome_tally(population, encoded, backend, dask)
    results = tuple(
        _offer_result(population, t, m, name, values[m], bool(offered[m]), inner_error[m])
        for m, name in enumerate(offers)
    )
    se_method = "binomial"
    if bootstrap > 0 and not per_world_rule(population):
        se, actor_se = bootstrap_se(population, encoded, bootstrap, progress)
        names = population.actor_names
        results = tuple(
            replace(
                r,
                p_deal_se=float(se[m, 0]),
                p_deterred_se=float(se[m, 1]),
                p_war_se=float(se[m, 2]),
                proposer_eu_se=float(se[m, 3]),
                actors={
                    a: replace(odds, p_accept_se=float(actor_se[m, names.index(a)]))
                    for a, odds in r.actors.items()
                },
            )
            for m, r in enumerate(results)
        )
        se_method = f"bootstrap ({bootstrap} replicates)"
    p_fight, p_fight_se = proportion(t.fight.sum(), t.fight2.sum(), t.w.sum(), t.w2.sum())
    return Evaluation(
        p_war_no_deal=float(p_fight),
        p_war_no_deal_se=0.0 if population.exact else float(p_fight_se),
        scenario=scenario.name,
        samples=population.n,
        seed=population.seed,
        proposer=scenario.proposer.name,
        target=scenario.target.name,
        offers=results,
        information=scenario.information,
        sincere=sincere,
        se_method=se_method,
        exact=True if population.exact else None,
    )


def bootstrap_se(
    population: Population,
    offers: Offers,
    replicates: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(M, 4) bootstrap standard errors of P(deal), P(deterred), P(war) and EU, and
    (M, A) of each actor's P(accept) / P(approve).

    Each replicate resamples the N worlds with replacement (Efron & Tibshirani 1993,
    ch. 6; for a weighted population, the world's weight times its count) and decides
    every offer again on the resampled population: the vetoes' own-information
    approvals are expectations over that population, so their thresholds move with it,
    which the binomial errors leave out (docs/design.md 4b). The SE is the standard
    deviation of the replicates (ddof 1); with B replicates it is itself uncertain by
    about 1 / sqrt(2 (B - 1)) of its size. Replicate b draws from its own stream
    (``bootstrap.b``): the same seed gives the same errors.
    """
    if replicates < 2:
        raise InputError(f"give at least 2 replicates, not {replicates}", "bootstrap")
    n, w = population.n, population.worlds.weights
    values = np.empty((replicates, offers.m, 4))
    accept = np.empty((replicates, offers.m, len(population.actor_names)))
    for b in range(replicates):
        counts = stream(population.seed, f"bootstrap.{b}").multinomial(n, np.full(n, 1.0 / n))
        t, _, _, _ = outcome_tally(population.reweighted(w * counts), offers)
        total = t.w.sum()
        deal, war = t.deal.sum(axis=0) / total, t.war.sum(axis=0) / total
        values[b] = np.stack([deal, 1.0 - deal - war, war, t.payoff.sum(axis=0) / total], axis=1)
        accept[b] = t.accept.sum(axis=0) / total
        if progress is not None:
            progress(b + 1, replicates)
    return values.std(axis=0, ddof=1), accept.std(axis=0, ddof=1)


def per_world_rule(population: Population) -> bool:
    """True when the engine's per-world rule is the model: every veto (and stakeholder)
    informed and no face or pretext (docs/design.md sections 4b, 4c)."""
    scenario = population.scenario
    return not scenario.conflict.has_face and all(
        is_informed(scenario, a.name) for a in scenario.actors if a.role in ("veto", "stakeholder")
    )


#: World-offer cells decided at once by :func:`outcome_tally` under the approval rule:
#: :func:`~goldenbridge.analysis.outcomes.decide` keeps about half a kilobyte per cell
#: while it works (measured on russia-2021: 4.6 GiB for 10 000 worlds and 1 000 offers
#: at once), so more offers than this allows are decided a piece at a time (the same
#: numbers: tests/test_evaluate.py).
DECIDE_CELLS = 1_000_000


def outcome_tally(
    population: Population, offers: Offers, backend: str = "auto", dask: str | None = None
) -> tuple[Tally, np.ndarray, np.ndarray, tuple[str, ...]]:
    """The sums of the three outcomes for ``offers``, by whichever path the model needs.

    Returns
    -------
    tally, offered, inner_error, sincere
        The sums; (M,) bool, False for a package offering nothing; (M,) bound on the
        inner sample's error (0 on the per-world path); the vetoes approving sincerely
        by assumption.
    """
    if per_world_rule(population):
        t = tally(population.worlds, offers, backend=backend, dask=dask)
        offered = ~offers_nothing(population, offers)
        # the status quo offers nothing: no agreement (war and payoff sums are unchanged,
        # since the target accepts the status quo exactly where it would not fight)
        for name in ("deal", "deal2"):
            getattr(t, name)[:, ~offered] = 0.0
        t.sole[:, ~offered, :] = 0.0
        return t, offered, np.zeros(offers.m), ()
    step = max(1, DECIDE_CELLS // population.n)
    if offers.m > step:  # in pieces of the offers: each offer's numbers are its own
        parts = [outcome_tally(population, offers.subset(slice(s, s + step)))
                 for s in range(0, offers.m, step)]  # fmt: skip
        return (
            Tally.concat([p[0] for p in parts]),
            np.concatenate([p[1] for p in parts]),
            np.concatenate([p[2] for p in parts]),
            parts[0][3],
        )
    d = decide_exact(population, offers) if population.exact else decide(population, offers)
    return decided_tally(population, d), d.offered, d.inner_error, d.sincere
