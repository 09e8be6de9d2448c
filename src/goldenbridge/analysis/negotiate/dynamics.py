"""negotiate: offers over several rounds when delay risks war (docs/design.md section 6).

The proposer makes one-sided offers along a concession path ``x(s) = FROM + s
(TO - FROM)``, ``s`` in [0, 1], over T rounds without commitment. Each round the
target accepts, attacks or waits; while it waits, war breaks out anyway with
probability ``hazard`` (the pretext); payoffs are discounted by ``discount`` a
round; after the last round the no-deal rule of section 4 applies. The proposer's
offers are the skimming perfect Bayesian equilibrium of
:mod:`goldenbridge.analysis.negotiate.skimming`, computed by backward induction over the
population's weighted worlds.

How the population becomes that game (each a modelling choice, see docs/dynamics.md):

- The path is a grid of ``grid`` offers. A world's *threshold* is the first
  grid offer its target accepts (``u_T(x) >= r_T``, section 4); worlds are
  ordered by it (their type). Where the target's acceptable part of the path is
  not an up-set (it would refuse again further on), the threshold still stands
  for it; ``non_monotone_share`` reports the weight of such worlds.
- The target's gain from a deal at ``s`` over its no-deal value is
  ``phi(s) - phi(threshold)``, with ``phi`` the population's mean target utility
  along the path (made non-decreasing): every world values concessions like the
  average target, shifted to its own threshold. In one dimension with linear
  utility (Fearon 1995's model) this is exact. A war before the end (the pretext,
  or its own attack) costs a world whose target would not fight ``w_T - u_T(sq)``,
  averaged within ``LOSS_CLASSES`` quantile classes; the types of the game are
  (threshold, class) pairs.
- Vetoes: a deal at ``s`` needs every veto to accept ``s`` too (section 4). The
  target times its acceptance on its own gain; if a veto then blocks, there is
  no deal and the no-deal rule applies at once.
- The proposer's payoffs are exact per world: ``u_P(x)`` for a deal, its war
  value for a war, its no-deal value after the last round; gains over the
  no-deal value are discounted (bargaining with a disagreement point).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.negotiate.concession_path import target_mean_position
from goldenbridge.analysis.negotiate.skimming import (
    ACCEPT,
    ATTACK,
    WAIT,
    Equilibrium,
    ScreeningGame,
    loss_class,
    respond,
    solve,
)
from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.engine import Offers, utilities
from goldenbridge.population import Population
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = [
    "NegotiationRound",
    "OneShot",
    "Talks",
    "Negotiation",
    "Responses",
    "negotiate",
    "responses",
    "concession_path",
    "war_loss",
]

#: Worlds per block when scanning the grid (bounds memory at N x G).
_BLOCK = 8192
#: Classes of the war's cost to a target that would not fight (quantiles over worlds):
#: within a threshold, the types of the screening game.
LOSS_CLASSES = 16

OfferSpec = Mapping[str, OfferValue] | str | None


@dataclass(frozen=True)
class NegotiationRound:
    """One round of the equilibrium: the offer and the odds so far."""

    round: int
    position: float
    values: dict[str, OfferValue]
    p_deal_by: float
    p_war_by: float

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one round (docs/dynamics.md): every field."""
        return to_dict(self)


@dataclass(frozen=True)
class OneShot:
    """The best single offer on the path (risk-return optimum, section 6)."""

    position: float
    values: dict[str, OfferValue]
    proposer_eu: float
    p_deal: float
    p_war: float


@dataclass(frozen=True)
class Talks:
    """The status quo (the path's start) offered every round, the target playing its
    equilibrium strategy: drawn-out negotiation with no concession."""

    proposer_eu: float
    p_deal: float
    p_war: float


@dataclass(frozen=True)
class Responses:
    """What each world's target does in each round of a sequence of offers.

    Attributes
    ----------
    offers : (R,) int64
        Grid index of each round's offer.
    action : (R, N) int8
        ``skimming.WAIT`` / ``ACCEPT`` / ``ATTACK`` / ``DONE`` per round and world.
    accept_round, attack_round : (N,) int64
        The round (1-based) in which the world accepts / attacks; 0 if it does not.
    """

    offers: np.ndarray
    action: np.ndarray
    accept_round: np.ndarray
    attack_round: np.ndarray


