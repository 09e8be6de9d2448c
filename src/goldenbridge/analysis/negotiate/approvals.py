"""The vetoes' approvals and the proposer's equilibrium, each a reply to the other
(docs/dynamics.md, section "Vetoes" and modelling choice 6).

Two steps. First the vetoes reply to the proposer's skimming strategy and the proposer
re-solves against their approvals, until the approvals repeat
(:func:`skimming_approvals`). Then the proposer's offers mix by fictitious play
(:mod:`~goldenbridge.analysis.negotiate.fictitious`), the vetoes reply to the mixed offers
(:func:`~goldenbridge.analysis.negotiate.continuation.continuation_approvals`: each offer of
a mixed state with its probability) and the proposer re-solves and mixes again, at most
:data:`MIXED_APPROVALS` times (:func:`approved_equilibrium`). The replies to mixed offers rarely
repeat exactly -- a world on the margin of one offer flips -- so the second step keeps the
member whose approvals are closest to the vetoes' replies to it: the smallest share of the
weight in which a veto would decide one of the offers the strategy makes differently
(:func:`approvals_gap`), stopping early once that share is at most :data:`GAP_TOLERANCE`.
The spread of P(war) over the members says how much the remaining gap can matter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from goldenbridge.analysis.negotiate.building import Approvals, Built, with_approvals
from goldenbridge.analysis.negotiate.continuation import continuation_approvals
from goldenbridge.analysis.negotiate.fictitious import Mixed, fictitious_play
from goldenbridge.analysis.negotiate.ordering import Ordered, solve_ordered
from goldenbridge.analysis.negotiate.play_tree import reached_states
from goldenbridge.analysis.negotiate.timegame import (
    Play,
    TimeEquilibrium,
    TimeGame,
    play,
    state_rows_map,
)
from goldenbridge.engine import Offers
from goldenbridge.information import is_informed
from goldenbridge.population import Population

__all__ = [
    "APPROVAL_ITERATIONS",
    "GAP_TOLERANCE",
    "MIXED_APPROVALS",
    "MIX_SHOWN",
    "Approved",
    "Progress",
    "approvals_gap",
    "approved_equilibrium",
    "skimming_approvals",
]

#: Most rounds of "vetoes reply to the skimming strategy, the proposer re-solves".
APPROVAL_ITERATIONS = 6
#: Most solves with the vetoes' replies to the mixed offers.
MIXED_APPROVALS = 6
#: The second step stops once the vetoes' replies differ on at most this share.
GAP_TOLERANCE = 0.01
#: Offers of a mixed round shown (and checked) when made to at least this share.
MIX_SHOWN = 0.01

#: ``progress(stage, done, total)``, told of each solve, or None.
Progress = Callable[[str, int, int], None] | None


@dataclass(frozen=True)
class Approved:
    """The equilibrium with the vetoes' approvals (the member :func:`approved_equilibrium`
    keeps).

    Attributes
    ----------
    built : Built
        The game with these approvals.
    ordered : Ordered
        Its skimming solution (fictitious play starts from it).
    mixed : Mixed
        Fictitious play's mixed strategy.
    played : Play
        The mixed strategy played.
    approve : Approvals
        Whether every veto approves grid offer j in world n, in each state of the talks
        with a row of its own and in each round.
    how : str
        ``continuation``, ``one-shot``, ``informed`` or ``none``.
    iterations, converged
        The skimming step's solves, and whether its approvals repeated.
    gap : float
        :func:`approvals_gap` of these approvals (0 where nothing mixes or nobody replies).
    mixed_iterations : int
        Solves with the vetoes' replies to mixed offers.
    p_war_range : (float, float)
        The lowest and highest P(war) of the sequence over the first mixed strategy and
        the members solved with the vetoes' replies to mixed offers.
    """

    built: Built
    ordered: Ordered
    mixed: Mixed
    played: Play
    approve: Approvals
    how: str
    iterations: int
    converged: bool
    gap: float
    mixed_iterations: int
    p_war_range: tuple[float, float]


def skimming_approvals(
    population: Population,
    built: Built,
    grid_offers: Offers,
    rounds: int,
    discount: float,
    hazard: float,
    q: int,
    cache: dict,
    gains: np.ndarray,
    progress: Progress = None,
) -> tuple[Built, Ordered, Approvals, str, int, bool]:
    """The skimming equilibrium with the vetoes' approvals round by round.

    One round: the one-shot rule of ``evaluate`` (4b). Every veto informed: the per-world
    rule ``u_j(x) >= r_j``, the same in every round. Otherwise each round's approvals are
    the vetoes' continuation rule against the skimming equilibrium, and the equilibrium
    is solved again with them (each solve in the order of
    :func:`~goldenbridge.analysis.negotiate.ordering.solve_ordered`), from the one-shot
    approvals on, until the approvals repeat or :data:`APPROVAL_ITERATIONS` solves. Where
    they cycle, the member of the cycle with the proposer's highest expected utility is
    kept and ``converged`` is False. Returns ``(built, ordered, approve, how, iterations,
    converged)``. ``progress(stage, done, total)`` is told as each solve starts (``done``
    solves before it).
    """
    scenario = population.scenario
    once = built.one_shot
    own = [v for v in scenario.vetoes if not is_informed(scenario, v.name)]
    packed = np.packbits(once.approve.T, axis=1)
    approve = Approvals(np.broadcast_to(packed, (rounds, *packed.shape)), population.n)

    def equilibrium(game: TimeGame, start: np.ndarray | None = None) -> Ordered:
        return solve_ordered(game, rounds, discount, hazard, q, start)

    if rounds == 1 or not own:
        how = "none" if not scenario.vetoes else "informed" if not own else "one-shot"
        return built, equilibrium(built.game), approve, how, 1, True
    current = with_approvals(built, population, grid_offers, approve, gains)
    solved = equilibrium(current.game)
    seen = [(approve, current, solved)]
    for iteration in range(1, APPROVAL_ITERATIONS + 1):
        if progress is not None:
            progress("the allies' approvals (skimming offers)", iteration - 1, APPROVAL_ITERATIONS)
        eq = solved.equilibrium
        new = continuation_approvals(population, current, grid_offers, eq, once.approve_by, cache)
        if new.same(approve):
            return current, solved, approve, "continuation", iteration, True
        repeat = next((i for i, (a, _, _) in enumerate(seen) if a.same(new)), None)
        if repeat is not None:  # a cycle: the proposer's best of its members
            best = max(seen[repeat:], key=lambda m: m[2].played.proposer_gain)
            return best[1], best[2], best[0], "continuation", iteration, False
        approve = new
        current = with_approvals(built, population, grid_offers, new, gains)
        solved = equilibrium(current.game, np.argsort(eq.rank))
        seen.append((approve, current, solved))
    return current, solved, approve, "continuation", APPROVAL_ITERATIONS, False


def approvals_gap(
    game: TimeGame,
    eq: TimeEquilibrium,
    replies: Approvals,
    approve: Approvals,
    weights: np.ndarray,
) -> float:
    """The largest share of the weight, over the states the talks reach (offers made or
    blocked: :func:`~goldenbridge.analysis.negotiate.play_tree.reached_states`) and the
    offers the strategy makes there (to at least :data:`MIX_SHOWN` of the weight the round
    is reached with), in which the vetoes' ``replies`` decide the offer differently from
    ``approve``, each read in that state's row."""
    order, levels = np.argsort(eq.rank), eq.offer.shape[2]
    new = state_rows_map(replies.states, eq.rounds, game.types, order, levels)
    old = state_rows_map(approve.states, eq.rounds, game.types, order, levels)
    total = float(weights.sum())
    gap = 0.0
    for t, here in enumerate(reached_states(game, eq, blocks=True)):
        talking = sum(float(alive @ game.mass) for _, alive in here)
        for (c, lv), alive in here:
            for j, p in eq.support(t, c, lv):
                if p * float(alive @ game.mass) >= MIX_SHOWN * talking:
                    now = replies.offer(new[t, c, lv], j)
                    differ = now != approve.offer(old[t, c, lv], j)
                    gap = max(gap, float(weights @ differ) / total)
    return gap


