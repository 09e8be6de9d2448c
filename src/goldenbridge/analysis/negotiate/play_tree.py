"""The talks after an offer or after nothing, as weights per type of the target
(docs/dynamics.md, section "Vetoes"; the branches of
:mod:`~goldenbridge.analysis.negotiate.continuation`, whose module docstring says what they
are).

The proposer's equilibrium offers are followed from a round and a state on -- each offer of
a mixed state with its probability, blocked where the vetoes block it -- and each type of
the target plays its best reply (accept, exit or wait), as
:func:`~goldenbridge.analysis.negotiate.timegame.play` plays it. What comes out is, per
type, the discounted weight of a deal at each offer, of a war (and of a war times its
round) and of standing down: a veto's continuation value is linear in these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.timegame import TimeEquilibrium, TimeGame, _args

__all__ = [
    "STATE_SHARE",
    "Branch",
    "Reached",
    "approval_rows",
    "branch",
    "branches",
    "reached_states",
    "tree_nodes",
]


@dataclass(frozen=True)
class Branch:
    """What the types do from round ``t`` on when ``first`` is offered in round ``t``
    (``-1``: nothing) and the talks go on as the equilibrium says; weights discounted to
    round ``t``, per unit of the type's weight still in the talks.

    Attributes (G offers, K types)
    ----------
    deal : (G, K) float64
        Discounted weight of a deal at each offer.
    war, war_round : (K,) float64
        Discounted weight of a war, and the same times the war's round.
    stand : (K,) float64
        Discounted weight of standing down.
    made : (M,) int64 or None
        The offers (rows of ``deal``) a deal can be at, ascending: every other row is 0
        (None: any row).
    """

    t: int
    deal: np.ndarray
    war: np.ndarray
    war_round: np.ndarray
    stand: np.ndarray
    made: np.ndarray | None = None


#: A state of a round reached in several gets a row of approvals of its own when it is
#: reached with at least this share of the round's weight (the rest: the round's row).
STATE_SHARE = 0.01

#: The states a round is reached in: ``((c, l), alive)`` per state, ``alive`` (K,) the
#: types' weights still in the talks there (docs: :func:`reached_states`).
Reached = list[tuple[tuple[int, int], np.ndarray]]


def _replies(game: TimeGame, eq: TimeEquilibrium, r: int, c: int, lv: int, j: int) -> tuple:
    """The types' best replies in round ``r`` in state ``(c, lv)`` to offer ``j`` (-1:
    nothing), as :func:`~goldenbridge.analysis.negotiate.timegame.play` plays them:
    ``(take, leave, wait, fights, (c', l'))``: the masks of the types that accept, exit or
    wait, those whose exit is a war, and the proposer's state after the offer."""
    (accept, pretext_now, war, drift, pretext, mob, stand, _, _, _, _) = _args(game)
    q, levels = eq.levels, eq.offer.shape[2]
    last = r == eq.rounds - 1
    s = lv / q if q > 0 else 0.0
    if j < 0:
        cp, lp = c, min(lv + q, levels - 1)
        now, acc = game.pretext_none, np.full(game.types, -np.inf)
    else:
        cp, lp = int(eq.cutoff[r, c, lv, j]), min(lv + int(eq.inc[j]), levels - 1)
        now, acc = pretext_now[:, j], accept[:, j]
    f = war + drift * r + pretext * s + now
    e = np.maximum(f, stand)
    nv = eq.target_value[r + 1, cp, lp]
    h, delta = eq.hazard, eq.discount
    w = np.full(game.types, -np.inf) if last else -mob + h * f + (1 - h) * delta * nv
    take = (acc >= e) & (acc >= w)
    leave = ~take & (e >= w)
    return take, leave, ~take & ~leave, f > stand, (cp, lp)


def _replies_in(memo: dict, game: TimeGame, eq: TimeEquilibrium, r, c, lv, j) -> tuple:
    """:func:`_replies` as the weights :func:`_move` multiplies, each (round, state, offer)
    computed once (``memo["replies"]``): ``(deal, war, stand, wait, after)``, per type 1
    where it accepts, 1 where it exits to war and ``h`` where it waits (the hazard), 1
    where it stands down, ``1 - h`` where it waits; ``after`` the proposer's next state.
    (Exactly :func:`_replies`' masks times the weights: the masks are exclusive.)"""
    done = memo.setdefault("replies", {})
    key = (r, c, lv, j)
    if key not in done:
        take, leave, wait, fights, after = _replies(game, eq, r, c, lv, j)
        h = eq.hazard
        war = np.where(leave & fights, 1.0, np.where(wait, h, 0.0))
        rest = np.where(wait, 1 - h, 0.0)
        done[key] = (take * 1.0, war, (leave & ~fights) * 1.0, rest, after)
    return done[key]


