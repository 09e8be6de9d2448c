"""The engine's whole input and output: plain arrays, no scenario objects.

The population layer (``goldenbridge.population``) turns a scenario into a
:class:`Worlds`; offers become an :class:`Offers`; every engine turns the two
into a :class:`Tally` of weighted sums grouped by type stratum, or into per-world
utility margins for a handful of offers.

Coordinates. A continuous issue is measured in *normalised* units,
``(value - min) / (max - min)`` in [0, 1], so ``|x - a| ** rho`` is the loss of
docs/design.md section 3 and no engine needs to know the scale. A discrete issue is an
option index; each actor carries a table of its *salience-weighted* normalised
evaluations ``w_ik * e_ik(o) / max_o e_ik(o)`` so that the engine only looks up
and adds.

Utility of actor ``i`` in world ``n`` for offer ``m`` (docs/design.md section 3)::

    u = sum_c weight[n, c] * (1 - |x[m, c] - ideal[n, c]| ** rho[n])
        + sum_d table[n, d, option[m, d]]
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "ActorArrays",
    "Worlds",
    "Offers",
    "Tally",
    "packed_once",
    "read_only",
    "stable_argsort",
]


@dataclass(frozen=True)
class ActorArrays:
    """One actor's preferences and no-deal value in every world.

    Attributes
    ----------
    weight : (N, Kc) float64
        Salience weights on the continuous issues (with the discrete weights they
        sum to 1 in each world).
    ideal : (N, Kc) float64
        Ideal points in normalised coordinates.
    rho : (N,) float64
        Loss exponent (2 = quadratic, 1 = linear).
    table : (N, Kd, O) float64
        Salience-weighted normalised evaluation of each option of each discrete
        issue; padding options hold 0 and are never offered.
    reservation : (N,) float64
        The actor's no-deal value ``r_i`` (war value if the target fights in that
        world, else its status-quo utility).
    """

    weight: np.ndarray
    ideal: np.ndarray
    rho: np.ndarray
    table: np.ndarray
    reservation: np.ndarray


@dataclass(frozen=True)
class Worlds:
    """N sampled worlds as arrays: what every engine consumes.

    Attributes
    ----------
    actors : tuple of ActorArrays
        Every actor, in scenario order.
    proposer : int
        Index of the proposer in ``actors``.
    deciders : tuple of int
        Indices of the actors whose acceptance a deal needs (target and vetoes).
    fight : (N,) bool
        Whether the target fights when there is no deal (docs/design.md section 4).
    weights : (N,) float64
        World weights (1 by default; Bayesian updating reweights them).
    group : (N,) int64
        Joint type stratum of each world, in ``0 .. n_groups - 1``.
    n_groups : int
        Number of strata (product of the numbers of types of the actors that
        have types; 1 when none has).
    """

    actors: tuple[ActorArrays, ...]
    proposer: int
    deciders: tuple[int, ...]
    fight: np.ndarray
    weights: np.ndarray
    group: np.ndarray
    n_groups: int

    @property
    def n(self) -> int:
        """Number of worlds."""
        return int(self.weights.shape[0])

    def subset(self, index: np.ndarray | slice | Sequence[int]) -> Worlds:
        """The worlds selected by ``index`` (a slice or an index array)."""
        actors = tuple(
            ActorArrays(
                a.weight[index],
                a.ideal[index],
                a.rho[index],
                a.table[index],
                a.reservation[index],
            )
            for a in self.actors
        )
        return Worlds(
            actors,
            self.proposer,
            self.deciders,
            self.fight[index],
            self.weights[index],
            self.group[index],
            self.n_groups,
        )

    def with_weights(self, weights: np.ndarray) -> Worlds:
        """The same worlds with new weights (used by Bayesian updating)."""
        return Worlds(
            self.actors,
            self.proposer,
            self.deciders,
            self.fight,
            np.asarray(weights, dtype=np.float64),
            self.group,
            self.n_groups,
        )

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Every array of the worlds (actors' fields, then fight, weights, group)."""
        per_actor = ((a.weight, a.ideal, a.rho, a.table, a.reservation) for a in self.actors)
        return (*(x for arrs in per_actor for x in arrs), self.fight, self.weights, self.group)