def approved_equilibrium(
    population: Population,
    built: Built,
    grid_offers: Offers,
    rounds: int,
    discount: float,
    hazard: float,
    q: int,
    cache: dict,
    gains: np.ndarray,
    replies: bool = True,
    progress: Progress = None,
) -> Approved:
    """The equilibrium with the vetoes' approvals (module docstring):
    :func:`skimming_approvals`, fictitious play, then the vetoes' replies to the mixed
    offers (``replies=False``: not computed, the gap NaN).

    ``cache``: each veto's per-world features, for every solve
    (:func:`~goldenbridge.analysis.negotiate.continuation.continuation_approvals`);
    ``gains``: :func:`~goldenbridge.analysis.negotiate.building.proposer_gains`;
    ``progress(stage, done, total)`` is told as each solve starts."""
    built, ordered, approve, how, iterations, converged = skimming_approvals(
        population, built, grid_offers, rounds, discount, hazard, q, cache, gains, progress
    )
    if progress is not None:
        progress("the proposer's mixed offers", 0, 1)
    mixed = fictitious_play(built.game, ordered.equilibrium)
    played = play(built.game, mixed.equilibrium)
    p = float(played.p_war[-1])
    first = Approved(
        built, ordered, mixed, played, approve, how, iterations, converged, 0.0, 0, (p, p)
    )
    if not replies:
        return replace(first, gap=float("nan"))
    if how != "continuation" or mixed.steps == 0:
        return first
    w = population.worlds.weights
    once = built.one_shot
    # each member's P(war), and the member with the smallest gap (the first of equals);
    # the others' solves are not kept (each holds the game's arrays)
    wars: list[float] = []
    best: tuple | None = None
    for i in range(MIXED_APPROVALS + 1):
        if progress is not None:
            progress("the allies' replies to the mixed offers", i, MIXED_APPROVALS + 1)
        eq = mixed.equilibrium
        new = continuation_approvals(population, built, grid_offers, eq, once.approve_by, cache)
        gap = approvals_gap(built.game, eq, new, approve, w)
        wars.append(float(played.p_war[-1]))
        if best is None or gap < best[0]:
            best = (gap, built, ordered, mixed, played, approve)
        if gap <= GAP_TOLERANCE or i == MIXED_APPROVALS:
            break
        approve = new
        built = with_approvals(built, population, grid_offers, new, gains)
        ordered = solve_ordered(built.game, rounds, discount, hazard, q, np.argsort(eq.rank))
        mixed = fictitious_play(built.game, ordered.equilibrium)
        played = play(built.game, mixed.equilibrium)
    assert best is not None  # the loop runs at least once
    gap, built, ordered, mixed, played, approve = best
    return Approved(
        built,
        ordered,
        mixed,
        played,
        approve,
        how,
        iterations,
        converged,
        gap,
        len(wars) - 1,
        (min(wars), max(wars)),
    )
