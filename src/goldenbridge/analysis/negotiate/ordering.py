"""The order of the types in the proposer's belief, as a fixed point of the equilibrium.

The skimming solver (:mod:`goldenbridge.analysis.negotiate.timegame`) keeps the proposer's
belief after rejections as a truncation of a fixed order of the types: in state ``c`` the
first ``c`` are gone. Bayes' rule holds on the path when the types that leave the talks in
a round (accept, attack or stand down) are exactly the next ones in that order (Fudenberg,
Levine & Tirole 1985; Fudenberg & Tirole 1991, ch. 10, where single crossing makes the
order of reservation values the right one). With types that differ in more than one way
(what they need, how much a later offer is worth to them, what waiting costs them, their
share of a drift in ``p_win``) no order fixed in advance need be right: a type with a steep
gain along the path waits for the next concession while a type with the same threshold
takes the offer.

:func:`solve_ordered` therefore orders the types by the equilibrium itself: solve, play
it (every type best-replying, :func:`~goldenbridge.analysis.negotiate.timegame.play`),
sort the types by the round in which they leave on the path (ties: the previous order),
and solve again, until the order repeats. Where the orders cycle, the member of the cycle
whose belief misjudges the least weight on the path (then with the smallest incentive
gap) is kept. The weight the belief still misjudges, and by how much, is reported
(``Play.misjudged``, ``Play.gap``): the types' replies are best replies in any case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.timegame import (
    DONE,
    WAIT,
    Play,
    TimeEquilibrium,
    TimeGame,
    play,
    solve,
)

__all__ = ["Ordered", "solve_ordered", "leave_order", "ORDER_ITERATIONS"]

#: Most solves of "order the types as they leave, solve again".
ORDER_ITERATIONS = 8


@dataclass(frozen=True)
class Ordered:
    """The equilibrium with the types in a consistent order.

    Attributes
    ----------
    equilibrium : TimeEquilibrium
    played : Play
        The equilibrium played (every offer made or blocked as the vetoes decide).
    iterations : int
        Solves made.
    converged : bool
        False where the orders cycled (the best member kept) or the iterations ran out.
    """

    equilibrium: TimeEquilibrium
    played: Play
    iterations: int
    converged: bool


def leave_order(played: Play, rank: np.ndarray) -> np.ndarray:
    """The types sorted by the round in which they leave on the main path (accept, attack
    or stand down; never: last), ties by ``rank``: an order (type indices)."""
    rounds = played.action.shape[0]
    leave = np.full(rank.size, rounds, dtype=np.int64)
    for t in range(rounds - 1, -1, -1):
        acts = played.action[t]
        leave = np.where((acts != WAIT) & (acts != DONE), t, leave)
    return np.lexsort((rank, leave))


def solve_ordered(
    game: TimeGame,
    rounds: int,
    discount: float,
    hazard: float,
    levels_per_unit: int = 4,
    start: np.ndarray | None = None,
    iterations: int = ORDER_ITERATIONS,
) -> Ordered:
    """The equilibrium with the types ordered as they leave the talks (module docstring).

    Parameters are those of :func:`~goldenbridge.analysis.negotiate.timegame.solve`;
    ``start`` is the first order tried (default the types' index order, e.g. a previous
    solution's ``np.argsort(eq.rank)`` to start warm).

    Examples
    --------
    Two types with the same threshold: the first gains little from a deeper offer and
    takes the first one, the second gains much and waits for it. In index order the
    belief would be wrong; ordered, no weight is misjudged.

    >>> import numpy as np
    >>> from goldenbridge.analysis.negotiate.timegame import TimeGame
    >>> g = TimeGame(accept=np.array([[-np.inf, 0.30, 0.31], [-np.inf, 0.05, 0.6]]),
    ...     pretext_now=np.zeros((2, 3)), unsaved=np.array([1.0, 0.0, 0.0]),
    ...     war=np.array([-0.5, -0.5]), drift=np.zeros(2), pretext=np.zeros(2),
    ...     mobilisation=np.zeros(2), stand=np.zeros(2), mass=np.ones(2),
    ...     deal=np.array([[0.0, 0.6, 0.3], [0.0, 0.6, 0.3]]), war_p=-np.ones(2),
    ...     drift_p=np.zeros(2), stand_p=np.zeros(2), deal_mass=np.ones((2, 3)),
    ...     block_war=np.zeros((2, 3)))
    >>> r = solve_ordered(g, 2, 0.9, 0.0, 0)
    >>> r.played.misjudged, r.converged
    (0.0, True)
    """
    order = np.arange(game.types) if start is None else np.asarray(start, dtype=np.int64)
    seen: list[tuple[np.ndarray, TimeEquilibrium, Play]] = []
    for i in range(1, iterations + 1):
        eq = solve(game, rounds, discount, hazard, levels_per_unit, order)
        played = play(game, eq)
        seen.append((order, eq, played))
        nxt = leave_order(played, eq.rank)
        if np.array_equal(nxt, order):
            return Ordered(eq, played, i, True)
        repeat = next((m for m, (o, _, _) in enumerate(seen) if np.array_equal(o, nxt)), None)
        if repeat is not None:
            _, eq, played = min(seen[repeat:], key=lambda m: (m[2].misjudged, m[2].gap))
            return Ordered(eq, played, i, False)
        order = nxt
    _, eq, played = min(seen, key=lambda m: (m[2].misjudged, m[2].gap))
    return Ordered(eq, played, iterations, False)
