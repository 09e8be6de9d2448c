"""The talks game with strategic time, on arrays: types, offers on a grid, rounds.

This is the array-level core of :func:`goldenbridge.analysis.negotiate.dynamics.negotiate`
(docs/design.md section 6, "dynamics"; docs/dynamics.md). It never sees a scenario.

The game
--------
Offers are grid indices ``j = 0 .. G-1`` on a concession path; the target is one of
``K`` types (aggregates of sampled worlds) known to itself, not to the proposer. Payoffs
are gains over a reference that does not move in time (the builder uses each world's
one-shot no-offer outcome, as bargaining with a disagreement point does), so that
discounting shrinks gains, not levels. In round ``t = 0 .. T-1`` the proposer offers
``j``; the target

- accepts: ``accept[k, j]`` (``-inf`` where ``j`` offers nothing: no accept option);
- exits: stands down (``stand[k]``) or fights, ``F = war[k] + t drift[k] + pretext[k] S +
  pretext_now[k, j]`` (fights iff ``F > stand[k]``; ties stand down, as in 4c), with ``S`` the
  pretext accumulated by the earlier rounds, each adding ``unsaved[j]`` (Fearon 1995's
  commitment problem for the drift; the pretext of docs/design.md 4c, round by round);
- waits (not in the last round): pays ``mobilisation[k]`` (Slantchev 2005), war breaks out
  anyway with probability ``h`` (worth ``F`` to it), else the game goes on, discounted by
  ``delta``.

In the last round the one-shot rule applies: accept, stand down or fight; the last
round's pretext is counted once (in ``F``), not again. With ``T = 1`` this is the one-shot
model of 4c. Ties: accept, then exit, then wait.

``S`` is kept on levels of ``1 / q``: each offer adds ``inc[j] = round(q unsaved[j])``
levels (``q = 0``: no accumulation). The proposer's payoffs are weighted sums over each
type's worlds: ``deal[k, j]`` (a deal, or the outcome of a veto blocking it),
``war_p[k] + t drift_p[k]`` (a war in round t), ``stand_p[k]`` (the target stands down).

Equilibrium (a skimming perfect Bayesian equilibrium; Fudenberg & Tirole 1991, ch. 10;
Fudenberg, Levine & Tirole 1985). Types are ordered (by threshold on the path, then by
their war value); the proposer's state in round ``t`` is ``(c, l)``: the ``c`` lowest types
are gone and the pretext level is ``l``. After offer ``j`` the cutoff ``c'`` is a fixed point:
type ``c' - 1`` accepts given the equilibrium continuation from ``(t + 1, c', l')`` and type
``c'`` does not (largest consistent cutoff first; if none is consistent, the one with the
smallest violation). A type exits (attacks or stands down) when that beats its alternative,
wherever it lies in the order. Each type's continuation value is its optimal stopping
value along the proposer's equilibrium path from the next state (the proposer's path does
not depend on which type deviates: it sees only rejections). Backward induction over
``(t, c, l)`` gives the proposer's offer in every state.

Checks the result carries: ``gap[t, c, l, j]``, the most any type could gain by switching
between accepting and not at the chosen cutoff (0: every type plays a best reply; > 0:
single crossing fails there, e.g. a drift in ``p_win`` reordering the types); and on the
played path, ``exited_above`` -- the weight of types that exited while the proposer's state
still counts them (its later offers are then optimised over a belief that still holds
them, an approximation; :mod:`goldenbridge.analysis.negotiate.direct` solves small games
exactly with the set of remaining types as the state).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.kernels import _backward, _reply
from goldenbridge.scenario.errors import InputError

__all__ = [
    "TimeGame",
    "TimeEquilibrium",
    "Play",
    "solve",
    "play",
    "state_rows_map",
    "WAIT",
    "ACCEPT",
    "ATTACK",
]

#: Per-round action codes (``STAND``: the target stands down with nothing; ``DONE``: the
#: game already ended for that type).
WAIT, ACCEPT, ATTACK, DONE, STAND = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class TimeGame:
    """The types and payoffs of the talks game (K types, G offers).

    Attributes
    ----------
    accept : (K, G) float64
        The type's gain from accepting offer j over standing down (``-inf``: not offered).
    pretext_now : (K, G) float64
        The pretext this round's refusal of j adds to its war value.
    unsaved : (G,) float64
        The share of face offer j leaves unsaved, as it accumulates (population mean).
    war, drift, pretext, mobilisation, stand : (K,) float64
        War value in round 0 before any pretext; its change per round; the pretext per
        unit of accumulated unsaved share; the cost of a round waited; the value of
        standing down.
    mass : (K,) float64
        Weight of the type's worlds.
    deal : (K, G) float64
        Proposer: weighted sum of its gain when the type accepts j (a veto's block
        included).
    war_p, drift_p, stand_p : (K,) float64
        Proposer: weighted sums of its gain from a war in round 0, its change per round,
        and of its gain when the target stands down.
    deal_mass, block_war : (K, G) float64
        Weight of the type's worlds where a deal at j is signed / is blocked and ends in war
        (``block_war``: read only by :mod:`~goldenbridge.analysis.negotiate.direct`).
    approved : (T + S, K, G) float64, optional
        Share of the type's weight whose vetoes approve offer j: row t < T in round t
        (default ``deal_mass / mass`` in every round), row T + i in the state of
        ``state_rows[i]`` (:meth:`rows`). A blocked offer is never made: the round
        passes with nothing offered (the target exits or waits, with the pretext of an
        empty offer) and the proposer continues from the state that follows.
    deal_rounds : (T + S, K, G) float64, optional
        Proposer: weighted sum of its gain over the worlds of the type that approve j,
        row by row as ``approved`` (default ``deal`` in every round).
    state_rows : tuple of (t, l, members)
        The states with approvals of their own (rows ``T ..`` of ``approved``): round t,
        pretext level l, and the types the proposer's state holds (``members`` (K,)
        bool). Every other state of round t takes row t.
    """

    accept: np.ndarray
    pretext_now: np.ndarray
    unsaved: np.ndarray
    war: np.ndarray
    drift: np.ndarray
    pretext: np.ndarray
    mobilisation: np.ndarray
    stand: np.ndarray
    mass: np.ndarray
    deal: np.ndarray
    war_p: np.ndarray
    drift_p: np.ndarray
    stand_p: np.ndarray
    deal_mass: np.ndarray
    block_war: np.ndarray
    approved: np.ndarray | None = None
    deal_rounds: np.ndarray | None = None
    state_rows: tuple = ()

    def shares(self, rounds: int) -> tuple[np.ndarray, np.ndarray]:
        """(T + S, K, G) approved shares and the proposer's deal sums: the first ``rounds``
        rounds' rows, then the states' (``state_rows``)."""
        if self.approved is not None and self.deal_rounds is not None:
            given = self.approved.shape[0] - len(self.state_rows)
            if given < rounds:
                raise InputError(f"approvals are given for {given} rounds")
            keep = np.r_[0:rounds, given : self.approved.shape[0]]
            return (
                np.ascontiguousarray(self.approved[keep], dtype=np.float64),
                np.ascontiguousarray(self.deal_rounds[keep], dtype=np.float64),
            )
        safe = np.where(self.mass > 0, self.mass, 1.0)[:, None]
        share = np.where(self.mass[:, None] > 0, self.deal_mass / safe, 1.0)
        shape = (rounds, *share.shape)
        return (
            np.ascontiguousarray(np.broadcast_to(share, shape), dtype=np.float64),
            np.ascontiguousarray(np.broadcast_to(self.deal, shape), dtype=np.float64),
        )

    def rows(self, rounds: int, order: np.ndarray, levels: int) -> np.ndarray:
        """(T, K + 1, L) int64: the row of :meth:`shares` that state ``(t, c, l)`` reads,
        the types in ``order`` (:func:`state_rows_map`)."""
        return state_rows_map(self.state_rows, rounds, self.types, order, levels)

    @property
    def pretext_none(self) -> np.ndarray:
        """(K,) the pretext an empty round adds (the unsaved share is 1)."""
        return np.asarray(self.pretext, dtype=np.float64)

    @property
    def types(self) -> int:
        """Number of types K."""
        return int(self.mass.shape[0])

    @property
    def grid(self) -> int:
        """Number of offers G."""
        return int(self.accept.shape[1])


@dataclass(frozen=True)
class TimeEquilibrium:
    """The proposer's strategy in every state, and the cutoffs.

    Attributes
    ----------
    offer : (T, K + 1, L) int64
        The offer in round t, state (c, l).
    cutoff : (T, K + 1, L, G) int64
        The cutoff after offer j in state (t, c, l).
    gap : (T, K + 1, L, G) float64
        The most any type gains by its best reply over the action the cutoff assigns it.
    value : (T, K + 1, L) float64
        The proposer's gain (weighted sum over types ``>= c``) from the state on.
    target_value : (T + 1, K + 1, L, K) float64
        Each type's value of the state (round t, before its offer), best-replying to the
        proposer's strategy and the vetoes' approvals (0 after the last round).
    proposer_pay : (T + 1, K + 1, L, K) float64
        The proposer's payoff from each type from the state on (a weighted sum over the
        type's worlds, its share of the weight still in the talks being 1).
    rank : (K,) int64
        Each type's place in the order of the proposer's belief: in state ``c`` the types
        of rank ``< c`` are gone.
    inc : (G,) int64
        Pretext levels each offer adds.
    rounds, discount, hazard, levels
    inc_none : int
        Pretext levels a blocked round adds (nothing offered).
    mix_row, mix_p : optional
        A mixed strategy: in state ``(t, c, l)`` with ``mix_row[t, c, l] = m >= 0`` the
        proposer offers j with probability ``mix_p[m, j]`` (``offer`` holds the likeliest);
        elsewhere ``offer`` (:mod:`~goldenbridge.analysis.negotiate.fictitious`).
    """

    offer: np.ndarray
    cutoff: np.ndarray
    gap: np.ndarray
    value: np.ndarray
    target_value: np.ndarray
    proposer_pay: np.ndarray
    rank: np.ndarray
    inc: np.ndarray
    rounds: int
    discount: float
    hazard: float
    levels: int
    inc_none: int = 0
    mix_row: np.ndarray | None = None
    mix_p: np.ndarray | None = None

    @property
    def path(self) -> np.ndarray:
        """The equilibrium offers from the start, one per round, every offer made (the
        likeliest where the proposer mixes)."""
        out = np.empty(self.rounds, dtype=np.int64)
        c = lv = 0
        for t in range(self.rounds):
            out[t] = j = int(self.offer[t, c, lv])
            c, lv = (
                int(self.cutoff[t, c, lv, j]),
                min(lv + int(self.inc[j]), self.offer.shape[2] - 1),
            )
        return out

    def support(self, t: int, c: int, lv: int) -> list[tuple[int, float]]:
        """The offers made in state ``(t, c, lv)`` and their probabilities, the likeliest
        first (ties: the smaller offer)."""
        if self.mix_row is None or self.mix_p is None or self.mix_row[t, c, lv] < 0:
            return [(int(self.offer[t, c, lv]), 1.0)]
        p = self.mix_p[self.mix_row[t, c, lv]]
        return sorted(
            ((int(j), float(p[j])) for j in np.flatnonzero(p > 0)), key=lambda x: (-x[1], x[0])
        )

    def strategy(self) -> tuple[np.ndarray, np.ndarray]:
        """``(mix_row, mix_p)`` for the kernels (every row -1 for a pure strategy)."""
        if self.mix_row is not None and self.mix_p is not None:
            return self.mix_row, self.mix_p
        return np.full(self.offer.shape, -1, dtype=np.int64), np.zeros((0, self.cutoff.shape[3]))


def state_rows_map(
    state_rows: tuple, rounds: int, types: int, order: np.ndarray, levels: int
) -> np.ndarray:
    """(T, K + 1, L) int64: the row of approvals that state ``(t, c, l)`` reads, the types
    in ``order`` (state ``c`` holds the types ``order[c:]``): ``T + i`` where
    ``state_rows[i] = (t, l, members)`` holds exactly those types, else the round's row
    ``t`` (a state's members under another order of the types may be no state at all)."""
    out = np.empty((rounds, types + 1, levels), dtype=np.int64)
    out[...] = np.arange(rounds)[:, None, None]
    for i, (t, lv, members) in enumerate(state_rows):
        c = types - int(np.count_nonzero(members))
        if t < rounds and lv < levels and np.all(members[order[c:]]):
            out[t, c, lv] = rounds + i
    return out


def _check(game: TimeGame, rounds: int, discount: float, hazard: float) -> None:
    if rounds < 1:
        raise InputError("rounds must be >= 1")
    if not 0 < discount <= 1:
        raise InputError("discount must be in (0, 1]")
    if not 0 <= hazard < 1:
        raise InputError("hazard must be in [0, 1)")
    if game.types < 1:
        raise InputError("the game needs at least one type")


def _args(game: TimeGame) -> tuple:
    c = np.ascontiguousarray
    return (
        c(game.accept, dtype=np.float64),
        c(game.pretext_now, dtype=np.float64),
        c(game.war, dtype=np.float64),
        c(game.drift, dtype=np.float64),
        c(game.pretext, dtype=np.float64),
        c(game.mobilisation, dtype=np.float64),
        c(game.stand, dtype=np.float64),
        c(game.deal, dtype=np.float64),
        c(game.war_p, dtype=np.float64),
        c(game.drift_p, dtype=np.float64),
        c(game.stand_p, dtype=np.float64),
    )


def solve(
    game: TimeGame,
    rounds: int,
    discount: float,
    hazard: float,
    levels_per_unit: int = 4,
    order: np.ndarray | None = None,
) -> TimeEquilibrium:
    """The proposer's skimming equilibrium by backward induction (module docstring).

    Parameters
    ----------
    game : TimeGame
    rounds : int
        T >= 1.
    discount : float
        delta in (0, 1].
    hazard : float
        h in [0, 1): the chance a round of waiting ends in war anyway.
    levels_per_unit : int
        q: accumulated pretext is kept in steps of ``1 / q`` (0: it does not accumulate).
    order : (K,) int64, optional
        The types in the order of the proposer's belief (its state ``c``: the first ``c``
        of them are gone); default their index order.
        :func:`~goldenbridge.analysis.negotiate.ordering.solve_ordered` finds an order
        consistent with the equilibrium.

    Examples
    --------
    One type that accepts offer 1 (gain .2) and would otherwise stand down; the proposer
    earns .5 from a deal at 0 and .3 at 1. One round: offer 1.

    >>> g = TimeGame(accept=np.array([[-0.1, 0.2]]), pretext_now=np.zeros((1, 2)),
    ...     unsaved=np.array([1.0, 0.0]), war=np.array([-0.5]), drift=np.zeros(1),
    ...     pretext=np.zeros(1), mobilisation=np.zeros(1), stand=np.zeros(1),
    ...     mass=np.ones(1), deal=np.array([[0.5, 0.3]]), war_p=np.array([-0.4]),
    ...     drift_p=np.zeros(1), stand_p=np.zeros(1), deal_mass=np.ones((1, 2)),
    ...     block_war=np.zeros((1, 2)))
    >>> int(solve(g, 1, 1.0, 0.0).path[0])
    1
    """
    _check(game, rounds, discount, hazard)
    order = np.arange(game.types) if order is None else np.asarray(order, dtype=np.int64)
    if sorted(order.tolist()) != list(range(game.types)):
        raise InputError("order must be a permutation of the types")
    args, inc, inc_none, q, levels = _prepared(game, rounds, levels_per_unit, order)
    offer, cutoff, gap, value, tv, pay = _backward(  # type: ignore[call-arg]
        *args, inc, inc_none, q, levels, int(rounds), float(discount), float(hazard)
    )
    back = np.argsort(order)
    return TimeEquilibrium(
        offer=offer,
        cutoff=cutoff,
        gap=gap,
        value=value,
        target_value=np.ascontiguousarray(tv[..., back]),
        proposer_pay=np.ascontiguousarray(pay[..., back]),
        rank=back,
        inc=inc,
        rounds=int(rounds),
        discount=float(discount),
        hazard=float(hazard),
        levels=q,
        inc_none=inc_none,
    )


def _prepared(game: TimeGame, rounds: int, levels_per_unit: int, order: np.ndarray) -> tuple:
    """The kernels' arguments with the types in ``order`` (``_backward``'s up to the
    pretext levels), the levels each offer and a blocked round add, q and the number of
    levels."""
    q = int(levels_per_unit)
    inc = np.rint(q * np.asarray(game.unsaved, dtype=np.float64)).astype(np.int64)
    if q <= 0 or not np.any(game.pretext > 0):
        q, inc = 0, np.zeros(game.grid, dtype=np.int64)
    approved, deal_rounds = game.shares(rounds)
    blocks = bool(np.any(approved < 1.0))
    inc_none = q if blocks else 0  # a blocked round adds a full unit of pretext
    levels = max(int(inc.max()), inc_none) * (rounds - 1) + 1
    args = (
        *(np.ascontiguousarray(a[order]) for a in _args(game)),
        np.ascontiguousarray(approved[:, order]),
        np.ascontiguousarray(deal_rounds[:, order]),
        np.ascontiguousarray(game.pretext_none[order]),
        game.rows(rounds, order, levels),
    )
    return args, inc, inc_none, q, levels


@dataclass(frozen=True)
class Play:
    """What each type does round by round when ``offers`` are made.

    Attributes
    ----------
    offers : (R,) int64
    action : (R, K) int8
        WAIT / ACCEPT / ATTACK / STAND / DONE.
    p_deal, p_war, p_stand : (R,) float64
        Cumulative shares of the weight (deal signed, war, stood down) by the end of each
        round; after the last round the rest stands down or fights (the one-shot rule).
    war_at_once, war_attack, war_hazard, war_blocked : float
        Where the wars come from: attacks in the first round, later attacks, the hazard,
        deals blocked by a veto in worlds that then fight.
    proposer_gain : float
        The proposer's discounted gain over its status quo (weighted sum / total weight).
    gap : float
        The most a type gains on the path by its best reply over the action the proposer's
        belief assigns it (waiting below the cutoff, accepting above it; 0: the belief is
        right about every type that accepts or waits).
    misjudged : float
        Weight share of the worlds whose type the proposer's belief after the round gets
        wrong (it waits below the cutoff, or accepts or leaves above it), summed over the
        rounds but the last (0: Bayes' rule holds on the path).
    mixes : tuple
        Round by round, the offers made and the share of the weight still in the talks
        that each is made to (one offer with share 1 where the proposer does not mix;
        blocked offers included).
    """

    offers: np.ndarray
    action: np.ndarray
    p_deal: np.ndarray
    p_war: np.ndarray
    p_stand: np.ndarray
    war_at_once: float
    war_attack: float
    war_hazard: float
    war_blocked: float
    proposer_gain: float
    gap: float
    misjudged: float
    mixes: tuple = ()


def play(
    game: TimeGame,
    eq: TimeEquilibrium,
    offers: Sequence[int] | None = None,
    vetoes: bool = True,
) -> Play:
    """Each type's equilibrium actions for any sequence of offers (default: the
    equilibrium's), and the odds they add up to.

    Off the equilibrium path the target still expects the proposer's equilibrium
    continuation from the state it reaches. With fewer offers than rounds, the types
    still waiting after the last offer made are left waiting (their shares are not
    counted as war or peace). Where the vetoes block an offer (``game.approved``; not
    with ``vetoes=False``, for offers known to have been made) the round passes with
    nothing offered and the proposer continues from the state that follows (the next
    offer of ``offers``, or of its equilibrium from that state): the worlds then follow
    several branches, merged by state; ``action`` is the branch in which every offer is
    made.
    """
    explicit = offers is not None
    offers = [int(j) for j in (eq.path if offers is None else offers)]
    if len(offers) > eq.rounds:
        raise InputError(f"at most {eq.rounds} rounds of offers")
    if any(not 0 <= j < game.grid for j in offers):
        raise InputError(f"offers are grid indices in 0..{game.grid - 1}")
    args = _args(game)
    (accept, pretext_now, war, drift, pretext, mob, stand, deal, war_p, drift_p, stand_p) = args
    approved, deal_rounds = game.shares(eq.rounds)
    if not vetoes:
        approved, deal_rounds = np.ones_like(approved), np.broadcast_to(deal, approved.shape)
    pre_none = game.pretext_none
    n_types, q, h, delta = game.types, eq.levels, eq.hazard, eq.discount
    levels = eq.offer.shape[2]
    rows = game.rows(eq.rounds, np.argsort(eq.rank), levels)
    total = float(game.mass.sum())
    action = np.full((len(offers), n_types), DONE, dtype=np.int8)
    deal_by, war_by, stand_by = [], [], []
    acc = {"deal": 0.0, "war": 0.0, "stand": 0.0, "once": 0.0, "later": 0.0, "hazard": 0.0}
    acc.update({"blocked": 0.0, "gain": 0.0, "worst": 0.0, "misjudged": 0.0})
    branches: dict[tuple[int, int], np.ndarray] = {(0, 0): np.ones(n_types)}
    main = (0, 0)
    disc = 1.0

    def replies(t, alive, weight, j, cut, s, now, nxt_value, blocked, r=0):
        """The best reply (``_reply``) in round t of the types' ``weight`` (of the type's
        worlds; ``alive`` before the vetoes) to offer j (-1: nothing), the proposer's
        belief after it the cutoff ``cut``, ``r`` the state's row of approvals; the odds
        and the proposer's gain accumulate.
        Returns the actions and the waiters."""
        last = t == eq.rounds - 1
        acts = np.full(n_types, DONE, dtype=np.int8)
        go = np.zeros(n_types)
        for k in range(n_types):
            if weight[k] <= 0:
                continue
            f = war[k] + drift[k] * t + pretext[k] * s + now[k]
            wp = war_p[k] + drift_p[k] * t
            a = accept[k, j] if j >= 0 else -np.inf
            act, v, alt, got = _reply(  # type: ignore[call-arg]
                a, f, stand[k], wp, stand_p[k], mob[k], last, nxt_value[k], 0.0, delta, h
            )
            m = weight[k] * game.mass[k]
            # the belief after it is wrong (a type that leaves wanting no offer on the path
            # changes none of the proposer's choices: not counted)
            wrong = (eq.rank[k] < cut) == (act == WAIT)
            if not last and wrong and (act != ATTACK and act != STAND or accept[k].max() >= v):
                acc["misjudged"] += m
                if act in (WAIT, ACCEPT):
                    acc["worst"] = max(acc["worst"], v - alt)
            if act == ACCEPT:
                acc["deal"] += m
                acc["gain"] += disc * alive[k] * deal_rounds[r, k, j]
            elif act == WAIT:
                acc["war"] += h * m
                acc["hazard"] += h * m
                acc["blocked"] += h * m if blocked else 0.0
                acc["gain"] += disc * weight[k] * h * wp
                go[k] = weight[k] * (1 - h)
            elif act == ATTACK:
                acc["war"] += m
                acc["once" if t == 0 else "later"] += m
                acc["blocked"] += m if blocked else 0.0
                acc["gain"] += disc * weight[k] * wp
            else:
                acc["stand"] += m
                acc["gain"] += disc * weight[k] * stand_p[k]
            acts[k] = act
        return acts, go

    mixes, path = [], []
    for t in range(len(offers)):
        nxt: dict[tuple[int, int], np.ndarray] = {}
        new_main = main
        made_by: dict[int, float] = {}
        for (c, lv), reaching in sorted(branches.items()):
            if not np.any(reaching > 0):
                continue
            s = lv / q if q > 0 else 0.0
            t1 = min(t + 1, eq.rounds)
            support = [(offers[t], 1.0)] if explicit else eq.support(t, c, lv)
            for rank_j, (j, pj) in enumerate(support):
                alive = reaching * pj
                made_by[j] = made_by.get(j, 0.0) + float(alive @ game.mass)
                r = int(rows[t, c, lv])
                share = approved[r, :, j]
                # the offer is made (share of each type's worlds)
                cp = int(eq.cutoff[t, c, lv, j])
                lp = min(lv + int(eq.inc[j]), levels - 1)
                made = alive * share
                nv = eq.target_value[t1, cp, lp]
                acts, go = replies(t, alive, made, j, cp, s, pretext_now[:, j], nv, False, r)
                if (c, lv) == main and rank_j == 0:
                    action[t] = acts
                    new_main = (cp, lp)
                    path.append(j)
                if np.any(go > 0):
                    nxt[(cp, lp)] = nxt.get((cp, lp), np.zeros(n_types)) + go
                # the offer is blocked: nothing is offered this round
                held = alive * (1 - share)
                if not np.any(held > 0):
                    continue
                le = min(lv + eq.inc_none, levels - 1)
                _, go = replies(t, held, held, -1, c, s, pre_none, eq.target_value[t1, c, le], True)
                if np.any(go > 0):
                    nxt[(c, le)] = nxt.get((c, le), np.zeros(n_types)) + go
        weight = sum(made_by.values())
        mixes.append(tuple((j, m / weight) for j, m in sorted(made_by.items()) if m > 0))
        deal_by.append(acc["deal"] / total)
        war_by.append(acc["war"] / total)
        stand_by.append(acc["stand"] / total)
        branches, main, disc = nxt, new_main, disc * delta
    return Play(
        offers=np.asarray(offers if explicit else path + offers[len(path) :], dtype=np.int64),
        action=action,
        p_deal=np.array(deal_by),
        p_war=np.array(war_by),
        p_stand=np.array(stand_by),
        war_at_once=acc["once"] / total,
        war_attack=acc["later"] / total,
        war_hazard=acc["hazard"] / total,
        war_blocked=acc["blocked"] / total,
        proposer_gain=acc["gain"] / total,
        gap=acc["worst"],
        misjudged=acc["misjudged"] / total,
        mixes=tuple(mixes),
    )