#: Packings kept per kind: the web page alternates between a preview population and the
#: whole sample, and a search between its population and a fresh one to re-evaluate on.
KEEP = 3
#: The last :data:`KEEP` packings per kind, newest last: kind -> [(weak reference to the
#: worlds, key, value), ...].
_PACKED: dict[str, list[tuple[weakref.ref, Hashable, Any]]] = {}
_PACKED_LOCK = threading.RLock()  # the web server decides on two threads; drop() may run
# inside a locked block (a garbage collection frees a population), hence reentrant


def packed_once(worlds: Worlds, kind: str, key: Hashable, build: Callable[[], Any]) -> Any:
    """``build()``, kept for the last :data:`KEEP` ``Worlds`` objects seen under ``kind``
    and ``key``.

    Analyses call the engines again and again with the same worlds and new
    offers (optimisers, the web explorer's sliders), so the engines pack the
    worlds' arrays once per ``Worlds`` object. A few entries per ``kind`` (one engine
    layout), each keyed by the object's identity through a weak reference (a freed
    object never matches a new one, and freeing it drops the entry) and by
    ``key`` (dtype and options); the least recently used goes first.

    So that a kept packing can never be stale, the worlds' arrays are made
    read-only when it is kept: an in-place write to them raises instead of
    silently changing what the engine computes on. (``Worlds`` is immutable;
    :meth:`Worlds.with_weights` and :meth:`Worlds.subset` make new objects.)
    """
    with _PACKED_LOCK:
        entries = _PACKED.setdefault(kind, [])
        for entry in list(entries):
            if entry[0]() is worlds and entry[1] == key:
                # by identity: weak references compare their (array-holding) referents
                entries[:] = [e for e in entries if e is not entry] + [entry]  # newest last
                return entry[2]
    value = build()
    for a in worlds.arrays():
        a.flags.writeable = False

    def drop(ref: weakref.ref) -> None:
        with _PACKED_LOCK:
            kept = _PACKED.get(kind, [])
            kept[:] = [e for e in kept if e[0] is not ref]

    with _PACKED_LOCK:
        entries = _PACKED.setdefault(kind, [])
        entries[:] = [e for e in entries if e[0]() is not None and e[0]() is not worlds]
        entries.append((weakref.ref(worlds, drop), key, value))
        del entries[:-KEEP]
    return value


