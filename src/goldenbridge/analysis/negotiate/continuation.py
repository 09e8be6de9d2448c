"""Each round a veto compares continuation values (docs/design.md section 6; docs/dynamics.md).

In round ``t`` of the talks, veto ``j`` approves the offer ``x_t`` iff its expected value of
the talks going on after ``x_t`` is offered is at least its expected value when nothing is
offered in round ``t``:

    E[ V_j(x_t offered in round t) - V_j(nothing in round t) | what j knows ] >= 0   (ties
    approve).

What the two branches are. The state of the game in round ``t`` is the proposer's
``(c_t, l_t)`` (the ``c_t`` lowest types gone, pretext level ``l_t``) that the equilibrium
reaches when every offer so far was made, and the types still in the talks are those that
waited in every earlier round (a type that left cannot be there, even where the proposer's
state still counts it: docs/dynamics.md, modelling choice 6). Offered ``x_t``, each remaining type plays its
equilibrium reply (accept, exit or wait; :func:`~goldenbridge.analysis.negotiate.timegame.play`)
and the talks go on with the proposer's equilibrium offers from the state that follows.
With nothing offered, each type exits or waits (with the pretext of an empty round), and the
proposer goes on with its equilibrium offers from ``(t + 1, c_t, l_t + 1 unit)``: nobody
accepted, so its belief is unchanged, and the pretext clock ran for a full round. In both
branches the later offers are valued as made: like the target (docs/dynamics.md, modelling
choice 2) a veto does not anticipate later blocks. Payoffs are gains over the veto's
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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.building import Built, time_inputs
from goldenbridge.analysis.negotiate.timegame import (
    WAIT,
    TimeEquilibrium,
    TimeGame,
    _along,
    _args,
    play,
)
from goldenbridge.analysis.outcomes import offers_nothing
from goldenbridge.engine import Offers, utilities
from goldenbridge.information import is_informed, pair_parts
from goldenbridge.population import Population

__all__ = [
    "Branch",
    "branch",
    "main_states",
    "waiting_types",
    "continuation_approvals",
    "veto_gains",
]

_BLOCK = 8192


@dataclass(frozen=True)
class Branch:
    """What each type does from round ``t`` on when ``first`` is offered in round ``t``
    (``-1``: nothing) and the proposer's equilibrium offers follow; weights discounted to
    round ``t``, per unit of the type's weight still in the talks.

    Attributes (R = rounds from t on, K types)
    ----------
    offers : (R,) int64
        The offer made in each round (-1: nothing).
    deal, war : (R, K) float64
        Discounted weight of a deal at that round's offer / of a war that round.
    stand : (K,) float64
        Discounted weight of standing down.
    """

    t: int
    offers: np.ndarray
    deal: np.ndarray
    war: np.ndarray
    stand: np.ndarray


def waiting_types(game: TimeGame, eq: TimeEquilibrium) -> list[np.ndarray]:
    """(K,) bool per round: the types that waited in every earlier round of the
    equilibrium with every offer made (those a veto knows may still be in the talks: a
    type that left, even while the proposer's state counts it, cannot be)."""
    action = play(game, eq, vetoes=False).action
    return [np.all(action[:t] == WAIT, axis=0) for t in range(eq.rounds)]


def main_states(game: TimeGame, eq: TimeEquilibrium) -> list[tuple[int, int]]:
    """The proposer's state ``(c_t, l_t)`` in each round when every equilibrium offer is made."""
    levels = eq.offer.shape[2]
    c, lv, out = 0, 0, []
    for t in range(eq.rounds):
        out.append((c, lv))
        j = int(eq.offer[t, c, lv])
        c, lv = int(eq.cutoff[t, c, lv, j]), min(lv + int(eq.inc[j]), levels - 1)
    return out


def branch(
    game: TimeGame,
    eq: TimeEquilibrium,
    t: int,
    state: tuple[int, int],
    first: int,
    waiting: np.ndarray | None = None,
) -> Branch:
    """The types' play from round ``t`` in ``state`` when ``first`` (-1: nothing) is
    offered, then the proposer's equilibrium offers (every one made); the target's
    replies are those of :func:`~goldenbridge.analysis.negotiate.timegame.play`.
    ``waiting`` (K,) bool: the types still in the talks (default: those ``>= c``)."""
    args = _args(game)
    (accept, pretext_now, war, drift, pretext, mob, stand, _, _, _, _) = args
    n_types, q, h, delta = game.types, eq.levels, eq.hazard, eq.discount
    levels = eq.offer.shape[2]
    c, lv = state
    r_total = eq.rounds - t
    offers = np.full(r_total, -1, dtype=np.int64)
    deal = np.zeros((r_total, n_types))
    war_w = np.zeros((r_total, n_types))
    stand_w = np.zeros(n_types)
    alive = np.zeros(n_types)
    alive[c:] = 1.0
    if waiting is not None:
        alive = np.where(waiting, alive, 0.0)
    nv, npay, first_act = np.zeros(n_types), np.zeros(n_types), np.zeros(n_types, dtype=np.int64)
    disc = 1.0
    for i in range(r_total):
        r = t + i
        last = r == eq.rounds - 1
        j = first if i == 0 else int(eq.offer[r, c, lv])
        offers[i] = j
        s = lv / q if q > 0 else 0.0
        if j < 0:
            cp, lp = c, min(lv + q, levels - 1)
            now = game.pretext_none
            acc = np.full(n_types, -np.inf)
        else:
            cp, lp = int(eq.cutoff[r, c, lv, j]), min(lv + int(eq.inc[j]), levels - 1)
            now = pretext_now[:, j]
            acc = accept[:, j]
        if not last:
            _along(  # type: ignore[call-arg]
                *args, eq.inc, q, eq.rounds, delta, h, eq.paths[r + 1, cp, lp], r + 1, lp, nv,
                npay, first_act,
            )
        f = war + drift * r + pretext * s + now
        e = np.maximum(f, stand)
        w = np.full(n_types, -np.inf) if last else -mob + h * f + (1 - h) * delta * nv
        below = np.arange(n_types) < cp
        take = below & (acc >= e)
        leave = ~take & (below | (e >= w))
        wait = ~take & ~leave
        m = disc * alive
        deal[i] = np.where(take, m, 0.0)
        fights = f > stand
        war_w[i] = np.where(leave & fights, m, 0.0) + np.where(wait, m * h, 0.0)
        stand_w += np.where(leave & ~fights, m, 0.0)
        alive = np.where(wait, alive * (1 - h), 0.0)
        c, lv, disc = cp, lp, disc * delta
    return Branch(t=t, offers=offers, deal=deal, war=war_w, stand=stand_w)


@dataclass(frozen=True)
class _Partners:
    """Type-level means of the partner side of veto j's pairs (module docstring)."""

    mass: np.ndarray
    p: np.ndarray
    f: np.ndarray
    fp: np.ndarray
    d: np.ndarray
    against: np.ndarray
    f_against: np.ndarray
    win: Offers
    lose: Offers


def _partners(population: Population, built: Built, actor: int) -> _Partners:
    scenario = population.scenario
    worlds = population.worlds
    w = worlds.weights
    k = built.keys.size
    tk = built.type_of
    mass = np.bincount(tk, weights=w, minlength=k)
    safe = np.where(mass > 0, mass, 1.0)
    p = population.p_win
    f0 = worlds.fight.astype(np.float64)
    _, d = time_inputs(population)
    parts = population.war_parts
    name = population.actor_names[actor]
    against = np.zeros(worlds.n)
    for h, threat in enumerate(scenario.threats):
        if threat.against == name:
            against += parts.credibility[:, h] * parts.effect_cost[:, h]

    def mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(tk, weights=w * x, minlength=k) / safe

    def point(x: np.ndarray, option: np.ndarray, weight: np.ndarray) -> Offers:
        tot = np.bincount(tk, weights=w * weight, minlength=k)
        ok = np.where(tot > 0, tot, 1.0)
        xs = np.column_stack(
            [np.bincount(tk, weights=w * weight * x[:, c], minlength=k) / ok for c in range(x.shape[1])]
        ) if x.shape[1] else np.zeros((k, 0))
        xs = np.where((tot > 0)[:, None], xs, x.mean(axis=0) if x.shape[0] else 0.0)
        opt = np.repeat(option[:1], k, axis=0)
        if option.shape[1] and not (option == option[:1]).all():
            heaviest = np.zeros(k, dtype=np.int64)
            best = np.full(k, -1.0)
            for n in np.argsort(-(w * weight), kind="stable"):
                if best[tk[n]] < 0:
                    best[tk[n]], heaviest[tk[n]] = 1.0, n
            opt = option[heaviest]
        return Offers(np.ascontiguousarray(xs), np.ascontiguousarray(opt))

    return _Partners(
        mass=mass,
        p=mean(p),
        f=mean(f0),
        fp=mean(f0 * p),
        d=mean(d),
        against=mean(against),
        f_against=mean(f0 * against),
        win=point(parts.win_x, parts.win_option, p),
        lose=point(parts.lose_x, parts.lose_option, 1.0 - p),
    )


def _own(population: Population, actor: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Veto j's own costs of a war (its cost and its threats' costs), its threats' costs
    alone, and its direct war value (NaN where computed)."""
    scenario = population.scenario
    parts = population.war_parts
    name = population.actor_names[actor]
    own_threat = np.zeros(population.n)
    for h, threat in enumerate(scenario.threats):
        if threat.by == name:
            own_threat += parts.credibility[:, h] * parts.cost_to_threatener[:, h]
    return parts.base_cost[:, actor] + own_threat, own_threat, parts.direct[:, actor]


def _distinct(points: Offers) -> tuple[Offers, np.ndarray]:
    """The distinct outcome points among the types', and each type's index among them."""
    both = np.hstack([points.x, points.option.astype(np.float64)])
    _, first, index = np.unique(both, axis=0, return_index=True, return_inverse=True)
    return Offers(points.x[first], points.option[first]), index.reshape(-1)


def _coefficients(part: _Partners, branches: Sequence[Branch], t: int, g: int) -> dict:
    """The branches' values as coefficients on veto j's per-world features (module
    docstring): ``V = UW cw + UL cl + U deals + own c_own + u_j(sq) c_sq + c_0`` (and, for a
    direct war value, ``cw_d``, ``cl_d`` and ``own`` = direct value less its threats)."""
    from scipy.sparse import csr_matrix  # sums the repeated (offer, branch) entries

    nb = len(branches)
    m = part.mass[:, None]
    a = np.zeros((part.mass.size, nb))  # total weight: against the no-offer value r_j
    b = np.zeros_like(a)  # wars
    c = np.zeros_like(a)  # wars times their round: the drift
    sigma = np.zeros(nb)
    rows, cols, vals = [], [], []
    for i, br in enumerate(branches):
        a[:, i] = br.deal.sum(axis=0) + br.war.sum(axis=0) + br.stand
        b[:, i] = br.war.sum(axis=0)
        c[:, i] = (np.arange(t, t + br.war.shape[0])[:, None] * br.war).sum(axis=0)
        sigma[i] = part.mass @ br.stand
        for r, j in enumerate(br.offers):
            if j >= 0:
                rows.append(j)
                cols.append(i)
                vals.append(part.mass @ br.deal[r])
    a, b, c = m * a, m * b, m * c
    f, fp, p, d = part.f[:, None], part.fp[:, None], part.p[:, None], part.d[:, None]
    return {
        "cw": -a * fp + b * p + c * d,
        "cl": -a * (f - fp) + b * (1 - p) - c * d,
        "cw_d": c * d,
        "cl_d": -c * d,
        "own": (a * f - b).sum(axis=0),
        "sq": sigma - (a * (1 - f)).sum(axis=0),
        "c0": (a * part.f_against[:, None] - b * part.against[:, None]).sum(axis=0),
        "deals": csr_matrix((vals, (rows, cols)), shape=(g, nb)).toarray(),
    }


def _fold(coef: np.ndarray, index: np.ndarray, n: int) -> np.ndarray:
    """Sum the types' coefficient rows onto their distinct outcome points."""
    out = np.zeros((n, coef.shape[1]))
    np.add.at(out, index, coef)
    return out


def veto_gains(
    population: Population,
    built: Built,
    grid_offers: Offers,
    actor: int,
    branches: Sequence[Sequence[Branch]],
    rounds: Sequence[int],
    tie: float = 1e-4,
    dtype: type = np.float32,
) -> np.ndarray:
    """(R, N, G) veto ``actor``'s expected gain from offering each grid offer rather than
    nothing in each round of ``rounds``, given its own fields (module docstring).
    ``branches[i]`` holds round ``rounds[i]``'s branches: one per grid offer, then nothing.

    The products run in ``dtype`` (float32 by default); worlds with a gain within ``tie``
    (relative to the largest) of 0 are computed again in float64, so the signs are
    float64's (the values elsewhere float32's)."""
    worlds = population.worlds
    g = grid_offers.m
    part = _partners(population, built, actor)
    win, wi = _distinct(part.win)
    lose, li = _distinct(part.lose)
    own, own_threat, direct = _own(population, actor)
    has_direct = ~np.isnan(direct)
    # a direct war value enters with the opposite sign of a cost (module docstring)
    own_eff = np.where(has_direct, own_threat - direct, own)
    u0_all = population.status_quo_u[:, actor]
    coefs = []
    for t, row in zip(rounds, branches, strict=True):
        co = _coefficients(part, row, t, g)
        for key, index, size in (("cw", wi, win.m), ("cl", li, lose.m)):
            for name in (key, key + "_d"):
                co[name] = _fold(co[name], index, size)
        # offers whose branch is the empty round's in every coefficient: a gain of exactly 0
        same = np.ones(g, dtype=bool)
        for name in ("cw", "cl", "cw_d", "cl_d", "deals"):
            same &= (co[name][:, :g] == co[name][:, g:]).all(axis=0)
        for name in ("own", "sq", "c0"):
            same &= co[name][:g] == co[name][g:]
        co["same"] = same
        coefs.append(co)
    out = np.empty((len(rounds), worlds.n, g))

    def values(co: dict, uw, ul, u, o, u0, hd, dtype) -> np.ndarray:
        v = (uw.astype(dtype) @ co["cw"].astype(dtype)) + (ul.astype(dtype) @ co["cl"].astype(dtype))
        if hd.any():
            vd = (uw @ co["cw_d"]) + (ul @ co["cl_d"])
            v = np.where(hd[:, None], vd.astype(dtype), v)
        v += u.astype(dtype) @ co["deals"].astype(dtype)
        v = v.astype(np.float64)
        v += o[:, None] * co["own"][None, :] + u0[:, None] * co["sq"][None, :] + co["c0"][None, :]
        return v

    for n0 in range(0, worlds.n, _BLOCK):
        sl = slice(n0, n0 + _BLOCK)
        arrays = worlds.subset(sl).actors[actor]
        u = utilities(arrays, grid_offers)
        uw, ul = utilities(arrays, win), utilities(arrays, lose)
        o, u0, hd = own_eff[sl], u0_all[sl], has_direct[sl]
        for i, co in enumerate(coefs):
            v = values(co, uw, ul, u, o, u0, hd, dtype)
            gain = v[:, :g] - v[:, g:]
            gain[:, co["same"]] = 0.0
            scale = tie * (1.0 + np.abs(gain).max(initial=0.0))
            near = (np.abs(gain) <= scale) & ~co["same"][None, :]
            close = np.flatnonzero(near.any(axis=1))
            if close.size:
                exact = values(co, uw[close], ul[close], u[close], o[close], u0[close], hd[close], np.float64)
                exact_gain = exact[:, :g] - exact[:, g:]
                exact_gain[:, co["same"]] = 0.0
                gain[close] = exact_gain
            out[i, sl] = gain
    return out


def continuation_approvals(
    population: Population,
    built: Built,
    grid_offers: Offers,
    eq: TimeEquilibrium,
    approve_once: dict[int, np.ndarray],
) -> np.ndarray:
    """(T, N, G) bool: every veto approves grid offer j in round t in world n, each veto
    on the continuation rule (module docstring), an informed one on ``u_j(x) >= r_j`` in
    its world, one whose pairing needs redrawn worlds on its one-shot approvals
    ``approve_once[actor]``."""
    scenario = population.scenario
    game = built.game
    names = population.actor_names
    offered = ~offers_nothing(population, grid_offers)
    states = main_states(game, eq)
    waiting = waiting_types(game, eq)
    rounds = list(range(eq.rounds))
    rows = [
        [branch(game, eq, t, states[t], j, waiting[t]) for j in range(grid_offers.m)]
        + [branch(game, eq, t, states[t], -1, waiting[t])]
        for t in rounds
    ]
    ok = np.ones((eq.rounds, population.n, grid_offers.m), dtype=bool)
    for veto in scenario.vetoes:
        v = names.index(veto.name)
        if is_informed(scenario, veto.name):
            for n0 in range(0, population.n, _BLOCK):
                arr = population.worlds.subset(slice(n0, n0 + _BLOCK)).actors[v]
                ok[:, n0 : n0 + _BLOCK] &= (utilities(arr, grid_offers) >= arr.reservation[:, None])[None]
        elif pair_parts(population, veto.name) is None:
            ok &= approve_once[v][None]
        else:
            gain = veto_gains(population, built, grid_offers, v, rows, rounds)
            scale = 1e-12 * (1.0 + np.abs(gain).max(initial=0.0))
            ok &= (gain >= -scale) | ~offered[None, None, :]
    return ok
