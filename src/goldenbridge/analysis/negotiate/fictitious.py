"""The proposer's offers on the path as a mixed strategy, found by fictitious play.

With finitely many types the talks game need not have an equilibrium in which the
proposer makes one offer in each state (Fudenberg, Levine & Tirole 1985): in the example
below, after a rejection the proposer wants to offer more if only the hard type is left,
and then the soft type waits for it too, so it wants to offer less. The skimming solver's
pure strategy (:mod:`~goldenbridge.analysis.negotiate.timegame`) then leaves the proposer
a regret on the path (:mod:`~goldenbridge.analysis.negotiate.regret`), and a search over
pure strategies cycles.

Fictitious play (Brown 1951; Robinson 1951; Fudenberg & Levine 1998, ch. 2) lets the
proposer mix. Starting from the skimming strategy, each step

1. computes every type's values of the current strategy (``strategy_kernels._revalue``: every type
   best-replies to the mixture) and the share of each type's weight reaching each state
   (``strategy_kernels._reach``);
2. in every state reached, finds the proposer's best pure offer against its posterior
   there (Bayes' rule: the weights reaching it; ``strategy_kernels._offer_gains``);
3. moves the strategy in each reached state towards it by ``2 / (n + 3)`` at step n
   (n = 0, 1, ...): after n steps the mixture is the average of the skimming offer and
   the n best replies, the k-th weighted by k + 1 (linear averaging; the skimming
   offer's weight 1).

The step is a generalised weakened fictitious play (Leslie & Collins 2006: steps that
tend to 0 and sum to infinity keep classical fictitious play's convergence results);
weighting later replies more forgets the skimming start sooner. Measured against the
classical weights ``1 / (n + 2)`` (each reply counted once) on russia-2021's talks game:
at 20 000 worlds (three seeds), at 100 000 and on six rounds the classical play ended at
400 steps with regrets 1.2e-4 to 4.3e-4 in four of the five games (323 steps in the
fifth), linear averaging reached the 1e-4 tolerance in 61 to 102 steps in all five, and
in three games with mechanisms switched off in 56 and 223 steps (classical: 400 and 371);
docs/performance-log.md, stop 28.

It stops when no reached state gains more than ``tolerance`` (the proposer's regret,
ex ante per unit of weight) or after ``steps`` steps; the result carries the regret it
reached. The states after each offer (the skimming solver's labels) are kept: off the
path the proposer plays the skimming solver's offers. Fictitious play need not converge in
general-sum games; where it does not, the regret says how far the result is from an
equilibrium (for one-shot deviations on the path; the types' regret is 0).

References: Leslie, D. S. & Collins, E. J. (2006), Generalised weakened fictitious play,
*Games and Economic Behavior* 56(2), 285-298.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.regret import deviations, kernel_args
from goldenbridge.analysis.negotiate.strategy_kernels import _revalue
from goldenbridge.analysis.negotiate.timegame import TimeEquilibrium, TimeGame

__all__ = ["Mixed", "fictitious_play", "STEPS", "TOLERANCE"]

#: Most steps of fictitious play.
STEPS = 400

#: Stop when no reached state gains the proposer more than this (ex ante, per unit of
#: weight, in its utility: a hundredth of a percentage point of a war that costs it 1).
TOLERANCE = 1e-4


@dataclass(frozen=True)
class Mixed:
    """The result of :func:`fictitious_play`.

    Attributes
    ----------
    equilibrium : TimeEquilibrium
        The strategy (``mix_row``, ``mix_p`` where it mixes; ``offer`` the likeliest
        offer) and the types' values of it.
    regret : float
        The proposer's regret of the result (:func:`~goldenbridge.analysis.negotiate.
        regret.regret`).
    start_regret : float
        The skimming strategy's.
    steps : int
    converged : bool
        The regret is at most the tolerance.
    """

    equilibrium: TimeEquilibrium
    regret: float
    start_regret: float
    steps: int
    converged: bool


def _with(eq: TimeEquilibrium, offer, mix_row, mix_p, value, tv, pay) -> TimeEquilibrium:
    """``eq`` with the strategy replaced and the values of it (``tv``, ``pay`` with the
    types in rank order)."""
    return dataclasses.replace(
        eq,
        offer=offer,
        value=value,
        target_value=np.ascontiguousarray(tv[..., eq.rank]),
        proposer_pay=np.ascontiguousarray(pay[..., eq.rank]),
        mix_row=mix_row,
        mix_p=mix_p,
    )


def fictitious_play(
    game: TimeGame,
    eq: TimeEquilibrium,
    steps: int = STEPS,
    tolerance: float = TOLERANCE,
) -> Mixed:
    """Fictitious play on the proposer's offers in the states the path reaches, from the
    strategy ``eq`` (the skimming solver's, or a mixed one: module docstring).

    Examples
    --------
    Type 0 (weight 1) gains little from offer 1 and expects war to pay more next round;
    type 1 (weight 3) takes offer 1 now, or offer 2 later. No pure strategy is an
    equilibrium: after a rejection the proposer wants offer 2 if only type 0 waited, and
    then type 1 waits as well. Fictitious play mixes (in round 0 the proposer mostly
    offers nothing, sometimes 1) and brings the regret from .25 to about .001:

    >>> import numpy as np
    >>> from goldenbridge.analysis.negotiate.timegame import TimeGame, solve
    >>> m = np.array([1.0, 3.0])
    >>> g = TimeGame(accept=np.array([[-np.inf, 0.1, 0.35], [-np.inf, 0.2, 0.4]]),
    ...     pretext_now=np.zeros((2, 3)), unsaved=np.zeros(3), war=np.array([-0.2, -1.0]),
    ...     drift=np.array([0.5, 0.0]), pretext=np.zeros(2), mobilisation=np.zeros(2),
    ...     stand=np.zeros(2), mass=m, deal=m[:, None] * [0.0, 0.6, 0.1], war_p=-m,
    ...     drift_p=np.zeros(2), stand_p=np.zeros(2), deal_mass=m[:, None] * np.ones(3),
    ...     block_war=np.zeros((2, 3)))
    >>> r = fictitious_play(g, solve(g, 2, 0.9, 0.0, 0))
    >>> round(r.start_regret, 4), round(r.regret, 3), r.equilibrium.support(0, 0, 0)[0][0]
    (0.2475, 0.001, 0)
    """
    args = kernel_args(game, eq)
    order = np.argsort(eq.rank)
    total = float(game.mass.sum())
    offer = eq.offer.copy()
    mix_row, mix_p = (a.copy() for a in eq.strategy())
    value = eq.value.copy()
    tv = np.ascontiguousarray(eq.target_value[..., order])
    pay = np.ascontiguousarray(eq.proposer_pay[..., order])
    rows = list(mix_p)
    start = worst = 0.0
    n = 0
    for n in range(steps + 1):
        current = dataclasses.replace(eq, offer=offer)
        found = deviations(args, current, (mix_row, mix_p), tv, pay, total)
        worst = max((d[0] for d in found), default=0.0)
        start = worst if n == 0 else start
        if worst <= tolerance or n == steps:
            break
        step = 2.0 / (n + 3)
        changed = np.zeros(offer.shape, dtype=np.bool_)
        for _, t, c, lv, best in found:
            changed[t, c, lv] = True
            if mix_row[t, c, lv] < 0:
                mix_row[t, c, lv] = len(rows)
                rows.append(np.zeros(game.grid))
                rows[-1][offer[t, c, lv]] = 1.0
            p = rows[mix_row[t, c, lv]]
            p *= 1.0 - step
            p[best] += step
            offer[t, c, lv] = int(np.argmax(p))  # the likeliest (ties: the smaller)
        mix_p = np.array(rows)
        _revalue(args, offer, eq.cutoff, mix_row, mix_p, value, tv, pay, changed)  # type: ignore[call-arg]
    if n == 0:
        return Mixed(eq, max(worst, 0.0), start, 0, worst <= tolerance)
    mixed = _with(eq, offer, mix_row, mix_p, value, tv, pay)
    return Mixed(mixed, max(worst, 0.0), start, n, worst <= tolerance)