def reached_states(game: TimeGame, eq: TimeEquilibrium, blocks: bool = False) -> list[Reached]:
    """Per round, the states the proposer's (possibly mixed) equilibrium offers reach when
    every offer is made, with each type's weight there: the probability of the offers
    that lead there times 1 if the type waited in every earlier round along them (Bayes'
    rule on the path; the hazard's survival is the same for every type and left out). A
    type that left cannot be there, even where the proposer's state still counts it
    (docs/dynamics.md, modelling choice 6). A pure strategy reaches one state a round,
    with weights 1 or 0.

    ``blocks``: the states the talks reach, offers made or blocked: after an offer the
    game's approvals there (:meth:`~goldenbridge.analysis.negotiate.timegame.TimeGame.rows`)
    approve in some of a type's worlds, the types that waited; after a block (some of its
    worlds block it), those that waited with nothing offered; each with the same
    probability of the offers (the vetoes' decisions are not read as news about the
    target's type: exact for a veto's own decisions, which it knows)."""
    rows = game.rows(eq.rounds, np.argsort(eq.rank), eq.offer.shape[2]) if blocks else None
    approved = game.shares(eq.rounds)[0] if blocks else None
    out: list[Reached] = []
    current: dict[tuple[int, int], np.ndarray] = {(0, 0): np.ones(game.types)}

    def add(nxt: dict, after: tuple[int, int], go: np.ndarray) -> None:
        if np.any(go > 0):
            nxt[after] = nxt[after] + go if after in nxt else go

    for r in range(eq.rounds):
        out.append(sorted(current.items(), key=lambda kv: kv[0]))
        nxt: dict[tuple[int, int], np.ndarray] = {}
        for (c, lv), alive in out[-1]:
            for j, pj in eq.support(r, c, lv):
                share = np.ones(game.types)
                if rows is not None and approved is not None:
                    share = approved[rows[r, c, lv], :, j]
                _, _, wait, _, after = _replies(game, eq, r, c, lv, j)
                add(nxt, after, np.where(wait & (share > 0.0), alive * pj, 0.0))
                if np.any((share < 1.0) & (alive > 0)):
                    _, _, wait, _, after = _replies(game, eq, r, c, lv, -1)
                    add(nxt, after, np.where(wait & (share < 1.0), alive * pj, 0.0))
        current = nxt
    return out


def approval_rows(
    game: TimeGame, eq: TimeEquilibrium
) -> tuple[list[list[tuple[int, Reached]]], tuple]:
    """The rows of the vetoes' approvals (docs/dynamics.md, "Vetoes"): per round, ``(row,
    reached)`` for round t's own row (the states the round is reached in when every offer
    is made, together: :func:`reached_states`) and, where the proposer's mixed offers
    reach the round in several states, one row per state reached with at least
    :data:`STATE_SHARE` of the round's weight (its types' weights); and the states of the
    latter (``TimeGame.state_rows``: round, pretext level, the types the state holds).
    A state reached only after a block takes the round's row: rows for those too (their
    types those that waited with nothing offered) made the fixed point of approvals and
    offers cycle (docs/dynamics.md)."""
    t_all = eq.rounds
    reached = reached_states(game, eq)
    slots: list[list[tuple[int, Reached]]] = []
    states: list[tuple] = []
    for t in range(t_all):
        slots.append([(t, reached[t])])
        weight = [float(alive @ game.mass) for _, alive in reached[t]]
        if len(reached[t]) > 1:
            for ((c, lv), alive), m in zip(reached[t], weight, strict=True):
                if m >= STATE_SHARE * sum(weight):
                    slots[t].append((t_all + len(states), [((c, lv), alive)]))
                    states.append((t, lv, eq.rank >= c))
    return slots, tuple(states)


