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
posterior is each type's share of its weight still in the talks there (``strategy_kernels._reach``:
the types that waited, the hazard survived, the blocks seen). Its payoff from offering
``j`` there is computed with every type best-replying and the strategy followed from the
next state on (``strategy_kernels._offer_gains``); the most it gains over the strategy's offer, ex
ante (times ``discount ** t``, per unit of weight), is its **regret** of a one-shot
deviation on the path: 0 where no such deviation pays (a lower bound on the proposer's
regret in the sense of pygambit's ``max_regret``, which also counts deviations in several
states at once; tested against the game tree in tests/test_dynamics_gambit.py). With
the types' regret 0, the profile is an equilibrium up to that amount for one-shot
deviations on the path.

With a mixed strategy (:mod:`~goldenbridge.analysis.negotiate.fictitious`) the
strategy's payoff in a state is the mixture's, and the regret the most the best pure
offer gains over it.

References: Fudenberg & Tirole (1991), *Game Theory*, ch. 8 (perfect Bayesian
equilibrium: beliefs from Bayes' rule on the path) and ch. 4 (one-stage deviations).
"""

from __future__ import annotations

import numpy as np

from goldenbridge.analysis.negotiate.strategy_kernels import _gains_many, _reach
from goldenbridge.analysis.negotiate.timegame import TimeEquilibrium, TimeGame, _prepared
from goldenbridge.engine.threads import by_rows

__all__ = ["regret", "deviations", "kernel_args"]


def kernel_args(game: TimeGame, eq: TimeEquilibrium) -> tuple:
    """The kernels' arguments for ``eq`` (the types in its rank order), up to the hazard."""
    args, inc, inc_none, q, levels = _prepared(game, eq.rounds, eq.levels, np.argsort(eq.rank))
    return (*args, inc, inc_none, q, levels, eq.rounds, eq.discount, eq.hazard)


def deviations(
    args: tuple, eq: TimeEquilibrium, mix: tuple, tv: np.ndarray, pay: np.ndarray, total: float
) -> list:
    """Every state the strategy reaches: ``(ex-ante gain of its best pure offer over the
    strategy's, t, c, l, best offer)``. ``args``: :func:`kernel_args`; the strategy is
    ``eq.offer``, ``eq.cutoff`` and ``mix = (mix_row, mix_p)``; ``tv``, ``pay`` its values
    with the types in the kernels' (rank) order; ``total`` the types' total weight."""
    mix_row, mix_p = mix
    alive, hit = _reach(args, eq.offer, eq.cutoff, mix_row, mix_p, tv)  # type: ignore[call-arg]
    states = np.argwhere(hit)
    gains = np.zeros((states.shape[0], args[0].shape[1]))  # (S, G): accept is (K, G)
    work = gains.size * tv.shape[-1]  # states x offers x types
    by_rows(_gains_many, states.shape[0], work, args, eq.cutoff, tv, pay, states, alive, gains)
    out = []
    for (t, c, lv), g in zip(states.tolist(), gains, strict=True):
        best = int(np.argmax(g))  # ties: the smallest concession
        row = mix_row[t, c, lv]
        now = g[eq.offer[t, c, lv]] if row < 0 else float(mix_p[row] @ g)
        out.append((float((g[best] - now) * eq.discount**t / total), t, c, lv, best))
    return out


def regret(game: TimeGame, eq: TimeEquilibrium) -> float:
    """The proposer's largest ex-ante gain (per unit of weight) from a one-shot deviation
    in a state the equilibrium path reaches (module docstring).

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

    """
    order = np.argsort(eq.rank)
    tv = np.ascontiguousarray(eq.target_value[..., order])
    pay = np.ascontiguousarray(eq.proposer_pay[..., order])
    found = deviations(kernel_args(game, eq), eq, eq.strategy(), tv, pay, float(game.mass.sum()))
    return float(max((d[0] for d in found), default=0.0))
