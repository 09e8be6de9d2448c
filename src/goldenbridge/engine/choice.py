"""The target's choice and a veto's approval, as array kernels (docs/design.md 4a-4c).

Target (4c). Offered ``x`` it takes the best of accept ``u_T(x) - b s``, stand down
``u_T(sq) - b`` and fight ``w_T + p s`` (ties in that order), with the unsaved share of
face ``s = clip(1 - (u_T(x) - u_T(sq)) / face, 0, 1)``; when nothing is offered ``s = 1``
and there is no accept option. With ``b = p = 0`` it accepts iff ``u_T(x) >= max(w_T,
u_T(sq))`` and fights iff ``w_T > u_T(sq)``: the rule of 4a, bit for bit.

Veto (4b). Actor ``j`` approves ``x`` iff ``E[U_j(x offered) - U_j(nothing offered) | what j
knows] >= 0`` (ties approve). Over paired worlds (:mod:`goldenbridge.information`) the
difference in one pair is ``u_j(x) - r_j^0`` where the target accepts, else ``r_j(x) -
r_j^0``, with ``r_j^0`` j's value of the no-offer outcome (war or the status quo) and
``r_j(x)`` of the outcome after the target rejects ``x``. :func:`approval` averages it
over each world's partners with their weights and returns the estimate and its Monte
Carlo standard error, the same whichever numba threads compute it (one world per task,
partners summed in order).
"""

from __future__ import annotations

import numba
import numpy as np

from goldenbridge.engine.threads import sized

__all__ = [
    "unsaved",
    "target_choice",
    "approval",
    "approval_reference",
    "gain_from_parts",
]


def unsaved(gain: np.ndarray, face: np.ndarray) -> np.ndarray:
    """The unsaved share of face ``clip(1 - gain / face, 0, 1)`` (docs/design.md 4c).

    Examples
    --------
    >>> unsaved(np.array([-0.1, 0.0, 0.25, 0.5, 0.9]), np.full(5, 0.5)).tolist()
    [1.0, 1.0, 0.5, 0.0, 0.0]
    """
    return np.clip(1.0 - gain / face, 0.0, 1.0)