def _move(
    game: TimeGame,
    eq: TimeEquilibrium,
    r: int,
    state: tuple[int, int],
    o: int,
    m: np.ndarray,
    others: np.ndarray | None,
    own: dict[tuple[int, int], bool] | None,
    memo: dict,
    acc: tuple,
) -> None:
    """Add to ``acc`` (deal, war, war_round, stand) the play of the weights ``m`` (K,) of
    the types offered ``o`` (-1: nothing) in round ``r`` in ``state``: their replies, and
    for those that wait the later rounds (:func:`_unit`), discounted."""
    deal, war, war_r, stand, made = acc
    c, lv = state
    take, to_war, to_stand, to_wait, after = _replies_in(memo, game, eq, r, c, lv, o)
    if o >= 0:
        deal[o] += m * take
        made.add(o)
    wars = m * to_war
    war += wars
    war_r += r * wars
    stand += m * to_stand
    rest = m * to_wait
    if r + 1 < eq.rounds and np.any(rest > 0):
        sub, d = _unit(game, eq, r + 1, after, others, own, memo), eq.discount * rest
        if sub.made is None:
            deal += sub.deal * d
        else:  # the other rows are 0
            deal[sub.made] += sub.deal[sub.made] * d
            made.update(sub.made.tolist())
        war += sub.war * d
        war_r += sub.war_round * d
        stand += sub.stand * d


def _zeros(game: TimeGame) -> tuple:
    """Empty accumulators of a play: deal (G, K), war, war_round, stand (K,), and the set
    of offers with a deal."""
    k = game.types
    return np.zeros((game.grid, k)), np.zeros(k), np.zeros(k), np.zeros(k), set()


def _branch(t: int, acc: tuple) -> Branch:
    deal, war, war_round, stand, made = acc
    return Branch(t, deal, war, war_round, stand, np.array(sorted(made), dtype=np.int64))


def _row(memo: dict, r: int, c: int, lv: int) -> int:
    """The row of approvals (of ``others`` and ``own``) state ``(r, c, lv)`` reads:
    ``memo["rows"][r, c, lv]`` (:func:`~goldenbridge.analysis.negotiate.timegame.state_rows_map`;
    None: the round's, ``r``)."""
    rows = memo.get("rows")
    return r if rows is None else int(rows[r, c, lv])


def _unit(
    game: TimeGame,
    eq: TimeEquilibrium,
    r: int,
    state: tuple[int, int],
    others: np.ndarray | None,
    own: dict[tuple[int, int], bool] | None,
    memo: dict,
) -> Branch:
    """The play from round ``r`` in ``state`` on, the proposer making its equilibrium
    offers (each offer of a mixed state with its probability, made where the vetoes
    approve), per unit of each type's weight there and discounted to round ``r``. Every
    weight of the play is a sum of products of per-type factors, so the play of ``alive``
    types is ``alive`` times this, type by type: each state's is computed once (``memo``,
    for one ``others`` and ``own``).

    A memo with ``"shared"`` (a dict), ``"tree"`` (:func:`tree_nodes`' memo) and
    ``"refused"`` (the nodes ``own`` refuses, a frozenset) shares the plays between the
    patterns of ``own``: the play from ``(r, state)`` depends on ``own`` only at the nodes
    of its own tree, so it is kept under the refused nodes among those."""
    store: dict
    key: tuple
    shared = memo.get("shared")
    if shared is not None:
        below = memo["tree"].get(("set", r, state))
        if below is None:
            below = frozenset(_below(eq, r, *state, memo["tree"]))
            memo["tree"][("set", r, state)] = below
        store, key = shared, (r, state, memo["refused"] & below)
    else:
        store, key = memo.setdefault(r, {}), state
    if key in store:
        return store[key]
    n_types = game.types
    acc = _zeros(game)
    c, lv = state
    row = _row(memo, r, c, lv)
    moves, held = [], np.zeros(n_types)
    for o, p in eq.support(r, c, lv):
        share = np.ones(n_types) if others is None else others[row, :, o]
        if own is not None and not own.get((row, o), True):
            share = np.zeros(n_types)
        moves.append((o, p * share))
        held += p * (1 - share)
    moves.append((-1, held))  # blocked: nothing offered this round
    for o, m in moves:
        if np.any(m > 0):
            _move(game, eq, r, state, o, m, others, own, memo, acc)
    store[key] = out = _branch(r, acc)
    return out


