"""The talks game solved directly over sets of remaining types (small games).

The skimming solver of :mod:`goldenbridge.analysis.negotiate.timegame` keeps the
proposer's belief as a cutoff in a fixed order of the types, which is exact where single
crossing holds and no type leaves the talks out of order. This module solves the same
game (same payoffs, timing and ties) with the *set* of types still waiting as the
proposer's state: after offer ``j`` the set ``R'`` of waiters is a fixed point -- every
type in ``R'`` strictly prefers waiting, given the equilibrium continuation from ``(t + 1,
R')``, to accepting or exiting, and every other type does not -- found by enumerating the
subsets of the remaining types (the fewest waiters first; among equally many, the
highest types). Where none is consistent it takes the one with the smallest violation
and reports it; every type's payoff is then its best reply (as in the skimming
solver). Backward induction over (round, set, pretext level) is exponential in the
number of types: it is for small games (``K <= 10``), as the oracle the skimming solver
is tested against, and for small populations solved per world. It has no vetoes: a game
whose offers vetoes may block (``TimeGame.approved`` below 1, where a blocked round passes
with nothing offered) is refused.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

from goldenbridge.analysis.negotiate.kernels import _along
from goldenbridge.analysis.negotiate.timegame import TimeGame, _args
from goldenbridge.scenario.errors import InputError

__all__ = ["DirectSolution", "solve_direct", "MAX_TYPES"]

#: Most types the direct solver accepts.
MAX_TYPES = 10


@dataclass(frozen=True)
class DirectSolution:
    """The proposer's equilibrium path and value from the start.

    Attributes
    ----------
    path : (T,) int64
        The equilibrium offers.
    waiting : tuple of frozenset
        The set of types still waiting after each round.
    value : float
        The proposer's gain (weighted sum over the types).
    gap : float
        The largest incentive violation on the path (0: exact).
    """

    path: np.ndarray
    waiting: tuple[frozenset[int], ...]
    value: float
    gap: float


def solve_direct(
    game: TimeGame, rounds: int, discount: float, hazard: float, levels_per_unit: int = 4
) -> DirectSolution:
    """Backward induction over (round, set of waiting types, pretext level).

    Parameters are those of :func:`goldenbridge.analysis.negotiate.timegame.solve`.
    """
    k_types = game.types
    if k_types > MAX_TYPES:
        raise InputError(f"the direct solver takes at most {MAX_TYPES} types (got {k_types})")
    if np.any(game.shares(rounds)[0] < 1.0):
        raise InputError("the direct solver has no vetoes: every offer must be approved")
    args = _args(game)
    accept, pretext_now, war, drift, pretext, mob, stand = args[:7]
    deal, war_p, drift_p, stand_p = args[7:]
    q = int(levels_per_unit)
    inc = np.rint(q * np.asarray(game.unsaved)).astype(np.int64)
    if q <= 0 or not np.any(game.pretext > 0):
        q, inc = 0, np.zeros(game.grid, dtype=np.int64)
    h, delta, g = float(hazard), float(discount), game.grid

    def along(path: tuple[int, ...], t0: int, level: int) -> tuple[np.ndarray, np.ndarray]:
        full = np.full(rounds, -1, dtype=np.int64)
        full[t0:] = path
        v, p, first = np.zeros(k_types), np.zeros(k_types), np.zeros(k_types, dtype=np.int64)
        _along(*args, inc, q, rounds, delta, h, full, t0, level, v, p, first)  # type: ignore[call-arg]
        return v, p

    @cache
    def state(t: int, remaining: frozenset[int], level: int):
        """(value, path from t, waiting sets, gap) of the state."""
        last = t == rounds - 1
        s = level / q if q > 0 else 0.0
        best = None
        for j in range(g):
            lp = level + int(inc[j])
            members = sorted(remaining)
            options = []
            for r in range(len(members) + 1):
                for combo in itertools.combinations(members[::-1], r):
                    options.append(frozenset(combo))
            if last:
                options = [frozenset()]
            chosen, chosen_gap, chosen_next = None, np.inf, None
            for waiting in options:
                if last:
                    nxt, v_next = None, np.zeros(k_types)
                else:
                    nxt = state(t + 1, waiting, lp)
                    v_next, _ = along(nxt[1], t + 1, lp)
                viol = 0.0
                for k in members:
                    f = war[k] + drift[k] * t + pretext[k] * s + pretext_now[k, j]
                    e = max(f, stand[k])
                    w = -np.inf if last else -mob[k] + h * f + (1 - h) * delta * v_next[k]
                    if k in waiting:
                        viol = (
                            max(viol, max(accept[k, j], e) - w)
                            if w <= max(accept[k, j], e)
                            else viol
                        )
                    elif w > max(accept[k, j], e):
                        viol = max(viol, w - max(accept[k, j], e))
                if viol < chosen_gap:
                    chosen, chosen_gap, chosen_next = waiting, viol, nxt
                if viol <= 0:
                    break
            assert chosen is not None
            v_next, p_next = np.zeros(k_types), np.zeros(k_types)
            if chosen_next is not None:
                v_next, p_next = along(chosen_next[1], t + 1, lp)
            total = 0.0
            for k in members:  # each type's best reply (where the set is not consistent too)
                f = war[k] + drift[k] * t + pretext[k] * s + pretext_now[k, j]
                e = max(f, stand[k])
                pe = war_p[k] + drift_p[k] * t if f > stand[k] else stand_p[k]
                w = -np.inf if last else -mob[k] + h * f + (1 - h) * delta * v_next[k]
                if accept[k, j] >= e and accept[k, j] >= w:
                    total += deal[k, j]
                elif e >= w:
                    total += pe
                else:
                    total += h * (war_p[k] + drift_p[k] * t) + (1 - h) * delta * p_next[k]
            if best is None or total > best[0] + 1e-12 * (1 + abs(best[0])):
                path = (j,) + (chosen_next[1] if chosen_next is not None else ())
                sets = (chosen,) + (chosen_next[2] if chosen_next is not None else ())
                gap = max(chosen_gap, chosen_next[3] if chosen_next is not None else 0.0)
                best = (total, path, sets, gap)
        return best

    value, path, sets, gap = state(0, frozenset(range(k_types)), 0)
    return DirectSolution(
        path=np.array(path, dtype=np.int64), waiting=tuple(sets), value=float(value), gap=float(gap)
    )
