"""Utilities, compiled: what the analyses call for per-world values (docs/design.md section 3).

``u_i,n(x) = sum_c w_i,n,c (1 - |x_c - a_i,n,c| ** rho_i,n) + sum_k t_i,n,k(option_k)``.
:func:`utilities` (every world x every offer) and :func:`utilities_at` (one outcome per
world) are the numba twins of :func:`goldenbridge.engine.reference.utilities` and
:func:`~goldenbridge.engine.reference.utilities_at`: the same expressions in the same
order (issues in order, then the discrete tables; the loss as :func:`loss` defines it),
so the two agree bit for bit (tests/test_engine_utility.py), and each world's row is
independent of the others, so the numbers never depend on the threads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numba
import numpy as np

from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds, read_only
from goldenbridge.engine.threads import by_rows

__all__ = ["OneOffer", "loss", "margins", "utilities", "utilities_at"]


@numba.njit(cache=True, inline="always")
def loss(d, r):  # pragma: no cover - compiled
    """``|d| ** r`` exactly as :func:`goldenbridge.engine.reference.loss` computes it:
    ``d * d`` where ``r == 2``, ``|d|`` where ``r == 1``, the C library's ``pow`` otherwise."""
    d = abs(d)
    if r == 2.0:
        return d * d
    if r == 1.0:
        return d
    return d**r


@numba.njit(cache=True, nogil=True)
def _utilities(lo, hi, weight, ideal, rho, table, x, option, at, u):  # pragma: no cover
    """Rows ``lo .. hi - 1`` of ``u``: the utilities of offers ``x`` (M rows), or with
    ``at`` (M = 1) of world ``i``'s own outcome ``x[i]``. One serial kernel for both, run
    on every core by :func:`goldenbridge.engine.threads.by_rows`: two parallel builds
    cost 2.6 s of compilation on a fresh install, this one 0.4 s."""
    kc = weight.shape[1]
    m = u.shape[1]
    for i in range(lo, hi):
        for j in range(m):
            row = i if at else j
            s = 0.0
            for c in range(kc):
                s += weight[i, c] * (1.0 - loss(x[row, c] - ideal[i, c], rho[i]))
            for k in range(table.shape[1]):
                s += table[i, k, option[row, k]]
            u[i, j] = s


@numba.njit(cache=True, nogil=True)
def _one_offer(weight, ideal, rho, table, x, option, changed, terms, u):  # pragma: no cover
    """``u[a, i, 0]``: actor ``a``'s utility in world ``i`` of the one offer ``x``
    (Kc,), ``option`` (Kd,), as :func:`_utilities` computes it (the same terms in the
    same order), each issue's term ``terms[a, i, c]`` recomputed only where
    ``changed[c]`` (the others kept from an offer equal on that issue)."""
    kc = weight.shape[2]
    for a in range(weight.shape[0]):
        for i in range(weight.shape[1]):
            s = 0.0
            for c in range(kc):
                if changed[c]:
                    d = x[c] - ideal[a, i, c]
                    terms[a, i, c] = weight[a, i, c] * (1.0 - loss(d, rho[a, i]))
                s += terms[a, i, c]
            for k in range(table.shape[2]):
                s += table[a, i, k, option[k]]
            u[a, i, 0] = s