def branch(
    game: TimeGame,
    eq: TimeEquilibrium,
    t: int,
    state: tuple[int, int],
    first: int,
    alive: np.ndarray | None = None,
    others: np.ndarray | None = None,
    own: dict[tuple[int, int], bool] | None = None,
    memo: dict | None = None,
) -> Branch:
    """The types' play from round ``t`` in ``state`` when ``first`` (-1: nothing) is
    offered, then the proposer's equilibrium offers (each offer of a mixed state with its
    probability); the target's replies are those of
    :func:`~goldenbridge.analysis.negotiate.timegame.play`.

    ``alive`` (K,): the types' weights in the talks (default: 1 for those the proposer's
    belief holds, of rank ``>= c``).
    A later offer ``o`` in round ``r`` in state ``(c, l)`` is made with probability
    ``own[(i, o)] * others[i, k, o]`` for type k (default 1: every later offer made),
    ``i`` the state's row of approvals (``memo["rows"][r, c, l]``, default ``r``);
    otherwise that round passes with nothing offered. ``memo``: the later rounds' plays
    (:func:`_unit`), shared by the calls with the same ``others`` and ``own``; the types'
    replies under ``memo["replies"]``, which any calls on the same game and strategy may
    share."""
    m = (eq.rank >= state[0]).astype(np.float64) if alive is None else alive
    acc = _zeros(game)
    _move(game, eq, t, state, first, m, others, own, {} if memo is None else memo, acc)
    return _branch(t, acc)


def branches(
    game: TimeGame,
    eq: TimeEquilibrium,
    t: int,
    reached: Reached,
    first: int,
    others: np.ndarray | None = None,
    own: dict[tuple[int, int], bool] | None = None,
    memo: dict | None = None,
) -> Branch:
    """:func:`branch` from every state round ``t`` is reached in, each with its types'
    weights, summed (the veto decides on round ``t`` and the offer, not on the state)."""
    memo = {} if memo is None else memo
    parts = [
        branch(game, eq, t, state, first, alive, others, own, memo) for state, alive in reached
    ]
    if len(parts) == 1:
        return parts[0]
    k = game.types  # no state (no type reaches round t): every weight 0

    def total(name: str, shape: tuple) -> np.ndarray:
        return sum((getattr(b, name) for b in parts), np.zeros(shape))

    return Branch(
        t,
        total("deal", (game.grid, k)),
        total("war", (k,)),
        total("war_round", (k,)),
        total("stand", (k,)),
    )


def _after(eq: TimeEquilibrium, r: int, c: int, lv: int, j: int) -> tuple[int, int]:
    """The proposer's state after offer ``j`` (-1: nothing) in round ``r`` in ``(c, lv)``."""
    levels = eq.offer.shape[2]
    if j < 0:
        return c, min(lv + eq.levels, levels - 1)
    return int(eq.cutoff[r, c, lv, j]), min(lv + int(eq.inc[j]), levels - 1)


def _below(eq: TimeEquilibrium, r: int, c: int, lv: int, memo: dict) -> tuple:
    """The nodes (row of approvals, offer) of the tree of made and blocked rounds from
    round ``r`` in state ``(c, lv)`` on (the row: :func:`_row`), in the order a
    depth-first walk meets them (``memo``: per state, and ``"rows"``)."""
    if r == eq.rounds:
        return ()
    if (r, c, lv) not in memo:
        js = [o for o, _ in eq.support(r, c, lv)]
        row = _row(memo, r, c, lv)
        out = [(row, o) for o in js]
        for j in [*js, -1]:  # each offer made, then blocked
            out.extend(_below(eq, r + 1, *_after(eq, r, c, lv, j), memo))
        memo[(r, c, lv)] = tuple(dict.fromkeys(out))
    return memo[(r, c, lv)]


def tree_nodes(
    eq: TimeEquilibrium, t: int, state: tuple[int, int], first: int, memo: dict | None = None
) -> tuple[tuple[int, int], ...]:
    """Every (row of approvals, offer) of the tree of made and blocked rounds after
    ``first`` in round ``t`` (the later offers a veto may decide on; every offer of a
    mixed state), in the order a depth-first walk meets them. ``memo``: each later
    state's nodes, for any calls on the same strategy (the tree grows as the offers per
    state to the rounds), and ``memo["rows"]`` (:func:`_below`)."""
    return _below(eq, t + 1, *_after(eq, t, *state, first), {} if memo is None else memo)
