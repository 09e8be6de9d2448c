"""The proposer's regret on the path: would it still make these offers, knowing the types'
strategies?

The skimming solver (:mod:`~goldenbridge.analysis.negotiate.timegame`) labels the
proposer's information by a state ``(c, l)`` and optimises each offer against the belief
that state stands for: the types of rank ``>= c``, each with all its weight. On the path
that belief can be wrong (``Play.misjudged``): types with the same threshold leave in
different rounds, and a veto's block, which the proposer sees, is likelier in some types'
worlds than in others'. Every type best-replies in any case; the question left is the
proposer's.

Bayes' rule answers it on the path. In every state the path reaches, the proposer's
posterior is each type's share of its weight still in the talks there (``Play.states``:
the types that waited, the hazard survived, the blocks seen). Its payoff from offering
``j`` there is computed with every type best-replying and the strategy followed from the
next state on (``kernels._offer_gains``); the most it gains over the strategy's offer, ex
ante (times ``discount ** t``, per unit of weight), is its **regret** of a one-shot
deviation on the path: 0 where no such deviation pays (a lower bound on the proposer's
regret in the sense of pygambit's ``max_regret``, which also counts deviations in several
states at once; tested against the game tree in tests/test_dynamics_gambit.py). With
the types' regret 0, the profile is an equilibrium up to that amount for one-shot
deviations on the path.

:func:`improve` searches for a profile with less regret: in every reached state where a
deviation pays, the best offer replaces the strategy's, the types best-reply to the new
strategy (``kernels._values``: their values computed again, the states after each offer
unchanged) and the path is played again (policy iteration on the proposer's side). With
finitely many types a pure-strategy equilibrium need not exist (Fudenberg, Levine &
Tirole 1985: the proposer or the marginal types may have to mix), and on russia-2021 the
search cycles; it returns every profile it visited, so that what depends on the
selection can be read off them (docs/dynamics.md, choice 6).

References: Fudenberg & Tirole (1991), *Game Theory*, ch. 8 (perfect Bayesian
equilibrium: beliefs from Bayes' rule on the path) and ch. 4 (one-stage deviations).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.kernels import _offer_gains, _values
from goldenbridge.analysis.negotiate.timegame import (
    Play,
    TimeEquilibrium,
    TimeGame,
    _prepared,
    play,
)

__all__ = ["Visited", "regret", "improve", "IMPROVE_STEPS"]

#: Most policy-improvement steps of :func:`improve`.
IMPROVE_STEPS = 20

#: A deviation gains when it adds more than this to the proposer's ex-ante gain.
TOLERANCE = 1e-12


@dataclass(frozen=True)
class Visited:
    """A profile :func:`improve` visited.

    Attributes
    ----------
    equilibrium : TimeEquilibrium
        The proposer's strategy (the types' values for it).
    played : Play
    regret : float
        The most a one-shot deviation in a state the path reaches adds to the proposer's
        ex-ante gain, per unit of weight.
    """

    equilibrium: TimeEquilibrium
    played: Play
    regret: float


def _kernel_args(game: TimeGame, eq: TimeEquilibrium) -> tuple:
    order = np.argsort(eq.rank)
    args, inc, inc_none, q, levels = _prepared(game, eq.rounds, eq.levels, order)
    return order, (*args, inc, inc_none, q, levels, eq.rounds, eq.discount, eq.hazard)


def _deviations(game: TimeGame, eq: TimeEquilibrium, played: Play, order, args) -> list:
    """Every reached state's ``(ex-ante gain of its best offer, t, c, l, best offer)``."""
    pay = np.ascontiguousarray(eq.proposer_pay[..., order])
    tv = np.ascontiguousarray(eq.target_value[..., order])
    total = float(game.mass.sum())
    out = []
    for t, reached in enumerate(played.states):
        for c, lv, alive in reached:
            gains = _offer_gains(
                *args, eq.cutoff, tv, pay, t, c, lv, np.ascontiguousarray(alive[order])
            )
            best = int(np.argmax(gains))  # ties: the smallest concession
            now = gains[int(eq.offer[t, c, lv])]
            out.append((float(gains[best] - now) * eq.discount**t / total, t, c, lv, best))
    return out