@dataclass(frozen=True)
class Negotiation:
    """The result of :func:`negotiate`.

    ``sequence`` holds the equilibrium offers with P(deal by t) and P(war by t)
    (a deal or war that happened in round t or before; the pretext hazard
    included); ``proposer_eu`` is the proposer's discounted expected utility of
    the whole equilibrium, comparable to ``one_shot`` and ``talks``.
    ``incentive_gap`` is the largest gain (in the target's utility units) a world
    could get by deviating on the path: 0 in an exact equilibrium.
    """

    scenario: str
    samples: int
    seed: int
    rounds: int
    discount: float
    hazard: float
    grid: int
    path_from: dict[str, OfferValue] = field(metadata=json_meta(name="path.from"))
    path_to: dict[str, OfferValue] = field(metadata=json_meta(name="path.to"))
    sequence: tuple[NegotiationRound, ...]
    proposer_eu: float
    p_deal: float
    p_war: float
    one_shot: OneShot
    talks: Talks
    incentive_gap: float
    non_monotone_share: float
    equilibrium: Equilibrium = field(metadata=JSON_SKIP, repr=False)
    thresholds: np.ndarray = field(metadata=JSON_SKIP, repr=False)
    loss: np.ndarray = field(metadata=JSON_SKIP, repr=False)
    fight: np.ndarray = field(metadata=JSON_SKIP, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge negotiate --json`` (docs/dynamics.md):
        every field but the solver's arrays."""
        return to_dict(self)


def _offer(scenario: Scenario, spec: OfferSpec, path: str) -> dict[str, OfferValue] | None:
    """A named offer or an issue -> value mapping, completed with the status quo."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in scenario.offers:
            known = ", ".join(scenario.offers) or "none"
            raise ScenarioError(path, f"no offer named {spec!r} (named offers: {known})")
        spec = scenario.offers[spec]
    return scenario.complete(dict(spec))


def concession_path(
    population: Population, path_from: OfferSpec = None, path_to: OfferSpec = None, grid: int = 101
) -> tuple[dict[str, OfferValue], dict[str, OfferValue], Offers]:
    """The path's two ends (completed offers) and its grid of ``grid`` offers.

    Defaults: the scenario's ``talks`` block, else from the status quo to the
    target's mean position. Discrete issues must take the same option at both ends.
    """
    scenario = population.scenario
    talks = scenario.talks
    default_from = talks.from_ if talks is not None else None
    default_to = talks.to if talks is not None else None
    start = _offer(scenario, path_from if path_from is not None else default_from, "from")
    end = _offer(scenario, path_to if path_to is not None else default_to, "to")
    start = start or scenario.status_quo()
    if end is None:  # the target's mean position on the continuous issues
        mean = target_mean_position(population)
        end = {i.name: start[i.name] if i.discrete else mean[i.name] for i in scenario.issues}
    ends = population.encode([start, end], "path")
    for d, issue in enumerate(i for i in scenario.issues if i.discrete):
        if ends.option[0, d] != ends.option[1, d]:
            raise ScenarioError(
                f"path.{issue.name}", "a discrete issue must take the same option at both ends"
            )
    s = np.linspace(0.0, 1.0, grid)
    x = ends.x[0] + s[:, None] * (ends.x[1] - ends.x[0])
    option = np.repeat(ends.option[:1], grid, axis=0)
    return start, end, Offers(x, option)


def _values(scenario: Scenario, start: dict, end: dict, s: float) -> dict[str, OfferValue]:
    """The offer at position ``s`` of the path, in the issues' own units."""
    out: dict[str, OfferValue] = {}
    for issue in scenario.issues:
        a, b = start[issue.name], end[issue.name]
        out[issue.name] = a if issue.discrete else round(float(a) + s * (float(b) - float(a)), 10)
    return out


@dataclass
class _Scan:
    """What one pass over the worlds collects along the grid."""

    thresholds: np.ndarray  # (N,) first accepted grid offer, G if none
    loss: np.ndarray  # (N,) the target's war gain w_T - r_T (<= 0)
    non_monotone: np.ndarray  # (N,) bool
    game: ScreeningGame
    static_gain: np.ndarray  # (G,) sum w * deal * (u_P - r_P), deal = target & vetoes accept
    static_deal: np.ndarray  # (G,) sum w * deal
    static_war: np.ndarray  # (G,) sum w * fight * (1 - deal)


def _loss_edges(loss: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Quantile edges cutting the costs of war of the worlds where it costs the target
    (``loss < 0``) into ``LOSS_CLASSES`` classes."""
    costly = (loss < 0) & (weights > 0)
    if not costly.any():
        return np.zeros(0)
    return np.quantile(loss[costly], np.linspace(0, 1, LOSS_CLASSES + 1)[1:-1])


def war_loss(population: Population) -> np.ndarray:
    """Each world's ``w_T - r_T``: what a war costs its target over the no-deal outcome
    (< 0 where it would not fight, 0 where it would)."""
    target = population.actor_names.index(population.scenario.target.name)
    reservation = population.worlds.actors[target].reservation
    return np.minimum(population.war_value[:, target] - reservation, 0.0)


def _scan(population: Population, grid_offers: Offers) -> _Scan:
    """Thresholds, the screening game and the one-shot sums, block by block.

    A type of the game is a (threshold, class of war cost) pair; its war cost is
    the weighted mean over its worlds of ``w_T - r_T`` (section 4's values).
    """
    worlds = population.worlds
    names = population.actor_names
    scenario = population.scenario
    target = names.index(scenario.target.name)
    vetoes = [names.index(a.name) for a in scenario.vetoes]
    proposer = worlds.proposer
    n_offers = grid_offers.m
    target_loss = war_loss(population)
    edges = _loss_edges(target_loss, worlds.weights)
    per_threshold = len(edges) + 2
    classes = loss_class(target_loss, edges)
    n_keys = (n_offers + 1) * per_threshold
    thresholds = np.empty(worlds.n, dtype=np.int64)
    non_monotone = np.empty(worlds.n, dtype=bool)
    mass = np.zeros(n_keys)
    loss_sum = np.zeros(n_keys)
    deal_gain = np.zeros((n_keys, n_offers))
    hazard_loss = np.zeros(n_keys)
    phi = np.zeros(n_offers)
    static_gain = np.zeros(n_offers)
    static_deal = np.zeros(n_offers)
    static_war = np.zeros(n_offers)
    war_p = population.war_value[:, proposer]
    for n0 in range(0, worlds.n, _BLOCK):
        sl = slice(n0, n0 + _BLOCK)
        block = worlds.subset(sl)
        w = block.weights
        t_arr = block.actors[target]
        u_target = utilities(t_arr, grid_offers)
        accepts = u_target >= t_arr.reservation[:, None]
        first = np.where(accepts.any(axis=1), accepts.argmax(axis=1), n_offers)
        after = np.arange(n_offers)[None, :] >= first[:, None]
        thresholds[sl] = first
        non_monotone[sl] = (after & ~accepts).any(axis=1)
        vetoes_ok = np.ones_like(accepts)
        for v in vetoes:
            v_arr = block.actors[v]
            vetoes_ok &= utilities(v_arr, grid_offers) >= v_arr.reservation[:, None]
        p_arr = block.actors[proposer]
        gain = utilities(p_arr, grid_offers) - p_arr.reservation[:, None]
        key = first * per_threshold + classes[sl]
        np.add.at(mass, key, w)
        np.add.at(loss_sum, key, w * target_loss[sl])
        np.add.at(deal_gain, key, w[:, None] * vetoes_ok * gain)
        np.add.at(hazard_loss, key, w * (war_p[sl] - p_arr.reservation))
        phi += w @ u_target
        deal = accepts & vetoes_ok
        static_gain += w @ (deal * gain)
        static_deal += w @ deal
        static_war += (w * block.fight) @ ~deal
    phi = np.maximum.accumulate(phi / worlds.weights.sum())
    keys = np.flatnonzero(mass > 0)  # ascending: by threshold, then by class of war cost
    game = ScreeningGame(
        phi=phi,
        theta=keys // per_threshold,
        loss_class=keys % per_threshold,
        loss=loss_sum[keys] / mass[keys],
        mass=mass[keys],
        deal_gain=deal_gain[keys],
        hazard_loss=hazard_loss[keys],
        loss_edges=edges,
    )
    return _Scan(thresholds, target_loss, non_monotone, game, static_gain, static_deal, static_war)


def _outcomes(
    population: Population,
    grid_offers: Offers,
    offers: np.ndarray,
    actions: np.ndarray,
    discount: float,
    hazard: float,
) -> tuple[np.ndarray, np.ndarray, float]:
    """P(deal by t), P(war by t) per round and the proposer's EU of a played sequence."""
    worlds = population.worlds
    names = population.actor_names
    scenario = population.scenario
    proposer = worlds.proposer
    played = grid_offers.subset(offers)
    vetoes_ok = np.ones((worlds.n, offers.size), dtype=bool)
    for a in scenario.vetoes:
        v_arr = worlds.actors[names.index(a.name)]
        vetoes_ok &= utilities(v_arr, played) >= v_arr.reservation[:, None]
    p_arr = worlds.actors[proposer]
    gain = utilities(p_arr, played) - p_arr.reservation[:, None]
    war_loss = population.war_value[:, proposer] - p_arr.reservation
    fight = worlds.fight
    w = worlds.weights
    alive = np.ones(worlds.n)
    deal = np.zeros(worlds.n)
    war = np.zeros(worlds.n)
    payoff = np.zeros(worlds.n)
    deal_by, war_by = [], []
    for t in range(offers.size):
        act = actions[t]
        accept, attack, wait = act == ACCEPT, act == ATTACK, act == WAIT
        now = discount**t * alive
        deal += alive * (accept & vetoes_ok[:, t])
        war += alive * ((attack | (accept & ~vetoes_ok[:, t] & fight)) + wait * hazard)
        payoff += now * (
            accept * vetoes_ok[:, t] * gain[:, t] + (attack + wait * hazard) * war_loss
        )
        alive = np.where(wait, alive * (1.0 - hazard), 0.0)
        deal_by.append(float(w @ deal / w.sum()))
        war_by.append(float(w @ war / w.sum()))
    war += alive * fight  # still waiting after the last round: the no-deal rule
    war_by[-1] = float(w @ war / w.sum())
    eu = float(w @ (p_arr.reservation + payoff) / w.sum())
    return np.array(deal_by), np.array(war_by), eu


def _responses(equilibrium, offers, thresholds, fight, loss) -> Responses:
    action = respond(equilibrium, offers, thresholds, fight, loss)
    rounds = np.arange(1, action.shape[0] + 1)[:, None]
    return Responses(
        offers=np.asarray(offers, dtype=np.int64),
        action=action,
        accept_round=((action == ACCEPT) * rounds).max(axis=0, initial=0),
        attack_round=((action == ATTACK) * rounds).max(axis=0, initial=0),
    )


def responses(negotiation: Negotiation, positions: Sequence[float] | None = None) -> Responses:
    """Each world's equilibrium action (accept / wait / attack) round by round.

    Parameters
    ----------
    negotiation : Negotiation
        The result of :func:`negotiate` on the population whose worlds are wanted.
    positions : sequence of float, optional
        The offers actually made, as positions ``s`` in [0, 1] on the path (snapped
        to the grid), one per round, at most ``rounds``. Default: the equilibrium
        offers. Off the equilibrium path the target still plays its equilibrium
        strategy (it expects the proposer to return to the equilibrium).

    Returns
    -------
    Responses
        Per world and round: the action; the round it accepts or attacks (0 if none).
        A likelihood for Bayesian updating follows with the hazard: a world that
        waits r rounds without war has probability ``(1 - hazard) ** r`` of it.
    """
    eq = negotiation.equilibrium
    if positions is None:
        offers = eq.path
    else:
        s = np.asarray(positions, dtype=np.float64)
        if s.ndim != 1 or ((s < 0) | (s > 1)).any():
            raise InputError("positions are numbers in [0, 1] along the path")
        offers = np.rint(s * (negotiation.grid - 1)).astype(np.int64)
    return _responses(eq, offers, negotiation.thresholds, negotiation.fight, negotiation.loss)


def _settings(scenario: Scenario, rounds, discount, hazard) -> tuple[int, float, float]:
    talks = scenario.talks
    if rounds is None:
        if talks is None:
            raise ScenarioError("talks", "give the number of rounds (the scenario has no talks)")
        rounds = int(talks.rounds.support()[0])
    if discount is None:
        discount = talks.discount.support()[0] if talks else 1.0
    if hazard is None:
        hazard = talks.hazard.support()[0] if talks else 0.0
    if int(rounds) < 1:
        raise ScenarioError("rounds", "must be >= 1")
    if not 0 < discount <= 1:
        raise ScenarioError("discount", "must be in (0, 1]")
    if not 0 <= hazard < 1:
        raise ScenarioError("hazard", "must be in [0, 1)")
    return int(rounds), float(discount), float(hazard)


def negotiate(
    population: Population,
    rounds: int | None = None,
    *,
    path_from: OfferSpec = None,
    path_to: OfferSpec = None,
    discount: float | None = None,
    hazard: float | None = None,
    grid: int = 101,
) -> Negotiation:
    """The proposer's equilibrium offers over ``rounds`` rounds without commitment.

    Parameters
    ----------
    population : Population
    rounds : int, optional
        T; default the scenario's ``talks.rounds``.
    path_from, path_to : str or mapping, optional
        The path's ends: a named offer or issue -> value (left-out issues at the
        status quo). Default the scenario's ``talks`` block, else from the status
        quo to the target's mean position.
    discount, hazard : float, optional
        Per-round discount factor in (0, 1] and pretext hazard in [0, 1); default
        the scenario's ``talks`` block, else 1 and 0.
    grid : int
        Number of offers on the path (>= 2).

    Returns
    -------
    Negotiation

    Examples
    --------
    Fearon's crisis (docs/design.md section 2): one round without hazard is the
    one-shot optimum, A's share x* = .6.

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=20_000, seed=1)
    >>> result = negotiate(pop, 1, path_to={"share": 0}, grid=51)
    >>> result.sequence[0].values, result.one_shot.values
    ({'share': 0.6}, {'share': 0.6})
    """
    scenario = population.scenario
    rounds, discount, hazard = _settings(scenario, rounds, discount, hazard)
    if grid < 2:
        raise InputError("grid must be >= 2")
    start, end, grid_offers = concession_path(population, path_from, path_to, grid)
    scan = _scan(population, grid_offers)
    eq = solve(scan.game, rounds, discount, hazard)
    positions = np.linspace(0.0, 1.0, grid)
    w_total = population.worlds.weights.sum()
    fight = population.worlds.fight

    path = eq.path
    played = _responses(eq, path, scan.thresholds, fight, scan.loss)
    deal_by, war_by, eu = _outcomes(population, grid_offers, path, played.action, discount, hazard)
    sequence = tuple(
        NegotiationRound(
            round=t + 1,
            position=float(positions[j]),
            values=_values(scenario, start, end, float(positions[j])),
            p_deal_by=float(deal_by[t]),
            p_war_by=float(war_by[t]),
        )
        for t, j in enumerate(path)
    )

    r_p = population.worlds.actors[population.worlds.proposer].reservation
    base = float(population.worlds.weights @ r_p)
    static_eu = (base + scan.static_gain) / w_total
    best = int(np.argmax(static_eu))
    one_shot = OneShot(
        position=float(positions[best]),
        values=_values(scenario, start, end, float(positions[best])),
        proposer_eu=float(static_eu[best]),
        p_deal=float(scan.static_deal[best] / w_total),
        p_war=float(scan.static_war[best] / w_total),
    )

    stall = np.zeros(rounds, dtype=np.int64)
    stalled = _responses(eq, stall, scan.thresholds, fight, scan.loss)
    talks_deal, talks_war, talks_eu = _outcomes(
        population, grid_offers, stall, stalled.action, discount, hazard
    )
    return Negotiation(
        scenario=scenario.name,
        samples=population.n,
        seed=population.seed,
        rounds=rounds,
        discount=discount,
        hazard=hazard,
        grid=grid,
        path_from=start,
        path_to=end,
        sequence=sequence,
        proposer_eu=eu,
        p_deal=float(deal_by[-1]),
        p_war=float(war_by[-1]),
        one_shot=one_shot,
        talks=Talks(proposer_eu=talks_eu, p_deal=float(talks_deal[-1]), p_war=float(talks_war[-1])),
        incentive_gap=eq.path_gap,
        non_monotone_share=float(population.worlds.weights @ scan.non_monotone / w_total),
        equilibrium=eq,
        thresholds=scan.thresholds,
        loss=scan.loss,
        fight=fight,
    )
