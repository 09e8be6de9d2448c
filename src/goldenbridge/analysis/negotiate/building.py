"""From sampled worlds to the talks game of :mod:`goldenbridge.analysis.negotiate.timegame`.

Per world (docs/design.md 4c and section 6), with ``u_T`` the target's utility, ``b`` its
cost of backing down, ``p`` the pretext, ``s_n(x)`` the unsaved share of face (1 where
nothing is offered), and every payoff a gain over the world's one-shot no-offer outcome
(``r_T = max(u_T(sq) - b, w_T + p)`` for the target; for the proposer its war value where
the target would fight with nothing offered, else ``u_P(sq)``) -- the disagreement point,
so that a discount shrinks gains and a war that comes later is not worth more:

- accepting ``x``: ``u_T(x) - b s_n(x) - r_T``; standing down: ``u_T(sq) - b - r_T``;
- war in round t before any accumulated pretext: ``w_T - r_T + t d (u_T(win) -
  u_T(lose))``, with ``d`` the drift of ``p_win`` a round (the war value is linear in
  ``p_win``: Fearon 1995; ``p_win + t d`` is not clipped to [0, 1] over the few rounds of
  talks); this round's pretext ``p s_n(x)``;
- the proposer: a deal at ``x``, ``u_P(x) - r_P``, or 0 where a veto blocks it (the
  no-offer outcome follows); a war, ``w_P - r_P + t d (u_P(win) - u_P(lose))``; the target
  standing down, ``u_P(sq) - r_P``. The target's numbers ignore the block (it values
  accepting a package a veto will block as the deal; in one round the outcome is the same,
  docs/dynamics.md, modelling choice 2).

Vetoes (:func:`one_shot`): each veto approves ``x`` in a world on the rule of 4b that
``evaluate`` uses -- by default on its own information (its expected gain from offering
``x`` rather than nothing over the worlds that share its own fields,
:func:`goldenbridge.analysis.outcomes.decide`), or ``u_j(x) >= r_j`` in that world where it is
informed -- with the round-0 values: the drift and the accumulated pretext do not enter its
comparison. A blocked deal ends the talks with the no-offer outcome. The same decisions give
each grid offer's one-shot outcome, as ``evaluate`` reports it.

Types: worlds are grouped by their threshold (the first grid offer the target accepts in
the one-shot rule, 4c) -- in at most ``bins`` groups of consecutive thresholds -- and,
within that, by ``classes`` quantile classes of the one-shot war value over standing down
(``w_T + p - (u_T(sq) - b)``), split at 0 (would fight / would stand down); a type's target
numbers are the weighted means over its worlds, the proposer's the weighted sums.
``per_world=True`` makes every world a type of its own (exact; for small populations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.evaluate import outcome_tally, per_world_rule
from goldenbridge.analysis.exact import decide_exact
from goldenbridge.analysis.negotiate.kernels import _type_deal_sums
from goldenbridge.analysis.negotiate.timegame import TimeGame
from goldenbridge.analysis.outcomes import decide, decided_tally, offers_nothing
from goldenbridge.engine import Offers, utilities, utilities_at
from goldenbridge.engine.choice import target_choice, unsaved
from goldenbridge.population import Population

__all__ = [
    "Approvals",
    "Built",
    "OneShot",
    "build",
    "one_shot",
    "with_approvals",
    "proposer_gains",
    "time_inputs",
    "BINS",
    "CLASSES",
]

#: Most groups of thresholds (None: every threshold its own group, which makes one round
#: the one-shot model world by world), and quantile classes of the war value on each side
#: of 0.
BINS: int | None = None
CLASSES = 2
_BLOCK = 8192
#: Grid offers decided together by :func:`one_shot` (memory: N of them per actor). 8 was
#: the fastest of 4, 8, 16 and 32 on russia-2021's 101 offers and 100 000 worlds (13.6-14.6 s
#: against 16.2-16.8 s for 16, 2 cores, stop 28); the decisions are the same whatever it is.
APPROVAL_CHUNK = 8


def time_inputs(population: Population) -> tuple[np.ndarray, np.ndarray]:
    """Each world's ``conflict.mobilisation`` and ``conflict.p_win_drift``."""
    conflict = population.scenario.conflict
    out = []
    for name in ("mobilisation", "p_win_drift"):
        path = f"conflict.{name}"
        if path in population.inputs:
            out.append(np.asarray(population.inputs[path], dtype=np.float64))
        else:
            out.append(np.full(population.n, getattr(conflict, name).support()[0]))
    return out[0], out[1]