def regret(game: TimeGame, eq: TimeEquilibrium, played: Play | None = None) -> float:
    """The proposer's largest ex-ante gain (per unit of weight) from a one-shot deviation
    in a state the equilibrium path reaches (module docstring); ``played`` is
    ``play(game, eq)``.

    Examples
    --------
    Type 0 (weight 1) gains little from offer 1 and expects war to pay more next round
    (a drift of .5); type 1 (weight 3) takes offer 1. The proposer offers 1; type 0
    waits, but the skimming state counts it as gone, so the strategy offers nothing next
    and type 0 attacks. Knowing it is type 0, the proposer would offer 2 (accepted:
    .1 instead of a war at -1), a gain of .9 (1.1) / 4 ex ante:

    >>> import numpy as np
    >>> from goldenbridge.analysis.negotiate.timegame import TimeGame, play, solve
    >>> m = np.array([1.0, 3.0])
    >>> g = TimeGame(accept=np.array([[-np.inf, 0.1, 0.35], [-np.inf, 0.2, 0.4]]),
    ...     pretext_now=np.zeros((2, 3)), unsaved=np.zeros(3), war=np.array([-0.2, -1.0]),
    ...     drift=np.array([0.5, 0.0]), pretext=np.zeros(2), mobilisation=np.zeros(2),
    ...     stand=np.zeros(2), mass=m, deal=m[:, None] * [0.0, 0.6, 0.1], war_p=-m,
    ...     drift_p=np.zeros(2), stand_p=np.zeros(2), deal_mass=m[:, None] * np.ones(3),
    ...     block_war=np.zeros((2, 3)))
    >>> eq = solve(g, 2, 0.9, 0.0, 0)
    >>> play(g, eq).offers.tolist(), round(regret(g, eq), 12)
    ([1, 0], 0.2475)

    :func:`improve` on the same game cycles: offered 2 after a rejection, type 1 waits
    for it too, and the proposer would rather not; the equilibrium mixes.

    >>> [(v.played.offers.tolist(), round(v.regret, 4)) for v in improve(g, eq)]
    [([1, 0], 0.2475), ([1, 2], 0.09), ([0, 1], 0.045), ([1, 1], 0.2475), ([1, 2], 0.09)]
    """
    played = play(game, eq) if played is None else played
    order, args = _kernel_args(game, eq)
    return max((d[0] for d in _deviations(game, eq, played, order, args)), default=0.0)


def improve(game: TimeGame, eq: TimeEquilibrium, steps: int = IMPROVE_STEPS) -> tuple[Visited, ...]:
    """The profiles visited by policy iteration on the proposer's offers on the path,
    from ``eq`` (module docstring); it stops where one has no regret, where a strategy
    repeats (a cycle) or after ``steps`` steps. The last one visited has no regret when
    the search converged.
    """
    order, args = _kernel_args(game, eq)
    visited: list[Visited] = []
    seen: set[bytes] = set()
    for _ in range(steps + 1):
        played = play(game, eq)
        found = _deviations(game, eq, played, order, args)
        worst = max((d[0] for d in found), default=0.0)
        visited.append(Visited(eq, played, max(worst, 0.0)))
        key = eq.offer.tobytes()
        if worst <= TOLERANCE or key in seen:
            break
        seen.add(key)
        offer = eq.offer.copy()
        for gain, t, c, lv, best in found:
            if gain > TOLERANCE:
                offer[t, c, lv] = best
        value, paths, tv, pay = _values(*args, offer, eq.cutoff)
        eq = dataclasses.replace(
            eq,
            offer=offer,
            value=value,
            paths=paths,
            target_value=np.ascontiguousarray(tv[..., eq.rank]),
            proposer_pay=np.ascontiguousarray(pay[..., eq.rank]),
        )
    return tuple(visited)
