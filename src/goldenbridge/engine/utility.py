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

import numba
import numpy as np

from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds, read_only
from goldenbridge.engine.threads import by_rows

__all__ = ["loss", "margins", "utilities", "utilities_at"]


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
