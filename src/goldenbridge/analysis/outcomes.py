"""Who decides what, world by world: approvals, the target's choice, the three outcomes.

The timing of docs/design.md section 4a: the proposer picks ``x``; each veto actor
approves or blocks it before it is offered; the target, offered ``x``, accepts, or
rejects and then fights or stands down (4c). Every world ends in exactly one of
**agreement**, **deterred** (no agreement, no war) and **war**. The status-quo package
offers nothing: no agreement by definition.

Approval (4b). By default a veto actor knows its own fields only and approves ``x`` iff
its expected gain from offering ``x`` rather than nothing, given what it knows, is >= 0.
That expectation is taken over every paired world
(:mod:`goldenbridge.information`): exact population sums plus a binned residual with a
proven bound (:mod:`goldenbridge.engine.binned`; sorted thresholds of the veto's own
credibility where its threat moves the target, :mod:`goldenbridge.engine.thresholds`),
refined with more bins (:data:`BIN_LEVELS`) and finally pairing the world with every
world of the population (exact) wherever the sign is within the bound. Where neither
applies (a quantity ``known_to: all``, a veto's threat that moves ``p_win``) it is an inner
sample of :data:`LEVELS` partners, refined wherever the estimate lies within :data:`Z`
standard errors of 0. The exact step runs only where the approval changes the world's
outcome; what stays unsettled is reported as a bound on the error of P(deal), P(war) and
the proposer's EU (the weighted share of those worlds), and kept below the outer Monte
Carlo standard error or warned about. With ``information: informed`` (or
``informed: true``) a veto approves iff ``u_j(x) >= r_j`` in that world: the rule before
the revision, which reproduces the earlier numbers bit for bit.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.control import control_mean, target_sums
from goldenbridge.engine import Offers, Tally, utilities
from goldenbridge.engine.arrays import packed_once, stable_argsort
from goldenbridge.engine.binned import Quantiles, binned_residual, bins, edge_losses
from goldenbridge.engine.choice import PARTNER_SIDE, approval, gain_from_parts, target_choice
from goldenbridge.engine.reference import WORLD_BLOCK
from goldenbridge.engine.sums import outcome_sums
from goldenbridge.engine.threads import map_threads, workers
from goldenbridge.engine.thresholds import events, sorted_fields, sweep_layout, threshold_gain
from goldenbridge.information import (
    InnerSample,
    inner_sample,
    is_informed,
    moves_target,
    pair_parts,
)
from goldenbridge.population import Population, stream
from goldenbridge.scenario.budget import INNER_SAMPLE
from goldenbridge.scenario.schema import Scenario

__all__ = [
    "Decisions",
    "decide",
    "decided_tally",
    "offers_nothing",
    "outcomes_of",
    "own_information",
    "Z",
    "LEVELS",
    "BIN_LEVELS",
    "EXACT_PAIRS",
]

#: Partners per world in the base inner sample, then at each refinement level; the last
#: level pairs a world with every world of the population (the exact expectation).
LEVELS = (INNER_SAMPLE, 512, 8192, 2**62)
#: Bins per varying issue of the war's outcome, then more, then every world (exact), for
#: an actor none of whose fields moves the target (:mod:`goldenbridge.engine.binned`).
#: Each level has 8 times the bins of the last: a world's bound shrinks about as its bins
#: do, so the worlds a level leaves unsettled fall about as fast as its cost per world
#: grows. The finest binned level alone decides the signs that reach it, so the levels
#: before it change the time, never the approvals.
BIN_LEVELS = (8, 64, 512, 4096, 2**62)
#: Float rounding allowance added to a proven bound (sums of at most 1e7 terms of size
#: <= 1 in float64 round to well below it).
ROUNDING = 1e-9
#: World pairs the exact level computes per actor and offer at least (it takes the offer's
#: unsettled worlds in world order up to this budget, and more while those left would weigh
#: more than :data:`INNER_SHARE` allows; the rest stay unsettled and are reported as
#: ``inner_error``).
EXACT_PAIRS = 200_000_000
#: The most the worlds left unsettled may weigh, as a share of the sampling error of a
#: proportion of 1/2 (:func:`_exact_rows`).
INNER_SHARE = 0.25
#: A world's approval is settled when its estimate lies more than Z standard errors
#: from 0 (a wrong sign then has probability below 3.2e-5), or when every world of the
#: population was its partner (exact).
Z = 4.0


@dataclass(frozen=True)
class Decisions:
    """Every world's decisions and outcome for M offers.

    Attributes (N worlds, M offers)
    ----------
    offered : (M,) bool
        False for a package that offers nothing (every issue at the status quo).
    accept : (N, M) bool
        The target would accept the offer if it were offered.
    approve : dict
        Actor index -> (N, M) bool, each veto actor's and stakeholder's approval.
    deal, war : (N, M) bool
        Agreement signed; war (the rest of the worlds end deterred).
    payoff, u_proposer : (N, M) float64
        The proposer's realised payoff and its utility of the offer itself.
    inner_error : (M,) float64
        Bound on the error the inner sample leaves in P(deal), P(war) and (times the
        proposer's utility range) EU: the weighted share of worlds whose approval it did
        not settle and where the approval decides the outcome. 0 when every veto is
        informed.
    sincere : tuple of str
        Veto actors with a field of their own that moves the target: their approval is
        sincere by assumption (docs/design.md 4b).
    """

    offered: np.ndarray
    accept: np.ndarray
    approve: dict[int, np.ndarray]
    deal: np.ndarray
    war: np.ndarray
    payoff: np.ndarray
    u_proposer: np.ndarray
    inner_error: np.ndarray
    sincere: tuple[str, ...]


def offers_nothing(population: Population, offers: Offers) -> np.ndarray:
    """(M,) bool: the offers that leave every issue at its status quo."""
    sq = population.encode([{}])
    same_x = np.all(offers.x == sq.x, axis=1)
    same_o = np.all(offers.option == sq.option, axis=1)
    return same_x & same_o


def _order(population: Population, actor: str, level: int) -> np.ndarray:
    """The order in which ``actor``'s partner worlds are taken at ``level``: row ``n``'s
    ``s`` partners are ``order[(n s + k) mod N]``, k < s -- a function of the row alone (so
    an offer's numbers never depend on which other rows are refined), balanced over the
    worlds, and consecutive once the partner-side arrays are laid out in this order."""
    return stream(population.seed, f"inner.{actor}.{level}").permutation(population.n)


def _partners(population: Population, actor: str, rows: np.ndarray, s: int, level: int):
    """(R, s) world indices: the partners of :func:`_order`, every world when s >= N."""
    n = population.n
    if s >= n:
        return np.broadcast_to(np.arange(n), (rows.size, n))
    return _order(population, actor, level)[(rows[:, None] * s + np.arange(s)[None, :]) % n]


def _pairs(sample: InnerSample) -> dict[str, np.ndarray]:
    keys = ("target_war", "target_sq", "backing_down", "pretext", "face", "own_war", "own_sq")
    return {"weight": sample.weight, **{k: getattr(sample, k) for k in keys}}


def _gain(
    population: Population,
    sample: InnerSample,
    u_target: np.ndarray,
    u_own: np.ndarray,
    offers: Offers,
    offered: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The expected gain of offering each offer over the pairs of ``sample``, and its SE."""
    if sample.target_pairs is None:
        rows_of_target = sample.partner
    else:  # the target's own preferences differ from the partner's: use the pairs'
        t = population.actor_names.index(population.scenario.target.name)
        u_target = utilities(sample.target_pairs.worlds.actors[t], offers)
        rows_of_target = np.arange(u_target.shape[0]).reshape(sample.partner.shape)
    return approval(u_target, rows_of_target, _pairs(sample), u_own, offered)


class _OwnApproval:
    """One actor's approval under its own information, first for every world, then
    refined where it decides an outcome (more bins or partners, then every world: exact).

    Where no field of the actor moves the target, its gain is the control variate's exact
    population mean plus a residual computed on bins with a proven bound
    (:mod:`goldenbridge.engine.binned`, levels :data:`BIN_LEVELS`); otherwise it is an
    inner sample with its standard error (levels :data:`LEVELS`)."""

    def __init__(
        self,
        population: Population,
        actor: str,
        offers: Offers,
        offered: np.ndarray,
        u_target: np.ndarray,
        u_own: np.ndarray,
        sums: tuple[np.ndarray, ...] | None = None,
    ) -> None:
        self.population, self.actor, self.offers, self.offered = population, actor, offers, offered
        self.u_target, self.u_own = u_target, u_own
        self.parts = _parts(population, actor)
        self.control = self.g = self.events = None
        self.h: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._open: np.ndarray | None = None  # unsettled(), kept
        self._approve: np.ndarray | None = None  # approve, kept
        self.levels: tuple[int, ...] = LEVELS
        if self.parts is not None and not self.parts["moving"]:
            self.control, self.g = control_mean(
                population, self.parts, offered, u_target, u_own, sums
            )
            self.levels = BIN_LEVELS
        elif self.parts is not None and _sortable(self.parts):
            self.events = events(self.parts, u_target, offered)
            self.levels = BIN_LEVELS
        rows = np.arange(population.n)
        self.est, self.se, self.bound = self._gain(rows, self.levels[0], 0)
        # offering nothing changes nothing: a gain of exactly 0
        self.exact = np.broadcast_to(~offered, self.est.shape).copy()

    def _gain(
        self, rows: np.ndarray, s: int, level: int, need: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The expected gain at ``rows`` with ``s`` bins or partners of ``level`` (every
        world when ``s`` >= N), its standard error and its bound; with ``need`` (R, M),
        only for the offers some entry of ``need`` asks for (the others are 0): each
        offer's numbers are its own, so they are the same computed alone."""
        if need is not None:
            cols = np.flatnonzero(need.any(axis=0))
            if cols.size < self.offered.size:
                got = self._columns(cols)._gain(rows, s, level, need[:, cols])
                est, se, bound = (np.zeros((rows.size, self.offered.size)) for _ in got)
                for full, part in zip((est, se, bound), got, strict=True):
                    full[:, cols] = part
                return est, se, bound
        return self._gain_all(rows, s, level, need)

    def _columns(self, cols: np.ndarray) -> _OwnApproval:
        """This rule for the offers ``cols`` alone (the pairing and its memo shared)."""
        sub = copy.copy(self)
        sub.offers, sub.offered = self.offers.subset(cols), self.offered[cols]
        sub.u_target, sub.u_own = self.u_target[:, cols], self.u_own[:, cols]
        if self.control is not None and self.g is not None:
            sub.control, sub.g = self.control[:, cols], self.g[:, cols]
            sub.h = {}
            for outcome in ("win", "lose"):
                h, total = self._weights(outcome)
                sub.h[outcome] = (h[:, cols], total[cols])
        if self.events is not None:
            sub.events = self.events.subset(cols)
        return sub

    def _gain_all(
        self, rows: np.ndarray, s: int, level: int, need: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_gain` for every offer."""
        n = self.population.n
        zero = np.zeros((rows.size, self.offered.size))
        if self.parts is None:
            partner = _partners(self.population, self.actor, rows, s, level)
            sample = inner_sample(self.population, self.actor, rows, partner)
            est, se = _gain(
                self.population, sample, self.u_target, self.u_own[rows], self.offers, self.offered
            )
            return est, se, zero
        if self.control is not None and s < n:
            est, bound = self.control[rows], zero
            for outcome in ("win", "lose"):
                e, b = self._binned(rows, outcome, s, need)
                est, bound = est + e, bound + b
            return est, zero, bound
        if self.events is not None and s < n:
            sides = tuple(self._edges(outcome, s) for outcome in ("win", "lose"))
            layout = self._memo(("layout", s), lambda: sweep_layout(self.parts, sides))
            order = fields = None
            losses: tuple = (None, None)
            if rows.size == n:  # every world, in world order: sorted by c once
                c_own = self.parts["cred_own"][:, 0]
                order = self._memo("c order", lambda: stable_argsort(c_own))
                fields = self._memo("c fields", lambda: sorted_fields(self.parts, order))
                losses = tuple(
                    None if side is None else self._losses(outcome, s, side)
                    for outcome, side in zip(("win", "lose"), sides, strict=True)
                )
            est, bound = threshold_gain(
                rows,
                self.parts,
                self.u_own[rows],
                self.events,
                sides,
                need=need,
                order=order,
                layout=layout,
                fields=fields,
                losses=losses,
            )
            return est, zero, bound
        parts, u_target, start = self.parts, self.u_target, np.zeros(rows.size, np.int64)
        if s < n:  # lay the partner side out in sampling order: read consecutively
            order = _order(self.population, self.actor, level)
            parts = {**parts, **{k: parts[k][order] for k in PARTNER_SIDE}}
            u_target, start = u_target[order], rows * s % n
        est, se = gain_from_parts(
            rows,
            start,
            min(s, n),
            self.offered,
            u_target,
            self.u_own[rows],
            parts,
            self.control is not None,
            need,
        )
        if self.control is None:
            return est, se, zero
        return est + self.control[rows], se, zero

    def _mass(self, outcome: str) -> np.ndarray:
        """(N,) ``w p`` (``w (1 - p)`` for ``lose``): where the war's outcome lies."""
        p = self.population.p_win if outcome == "win" else 1.0 - self.population.p_win
        return np.broadcast_to(self.population.worlds.weights * p, (self.population.n,))

    def _binned(
        self, rows: np.ndarray, outcome: str, b: int, need: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The residual of :mod:`goldenbridge.engine.binned` for the war's ``outcome``
        (with ``need``, only at those entries)."""
        parts = self.parts
        got = None if self.g is None else self._edges(outcome, b)
        if got is None:
            return (np.zeros((rows.size, self.offered.size)),) * 2
        cols, edges, options_vary, which = got
        h, total = self._weights(outcome)
        binned = bins(
            parts[f"{outcome}_x"],
            parts[f"{outcome}_opt"],
            cols,
            options_vary,
            parts["table"].shape[2],
            h,
            edges,
            which,
            total,
        )
        losses = None
        if need is None and rows.size == self.population.n:  # the first level: kept
            losses = self._losses(outcome, b, got)
        return binned_residual(rows, parts, outcome, binned, losses, need)

    def _losses(self, outcome: str, b: int, got: tuple) -> np.ndarray:
        """:func:`~goldenbridge.engine.binned.edge_losses` at the ``b`` bins ``got`` of
        :meth:`_edges`, kept per population: the first level bins every world on every
        call (searches and the sliders decide offer after offer)."""
        return self._memo(("losses", outcome, b), lambda: edge_losses(self.parts, got[0], got[1]))

    def _weights(self, outcome: str) -> tuple[np.ndarray, np.ndarray]:
        """(N, M) ``h`` of :mod:`goldenbridge.engine.binned` for the war's ``outcome``
        and its (M,) sum over the worlds: the same at every level, so found once (the
        sum over every offer at once, as :meth:`_columns` keeps it)."""
        if outcome not in self.h:
            h = (self._mass(outcome) / self.population.worlds.weights.sum())[:, None] * self.g
            self.h[outcome] = (h, h.sum(axis=0))
        return self.h[outcome]

    def _memo(self, key: object, build):
        """A value of the population and the actor alone (not of the offers), kept with
        the actor's pairing (:func:`~goldenbridge.engine.arrays.packed_once`): searches,
        the web page's sliders and the talks game decide offer after offer on the same
        population. Built once: a thread that finds another building waits for it (the
        pieces of :func:`decide` ask for the same values at once)."""
        memo = self.parts.setdefault("memo", {})
        if key in memo:
            return memo[key]
        with self.parts.setdefault("memo lock", threading.RLock()):  # setdefault: atomic
            if key not in memo:
                memo[key] = build()
            return memo[key]

    def _edges(self, outcome: str, b: int) -> tuple | None:
        """The varying issues of the war's ``outcome``, ``b`` bins on each (weighted by
        ``w p``, or ``w (1 - p)`` for ``lose``) and each world's bin on each; None when
        the outcome is the same everywhere. Each issue's values are sorted once, and
        each level's bins found once, per population."""
        parts = self.parts
        if parts[f"{outcome}_fixed"]:
            return None
        cols = parts[f"{outcome}_cols"]
        x = parts[f"{outcome}_x"]

        def quantiles() -> list[Quantiles]:
            mass = self._mass(outcome)
            return [Quantiles(x[:, c], mass) for c in cols]

        def level() -> tuple:
            qs = self._memo(("quantiles", outcome), quantiles)
            edges = np.array([q.edges(b) for q in qs]).reshape(cols.size, b + 1)
            which = np.array([q.bin_of(edges[i]) for i, q in enumerate(qs)]).reshape(
                cols.size, x.shape[0]
            )
            return cols, edges, bool(parts[f"{outcome}_table"]), which

        return self._memo(("bins", outcome, b), level)

    @property
    def approve(self) -> np.ndarray:
        """(N, M) bool: the estimate is >= 0 (ties approve). Do not write to it."""
        if self._approve is None:
            self._approve = self.est >= 0.0
        return self._approve

    def unsettled(self) -> np.ndarray:
        """(N, M) bool: the sign is not settled (within Z standard errors of 0, or
        within the bound of the binned residual plus float rounding). Do not write to
        it: it is kept, and :meth:`refine` updates the rows it refines."""
        if self._open is None:
            self._open = self._unsettled(slice(None))
        return self._open

    def _unsettled(self, rows: np.ndarray | slice) -> np.ndarray:
        est, se, bound = self.est[rows], self.se[rows], self.bound[rows]
        return ~self.exact[rows] & (np.abs(est) <= Z * se + bound + ROUNDING)

    def refine(self, matters: np.ndarray) -> np.ndarray:
        """Refine where ``matters`` (every unsettled world at the binned levels, which
        are cheap: the reported P(approves) gains from it); return the worlds left
        unsettled where it matters."""
        n = self.population.n
        for level, s in enumerate(self.levels[1:], start=1):
            exact = s >= n
            left = self.unsettled().copy()
            if exact or self.levels is not BIN_LEVELS:
                left &= matters
            if exact:  # each offer's own budget: its numbers never depend on the others'
                w = self.population.worlds.weights
                for j in range(left.shape[1]):
                    rows = np.flatnonzero(left[:, j])
                    left[rows[_exact_rows(w, rows) :], j] = False
            todo = _rows_with_any(left)
            if todo.size == 0:
                break
            need = left[todo]
            got = self._gain(todo, s, level, need)
            for name, value in zip(("est", "se", "bound"), got, strict=True):
                sub = getattr(self, name)[todo]
                sub[need] = value[need]
                getattr(self, name)[todo] = sub
            sub = self.exact[todo]
            sub[need] = exact
            self.exact[todo] = sub
            # only the refined rows change (the same elementwise tests as on every row)
            self.unsettled()[todo] = self._unsettled(todo)
            self.approve[todo] = self.est[todo] >= 0.0
        return matters & self.unsettled()


def _rows_with_any(a: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(a.any(axis=1))`` of an (N, M) bool array, from its True entries
    (in row order: their row numbers, each once) -- a few times faster where they are few.

    Examples
    --------
    >>> _rows_with_any(np.array([[0, 1, 1], [0, 0, 0], [1, 0, 0]], dtype=bool)).tolist()
    [0, 2]
    """
    rows = np.flatnonzero(a) // max(a.shape[1], 1)
    return rows[np.r_[True, rows[1:] != rows[:-1]]] if rows.size else rows


def _exact_rows(w: np.ndarray, todo: np.ndarray) -> int:
    """How many of the unsettled worlds ``todo`` (in world order) the exact level pairs
    with every world: within :data:`EXACT_PAIRS` pairs, and beyond it as many as it
    takes to leave unsettled at most :data:`INNER_SHARE` of the sampling error of a
    proportion of 1/2, ``0.5 sqrt(sum w^2) / sum w``, so the inner error stays below the
    outer standard error of every outcome between about 2% and 98%."""
    n = w.size
    target = INNER_SHARE * 0.5 * np.sqrt((w * w).sum()) / w.sum()
    left = np.cumsum(w[todo][::-1])[::-1] / w.sum()  # weight of todo[k:], for each k
    needed = int(np.searchsorted(-left, -target, side="left"))  # first k: left[k] <= target
    return max(1, EXACT_PAIRS // n, needed)


def _sortable(parts: dict) -> bool:
    """One own threat moves the target, with an effect far from float rounding: its
    thresholds can be sorted (:mod:`goldenbridge.engine.thresholds`)."""
    effect = np.abs(parts["effect"])
    return parts["cred_own"].shape[1] == 1 and not ((effect > 0) & (effect < 1e-6)).any()


def own_information(scenario: Scenario) -> list[str]:
    """The vetoes and stakeholders that approve on their own information (docs/design.md
    4b), in the scenario's order."""
    return [
        a.name
        for a in scenario.actors
        if a.role in ("veto", "stakeholder") and not is_informed(scenario, a.name)
    ]


def _parts(population: Population, actor: str) -> Any:
    """The actor's pairing (:func:`goldenbridge.information.pair_parts`: a dict, or None),
    once per population."""
    return packed_once(
        population.worlds, f"parts:{actor}", population.seed, lambda: pair_parts(population, actor)
    )


def decide(population: Population, offers: Offers) -> Decisions:
    """Each world's decisions and outcome for each offer (docs/design.md 4a-4c).

    An offer's decisions depend on that offer alone, so where actors approve on their own
    information (the costly part) the offers are split into contiguous pieces decided side
    by side on threads (:func:`goldenbridge.engine.threads.map_threads`), and with one
    offer those actors' first passes run side by side: the same numbers whatever the
    threads.

    Parameters
    ----------
    population : Population
    offers : Offers

    Returns
    -------
    Decisions

    Examples
    --------
    One issue, one veto that knows only its own cost (computed by hand in
    tests/test_information.py):

    >>> from goldenbridge.scenario import load
    >>> from goldenbridge.population import sample
    >>> pop = sample(load("fearon-1d"), samples=1_000, seed=1)
    >>> d = decide(pop, pop.encode([{"share": 1.0}, {"share": 0.6}]))
    >>> d.offered.tolist(), bool(d.deal[:, 0].any())
    ([False, True], False)
    """
    scenario = population.scenario
    own = own_information(scenario)
    for actor in own:  # built once, before the threads share it
        _parts(population, actor)
    pieces = workers(offers.m) if own else 1
    if pieces <= 1:
        return _decide(population, offers)
    cuts = np.linspace(0, offers.m, pieces + 1).astype(np.int64)
    parts = map_threads(
        lambda sl: _decide(population, offers.subset(sl)),
        [slice(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)],
    )
    return Decisions(
        offered=np.concatenate([d.offered for d in parts]),
        accept=np.hstack([d.accept for d in parts]),
        approve={i: np.hstack([d.approve[i] for d in parts]) for i in parts[0].approve},
        deal=np.hstack([d.deal for d in parts]),
        war=np.hstack([d.war for d in parts]),
        payoff=np.hstack([d.payoff for d in parts]),
        u_proposer=np.hstack([d.u_proposer for d in parts]),
        inner_error=np.concatenate([d.inner_error for d in parts]),
        sincere=parts[0].sincere,
    )


def _decide(population: Population, offers: Offers) -> Decisions:
    """:func:`decide` for one piece of the offers, on this thread."""
    scenario = population.scenario
    worlds = population.worlds
    names = population.actor_names
    t = names.index(scenario.target.name)
    offered = ~offers_nothing(population, offers)
    u = [utilities(a, offers) for a in worlds.actors]
    face = (population.backing_down, population.pretext, population.face)
    accept, war_rejected = target_choice(
        u[t],
        population.status_quo_u[:, t, None],
        population.war_value[:, t, None],
        *(f[:, None] for f in face),
    )
    war_nothing = worlds.fight[:, None]
    # where a veto's approval changes this world's outcome
    matters = offered[None, :] & (accept | (war_rejected != war_nothing))
    approve: dict[int, np.ndarray] = {}
    unsettled = np.zeros(accept.shape, dtype=bool)
    sincere = []
    first: list[tuple[int, str]] = []  # (index, name) of those on their own information
    for i, actor in enumerate(scenario.actors):
        if actor.role not in ("veto", "stakeholder"):
            continue
        if is_informed(scenario, actor.name):
            approve[i] = u[i] >= worlds.actors[i].reservation[:, None]
        else:
            first.append((i, actor.name))
            if actor.role == "veto" and moves_target(population, actor.name):
                sincere.append(actor.name)
    # each one's first pass over every world is its own: side by side on threads
    sums = target_sums(population, offered, u[t], (accept, war_rejected)) if first else None
    rules = map_threads(
        lambda a: _OwnApproval(population, a[1], offers, offered, u[t], u[a[0]], sums), first
    )
    own = {i: rule for (i, _), rule in zip(first, rules, strict=True)}
    vetoes = [i for i in worlds.deciders if i != t]

    def relevant(i: int) -> np.ndarray:
        """Where i's approval decides the outcome: nothing else settles it."""
        out = matters.copy() if i in vetoes else np.zeros_like(matters)
        for k in vetoes:  # a world where another veto surely blocks does not need i
            if k != i:
                out &= approve[k] if k not in own else own[k].approve | own[k].unsettled()
        return out

    for i, rule in own.items():
        rule.refine(relevant(i))
    for i, rule in own.items():
        approve[i] = rule.approve
        unsettled |= relevant(i) & rule.unsettled()
    w = worlds.weights
    inner_error = (w @ unsettled) / w.sum()
    return outcomes_of(population, u, offered, accept, war_rejected, approve, inner_error, sincere)


def outcomes_of(
    population: Population,
    u: list[np.ndarray],
    offered: np.ndarray,
    accept: np.ndarray,
    war_rejected: np.ndarray,
    approve: dict[int, np.ndarray],
    inner_error: np.ndarray,
    sincere: list[str],
) -> Decisions:
    """docs/design.md 4a from the decisions: a package is offered iff it offers something
    and every veto approves it; a blocked package, or nothing, leaves the no-offer outcome
    (war iff the target fights). ``u``: every actor's (N, M) utilities."""
    worlds = population.worlds
    t = population.actor_names.index(population.scenario.target.name)
    made = np.broadcast_to(offered, accept.shape).copy()
    for i in worlds.deciders:
        if i != t:
            made &= approve[i]
    deal = made & accept
    war = ~deal & np.where(made, war_rejected, worlds.fight[:, None])
    p = worlds.proposer
    war_p = population.war_value[:, p, None]
    sq_p = population.status_quo_u[:, p, None]
    payoff = np.where(deal, u[p], np.where(war, war_p, sq_p))
    return Decisions(
        offered=offered,
        accept=accept,
        approve=approve,
        deal=deal,
        war=war,
        payoff=payoff,
        u_proposer=u[p],
        inner_error=inner_error,
        sincere=tuple(sincere),
    )


def decided_tally(population: Population, decisions: Decisions) -> Tally:
    """The engine's :class:`~goldenbridge.engine.arrays.Tally` of the decisions, summed in
    the reference engine's fixed blocks and order (docs/design.md section 5; compiled,
    :mod:`goldenbridge.engine.sums`: the reference's numbers bit for bit)."""
    worlds = population.worlds
    t = population.actor_names.index(population.scenario.target.name)
    m = decisions.deal.shape[1]
    total = Tally.zeros(worlds.n_groups, m, len(worlds.actors))
    for n0 in range(0, worlds.n, WORLD_BLOCK):
        sl = slice(n0, n0 + WORLD_BLOCK)
        block = worlds.subset(sl)
        accepts = []
        for i, a in enumerate(worlds.actors):
            if i == t:
                accepts.append(decisions.accept[sl])
            elif i in decisions.approve:
                accepts.append(decisions.approve[i][sl])
            else:  # the proposer: the per-world comparison, as the engines report it
                r_p = a.reservation[sl, None]
                accepts.append(decisions.u_proposer[sl] >= r_p)
        part = outcome_sums(
            block,
            accepts,
            decisions.deal[sl],
            decisions.war[sl],
            decisions.payoff[sl],
            decisions.u_proposer[sl],
        )
        part.sole[:, ~decisions.offered, :] = 0.0  # nothing offered: nobody blocks
        total.add(part)
    return total