def target_choice(
    u_x: np.ndarray,
    u_sq: np.ndarray,
    war: np.ndarray,
    backing_down: np.ndarray,
    pretext: np.ndarray,
    face: np.ndarray,
    offered: np.ndarray | bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether the target accepts, and whether it fights if it does not (arrays broadcast).

    Returns
    -------
    accept, war_if_rejected : bool arrays
        ``accept`` is False where nothing is offered.

    Examples
    --------
    docs/design.md 4c's example: ``u_T(x) = 1 - x``, status quo 1, b = p = 0.1, face 0.5.
    At x = 0.8 (gain 0.2, s = 0.6) the target accepts iff ``w_T <= 0.2 - 0.06 - 0.06``.

    >>> a, f = target_choice(np.array([0.2, 0.2]), np.zeros(2), np.array([0.07, 0.09]),
    ...                      np.full(2, 0.1), np.full(2, 0.1), np.full(2, 0.5))
    >>> a.tolist(), f.tolist()
    ([True, False], [True, True])
    """
    s = np.where(offered, unsaved(u_x - u_sq, face), 1.0)
    keep = u_x - backing_down * s
    stand = u_sq - backing_down
    fight = war + pretext * s
    accept = np.logical_and(offered, (keep >= stand) & (keep >= fight))
    return accept, fight > stand


@numba.njit(cache=True, parallel=True, nogil=True)
def _approval_kernel(  # pragma: no cover - compiled
    u_target, row, target_war, target_sq, bd, pre, face, u_own, own_war, own_sq, weight, offered
):
    r, s = row.shape
    m = u_own.shape[1]
    est = np.zeros((r, m))
    se = np.zeros((r, m))
    for i in numba.prange(r):
        wsum = 0.0
        w2sum = 0.0
        for k in range(s):
            wsum += weight[i, k]
            w2sum += weight[i, k] * weight[i, k]
        for j in range(m):
            t1 = 0.0
            t2 = 0.0
            t3 = 0.0
            for k in range(s):
                stand = target_sq[i, k] - bd[i, k]
                r0 = own_war[i, k] if target_war[i, k] + pre[i, k] > stand else own_sq[i, k]
                ux = u_target[row[i, k], j]
                sh = 1.0
                if offered[j]:
                    sh = min(max(1.0 - (ux - target_sq[i, k]) / face[i, k], 0.0), 1.0)
                keep = ux - bd[i, k] * sh
                fight = target_war[i, k] + pre[i, k] * sh
                if offered[j] and keep >= stand and keep >= fight:
                    d = u_own[i, j] - r0
                else:
                    d = (own_war[i, k] if fight > stand else own_sq[i, k]) - r0
                w = weight[i, k]
                t1 += w * d
                t2 += w * w * d
                t3 += w * w * d * d
            if wsum > 0:
                mean = t1 / wsum
                est[i, j] = mean
                # sqrt(sum w^2 (d - mean)^2) / sum w (docs/design.md section 5), expanded
                var = t3 - 2.0 * mean * t2 + mean * mean * w2sum
                se[i, j] = np.sqrt(max(var, 0.0)) / wsum
    return est, se


def approval(
    u_target: np.ndarray,
    row: np.ndarray,
    pairs: dict[str, np.ndarray],
    u_own: np.ndarray,
    offered: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A veto's expected gain from offering each offer, per outer world, and its SE.

    Parameters
    ----------
    u_target : (P, M) float64
        The target's utility of each offer in the worlds ``row`` points into.
    row : (R, S) int64
        For each pair, the row of ``u_target`` that holds the target's utilities.
    pairs : dict
        ``target_war``, ``target_sq``, ``backing_down``, ``pretext``, ``face``,
        ``own_war``, ``own_sq``, ``weight``: (R, S) float64 arrays of the pairs.
    u_own : (R, M) float64
        The veto's utility of each offer in each outer world.
    offered : (M,) bool
        False for an offer that offers nothing (the status quo).

    Returns
    -------
    estimate, se : (R, M) float64
        The weighted mean gain over the partners and its Monte Carlo standard error;
        the veto approves iff the estimate is >= 0.
    """
    keys = ("target_war", "target_sq", "backing_down", "pretext", "face")
    rest = ("own_war", "own_sq", "weight")
    with sized(row.size * np.shape(u_own)[1]):
        return _approval_kernel(  # type: ignore[call-arg]
            np.ascontiguousarray(u_target, dtype=np.float64),
            np.ascontiguousarray(row, dtype=np.int64),
            *(np.ascontiguousarray(pairs[k], dtype=np.float64) for k in keys),
            np.ascontiguousarray(u_own, dtype=np.float64),
            *(np.ascontiguousarray(pairs[k], dtype=np.float64) for k in rest),
            np.ascontiguousarray(offered, dtype=np.bool_),
        )


def approval_reference(
    u_target: np.ndarray,
    row: np.ndarray,
    pairs: dict[str, np.ndarray],
    u_own: np.ndarray,
    offered: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`approval` in plain numpy: the oracle the kernel is tested against."""
    ux = u_target[row]  # (R, S, M)
    p = {k: v[:, :, None] for k, v in pairs.items()}
    accept, war = target_choice(
        ux,
        p["target_sq"],
        p["target_war"],
        p["backing_down"],
        p["pretext"],
        p["face"],
        offered[None, None, :],
    )
    _, war0 = target_choice(
        ux, p["target_sq"], p["target_war"], p["backing_down"], p["pretext"], p["face"], False
    )
    r0 = np.where(war0, p["own_war"], p["own_sq"])
    d = np.where(accept, u_own[:, None, :] - r0, np.where(war, p["own_war"], p["own_sq"]) - r0)
    w = p["weight"]
    wsum = w.sum(axis=1)
    mean = (w * d).sum(axis=1) / wsum
    se = np.sqrt(((w * w) * (d - mean[:, None, :]) ** 2).sum(axis=1)) / wsum
    return mean, se


@numba.njit(cache=True, inline="always")
def _utility_at(  # pragma: no cover - compiled
    weight, ideal, rho, table, n, x, option, q, cols, base, with_table
):
    """u of the actor of world n at world q's outcome (the reference's expressions):
    ``base[n]`` plus the continuous columns ``cols`` (the others are the same in every
    world and sit in ``base``) plus the discrete issues ``with_table`` (when their
    options vary; otherwise they sit in ``base`` too)."""
    r = rho[n]
    total = base[n]
    for c in cols:
        d = abs(x[q, c] - ideal[n, c])
        if r == 2.0:
            loss = d * d
        elif r == 1.0:
            loss = d
        else:
            loss = d**r
        total += weight[n, c] * (1.0 - loss)
    if with_table:
        for k in range(table.shape[1]):
            total += table[n, k, option[q, k]]
    return total


#: The keys of :func:`~goldenbridge.information.pair_parts` read at the partner world.
PARTNER_SIDE = (
    "cred_partner",
    "effect",
    "target_war",
    "target_sq",
    "backing_down",
    "pretext",
    "face",
    "p_win",
    "against",
    "world_w",
    "win_x",
    "win_opt",
    "lose_x",
    "lose_opt",
)


@numba.njit(cache=True, nogil=True)
def _gain_from_parts_kernel(  # pragma: no cover - compiled
    rows,
    start,
    s,
    offered,
    u_target,
    u_own,
    weight,
    ideal,
    rho,
    table,
    own_sq,
    base_cost,
    own_threat,
    direct,
    cred_own,
    cred_partner,
    effect,
    target_war,
    target_sq,
    bd,
    pre,
    face,
    p_win,
    against,
    world_w,
    win_x,
    win_opt,
    lose_x,
    lose_opt,
    win_fixed,
    lose_fixed,
    u_win,
    u_lose,
    residual,
    u_win_ref,
    u_lose_ref,
    need,
    win_cols,
    win_base,
    lose_cols,
    lose_base,
    win_table,
    lose_table,
):
    r = rows.shape[0]
    nq = world_w.shape[0]
    m = u_target.shape[1]
    est = np.zeros((r, m))
    se = np.zeros((r, m))
    t1 = np.zeros((r, m))
    t2 = np.zeros((r, m))
    t3 = np.zeros((r, m))
    for i in range(r):
        n = rows[i]
        wsum = 0.0
        w2sum = 0.0
        for k in range(s):
            q = start[i] + k  # consecutive partners: the caller laid them out so
            if q >= nq:
                q -= nq
            w = world_w[q]
            wsum += w
            w2sum += w * w
            # the pair: j's fields from n, the rest from q (information.py, by parts)
            wt = target_war[q]
            for h in range(cred_own.shape[1]):
                wt -= (cred_own[n, h] - cred_partner[q, h]) * effect[q, h]
            if np.isnan(direct[n]):
                uw = (
                    u_win[n]
                    if win_fixed
                    else _utility_at(
                        weight,
                        ideal,
                        rho,
                        table,
                        n,
                        win_x,
                        win_opt,
                        q,
                        win_cols,
                        win_base,
                        win_table,
                    )
                )
                ul = (
                    u_lose[n]
                    if lose_fixed
                    else _utility_at(
                        weight,
                        ideal,
                        rho,
                        table,
                        n,
                        lose_x,
                        lose_opt,
                        q,
                        lose_cols,
                        lose_base,
                        lose_table,
                    )
                )
                wj = p_win[q] * uw + (1 - p_win[q]) * ul - base_cost[n] - own_threat[n] - against[q]
            else:
                wj = direct[n] - own_threat[n] - against[q]
            if np.isnan(direct[n]):
                wj_ref = (
                    p_win[q] * u_win_ref[n]
                    + (1 - p_win[q]) * u_lose_ref[n]
                    - base_cost[n]
                    - own_threat[n]
                    - against[q]
                )
            else:
                wj_ref = wj
            stand = target_sq[q] - bd[q]
            war0 = wt + pre[q] > stand
            r0 = wj if war0 else own_sq[n]
            for j in range(m):
                if not need[i, j]:
                    continue
                ux = u_target[q, j]
                sh = 1.0
                if offered[j]:
                    sh = min(max(1.0 - (ux - target_sq[q]) / face[q], 0.0), 1.0)
                keep = ux - bd[q] * sh
                fight = wt + pre[q] * sh
                accepted = offered[j] and keep >= stand and keep >= fight
                if residual:  # d minus its control variate: g (W - W_ref), g in {-1, 0, 1}
                    g = 0.0
                    if not accepted and fight > stand:
                        g = 1.0
                    if war0:
                        g -= 1.0
                    d = g * (wj - wj_ref)
                elif accepted:
                    d = u_own[i, j] - r0
                else:
                    d = (wj if fight > stand else own_sq[n]) - r0
                t1[i, j] += w * d
                t2[i, j] += w * w * d
                t3[i, j] += w * w * d * d
        if wsum > 0:
            for j in range(m):
                mean = t1[i, j] / wsum
                est[i, j] = mean
                var = t3[i, j] - 2.0 * mean * t2[i, j] + mean * mean * w2sum
                se[i, j] = np.sqrt(max(var, 0.0)) / wsum
    return est, se


def gain_from_parts(
    rows,
    start,
    s: int,
    offered,
    u_target,
    u_own,
    parts: dict,
    residual: bool = False,
    need=None,
) -> tuple:
    """:func:`approval` with each pair's quantities computed from the war values' parts on
    the fly (nothing of size pairs is stored): the veto's fields from ``rows``, the rest
    from the ``s`` partners ``start[i], start[i] + 1, ...`` (modulo N) of the partner-side
    arrays (``u_target`` and the keys of :data:`PARTNER_SIDE` in ``parts``), which the
    caller lays out in the order it samples them, so that they are read consecutively
    (see :mod:`goldenbridge.information`); ``start`` 0 and ``s`` N pair each row with
    every world (the exact expectation over the population). Same numbers as building
    the pairs first (tested).

    With ``residual`` it returns the mean (and SE) of ``d`` minus its control variate
    ``a (u_j(x) - u_j(sq)) + g (W_ref - u_j(sq))`` -- ``g = (1 - a) war_if_rejected -
    war_if_nothing``, ``W_ref`` j's war value with the war's outcomes at the reference
    points ``u_win_ref``/``u_lose_ref`` -- that is ``g (W - W_ref)``, zero where the war's
    outcomes are the same in every world; the caller adds the control variate's exact
    population mean. ``need`` (R, M) bool limits the work to those entries (the others
    come back 0).

    The kernel has no parallel loops: the approval rule calls it for the few worlds
    that bins and sorted thresholds leave unsettled (and for a veto with several
    threats of its own that move the target, which has no sorted form), and numba's
    parallel build of it cost ~8 s more of compilation on every fresh install.
    """
    c = np.ascontiguousarray
    return _gain_from_parts_kernel(  # type: ignore[call-arg]
        c(rows, dtype=np.int64),
        c(start, dtype=np.int64),
        int(s),
        c(offered, dtype=np.bool_),
        c(u_target, dtype=np.float64),
        c(u_own, dtype=np.float64),
        *(
            c(parts[k])
            for k in (
                "weight",
                "ideal",
                "rho",
                "table",
                "own_sq",
                "base_cost",
                "own_threat",
                "direct",
                "cred_own",
                "cred_partner",
                "effect",
                "target_war",
                "target_sq",
                "backing_down",
                "pretext",
                "face",
                "p_win",
                "against",
                "world_w",
                "win_x",
                "win_opt",
                "lose_x",
                "lose_opt",
            )
        ),
        bool(parts["win_fixed"]),
        bool(parts["lose_fixed"]),
        c(parts["u_win"]),
        c(parts["u_lose"]),
        bool(residual),
        c(parts["u_win_ref"]),
        c(parts["u_lose_ref"]),
        np.ones(u_own.shape, dtype=np.bool_) if need is None else c(need, dtype=np.bool_),
        *(c(parts[k]) for k in ("win_cols", "win_base", "lose_cols", "lose_base")),
        bool(parts["win_table"]),
        bool(parts["lose_table"]),
    )