def _odds_slope(population: Population, actor: int) -> np.ndarray:
    """``u_i(win) - u_i(lose)``: how actor i's war value moves with the target's p_win."""
    arrays = population.worlds.actors[actor]
    parts = population.war_parts
    return utilities_at(arrays, parts.win_x, parts.win_option) - utilities_at(
        arrays, parts.lose_x, parts.lose_option
    )


@dataclass(frozen=True)
class OneShot:
    """Each grid offer made once (docs/design.md 4a-4c), as ``evaluate`` reports it.

    Attributes
    ----------
    approve : (N, G) bool
        Every veto approves the offer in the world (the rule ``evaluate`` uses).
    p_deal, p_war, proposer_eu : (G,) float64
        The offer's P(deal), P(war) and the proposer's expected utility.
    inner_error : (G,) float64
        Bound on the error the approvals' inner sample leaves (0 when exact).
    sincere : tuple of str
        Vetoes approving sincerely by assumption (docs/design.md 4b).
    approve_by : dict
        Veto actor index -> (N, G) bool, its own approvals.
    """

    approve: np.ndarray
    p_deal: np.ndarray
    p_war: np.ndarray
    proposer_eu: np.ndarray
    inner_error: np.ndarray
    sincere: tuple[str, ...]
    approve_by: dict[int, np.ndarray]


def _informed_approval(population: Population, grid_offers: Offers) -> dict[int, np.ndarray]:
    """Veto -> (N, G) bool: its per-world rule ``u_j(x) >= r_j`` (4b, ``informed``)."""
    worlds = population.worlds
    names = population.actor_names
    out = {}
    for v in (names.index(a.name) for a in population.scenario.vetoes):
        ok = np.empty((worlds.n, grid_offers.m), dtype=bool)
        for n0 in range(0, worlds.n, _BLOCK):
            arr = worlds.subset(slice(n0, n0 + _BLOCK)).actors[v]
            ok[n0 : n0 + _BLOCK] = utilities(arr, grid_offers) >= arr.reservation[:, None]
        out[v] = ok
    return out


def one_shot(population: Population, grid_offers: Offers) -> OneShot:
    """Each grid offer's approvals and one-shot outcome, by the path ``evaluate`` takes
    (:func:`goldenbridge.analysis.evaluate.outcome_tally`): the engine's per-world rule where
    every veto is informed and there is no face or pretext, else
    :func:`~goldenbridge.analysis.outcomes.decide` (each veto on its own information unless
    it is informed; :func:`~goldenbridge.analysis.exact.decide_exact` on an enumeration),
    a few offers at a time (an offer's decisions do not depend on which offers are decided
    with it)."""
    vetoes = [population.actor_names.index(a.name) for a in population.scenario.vetoes]
    g = grid_offers.m
    p_deal, p_war, eu, err = np.zeros(g), np.zeros(g), np.zeros(g), np.zeros(g)
    sincere: set[str] = set()

    def read(tally, sl: slice) -> None:
        w = tally.w.sum()
        p_deal[sl] = tally.deal.sum(axis=0) / w
        p_war[sl] = tally.war.sum(axis=0) / w
        eu[sl] = tally.payoff.sum(axis=0) / w

    approve = np.ones((population.n, g), dtype=bool)
    if per_world_rule(population):
        by = _informed_approval(population, grid_offers)
        for v in vetoes:
            approve &= by[v]
        tally, _, err, _ = outcome_tally(population, grid_offers)
        read(tally, slice(None))
    else:
        by = {v: np.ones((population.n, g), dtype=bool) for v in vetoes}
        run = decide_exact if population.exact else decide
        for m0 in range(0, g, APPROVAL_CHUNK):
            sl = slice(m0, min(m0 + APPROVAL_CHUNK, g))
            chunk = Offers(grid_offers.x[sl], grid_offers.option[sl])
            d = run(population, chunk)
            for v in vetoes:
                by[v][:, sl] = d.approve[v]
                approve[:, sl] &= d.approve[v]
            read(decided_tally(population, d), sl)
            err[sl] = d.inner_error
            sincere.update(d.sincere)
    return OneShot(
        approve, p_deal, p_war, eu, np.asarray(err, dtype=np.float64), tuple(sorted(sincere)), by
    )