def read_only(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Read-only views of ``arrays`` (no copy), for a numba kernel's arguments.

    Numba compiles a kernel once per tuple of argument types, and a read-only array is
    a type of its own: a kernel called with the worlds' arrays writable (a fresh
    population) and then read-only (once :func:`packed_once` kept them) is compiled
    twice, each compilation seconds of CPU, again in every fresh install. Passing every
    array read-only gives one type whatever the caller's flags.

    Examples
    --------
    >>> a = np.zeros(3)
    >>> (v,) = read_only(a)
    >>> v.flags.writeable, a.flags.writeable, v.base is a
    (False, True, True)
    """
    views = []
    for a in arrays:
        view = a.view()
        view.flags.writeable = False
        views.append(view)
    return tuple(views)


@dataclass(frozen=True)
class Offers:
    """M offers: continuous coordinates and discrete option indices.

    Attributes
    ----------
    x : (M, Kc) float64
        Normalised coordinates of the continuous issues.
    option : (M, Kd) int64
        Option index of each discrete issue.
    """

    x: np.ndarray
    option: np.ndarray

    @property
    def m(self) -> int:
        """Number of offers."""
        return int(self.x.shape[0])

    def subset(self, index: np.ndarray | slice | Sequence[int]) -> Offers:
        """The offers selected by ``index``."""
        return Offers(self.x[index], self.option[index])


@dataclass
class Tally:
    """Weighted sums over worlds, grouped by type stratum ``g``.

    With world weights ``w``, per-world indicator or payoff ``y``, every
    probability is ``sum w y / sum w`` and its Monte Carlo standard error
    ``sqrt(sum w^2 (y - p)^2) / sum w`` (docs/design.md section 5), which these sums
    give without a second pass: for a 0/1 indicator
    ``sum w^2 (y - p)^2 = (1 - 2p) sum w^2 y + p^2 sum w^2``.

    Attributes (G strata, M offers, A actors)
    ----------
    w, w2 : (G,)
        ``sum w`` and ``sum w^2``.
    fight, fight2 : (G,)
        ``sum w f`` and ``sum w^2 f`` with ``f`` = the target fights without a deal.
    accept, accept2 : (G, M, A)
        ``sum w a_i`` and ``sum w^2 a_i`` with ``a_i`` = actor i accepts (u_i >= r_i).
    sole : (G, M, A)
        ``sum w s_i``, ``s_i`` = i is a decider that rejects while every other
        decider accepts.
    deal, deal2 : (G, M)
        The same for the deal indicator (every decider accepts).
    war, war2 : (G, M)
        The same for war (no deal and the target fights).
    payoff, payoff2, payoff_sq2 : (G, M)
        ``sum w z``, ``sum w^2 z``, ``sum w^2 z^2`` with the proposer's realised
        payoff ``z = u_P(x)`` if deal else ``r_P``.
    proposer_u : (G, M)
        ``sum w u_P(x)``: the proposer's expected utility of the offer itself.
    """

    w: np.ndarray
    w2: np.ndarray
    fight: np.ndarray
    fight2: np.ndarray
    accept: np.ndarray
    accept2: np.ndarray
    sole: np.ndarray
    deal: np.ndarray
    deal2: np.ndarray
    war: np.ndarray
    war2: np.ndarray
    payoff: np.ndarray
    payoff2: np.ndarray
    payoff_sq2: np.ndarray
    proposer_u: np.ndarray

    @classmethod
    def zeros(cls, n_groups: int, m: int, a: int) -> Tally:
        """An empty tally to add partial sums into."""
        g = n_groups
        return cls(
            w=np.zeros(g),
            w2=np.zeros(g),
            fight=np.zeros(g),
            fight2=np.zeros(g),
            accept=np.zeros((g, m, a)),
            accept2=np.zeros((g, m, a)),
            sole=np.zeros((g, m, a)),
            deal=np.zeros((g, m)),
            deal2=np.zeros((g, m)),
            war=np.zeros((g, m)),
            war2=np.zeros((g, m)),
            payoff=np.zeros((g, m)),
            payoff2=np.zeros((g, m)),
            payoff_sq2=np.zeros((g, m)),
            proposer_u=np.zeros((g, m)),
        )

    def array_names(self) -> tuple[str, ...]:
        """Names of the summed arrays, in a fixed order."""
        return (
            "w",
            "w2",
            "fight",
            "fight2",
            "accept",
            "accept2",
            "sole",
            "deal",
            "deal2",
            "war",
            "war2",
            "payoff",
            "payoff2",
            "payoff_sq2",
            "proposer_u",
        )

    @classmethod
    def concat(cls, parts: Sequence[Tally]) -> Tally:
        """The tallies of consecutive pieces of the offers on the same worlds, as one: the
        per-offer sums side by side, the worlds' own (``w``, ``w2``, ``fight``,
        ``fight2``: the same in every piece) from the first."""
        first = parts[0]
        return cls(
            **{
                name: getattr(first, name)
                if getattr(first, name).ndim == 1
                else np.concatenate([getattr(p, name) for p in parts], axis=1)
                for name in first.array_names()
            }
        )

    def add(self, other: Tally) -> None:
        """Add another tally's sums into this one (in place)."""
        for name in self.array_names():
            getattr(self, name).__iadd__(getattr(other, name))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tally):
            return NotImplemented
        return all(np.array_equal(getattr(self, k), getattr(other, k)) for k in self.array_names())


def stable_argsort(v: np.ndarray) -> np.ndarray:
    """``np.argsort(v, kind="stable")`` of a 1-D array, the same permutation, faster where
    no two values tie.

    A permutation that sorts distinct values is unique, so numpy's default sort (not
    stable, but several times faster: SIMD quicksort) returns the stable sort's
    permutation whenever the sorted values increase strictly. Where two neighbours are
    equal (a tie, ``-0.0`` and ``0.0`` included) or a value is NaN the strict check
    fails and the stable sort runs instead.

    Examples
    --------
    >>> stable_argsort(np.array([0.3, 0.1, 0.2])).tolist()
    [1, 2, 0]
    >>> stable_argsort(np.array([1.0, 0.0, 1.0, 0.0])).tolist()  # ties: index order
    [1, 3, 0, 2]
    """
    order = np.argsort(v)
    s = v[order]
    if s.size < 2 or bool((s[1:] > s[:-1]).all()):
        return order
    return np.argsort(v, kind="stable")
