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
from goldenbridge.engine.threads import sized

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


@numba.njit(cache=True, parallel=True, nogil=True)
def _utilities(weight, ideal, rho, table, x, option):  # pragma: no cover - compiled
    n, kc = weight.shape
    m = x.shape[0]
    u = np.empty((n, m))
    for i in numba.prange(n):
        for j in range(m):
            s = 0.0
            for c in range(kc):
                s += weight[i, c] * (1.0 - loss(x[j, c] - ideal[i, c], rho[i]))
            for k in range(table.shape[1]):
                s += table[i, k, option[j, k]]
            u[i, j] = s
    return u


@numba.njit(cache=True, parallel=True, nogil=True)
def _utilities_at(weight, ideal, rho, table, x, option):  # pragma: no cover - compiled
    n, kc = weight.shape
    u = np.empty(n)
    for i in numba.prange(n):
        s = 0.0
        for c in range(kc):
            s += weight[i, c] * (1.0 - loss(x[i, c] - ideal[i, c], rho[i]))
        for k in range(table.shape[1]):
            s += table[i, k, option[i, k]]
        u[i] = s
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
    args = _args(actor, offers.x, offers.option)
    with sized(args[0].shape[0] * offers.m * (args[0].shape[1] + 1)):
        return _utilities(*args)


def utilities_at(actor: ActorArrays, x: np.ndarray, option: np.ndarray) -> np.ndarray:
    """(N,) ``u_i,n(outcome_n)`` of one actor for one outcome per world: ``x`` (N, Kc)
    normalised, ``option`` (N, Kd)."""
    args = _args(actor, x, option)
    with sized(args[0].shape[0] * (args[0].shape[1] + 1)):
        return _utilities_at(*args)


def margins(worlds: Worlds, offers: Offers) -> np.ndarray:
    """(N, M, A) acceptance margins ``u_i(x) - r_i`` (as
    :func:`goldenbridge.engine.reference.margins`): actor ``i`` accepts offer ``m`` in
    world ``n`` iff the margin is >= 0 (ties accept, docs/design.md section 4)."""
    return np.stack([utilities(a, offers) - a.reservation[:, None] for a in worlds.actors], axis=2)