class OneOffer:
    """Several actors' utilities of one offer at a time, for a search that moves one
    issue at a time (finite differences: each point differs from the last in one
    coordinate).

    Each offer's per-issue terms ``w_c (1 - |x_c - a_c| ** rho)`` are kept for the last
    ``keep`` offers; a new offer starts from the kept one that differs from it on the
    fewest issues and computes the terms of those issues alone. The sum is taken in
    :func:`utilities`' order from the same terms, so the numbers are the same bit for
    bit (tests/test_engine_utility.py).

    Examples
    --------
    >>> a = ActorArrays(weight=np.array([[0.5, 0.5]]), ideal=np.array([[0.0, 1.0]]),
    ...                 rho=np.array([2.0]), table=np.zeros((1, 0, 0)),
    ...                 reservation=np.array([0.0]))
    >>> one = OneOffer([a])
    >>> one(np.array([0.5, 0.5]), np.zeros(0, np.int64))[:, :, 0]
    array([[0.75]])
    >>> one(np.array([0.5, 1.0]), np.zeros(0, np.int64))[:, :, 0]  # one issue's term new
    array([[0.875]])
    """

    def __init__(self, actors: Sequence[ActorArrays], keep: int = 8):
        def stack(field: str) -> np.ndarray:
            return np.ascontiguousarray(np.stack([getattr(a, field) for a in actors]), np.float64)

        self._arrays = read_only(stack("weight"), stack("ideal"), stack("rho"), stack("table"))
        self._keep = keep
        self._kept: list[tuple[np.ndarray, bytes, np.ndarray]] = []  # (x, option, terms)

    def __call__(self, x: np.ndarray, option: np.ndarray) -> np.ndarray:
        """(A, N, 1) each actor's utility of the offer ``x`` (Kc,) normalised, ``option``
        (Kd,), in every world."""
        weight = self._arrays[0]
        x = np.ascontiguousarray(x, dtype=np.float64)
        option = np.ascontiguousarray(option, dtype=np.int64)
        key = option.tobytes()
        changed = np.ones(weight.shape[2], dtype=np.bool_)
        base = None
        for kept_x, kept_option, terms in self._kept:
            differ = x != kept_x
            if kept_option == key and (base is None or differ.sum() < changed.sum()):
                changed, base = differ, terms
        terms = np.empty(weight.shape) if base is None else base.copy()
        u = np.empty((*weight.shape[:2], 1))
        _one_offer(*self._arrays, *read_only(x, option, changed), terms, u)  # type: ignore[call-arg]
        self._kept = [(x, key, terms), *self._kept[: self._keep - 1]]
        return u


def _run(actor: ActorArrays, x: np.ndarray, option: np.ndarray, at: bool) -> np.ndarray:
    n, kc = actor.weight.shape
    u = np.empty((n, 1 if at else x.shape[0]))
    by_rows(_utilities, n, u.size * (kc + 1), *_args(actor, x, option), at, u)
    return u


def _args(actor: ActorArrays, x: np.ndarray, option: np.ndarray) -> tuple[np.ndarray, ...]:
    """Contiguous, read-only: one compiled type whatever the caller's arrays."""
    c = np.ascontiguousarray
    return read_only(
        c(actor.weight, dtype=np.float64),
        c(actor.ideal, dtype=np.float64),
        c(actor.rho, dtype=np.float64),
        c(actor.table, dtype=np.float64),
        c(x, dtype=np.float64),
        c(option, dtype=np.int64),
    )


def utilities(actor: ActorArrays, offers: Offers) -> np.ndarray:
    """(N, M) ``u_i,n(x_m)`` of one actor for every world and offer.

    Examples
    --------
    >>> a = ActorArrays(weight=np.array([[1.0]]), ideal=np.array([[0.0]]),
    ...                 rho=np.array([2.0]), table=np.zeros((1, 0, 0)),
    ...                 reservation=np.array([0.0]))
    >>> utilities(a, Offers(np.array([[0.5], [1.0]]), np.zeros((2, 0), np.int64)))
    array([[0.75, 0.  ]])
    """
    return _run(actor, offers.x, offers.option, False)


def utilities_at(actor: ActorArrays, x: np.ndarray, option: np.ndarray) -> np.ndarray:
    """(N,) ``u_i,n(outcome_n)`` of one actor for one outcome per world: ``x`` (N, Kc)
    normalised, ``option`` (N, Kd)."""
    return _run(actor, x, option, True)[:, 0]


def margins(worlds: Worlds, offers: Offers) -> np.ndarray:
    """(N, M, A) acceptance margins ``u_i(x) - r_i`` (as
    :func:`goldenbridge.engine.reference.margins`): actor ``i`` accepts offer ``m`` in
    world ``n`` iff the margin is >= 0 (ties accept, docs/design.md section 4)."""
    return np.stack([utilities(a, offers) - a.reservation[:, None] for a in worlds.actors], axis=2)