@dataclass(frozen=True)
class Built:
    """The game and how the worlds map onto its types.

    Attributes
    ----------
    game : TimeGame
    type_of : (N,) int64
        Each world's type.
    thresholds : (N,) int64
        Each world's first accepted grid offer (G: none).
    bin_edges : (B + 1,) int64
        Threshold groups: group b holds thresholds in [edges[b], edges[b + 1]).
    class_edges : (2 C - 2,) float64
        War-value class edges (below 0, then above).
    keys : (K,) int64
        The types' keys (``group * (2 C) + class``), ascending.
    empty : int
        The grid index of the status quo on the path (-1 if the path misses it).
    reference : float
        The proposer's mean no-offer value (its EU = reference + the game's gain).
    one_shot : OneShot
        Each grid offer made once, and the approvals the game uses.
    """

    game: TimeGame
    type_of: np.ndarray
    thresholds: np.ndarray
    bin_edges: np.ndarray
    class_edges: np.ndarray
    keys: np.ndarray
    empty: int
    reference: float
    one_shot: OneShot


def _edges(values: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    if values.size == 0 or n <= 1:
        return np.zeros(0)
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    cuts = cum[-1] * np.arange(1, n) / n
    return np.unique(values[order][np.minimum(np.searchsorted(cum, cuts), values.size - 1)])


def _classes(fight_value: np.ndarray, weights: np.ndarray, classes: int) -> tuple:
    neg = fight_value <= 0
    low = _edges(fight_value[neg], weights[neg], classes)
    high = _edges(fight_value[~neg], weights[~neg], classes)
    cls = np.where(
        neg,
        np.searchsorted(low, fight_value, side="right"),
        classes + np.searchsorted(high, fight_value, side="right"),
    )
    return cls.astype(np.int64), np.concatenate([low, high])


def world_classes(built: Built, fight_value: np.ndarray, classes: int = CLASSES) -> np.ndarray:
    """The war-value class of worlds under ``built``'s edges (for worlds drawn later)."""
    n_low = np.sum(built.class_edges <= 0)
    low, high = built.class_edges[:n_low], built.class_edges[n_low:]
    neg = fight_value <= 0
    return np.where(
        neg,
        np.searchsorted(low, fight_value, side="right"),
        classes + np.searchsorted(high, fight_value, side="right"),
    ).astype(np.int64)


def _bins(thresholds: np.ndarray, weights: np.ndarray, grid: int, bins: int | None) -> np.ndarray:
    distinct = np.unique(thresholds)
    if bins is None or distinct.size <= bins:
        return np.append(distinct, grid + 1)
    inner = _edges(
        thresholds[thresholds < grid].astype(np.float64), weights[thresholds < grid], bins - 1
    )
    starts = np.unique(np.concatenate([[distinct[0]], inner.astype(np.int64), [grid]]))
    return np.append(starts, grid + 1)


def acceptance_thresholds(population: Population, grid_offers: Offers) -> np.ndarray:
    """(N,) int: each world's first offer along the grid that the target would accept
    (docs/design.md 4c), ``grid_offers.m`` where it accepts none."""
    worlds = population.worlds
    t = population.actor_names.index(population.scenario.target.name)
    offered = ~offers_nothing(population, grid_offers)
    sq_t = population.status_quo_u[:, t]
    g = grid_offers.m
    thresholds = np.empty(worlds.n, dtype=np.int64)
    for n0 in range(0, worlds.n, _BLOCK):
        sl = slice(n0, n0 + _BLOCK)
        u = utilities(worlds.subset(sl).actors[t], grid_offers)
        acc, _ = target_choice(
            u,
            sq_t[sl, None],
            population.war_value[sl, t, None],
            population.backing_down[sl, None],
            population.pretext[sl, None],
            population.face[sl, None],
            offered[None, :],
        )
        thresholds[sl] = np.where(acc.any(axis=1), acc.argmax(axis=1), g)
    return thresholds


def build(
    population: Population,
    grid_offers: Offers,
    *,
    bins: int | None = BINS,
    classes: int = CLASSES,
    per_world: bool = False,
) -> Built:
    """The talks game of the population along the grid (module docstring)."""
    scenario = population.scenario
    worlds = population.worlds
    names = population.actor_names
    t = names.index(scenario.target.name)
    p = worlds.proposer
    g = grid_offers.m
    n = worlds.n
    w = worlds.weights
    offered = ~offers_nothing(population, grid_offers)
    sq_t = population.status_quo_u[:, t]
    b, pre, face = population.backing_down, population.pretext, population.face
    fight0 = worlds.fight
    stand_abs = sq_t - b
    ref = np.maximum(stand_abs, population.war_value[:, t] + pre)
    war0 = population.war_value[:, t] - ref
    stand = stand_abs - ref
    mob, d = time_inputs(population)
    drift_t = d * _odds_slope(population, t)
    drift_p = d * _odds_slope(population, p)
    ref_p = np.where(fight0, population.war_value[:, p], population.status_quo_u[:, p])
    war_p = population.war_value[:, p] - ref_p
    stand_p = population.status_quo_u[:, p] - ref_p
    accept = np.empty((n, g)) if per_world else None
    thresholds = acceptance_thresholds(population, grid_offers)  # pass 1
    fight_value = population.war_value[:, t] + pre - stand_abs
    if per_world:
        order = np.lexsort((fight_value, thresholds))
        type_of = np.empty(n, dtype=np.int64)
        type_of[order] = np.arange(n)
        keys = np.arange(n, dtype=np.int64)
        edges = np.arange(g + 2)
        cedges = np.zeros(0)
    else:
        edges = _bins(thresholds, w, g, bins)
        group = np.searchsorted(edges, thresholds, side="right") - 1
        cls, cedges = _classes(fight_value, w, classes)
        key = group * (2 * classes) + cls
        keys, type_of = np.unique(key, return_inverse=True)
        type_of = type_of.astype(np.int64)
    k = keys.size
    mass = np.bincount(type_of, weights=w, minlength=k)
    safe = np.where(mass > 0, mass, 1.0)

    def mean(x: np.ndarray) -> np.ndarray:
        return np.bincount(type_of, weights=w * x, minlength=k) / safe

    def total(x: np.ndarray) -> np.ndarray:
        return np.bincount(type_of, weights=w * x, minlength=k)

    acc_sum = np.zeros((k, g))
    pnow_sum = np.zeros((k, g))
    deal = np.zeros((k, g))
    deal_mass = np.zeros((k, g))
    block_war = np.zeros((k, g))
    unsaved_sum = np.zeros(g)
    once = one_shot(population, grid_offers)
    for n0 in range(0, n, _BLOCK):
        sl = slice(n0, n0 + _BLOCK)
        block = worlds.subset(sl)
        ww = w[sl]
        u = utilities(block.actors[t], grid_offers)
        ok = once.approve[sl]
        s = np.where(offered[None, :], unsaved(u - sq_t[sl, None], face[sl, None]), 1.0)
        gain = u - b[sl, None] * s - ref[sl, None]
        u_p = utilities(block.actors[p], grid_offers) - ref_p[sl, None]
        pay = np.where(ok, u_p, 0.0)
        ts = type_of[sl]
        np.add.at(acc_sum, ts, ww[:, None] * gain)
        np.add.at(pnow_sum, ts, ww[:, None] * pre[sl, None] * s)
        np.add.at(deal, ts, ww[:, None] * pay)
        np.add.at(deal_mass, ts, ww[:, None] * ok)
        np.add.at(block_war, ts, (ww * fight0[sl])[:, None] * ~ok)
        unsaved_sum += ww @ s
        if accept is not None:
            accept[sl] = gain
    acc = acc_sum / safe[:, None]
    acc[:, ~offered] = -np.inf
    game = TimeGame(
        accept=acc,
        pretext_now=pnow_sum / safe[:, None],
        unsaved=unsaved_sum / w.sum(),
        war=mean(war0),
        drift=mean(drift_t),
        pretext=mean(pre),
        mobilisation=mean(mob),
        stand=mean(stand),
        mass=mass,
        deal=deal,
        war_p=total(war_p),
        drift_p=total(drift_p),
        stand_p=total(stand_p),
        deal_mass=deal_mass,
        block_war=block_war,
    )
    empty = np.flatnonzero(~offered)
    return Built(
        game=game,
        type_of=type_of,
        thresholds=thresholds,
        bin_edges=edges,
        class_edges=cedges,
        keys=keys,
        empty=int(empty[0]) if empty.size else -1,
        reference=float(w @ ref_p / w.sum()),
        one_shot=once,
    )


def proposer_gains(population: Population, grid_offers: Offers) -> np.ndarray:
    """(N, G) the proposer's gain from a deal at each grid offer over its no-offer
    value (its war value where the target would fight with nothing offered, else its
    status-quo utility)."""
    worlds = population.worlds
    p = worlds.proposer
    ref_p = np.where(worlds.fight, population.war_value[:, p], population.status_quo_u[:, p])
    u_p = np.empty((worlds.n, grid_offers.m))
    for n0 in range(0, worlds.n, _BLOCK):
        sl = slice(n0, n0 + _BLOCK)
        u_p[sl] = utilities(worlds.subset(sl).actors[p], grid_offers) - ref_p[sl, None]
    return u_p


def proposer_payoff_range(
    population: Population, gains: np.ndarray, rounds: int
) -> tuple[float, float]:
    """The smallest and largest payoff the proposer can get in any world from any
    strategy of the talks: its no-offer value, a deal at any grid offer (``gains``:
    :func:`proposer_gains`), its status quo, a war in any round (its war value moved by
    the drift of ``p_win``). A discounted payoff lies between the no-offer value and an
    outcome's, so every strategy's per-world payoff lies in the range (for
    :func:`~goldenbridge.analysis.stats.mean_se_bound`)."""
    worlds = population.worlds
    p = worlds.proposer
    ref_p = np.where(worlds.fight, population.war_value[:, p], population.status_quo_u[:, p])
    drift = time_inputs(population)[1] * _odds_slope(population, p)
    war_end = population.war_value[:, p] + (rounds - 1) * drift
    deals = ref_p[:, None] + gains
    parts = (deals, ref_p, population.status_quo_u[:, p], population.war_value[:, p], war_end)
    return min(float(x.min()) for x in parts), max(float(x.max()) for x in parts)


@dataclass(frozen=True, eq=False)
class Approvals:
    """Whether every veto approves each grid offer in each world, row by row (the rows
    of ``TimeGame.approved``), kept offer-major and bit-packed: one bit a world and
    offer, not a byte (at 100 000 worlds, 101 offers and 21 rows, 27 MB rather than
    212 MB a solve).

    Attributes
    ----------
    bits : (T + S, G, ceil(N / 8)) uint8
        Each row's approvals of each offer packed along the worlds (``np.packbits``; the
        bits past N are 0). Row t < T: round t (every state of it without a row of its
        own); row T + i: the state ``states[i]``.
    worlds : int
        N.
    states : tuple of (t, l, members)
        ``TimeGame.state_rows``: round, pretext level, the types the state holds.

    Examples
    --------
    >>> ok = np.array([[[True, False, True], [False, False, True]]])
    >>> a = Approvals.of(ok)
    >>> a.bits.shape, a.approve[0].tolist(), a.offer(0, 2).tolist()
    ((1, 3, 1), [[True, False, True], [False, False, True]], [True, True])
    """

    bits: np.ndarray
    worlds: int
    states: tuple = ()

    @classmethod
    def of(cls, approve: np.ndarray, states: tuple = ()) -> Approvals:
        """From ``approve`` (T + S, N, G) bool."""
        return cls(np.packbits(approve.transpose(0, 2, 1), axis=2), approve.shape[1], states)

    def offer(self, r: int, j: int) -> np.ndarray:
        """(N,) bool: row ``r``'s approvals of offer ``j`` in each world."""
        return np.unpackbits(self.bits[r, j], count=self.worlds).view(bool)

    @property
    def approve(self) -> np.ndarray:
        """(T + S, N, G) bool: every row unpacked (8 times the memory of ``bits``)."""
        out = np.unpackbits(self.bits, axis=2, count=self.worlds).view(bool)
        return out.transpose(0, 2, 1)

    def same(self, other: Approvals) -> bool:
        """The same rows, states and approvals."""
        return (
            len(self.states) == len(other.states)
            and all(
                a[:2] == b[:2] and np.array_equal(a[2], b[2])
                for a, b in zip(self.states, other.states, strict=True)
            )
            and self.worlds == other.worlds
            and np.array_equal(self.bits, other.bits)
        )


def with_approvals(
    built: Built,
    population: Population,
    grid_offers: Offers,
    approve: Approvals,
    gains: np.ndarray | None = None,
) -> Built:
    """``built`` with the vetoes' approvals row by row (:class:`Approvals`: whether every
    veto approves grid offer j in world n in round t, row t, or in the state
    ``approve.states[i]``, row T + i). Each type's approved share and the proposer's gain
    over its approved worlds (``TimeGame.approved``, ``deal_rounds``, ``state_rows``); a
    blocked round passes with nothing offered (docs/dynamics.md). ``gains``:
    :func:`proposer_gains`, if computed already."""
    from dataclasses import replace

    w = population.worlds.weights
    k = built.keys.size
    u_p = proposer_gains(population, grid_offers) if gains is None else gains
    u_p = np.ascontiguousarray(u_p, dtype=np.float64)
    mass = built.game.mass
    safe = np.where(mass > 0, mass, 1.0)[:, None]
    shares, deals = [], []
    for bits in approve.bits:
        share, deal = _type_deal_sums(np.ascontiguousarray(bits), u_p, built.type_of, w, k)
        shares.append(np.where(mass[:, None] > 0, share / safe, 1.0))
        deals.append(deal)
    game = replace(
        built.game,
        approved=np.array(shares),
        deal_rounds=np.array(deals),
        state_rows=approve.states,
    )
    return replace(built, game=game)


def assign(built: Built, population: Population, grid_offers: Offers) -> np.ndarray:
    """The type of each world of ``population`` under ``built``'s groups and classes (for
    worlds other than those the game was built on, e.g. moved by rejuvenation); a world
    whose (group, class) no type holds gets the next type in order."""
    scenario = population.scenario
    t = population.actor_names.index(scenario.target.name)
    sq_t = population.status_quo_u[:, t]
    b, pre = population.backing_down, population.pretext
    thresholds = acceptance_thresholds(population, grid_offers)
    fight_value = population.war_value[:, t] + pre - (sq_t - b)
    group = np.searchsorted(built.bin_edges, thresholds, side="right") - 1
    key = group * (2 * CLASSES) + world_classes(built, fight_value)
    return np.minimum(np.searchsorted(built.keys, key), built.keys.size - 1)
