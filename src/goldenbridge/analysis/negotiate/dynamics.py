"""negotiate: offers over several rounds when time is strategic (docs/design.md section 6).

The proposer makes one-sided offers along a concession path ``x(s) = FROM + s (TO -
FROM)``, ``s`` in [0, 1], over T rounds without commitment. Each round the target
accepts, attacks, stands down or waits; while it waits it pays ``conflict.mobilisation``,
war breaks out anyway with probability ``hazard``, ``p_win`` moves by
``conflict.p_win_drift``, and each round whose offer leaves face unsaved adds ``pretext *
s(x)`` to its war value; payoffs are discounted by ``discount`` a round. The last round is
the one-shot choice of docs/design.md 4c. :mod:`goldenbridge.analysis.negotiate.building`
turns the worlds into the game's types, :mod:`goldenbridge.analysis.negotiate.timegame`
solves it (a skimming perfect Bayesian equilibrium, checked), and
:mod:`goldenbridge.analysis.negotiate.mechanisms` splits P(war) over the mechanisms.

The result compares four strategies on the same worlds: rejecting now (nothing offered,
one shot), talks that offer nothing for T rounds (the target expecting the equilibrium's
concessions), the best one-shot offer on the path (each grid offer decided world by world as
``evaluate`` decides it, the vetoes on the same approval rule: its row is ``evaluate``'s
outcome of that offer) and the best sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from goldenbridge.analysis.negotiate.approvals import MIX_SHOWN, Progress, approved_equilibrium
from goldenbridge.analysis.negotiate.building import (
    Approvals,
    Built,
    build,
    proposer_gains,
    proposer_payoff_range,
)
from goldenbridge.analysis.negotiate.fictitious import Mixed, fictitious_play
from goldenbridge.analysis.negotiate.mechanisms import MECHANISMS, shapley, switch_off
from goldenbridge.analysis.negotiate.talks_path import (
    OfferSpec,
    path_grid,
    position_values,
)
from goldenbridge.analysis.negotiate.timegame import (
    ACCEPT,
    ATTACK,
    DONE,
    STAND,
    WAIT,
    Play,
    TimeEquilibrium,
    TimeGame,
    play,
    solve,
)
from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.analysis.stats import se_bound_scale, share_se_bound
from goldenbridge.engine.threads import map_threads
from goldenbridge.population import Population
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = [
    "NegotiationRound",
    "OfferShare",
    "Strategy",
    "Decomposition",
    "Negotiation",
    "Responses",
    "negotiate",
    "responses",
    "WAIT",
    "ACCEPT",
    "ATTACK",
    "DONE",
    "STAND",
]


@dataclass(frozen=True)
class OfferShare:
    """An offer of a mixed round (``position`` on the path) and the share of the weight
    still in the talks it is made to."""

    position: float
    share: float


@dataclass(frozen=True)
class NegotiationRound:
    """One round of the equilibrium: the offer and the odds so far.

    ``position`` and ``values`` are the offer made most often in the round; ``mix`` every
    offer made to at least :data:`MIX_SHOWN` of the weight still in the talks, as
    :class:`OfferShare`, the likeliest first (one entry where the proposer does not mix).
    """

    round: int
    position: float
    values: dict[str, OfferValue]
    p_deal_by: float
    p_war_by: float
    mix: tuple[OfferShare, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of one round (docs/dynamics.md): every field."""
        return to_dict(self)


@dataclass(frozen=True)
class Strategy:
    """One row of the comparison: what a strategy gives on the same worlds."""

    name: str
    position: float | None
    proposer_eu: float
    p_deal: float
    p_war: float


@dataclass(frozen=True)
class Decomposition:
    """P(war) of a strategy split over the mechanisms of time (Shapley values).

    ``at_once`` is P(war) with every mechanism off (the wars that would have been fought
    at once, or at the end, without time mattering); ``hazard``, ``mobilisation``,
    ``drift`` and ``pretext`` are the mechanisms' Shapley parts; ``induced`` =
    mobilisation + drift + pretext (induced by waiting). ``at_once + hazard + induced =
    total``.
    """

    strategy: str
    total: float
    at_once: float
    hazard: float
    induced: float
    mobilisation: float
    drift: float
    pretext: float


