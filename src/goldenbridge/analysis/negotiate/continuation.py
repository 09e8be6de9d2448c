"""Each round a veto compares continuation values (docs/design.md section 6; docs/dynamics.md).

In round ``t`` of the talks, veto ``j`` approves the offer ``x_t`` iff its expected value of
the talks going on after ``x_t`` is offered is at least its expected value when nothing is
offered in round ``t``:

    E[ V_j(x_t offered in round t) - V_j(nothing in round t) | what j knows ] >= 0   (ties
    approve).

What the two branches are. The states of the game in round ``t`` are the proposer's ``(c_t,
l_t)`` (the ``c_t`` lowest types gone, pretext level ``l_t``) that the equilibrium reaches
when every offer so far was made -- one state with a pure strategy, several where the
proposer mixes (:func:`~goldenbridge.analysis.negotiate.play_tree.reached_states`, each
weighted by the probability of the offers leading there) -- and the types still in the talks
there are those that waited in every earlier round along those offers (Bayes' rule on the
path: a type that left cannot be there, even where the proposer's state still counts it;
docs/dynamics.md, modelling choice 6). Offered ``x_t``, each remaining type plays its
equilibrium reply (accept, exit or wait;
:func:`~goldenbridge.analysis.negotiate.timegame.play`) and the talks go on with the
proposer's equilibrium offers from the state that follows, each offer of a mixed state with
its probability.
With nothing offered, each type exits or waits (with the pretext of an empty round), and the
proposer goes on with its equilibrium offers from ``(t + 1, c_t, l_t + 1 unit)``: nobody
accepted, so its belief is unchanged, and the pretext clock ran for a full round. In both
branches the later rounds are played as the equilibrium says (the one-shot deviation
principle): a later offer is made where ``j`` itself approves it in that round (its own
later decisions, which it knows; they are computed first, backwards from the last round)
and the other vetoes do (with their share of approvals among the partner type's worlds);
where it is blocked that round passes with nothing offered, as above. The history of
offers is public, so a veto knows the state it is in: where the proposer's mixed offers
reach a round in several states, each state reached with at least ``STATE_SHARE`` of the
round's weight (:func:`~goldenbridge.analysis.negotiate.play_tree.approval_rows`) has
approvals of its own, the expectation over the types there (those that waited along the
offers leading there, each with the probability of the offers); the round's other
states, those reached only after a block, and every state of a round reached in one use
the round's approvals, taken over the states the round is reached in when every offer is
made (docs/dynamics.md).
Payoffs are gains over the veto's
one-shot no-offer value ``r_j`` of the pair (its war value where the target would fight
with nothing offered, else its status-quo utility), discounted by ``delta`` a round, a war
in round ``s`` worth ``W_j + s d (u_j(win) - u_j(lose))`` (the drift of ``p_win``).

What j knows (docs/design.md 4b, the pairing of the one-shot rule): its own fields, from its
world ``n``; everything else from the population -- here, the target's type from the
types still in the talks (weighted by their weight; the type decides every
move of the target), and within a type the partner's ``p_win``, drift, the threats against
``j`` and the war's outcomes, as the type's weighted means. So with the type's outcome
weights ``D`` (deals at each offer), ``Omega`` (wars in round s), ``sigma`` (standing down),

    E[V_j | theta_j] = sum_k M_k [ sum_s D_ks u_j(x_s) + sum_s Omega_ks E_k[W_j + s d slope_j]
                                    + sigma_k u_j(sq) - (D + Omega + sigma)_k E_k[r_j] ],

linear in a handful of per-world features of ``j`` (its utilities of the path's offers, of
the status quo, and of the type's mean war outcomes) times type-level sums: a matrix
product per round, O(N K G). ``E_k[p_win u_j(win)]`` is exact where the war's outcomes are
the same in every world (then it is ``E_k[p_win] u_j(win)``); otherwise ``u_j`` is taken at
the type's ``p_win``-weighted mean outcome. Where a field of ``j`` moves the target (its own
threat's credibility: the ``sincere`` flag of 4b), the partner's type is its population type,
not recomputed with ``j``'s field. A veto whose pairing needs redrawn worlds (a quantity
``known_to: all``, a threat of its own that moves ``p_win``) keeps the one-shot rule
(:func:`goldenbridge.information.pair_parts` is ``None``), and an informed veto keeps the
per-world rule ``u_j(x) >= r_j``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from goldenbridge.analysis.negotiate.building import Approvals, Built
from goldenbridge.analysis.negotiate.kernels import _type_sums, gain_signs
from goldenbridge.analysis.negotiate.play_tree import (
    Branch,
    Reached,
    approval_rows,
    branches,
    reached_states,
    tree_nodes,
)
from goldenbridge.analysis.negotiate.timegame import TimeEquilibrium, state_rows_map
from goldenbridge.analysis.negotiate.veto_features import _BLOCK, _Features, _stacks, _values
from goldenbridge.analysis.outcomes import offers_nothing
from goldenbridge.engine import Offers, utilities
from goldenbridge.engine.threads import map_threads
from goldenbridge.information import is_informed, pair_parts
from goldenbridge.population import Population

__all__ = ["continuation_approvals", "pattern_groups", "veto_gains"]


def veto_gains(
    population: Population,
    built: Built,
    grid_offers: Offers,
    actor: int,
    eq: TimeEquilibrium,
    t: int,
    reached: Reached | None = None,
    others: np.ndarray | None = None,
    own: np.ndarray | None = None,
    features: _Features | None = None,
    rows: np.ndarray | None = None,
) -> np.ndarray:
    """(N, G) veto ``actor``'s expected gain, given its own fields, from offering each grid
    offer rather than nothing in round ``t`` (module docstring), over the states round
    ``t`` is reached in (``reached``; default
    :func:`~goldenbridge.analysis.negotiate.play_tree.reached_states`).

    ``others`` (R, K, G): each type's share of worlds whose other vetoes approve offer g,
    row by row (default 1); ``own`` (R, N, G) bool: the veto's own approvals in the later
    rounds (default: every later offer approved; packed offer-major for :func:`_plan`);
    ``rows``: the row each later state reads
    (:func:`~goldenbridge.analysis.negotiate.timegame.state_rows_map`; default the
    round's, R = T). Float64 throughout (:func:`_product`)."""
    feats = features or _Features(population, built, grid_offers, actor)
    if reached is None:
        reached = reached_states(built.game, eq)[t]
    by_offer = None if own is None else np.packbits(own.transpose(0, 2, 1), axis=2)
    return _product(feats, _plan(built, grid_offers, eq, t, reached, others, by_offer, feats, rows))


@dataclass(frozen=True)
class _Plan:
    """The branches of :func:`veto_gains` as coefficients.

    Attributes
    ----------
    co : dict
        Every branch's coefficients (column b: first offer b, the last: nothing) with every
        later offer approved by j itself.
    fixes : list of (rows, b)
        The worlds whose own later decisions follow one pattern other than "approve", and
        the branch they change.
    fixed : dict
        Column i: the coefficients of branch ``fixes[i]`` under that pattern.
    """

    co: dict
    fixes: list[tuple[np.ndarray, int]]
    fixed: dict


def _memo(rows: np.ndarray | None, shared: dict | None = None) -> dict:
    """The memo of :func:`_plan`: the later rounds' plays (``"shared"``), shared by every
    first offer and every pattern of own decisions (each kept under the refused nodes of
    its own tree: play_tree._unit), and, from ``shared`` (another veto's memo) where
    given, what does not depend on the approvals: the types' replies in each state and
    each later state's nodes."""
    if shared is None:
        shared = {"replies": {}, "tree": {"rows": rows}}
    return {"replies": shared["replies"], "shared": {}, "tree": shared["tree"], "rows": rows}


def _plan(
    built: Built,
    grid_offers: Offers,
    eq: TimeEquilibrium,
    t: int,
    reached: Reached,
    others: np.ndarray | None,
    own: np.ndarray | Sequence[np.ndarray] | None,
    feats: _Features,
    rows: np.ndarray | None = None,
    common: dict | None = None,
) -> _Plan:
    """The branches of :func:`veto_gains` as coefficients: those of every world (every
    later offer approved by j itself), and the fixes of the worlds whose own later
    decisions ``own`` ((R, G, ceil(N / 8)) uint8, or R such (G, ceil(N / 8)) rows: row,
    offer, the worlds' decisions packed) differ from "approve" (their own pattern per
    branch). ``rows``: each later state's row of ``others`` and ``own``
    (:func:`~goldenbridge.analysis.negotiate.timegame.state_rows_map`; default the
    round's). ``common``: :func:`_memo`, to share the later rounds' plays with other
    plans of the same veto (its rows of the later rounds as they are now)."""
    game = built.game
    firsts = [*range(grid_offers.m), -1]
    common = _memo(rows) if common is None else common
    tree = common["tree"]
    memo: dict = {**common, "refused": frozenset()}
    plain = [branches(game, eq, t, reached, j, others, None, memo) for j in firsts]
    fixes: list[tuple[np.ndarray, int]] = []
    fixed: list[Branch] = []
    groups: dict[tuple[tuple[int, int], ...], list] = {}  # the same nodes: the same groups
    memos: dict[tuple, dict] = {}  # per pattern of own decisions
    for b, j in enumerate(firsts):
        if own is None:
            break
        nodes = tuple(
            dict.fromkeys(
                node for state, _ in reached for node in tree_nodes(eq, t, state, j, tree)
            )
        )
        if not nodes:
            continue
        if nodes not in groups:
            groups[nodes] = pattern_groups(own, nodes, feats.u.shape[0])
        for value, rows in groups[nodes]:
            pattern = {node: bool(value >> i & 1) for i, node in enumerate(nodes)}
            key = tuple(sorted(node for node, ok in pattern.items() if not ok))
            memo = memos.setdefault(key, {**common, "refused": frozenset(key)})
            fixes.append((rows, b))
            fixed.append(branches(game, eq, t, reached, j, others, pattern, memo))
    co = feats.coefficients(plain)
    none = {k: v[..., :0] for k, v in co.items()}
    return _Plan(co, fixes, feats.coefficients(fixed) if fixed else none)


def pattern_groups(
    own: np.ndarray | Sequence[np.ndarray], nodes: Sequence[tuple[int, int]], n: int
) -> list[tuple[int, np.ndarray]]:
    """The ``n`` worlds grouped by their own decisions at ``nodes`` ((round, offer) pairs
    of ``own`` (T, G, ceil(n / 8)) uint8: round, offer, each offer's decisions in the
    worlds packed by ``np.packbits``): ``(code, rows)`` per pattern other than "approve
    every node", codes ascending (bit i: node i approved; a Python int, however many the
    nodes), rows ascending."""
    said = [np.unpackbits(own[r][o], count=n).view(bool) for r, o in nodes]
    refused = np.zeros(n, dtype=bool)
    for ok in said:
        refused |= ~ok
    rows = np.flatnonzero(refused)
    if not rows.size:
        return []
    if len(nodes) < 63:  # the code itself, an int64
        code = np.zeros(rows.size, dtype=np.int64)
        for i, ok in enumerate(said):
            code |= ok[rows].astype(np.int64) << i
        values, inverse = np.unique(code, return_inverse=True)
        codes = [int(v) for v in values]
    else:  # the bits packed, little-endian
        bits = np.column_stack([ok[rows] for ok in said])
        packed = np.ascontiguousarray(np.packbits(bits, axis=1, bitorder="little"))
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        codes = [int.from_bytes(packed[i].tobytes(), "little") for i in first]
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    cuts = np.cumsum(np.bincount(inverse))[:-1]
    groups = [
        (code, rows[members]) for code, members in zip(codes, np.split(order, cuts), strict=True)
    ]
    return sorted(groups, key=lambda g: g[0])


def _distinct_columns(co: dict) -> tuple[np.ndarray, np.ndarray]:
    """The branches whose coefficients are all distinct, and each branch's index among
    them (branches with equal coefficients have equal values in every world)."""
    both = np.ascontiguousarray(
        np.vstack([co[k].reshape(-1, co[k].shape[-1]) for k in sorted(co)]).T
    )
    keys = both.view(np.dtype((np.void, both.dtype.itemsize * both.shape[1]))).reshape(-1)
    _, first, index = np.unique(keys, return_index=True, return_inverse=True)  # bit for bit
    return first, index.reshape(-1)


def _subset(co: dict, cols: np.ndarray) -> dict:
    return {k: v[..., cols] for k, v in co.items()}


def _fix_deltas(feats: _Features, plan: _Plan) -> list[tuple[np.ndarray, list, np.ndarray]]:
    """Each fix's value on its own worlds less the plain branch's value there, as
    ``(rows, branches, deltas)`` per group of worlds (the fixes with the same rows: the
    same own decisions at the same nodes, for several first offers), one product of those
    worlds' features with the difference of the coefficient columns per group."""
    by_rows: dict[int, tuple[np.ndarray, list, list]] = {}
    for i, (rows, b) in enumerate(plan.fixes):
        group = by_rows.setdefault(id(rows), (rows, [], []))
        group[1].append(b)
        group[2].append(i)
    out = []
    for rows, bs, cols in by_rows.values():
        diff = {k: plan.fixed[k][..., cols] - v[..., bs] for k, v in plan.co.items()}
        out.append((rows, bs, _values(diff, feats.block(rows))))
    return out


def _product(feats: _Features, plan: _Plan, out: np.ndarray | None = None) -> np.ndarray:
    """(N, G) the gains of :func:`veto_gains` from the plan's coefficients and fixes.

    Linear in the coefficients, a gain is one product of the worlds' features with the
    difference of the offer's branch and the branch of nothing; each distinct difference
    is computed once (branches with equal coefficients have equal values in every world,
    and an offer whose branch is the branch of nothing has a gain of exactly 0). Then
    each fix adds its value less the plain one (:func:`_fix_deltas`): to its offer's gain,
    or, for the branch of nothing, taken from every gain of those worlds. ``out``: (N, G)
    to write them into."""
    n, g = feats.u.shape
    cols, index = _distinct_columns(plan.co)
    sub = _subset(plan.co, cols)
    firsts, back = np.unique(index[:g], return_inverse=True)
    diff = {k: v[..., firsts] - v[..., index[g] : index[g] + 1] for k, v in sub.items()}
    out = np.empty((n, g)) if out is None else out
    stacks = _stacks(diff)

    def block(n0: int) -> None:
        sl = slice(n0, min(n0 + _BLOCK, n))
        # each offer's column of its distinct difference, straight into out (indices valid:
        # "clip" only spares numpy the buffered copy that "raise" makes with out=)
        np.take(
            _values(stacks, feats.block(sl)), back.reshape(-1), axis=1, out=out[sl], mode="clip"
        )

    # the blocks side by side, each on one BLAS thread: the same products whatever the
    # number of threads (a block's numbers do not depend on which thread computed it)
    with threadpool_limits(1, user_api="blas"):
        map_threads(block, range(0, n, _BLOCK))
    for rows, bs, deltas in _fix_deltas(feats, plan):
        for k, b in enumerate(bs):
            if b < g:
                out[rows, b] += deltas[:, k]
            else:
                out[rows] -= deltas[:, k : k + 1]
    return out


def continuation_approvals(
    population: Population,
    built: Built,
    grid_offers: Offers,
    eq: TimeEquilibrium,
    approve_once: dict[int, np.ndarray],
    cache: dict | None = None,
) -> Approvals:
    """Every veto's approval of grid offer j in world n, row by row (:class:`Approvals`):
    in each state where the equilibrium's mixed offers reach a round in several
    (:func:`~goldenbridge.analysis.negotiate.play_tree.approval_rows`), and in each round
    over the states reached when every offer is made; each veto on the continuation
    rule (module docstring; rounds backwards from the last, so that each veto's own and
    the others' later decisions are known, in the later states' rows), an informed one
    on ``u_j(x) >= r_j`` in its world, one whose pairing needs redrawn worlds on its
    one-shot approvals ``approve_once[actor]``. ``cache`` keeps, between calls on the
    same population, grid, types and one-shot approvals (the solves of one fixed point),
    each veto's per-world features and, per row, its approvals (bit-packed) and the
    others' shares with the digest of what they were computed from: a row whose branches
    did not change since the last solve is not computed again."""
    scenario = population.scenario
    game = built.game
    names = population.actor_names
    offered = ~offers_nothing(population, grid_offers)
    slots, states = approval_rows(game, eq)
    t_all, n, g = eq.rounds, population.n, grid_offers.m
    nb = (n + 7) // 8  # the approvals kept offer-major and bit-packed (Approvals)
    n_rows = t_all + len(states)
    rows = state_rows_map(states, t_all, game.types, np.argsort(eq.rank), eq.offer.shape[2])
    cache = {} if cache is None else cache
    # each veto's (R, G, N / 8) packed approvals: a read-only array, or on the continuation
    # rule a list of rows, each the cache's own array of that row (never written once
    # computed: a row computed again is a fresh array), so no copy is kept twice
    by: dict[int, np.ndarray | list[np.ndarray]] = {}
    rule: dict[int, bool] = {}
    for veto in scenario.vetoes:
        v = names.index(veto.name)
        if is_informed(scenario, veto.name):
            ok = np.empty((n, g), dtype=bool)
            for n0 in range(0, n, _BLOCK):
                arr = population.worlds.subset(slice(n0, n0 + _BLOCK)).actors[v]
                ok[n0 : n0 + _BLOCK] = utilities(arr, grid_offers) >= arr.reservation[:, None]
            by[v] = np.broadcast_to(np.packbits(ok.T, axis=1), (n_rows, g, nb))  # read only
        elif pair_parts(population, veto.name) is None:
            by[v] = np.broadcast_to(np.packbits(approve_once[v].T, axis=1), (n_rows, g, nb))
        else:
            by[v] = [np.empty((0, 0), dtype=np.uint8)] * n_rows  # every row set below
            rule[v] = True
    w = population.worlds.weights
    mass = np.where(game.mass > 0, game.mass, 1.0)[:, None]
    others = {v: np.ones((n_rows, game.types, g)) for v in rule}
    plans: dict[tuple[int, int], str] = {}  # each veto's plan of each row of this round
    all_others = np.empty((g, nb), dtype=np.uint8)
    buffer = cache.get("gains")
    if buffer is None or buffer.shape != (n, g):
        buffer = cache["gains"] = np.empty((n, g))  # each product's, one after another
    # per veto, the later rounds' plays: a play from round r reads the rows of rounds >= r,
    # all decided before a plan of round r - 1 first needs it (rounds backwards)
    memos: dict[int, dict] = {}
    for v in rule:
        memos[v] = _memo(rows, next(iter(memos.values()), None))

    def ident(row: int, here: Reached) -> tuple:
        """The row's place, the same from solve to solve: its round, or its state."""
        return (row,) if row < t_all else (states[row - t_all][0], *here[0][0])

    def approve(feats: _Features, plan: _Plan, v: int, row: int) -> None:
        gain = _product(feats, plan, buffer)
        gain_signs(gain, offered, by[v][row])

    # a round's plans read only the later rounds' rows, so each row's product runs on a
    # thread of its own (one at a time: they share the gains' buffer) while the next row
    # is planned (Python); every row is computed as it was, in the same order
    pipe = ThreadPoolExecutor(1, thread_name_prefix="goldenbridge-products")
    try:
        for t in range(t_all - 1, -1, -1):
            computed = []
            for v in rule:
                if v not in cache:
                    cache[v] = _Features(population, built, grid_offers, v)
                feats = cache[v]
                for row, here in slots[t]:
                    plan = _plan(
                        built, grid_offers, eq, t, here, others[v], by[v], feats, rows,
                        memos[v],
                    )  # fmt: skip
                    # the same plan gives the same approvals (another solve may leave a
                    # row's branches as they were)
                    plans[v, row] = key = _digest(plan)
                    done = cache.get(("approvals", v, ident(row, here)))
                    if done is not None and done[0] == key:
                        by[v][row] = done[1]
                    else:
                        by[v][row] = np.empty((g, nb), dtype=np.uint8)  # written by the job
                        job = pipe.submit(approve, feats, plan, v, row)
                        computed.append((job, ("approvals", v, ident(row, here)), key, v, row))
            for job, place, key, v, row in computed:
                job.result()
                cache[place] = (key, by[v][row])
            for v in rule:  # what the other vetoes approve in round t, for the rounds before
                for row, here in slots[t]:
                    kept = tuple(plans[u, row] for u in rule if u != v)  # the rest are fixed
                    done = cache.get(("others", v, ident(row, here)))
                    if done is not None and done[0] == kept:
                        others[v][row] = done[1]
                        continue
                    all_others[...] = 0xFF  # one buffer for every veto and row
                    for u in by:
                        if u != v:
                            all_others &= by[u][row]
                    others[v][row] = _type_sums(all_others, built.type_of, w, game.types) / mass
                    cache[("others", v, ident(row, here))] = (kept, others[v][row].copy())
    finally:
        pipe.shutdown(wait=True)
    if not by:
        return Approvals.of(np.ones((t_all, n, g), dtype=bool))
    # this call's own array, row by row: every veto's approvals ANDed (packed the same way,
    # so the bits past N stay 0)
    ok = np.empty((n_rows, g, nb), dtype=np.uint8)
    first, *rest = by.values()
    for row in range(n_rows):
        np.copyto(ok[row], first[row])
        for a in rest:
            ok[row] &= a[row]
    return Approvals(ok, n, states)


def _digest(plan: _Plan) -> str:
    """A digest of a plan (its coefficients and fixes, bit for bit)."""
    h = hashlib.blake2b(digest_size=32)
    for part in (plan.co, plan.fixed):
        for k in sorted(part):
            h.update(k.encode())
            h.update(np.ascontiguousarray(part[k]).tobytes())
    for rows, b in plan.fixes:
        h.update(np.int64(b).tobytes())
        h.update(np.int64(rows.size).tobytes())
        h.update(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
    return h.hexdigest()
