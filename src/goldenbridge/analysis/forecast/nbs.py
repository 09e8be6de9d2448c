"""The asymmetric Nash bargaining solution on one issue.

``x* = argmax_x sum_i c_i s_i log(u_i(x) - d_i)`` over the outcomes every actor weakly
prefers to disagreement (Nash 1950; asymmetric weights: Kalai 1977, "Nonsymmetric Nash
solutions and replications of 2-person bargaining", Int. J. Game Theory 6(3); applied to
EU legislation with capability x salience weights by Achen 2006 and Schneider, Finke &
Bailer 2010, "Bargaining power in the European Union", Political Studies 58(1)).

Utilities are the scenario's (DESIGN.md section 3) on one issue:
``u_i(x) = 1 - (|x - a_i| / (hi - lo)) ** rho_i``. The disagreement point ``d_i`` is the
actor's utility of the issue's status quo when the scenario gives one (DEU's reference
point), and otherwise its worst point of the scale (``min(u_i(lo), u_i(hi))``): without a
status quo every actor gains from any agreement, as in Achen's derivation of the
compromise model. With ``rho = 2`` for everyone and that worst-point disagreement the
solution is close to, not equal to, the weighted mean.

The objective is concave where every gain is positive when every ``rho_i >= 1``; a grid
over the interval where all gains are non-negative, then a bounded Brent search
(:func:`scipy.optimize.minimize_scalar`) in the cells around the best grid point, finds
the maximum (for ``rho_i < 1`` the best of the grid's local maxima); an empty interval
gives NaN.
"""

from __future__ import annotations

import numpy as np

__all__ = ["nash_bargaining", "utility"]


def utility(x: np.ndarray | float, ideal: np.ndarray, rho: np.ndarray, span: float) -> np.ndarray:
    """``1 - (|x - a_i| / span) ** rho_i`` for every actor i (DESIGN.md section 3)."""
    return 1.0 - (np.abs(np.asarray(x) - ideal) / span) ** rho


def nash_bargaining(
    position: np.ndarray,
    weight: np.ndarray,
    rho: np.ndarray,
    lo: float,
    hi: float,
    status_quo: float | None = None,
) -> float:
    """The weighted Nash bargaining solution on ``[lo, hi]``.

    Examples
    --------
    Two linear-loss actors at the ends of [0, 1], equal weights, disagreement at their
    worst point: gains are ``1 - x`` and ``x``, the product is largest at 0.5.

    >>> round(nash_bargaining(np.array([0., 1.]), np.array([1., 1.]), np.array([1., 1.]), 0, 1), 6)
    0.5
    """
    keep = weight > 0
    a, w, r = position[keep], weight[keep], rho[keep]
    if a.size == 0:
        return float("nan")
    span = hi - lo
    if status_quo is None:
        d = np.minimum(utility(lo, a, r, span), utility(hi, a, r, span))
    else:
        d = utility(status_quo, a, r, span)
    # Gains are >= 0 on [a_i - delta_i, a_i + delta_i] with (delta_i / span)^rho_i = 1 - d_i.
    delta = span * np.clip(1.0 - d, 0.0, None) ** (1.0 / r)
    left = max(lo, float(np.max(a - delta)))
    right = min(hi, float(np.min(a + delta)))
    if left > right + 1e-12 * span:
        return float("nan")
    if right - left <= 1e-12 * span:
        return float((left + right) / 2)

    def negative(x: float) -> float:
        gain = utility(x, a, r, span) - d
        if np.any(gain <= 0):
            return float("inf")
        return -float(np.dot(w, np.log(gain)))

    from scipy.optimize import minimize_scalar  # lazy: scipy costs ~0.3 s at start-up

    # A grid first, so that a loss exponent below 1 (a non-concave objective) still gets
    # the best local maximum: Brent then refines within the grid cells around it.
    grid = np.linspace(left, right, 257)
    values = [negative(float(x)) for x in grid]
    k = int(np.argmin(values))
    lo_k, hi_k = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    res = minimize_scalar(
        negative, bounds=(lo_k, hi_k), method="bounded", options={"xatol": 1e-10 * span}
    )
    return float(res.x) if res.fun <= values[k] else float(grid[k])