@dataclass(frozen=True)
class Responses:
    """What each world's target does in each round of a sequence of offers.

    ``action`` (R, N) int8 holds ``WAIT`` / ``ACCEPT`` / ``ATTACK`` / ``STAND`` / ``DONE``;
    ``accept_round`` / ``attack_round`` the 1-based round of the deal / attack (0: none).
    """

    offers: np.ndarray
    action: np.ndarray
    accept_round: np.ndarray
    attack_round: np.ndarray


@dataclass(frozen=True)
class Negotiation:
    """The result of :func:`negotiate` (docs/dynamics.md).

    ``sequence`` holds the equilibrium offers with P(deal by t) and P(war by t);
    ``compare`` the four strategies; ``decomposition`` P(war) of the talks and of the
    sequence split over the mechanisms; ``path_note`` how the path was chosen.
    Every type best-replies to the proposer's strategy; the proposer's belief after
    rejections is a truncation of an order of the types found with the equilibrium
    (:mod:`~goldenbridge.analysis.negotiate.ordering`; ``order_iterations`` solves,
    ``order_converged``). ``misjudged`` is the weight the belief gets wrong on the path,
    summed over the rounds, and ``belief_gap`` the most a type gains by its best reply over
    the action the belief assigns it (``consistent``: both 0, Bayes' rule holds on the path
    and the equilibrium is a skimming perfect Bayesian equilibrium there).
    ``proposer_regret`` is the most the proposer, knowing the types' strategies (its
    posterior by Bayes' rule in each state the path reaches), gains ex ante by a one-shot
    deviation on the path (:mod:`~goldenbridge.analysis.negotiate.regret`; per unit of
    weight, in its utility; 0: none pays). Where the skimming strategy has a regret
    (``skimming_regret``), the offers on the path are a mixed strategy found by fictitious
    play (:mod:`~goldenbridge.analysis.negotiate.fictitious`; ``mixing_steps``,
    ``mixing_converged``), and the sequence, the odds and the decomposition are those of
    the mixed strategy (each of the decomposition's games with the mechanisms switched
    off is solved the same way: ``split_regret`` is the largest proposer regret it left
    in any of them, ``split_unconverged`` how many stopped at the step limit above the
    tolerance; 0 and 0 without a decomposition); ``misjudged``, ``belief_gap`` and
    ``consistent`` describe the skimming strategy it starts from. The vetoes' approvals
    are their replies to the mixed strategy, up to ``approvals_mixed_gap``: the largest
    share of the weight, over
    the rounds and the offers the mixed strategy makes (to at least :data:`MIX_SHOWN`),
    whose vetoes would decide that offer differently against it (each offer of a mixed
    state with its probability); the member kept of ``approvals_mixed_iterations`` solves
    with their replies (:mod:`~goldenbridge.analysis.negotiate.approvals`), and
    ``approvals_p_war_low`` .. ``approvals_p_war_high`` the sequence's P(war) over the
    first mixed strategy and those solves: how much the gap can matter. ``approvals``
    says how the vetoes decided each round (``one-shot``, ``continuation``, ``informed``,
    or ``none`` without vetoes), ``approval_iterations``
    how many times the skimming equilibrium was solved again with the vetoes' replies to
    it, and ``approvals_converged`` whether the last replies were those it was solved with;
    ``sincere`` names the vetoes whose own field moves the target (docs/design.md 4b:
    their approval is sincere by assumption); ``approval_states`` the states of the talks
    with approvals of their own (the vetoes decide in each state where the mixed offers
    reach a round in several; docs/dynamics.md); ``approve``
    whether every veto approves grid offer j in world n, row by row (round t, then those
    states).
    """

    scenario: str
    samples: int
    seed: int
    rounds: int
    discount: float
    hazard: float
    grid: int
    mechanisms: dict[str, float]
    path_from: dict[str, OfferValue] = field(metadata=json_meta(name="path.from"))
    path_to: dict[str, OfferValue] = field(metadata=json_meta(name="path.to"))
    path_note: str = field(metadata=json_meta(name="path.note"))
    sequence: tuple[NegotiationRound, ...]
    proposer_eu: float
    p_deal: float
    p_war: float
    compare: tuple[Strategy, ...]
    decomposition: tuple[Decomposition, ...]
    belief_gap: float
    consistent: bool
    misjudged: float
    proposer_regret: float
    skimming_regret: float
    mixing_steps: int
    mixing_converged: bool
    split_regret: float
    split_unconverged: int
    approvals_mixed_gap: float
    approvals_mixed_iterations: int
    approvals_p_war_low: float
    approvals_p_war_high: float
    order_iterations: int
    order_converged: bool
    types: int
    approvals: str
    approval_iterations: int
    approvals_converged: bool
    approval_states: int
    sincere: tuple[str, ...]
    built: Built = field(metadata=JSON_SKIP, repr=False)
    approve: Approvals = field(metadata=JSON_SKIP, repr=False)
    equilibrium: TimeEquilibrium = field(metadata=JSON_SKIP, repr=False)
    #: The skimming strategy fictitious play starts from (the vetoes' approvals reply to it).
    skimming: TimeEquilibrium | None = field(default=None, metadata=JSON_SKIP, repr=False)
    #: ``sqrt(max w / sum w)`` of the population's weights (0 on an enumerated population:
    #: exact numbers), for the shares' standard errors (:func:`share_se_bound`).
    se_scale: float = field(default=0.0, metadata=JSON_SKIP, repr=False)
    #: The proposer's smallest and largest payoff in any world
    #: (:func:`~goldenbridge.analysis.negotiate.building.proposer_payoff_range`): its
    #: expected utilities' standard errors are bounded from it.
    payoff_range: tuple[float, float] = field(default=(0.0, 0.0), metadata=JSON_SKIP, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge negotiate --json``: every field but the
        solver's arrays; each share of the worlds (``p_deal``, ``p_war``, ``p_deal_by``,
        ``p_war_by``, ``approvals_p_war_low``, ``approvals_p_war_high``) with a standard
        error ``_se`` beside it, so that it is printed to the digits its sampling supports
        as every other command's are. The equilibrium is
        solved on types, not world by world, so that error is the bound of
        :func:`~goldenbridge.analysis.stats.share_se_bound` (the binomial standard error
        on equally weighted worlds whose outcomes are 0 or 1)."""
        doc = to_dict(self)
        shares = {"p_deal", "p_war", "p_deal_by", "p_war_by"}
        shares |= {"approvals_p_war_low", "approvals_p_war_high"}

        def with_se(row: dict[str, Any]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            for key, value in row.items():
                out[key] = value
                if key in shares and isinstance(value, float):
                    out[f"{key}_se"] = share_se_bound(value, self.se_scale)
            return out

        doc = with_se(doc)
        doc["sequence"] = [with_se(r) for r in doc["sequence"]]
        doc["compare"] = [with_se(r) for r in doc["compare"]]
        return doc

    @property
    def active(self) -> list[str]:
        """The mechanisms that can change anything in this game (the players of the P(war)
        split; the others' parts are 0)."""
        accumulate = bool(self.mechanisms["accumulate_pretext"])
        return _active(self.built.game, self.hazard, accumulate, self.rounds)

    def strategy(self, name: str) -> Strategy:
        """The comparison row called ``name``."""
        return next(s for s in self.compare if s.name == name)

    @property
    def talks(self) -> Strategy:
        """The row of talks with empty offers."""
        return self.compare[1]

    @property
    def one_shot(self) -> Strategy:
        """The row of the best one-shot offer on the path."""
        return self.compare[2]


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


def _active(game: TimeGame, hazard: float, accumulate: bool, rounds: int) -> list[str]:
    """The mechanisms that can change anything in this game."""
    on = []
    if hazard > 0 and rounds > 1:
        on.append("hazard")
    if rounds > 1 and np.any(game.mobilisation != 0):
        on.append("mobilisation")
    if rounds > 1 and (np.any(game.drift != 0) or np.any(game.drift_p != 0)):
        on.append("drift")
    if rounds > 1 and accumulate and np.any(game.pretext > 0):
        on.append("pretext")
    return on


def _solve_with(game, rounds, discount, hazard, accumulate, off, order=None):
    """The game with the mechanisms ``off`` switched off, and fictitious play's result
    there as :func:`negotiate` finds it (skimming in ``order``, then fictitious play)."""
    g, hazard_on, accumulate_on = switch_off(game, off)
    q = 4 if accumulate and accumulate_on else 0
    eq = solve(g, rounds, discount, hazard if hazard_on else 0.0, q, order)
    return g, fictitious_play(g, eq)


def negotiate(
    population: Population,
    rounds: int | None = None,
    *,
    path_from: OfferSpec = None,
    path_to: OfferSpec = None,
    discount: float | None = None,
    hazard: float | None = None,
    grid: int = 101,
    decompose: bool = True,
    per_world: bool = False,
    check_approvals: bool = True,
    progress: Progress = None,
) -> Negotiation:
    """The proposer's equilibrium offers over ``rounds`` rounds without commitment.

    Parameters
    ----------
    population : Population
    rounds : int, optional
        T; default the scenario's ``talks.rounds``.
    path_from, path_to : str or mapping, optional
        The path's ends: a named offer or issue -> value (left-out issues at the
        status quo). Default: the scenario's ``talks`` block; else from the status quo
        along the direction of the one-shot risk-return optimum (to the edge of the issue
        space), found on at most 2 000 worlds under the scenario's information rule.
    discount, hazard : float, optional
        Per-round discount factor in (0, 1] and hazard in [0, 1); default the scenario's
        ``talks`` block, else 1 and 0.
    grid : int
        Number of offers on the path (>= 2).
    decompose : bool
        Split P(war) over the mechanisms (solves the game once per subset of the active
        mechanisms, at most 16 times).
    per_world : bool
        Every world a type of its own (exact aggregation; small populations only).
    check_approvals : bool
        Let the vetoes reply to the mixed offers and solve again with their replies
        (:func:`~goldenbridge.analysis.negotiate.approvals.approved_equilibrium`); False:
        their approvals reply to the skimming offers only (faster; the gap NaN).
    progress : callable, optional
        ``progress(stage, done, total)``, told as each stage and solve starts.

    Returns
    -------
    Negotiation

    Examples
    --------
    Fearon's crisis (docs/design.md section 2): one round is the one-shot optimum, A's
    share x* = .6.

    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=20_000, seed=1)
    >>> result = negotiate(pop, 1, path_to={"share": 0}, grid=51)
    >>> result.sequence[0].values, result.strategy("best one-shot offer").position
    ({'share': 0.6}, 0.4)
    """
    scenario = population.scenario
    rounds, discount, hazard = _settings(scenario, rounds, discount, hazard)
    if grid < 2:
        raise InputError("grid must be >= 2")

    def report(stage: str, done: int = 0, total: int = 1) -> None:
        if progress is not None:
            progress(stage, done, total)

    report("the path of offers")
    start, end, grid_offers, note = path_grid(population, path_from, path_to, grid, optimum=True)
    report("the grid's offers, one shot")
    built = build(population, grid_offers, per_world=per_world)
    accumulate = scenario.talks.accumulate_pretext if scenario.talks is not None else True
    q = 4 if accumulate else 0
    cache: dict = {}  # each veto's per-world features, for every solve
    gains = proposer_gains(population, grid_offers)  # the same in every solve
    solved = approved_equilibrium(
        population,
        built,
        grid_offers,
        rounds,
        discount,
        hazard,
        q,
        cache,
        gains,
        check_approvals,
        progress,
    )
    built, ordered, mixed, played = solved.built, solved.ordered, solved.mixed, solved.played
    game, eq = built.game, mixed.equilibrium
    positions = np.linspace(0.0, 1.0, grid)
    w = population.worlds.weights
    total = float(w.sum())
    p = population.worlds.proposer
    base = built.reference
    sequence = []
    for t, made in enumerate(played.mixes):
        shown = sorted(((sh, -j) for j, sh in made if sh >= MIX_SHOWN), reverse=True)
        j = -shown[0][1] if shown else int(played.offers[t])
        sequence.append(
            NegotiationRound(
                round=t + 1,
                position=float(positions[j]),
                values=position_values(scenario, start, end, float(positions[j])),
                p_deal_by=float(played.p_deal[t]),
                p_war_by=float(played.p_war[t]),
                mix=tuple(OfferShare(float(positions[-m]), float(sh)) for sh, m in shown),
            )
        )
    once = built.one_shot  # the grid's offers made once, world by world, as evaluate does
    best_once = int(np.argmax(once.proposer_eu))  # ties: the smallest concession
    fight = population.worlds.fight
    war_p = population.war_value[:, p]
    reject_eu = float(w @ np.where(fight, war_p, population.status_quo_u[:, p])) / total
    empty = built.empty if built.empty >= 0 else 0
    stall = play(game, eq, [empty] * rounds)
    empty_name = f"talks with empty offers for {rounds} rounds"
    if built.empty < 0:
        empty_name = f"talks offering the path's start for {rounds} rounds"
    compare = (
        Strategy("reject now", None, reject_eu, 0.0, float(w @ fight) / total),
        Strategy(
            empty_name,
            float(positions[empty]),
            base + stall.proposer_gain,
            float(stall.p_deal[-1]),
            float(stall.p_war[-1]),
        ),
        Strategy(
            "best one-shot offer",
            float(positions[best_once]),
            float(once.proposer_eu[best_once]),
            float(once.p_deal[best_once]),
            float(once.p_war[best_once]),
        ),
        Strategy(
            f"best sequence ({rounds} rounds)",
            None,
            base + played.proposer_gain,
            float(played.p_deal[-1]),
            float(played.p_war[-1]),
        ),
    )
    decomposition: tuple[Decomposition, ...] = ()
    split_regret, split_unconverged = 0.0, 0
    if decompose:
        report("P(war) split over the mechanisms")
        decomposition, split_regret, split_unconverged = _decompose(
            game,
            rounds,
            discount,
            hazard,
            accumulate,
            empty,
            (empty_name, compare[-1].name),
            np.argsort(eq.rank),
        )
    mech = {
        "hazard": hazard,
        "mobilisation": float(game.mobilisation @ game.mass / game.mass.sum()),
        "p_win_drift": float(_mean_input(population, "p_win_drift")),
        "pretext": float(game.pretext @ game.mass / game.mass.sum()),
        "accumulate_pretext": float(accumulate),
    }
    return Negotiation(
        scenario=scenario.name,
        samples=population.n,
        seed=population.seed,
        rounds=rounds,
        discount=discount,
        hazard=hazard,
        grid=grid,
        mechanisms=mech,
        path_from=start,
        path_to=end,
        path_note=note,
        sequence=tuple(sequence),
        proposer_eu=base + played.proposer_gain,
        p_deal=float(played.p_deal[-1]),
        p_war=float(played.p_war[-1]),
        compare=compare,
        decomposition=decomposition,
        belief_gap=ordered.played.gap,
        consistent=bool(ordered.played.gap <= 1e-12 and ordered.played.misjudged <= 1e-12),
        misjudged=ordered.played.misjudged,
        proposer_regret=mixed.regret,
        skimming_regret=mixed.start_regret,
        mixing_steps=mixed.steps,
        mixing_converged=mixed.converged,
        split_regret=split_regret,
        split_unconverged=split_unconverged,
        approvals_mixed_gap=solved.gap,
        approvals_mixed_iterations=solved.mixed_iterations,
        approvals_p_war_low=solved.p_war_range[0],
        approvals_p_war_high=solved.p_war_range[1],
        order_iterations=ordered.iterations,
        order_converged=ordered.converged,
        types=game.types,
        approvals=solved.how,
        approval_iterations=solved.iterations,
        approvals_converged=solved.converged,
        approval_states=len(solved.approve.states),
        sincere=built.one_shot.sincere,
        built=built,
        approve=solved.approve,
        equilibrium=eq,
        skimming=ordered.equilibrium,
        payoff_range=proposer_payoff_range(population, gains, rounds),
        se_scale=0.0 if population.exact else se_bound_scale(w),
    )


def _mean_input(population: Population, name: str) -> float:
    from goldenbridge.analysis.negotiate.building import time_inputs

    mob, drift = time_inputs(population)
    x = mob if name == "mobilisation" else drift
    w = population.worlds.weights
    return float(w @ x / w.sum())


def _decompose(game, rounds, discount, hazard, accumulate, empty, names, order=None) -> tuple:
    """Shapley parts over the active mechanisms, every subset solved with the types in the
    full model's ``order`` (the belief's order held fixed, as the approvals are); with the
    largest regret fictitious play left in a subset's game and how many subsets stopped
    at its step limit above the tolerance."""
    active = _active(game, hazard, accumulate, rounds)

    def wars(on: frozenset[str]) -> tuple[tuple[float, float], Mixed]:
        off = [m for m in MECHANISMS if m not in on]
        g, mixed = _solve_with(game, rounds, discount, hazard, accumulate, off, order)
        eq = mixed.equilibrium
        return (float(play(g, eq, [empty] * rounds).p_war[-1]), float(play(g, eq).p_war[-1])), mixed

    # every subset solved on its own (threads; the kernels release the GIL)
    subsets = [frozenset(c) for r in range(len(active) + 1) for c in combinations(active, r)]
    solved = map_threads(wars, subsets)
    results = dict(zip(subsets, (w for w, _ in solved), strict=True))
    regret = max(m.regret for _, m in solved)
    unconverged = sum(not m.converged for _, m in solved)

    out = []
    for i, name in enumerate(names):

        def value(on: frozenset[str], i: int = i) -> float:
            return results[on][i]

        base, parts = shapley(value, active)
        full = {m: parts.get(m, 0.0) for m in MECHANISMS}
        induced = full["mobilisation"] + full["drift"] + full["pretext"]
        out.append(
            Decomposition(
                strategy=name,
                total=base + full["hazard"] + induced,
                at_once=base,
                hazard=full["hazard"],
                induced=induced,
                mobilisation=full["mobilisation"],
                drift=full["drift"],
                pretext=full["pretext"],
            )
        )
    return tuple(out), regret, unconverged


def responses(negotiation: Negotiation, positions: Sequence[float] | None = None) -> Responses:
    """Each world's equilibrium action (accept / wait / attack / stand down) by round.

    Parameters
    ----------
    negotiation : Negotiation
        The result of :func:`negotiate` on the population whose worlds are wanted.
    positions : sequence of float, optional
        The offers made, as positions ``s`` in [0, 1] on the path (snapped to the grid),
        one per round, at most ``rounds``. Default: the equilibrium offers. Off the
        equilibrium path the target expects the proposer's equilibrium continuation.
    """
    eq = negotiation.equilibrium
    if positions is None:
        offers = eq.path
    else:
        s = np.asarray(positions, dtype=np.float64)
        if s.ndim != 1 or ((s < 0) | (s > 1)).any():
            raise InputError("positions are numbers in [0, 1] along the path")
        offers = np.rint(s * (negotiation.grid - 1)).astype(np.int64)
    return world_responses(negotiation, offers, negotiation.built.type_of)


def world_responses(negotiation: Negotiation, offers, type_of: np.ndarray) -> Responses:
    """:func:`responses` for worlds given by their types (e.g. worlds moved by
    rejuvenation, typed with :func:`goldenbridge.analysis.negotiate.building.world_classes`)."""
    result: Play = play(negotiation.built.game, negotiation.equilibrium, offers)
    action = result.action[:, type_of]
    rounds = np.arange(1, action.shape[0] + 1)[:, None]
    return Responses(
        offers=np.asarray(offers, dtype=np.int64),
        action=action,
        accept_round=((action == ACCEPT) * rounds).max(axis=0, initial=0),
        attack_round=((action == ATTACK) * rounds).max(axis=0, initial=0),
    )
