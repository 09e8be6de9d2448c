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

__all__ = ["PRANGE_ONLY", "loss", "margins", "utilities", "utilities_at"]


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


#: numba's parallel options for the engine's row kernels: only the explicit ``prange``
#: loop runs in parallel. ``parallel=True`` would also turn each ``np.zeros`` and array
#: expression into a parallel loop of its own, each compiled separately on a fresh install
#: (docs/performance.md, "Cold start"), for no measurable gain at run time.
PRANGE_ONLY = {
    "prange": True,
    "numpy": False,
    "comprehension": False,
    "reduction": False,
    "inplace_binop": False,
    "setitem": False,
    "stencil": False,
    "fusion": False,
}


@numba.njit(cache=True, parallel=PRANGE_ONLY)
def _utilities(weight, ideal, rho, table, x, option, at):  # pragma: no cover - compiled
    """(N, M) utilities of offers ``x`` (M rows); with ``at``, (N, 1) of world ``i``'s own
    outcome ``x[i]`` (one kernel for both: each parallel kernel costs a second or more
    to compile on a fresh install)."""
    n, kc = weight.shape
    m = 1 if at else x.shape[0]
    u = np.empty((n, m))
    for i in numba.prange(n):
        for j in range(m):
            row = j
            if at:
                row = np.int64(i)  # the prange index may be unsigned
            s = 0.0
            for c in range(kc):
                s += weight[i, c] * (1.0 - loss(x[row, c] - ideal[i, c], rho[i]))
            for k in range(table.shape[1]):
                s += table[i, k, option[row, k]]
            u[i, j] = s
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
    return _utilities(*_args(actor, offers.x, offers.option), False)


def utilities_at(actor: ActorArrays, x: np.ndarray, option: np.ndarray) -> np.ndarray:
    """(N,) ``u_i,n(outcome_n)`` of one actor for one outcome per world: ``x`` (N, Kc)
    normalised, ``option`` (N, Kd)."""
    return _utilities(*_args(actor, x, option), True)[:, 0]


def margins(worlds: Worlds, offers: Offers) -> np.ndarray:
    """(N, M, A) acceptance margins ``u_i(x) - r_i`` (as
    :func:`goldenbridge.engine.reference.margins`): actor ``i`` accepts offer ``m`` in
    world ``n`` iff the margin is >= 0 (ties accept, docs/design.md section 4)."""
    return np.stack([utilities(a, offers) - a.reservation[:, None] for a in worlds.actors], axis=2)
