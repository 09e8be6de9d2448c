"""Bueno de Mesquita's expected-utility model, as specified by Scholz, Calbert & Smith.

Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011), "Unravelling Bueno de Mesquita's
group decision model", Journal of Theoretical Politics 23(4): 510-531 (and the DSTO
conference version, ICAART 2011), which reconstructs the model of Bueno de Mesquita
(1994, "Political forecasting: an expected utility method", in *European Community
Decision Making*, ch. 4; 1997, International Interactions 23(3-4)).

One issue; actor i holds position ``x_i`` (on ``[lo, hi]``, ``D = hi - lo``), capability
``c_i`` and salience ``s_i`` in [0, 1]. Each round:

1. **Votes and the median voter.** Actor k's vote for x_i over x_j is
   ``v^k_ij = c_k s_k (|x_k - x_j| - |x_k - x_i|) / D``; the median voter
   position ``mu`` is the position with the most votes against all others,
   ``argmax_j sum_k v_jk`` — with these linear utilities, the weighted median of the
   positions.
2. **Probability of success** of i challenging j:
   ``P_ij = sum_k max(v^k_ij, 0) / sum_k |v^k_ij|`` (0 when ``x_i = x_j``).
3. **Utilities** with risk exponent r, distance ``d_ij = |x_i - x_j| / D``:
   success ``U_s = 2 - 4 (1/2 - d_ij/2)^r``; failure ``U_f = 2 - 4 (1/2 + d_ij/2)^r``;
   status quo ``U_sq = 2 - 4 (1/2)^r``; better / worse after others' moves
   ``U_b, U_w = 2 - 4 (1/2 -/+ (|x_i - mu| + |x_i - x_j|) / (4D))^r``.
4. **Expected utility** of i challenging j, j resisting with probability s_j:
   ``EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq
   - (1 - Q)(T U_b + (1 - T) U_w)``.
5. **Risk exponents**, from the round's expected utilities with r = 1:
   i's danger ``S_i = sum_{j != i} EU_ji``;
   ``R_i = (2 S_i - max_k S_k - min_k S_k) / (max_k S_k - min_k S_k)`` and
   ``r_i = (1 - R_i/3) / (1 + R_i/3)`` (in [1/2, 2]; all 1 when every S is equal).
6. **Offers, from i's perspective** (i's own r_i in both directions): with
   ``e = EU_ij`` (i challenging j) and ``f = EU_ji`` (j challenging i), i against j is a
   *conflict i loses* when ``f > e > 0`` (i moves to x_j); a *compromise* when
   ``e < 0 < f`` and ``f > |e|`` (i moves ``|e/f|`` of the way to x_j); a *capitulation*
   when ``e < 0 < f`` and ``f <= |e|`` (i moves to x_j); otherwise no move.
7. **Choice**: each actor takes, of its offers, the one that moves it least (the rule
   the paper and Bueno de Mesquita state, as jmckib's port describes it; ties: the first
   actor in the file); all positions change at once.

Parameters and their defaults: ``q = 1`` (Q, the probability that the status quo
persists if i does not challenge: 1 in both ports; Bueno de Mesquita used 1 in some
publications and 0.5 in others), ``t = 1`` (T, the probability that things get better for i when
they change anyway; only used when q < 1), ``rounds = 10`` (the model is run until no
position moves or for that many rounds). The forecast is the median voter position
after the last round (Bueno de Mesquita's forecast); the weighted mean is also kept.

Sources of this reading. The paper's full text was not at hand while writing this
module: the steps above follow excerpts of its conference version (ICAART 2011),
descriptions of the model that cite it, and the two public ports
(jmckib/bdm-scholz-expected-utility-model, dmasad/BDM_DecisionModel_Replication). Where
the ports disagree, this module takes: the denominator of P summed over the actors k
only (jmckib's port sums over all pairs, "faithful to Scholz' code", it says); the
resisting probability s_j of the challenged actor (dmasad's port uses the challenger's);
Q multiplying U_sq with a minus sign; the capitulation test ``f <= |e|`` (jmckib's port
has a typo that never fires); and the smallest move of all offers (jmckib's port, after
Scholz's code, ranks conflicts before compromises before capitulations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.scenario.errors import InputError

__all__ = [
    "EumResult",
    "EumRound",
    "expected_utility_model",
    "challenge_utilities",
    "risk_exponents",
]


@dataclass(frozen=True)
class EumRound:
    """One round: positions at its start, risk exponents used, median and mean."""

    position: np.ndarray
    risk: np.ndarray
    median: float
    mean: float


@dataclass(frozen=True)
class EumResult:
    """Every round's positions (``rounds[0]`` is the input) and the forecast."""

    rounds: tuple[EumRound, ...]
    final: np.ndarray
    median: float
    mean: float
    converged: bool
    parameters: dict[str, float]


def _median_voter(x: np.ndarray, w: np.ndarray, span: float) -> float:
    """``argmax_j sum_k v_jk`` over the actors' positions; the first on ties."""
    dist = np.abs(x[:, None] - x[None, :]) / span  # dist[i, j] = |x_i - x_j| / D
    # sum_k v_jk = sum_i w_i sum_k |x_i - x_k| - n sum_i w_i |x_i - x_j|: the first sum
    # does not depend on j, so the winner minimises sum_i w_i |x_i - x_j|.
    totals = -(w @ dist)
    return float(x[int(np.argmax(np.round(totals, 12)))])


def _probability(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """(n, n) P[i, j]: i's probability of success challenging j."""
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, j] = |x_k - x_j|
    # v[k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|)
    v = w[:, None, None] * (dist[:, None, :] - dist[:, :, None])
    num = np.clip(v, 0, None).sum(axis=0)
    den = np.abs(v).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(den > 0, num / den, 0.0)
    return p


def challenge_utilities(
    x: np.ndarray,
    s: np.ndarray,
    prob: np.ndarray,
    r: np.ndarray,
    mu: float,
    span: float,
    q: float = 1.0,
    t: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Both directions of every challenge, as actor i sees them with its exponent ``r[i]``.

    Returns ``(e, f)``, each (n, n): ``e[i, j]`` is i's expected utility of challenging j
    and ``f[i, j]`` j's expected utility of challenging i, both with utilities of
    exponent ``r[i]`` (steps 3-4 of the module docstring). Distances are symmetric, so
    only n x n utilities are needed per view.
    """
    d = np.abs(x[:, None] - x[None, :]) / span
    rr = np.asarray(r, dtype=float)[:, None]
    u_s = 2 - 4 * (0.5 - 0.5 * d) ** rr
    u_f = 2 - 4 * (0.5 + 0.5 * d) ** rr
    u_sq = 2 - 4 * 0.5**rr
    off_median = np.abs(x - mu) / span

    def eu(p: np.ndarray, s_resist: np.ndarray, off: np.ndarray) -> np.ndarray:
        shift = (off + d) / 4  # (|x_challenger - mu| + |x_i - x_j|) / (4 D)
        u_b = 2 - 4 * np.clip(0.5 - shift, 0, None) ** rr
        u_w = 2 - 4 * (0.5 + shift) ** rr
        value = s_resist * (p * u_s + (1 - p) * u_f) + (1 - s_resist) * u_s - q * u_sq
        value = value - (1 - q) * (t * u_b + (1 - t) * u_w)
        np.fill_diagonal(value, 0.0)
        return value

    e = eu(prob, s[None, :], off_median[:, None])  # i challenges j; j resists with s_j
    f = eu(prob.T, s[:, None], off_median[None, :])  # j challenges i; i resists with s_i
    return e, f


def risk_exponents(eu_linear: np.ndarray) -> np.ndarray:
    """r_i from the danger ``S_i = sum_j EU_ji``; EU computed with r = 1."""
    danger = eu_linear.sum(axis=0)  # column i: everyone's EU of challenging i
    hi, lo = danger.max(), danger.min()
    if np.isclose(hi, lo, rtol=0, atol=1e-14):
        return np.ones_like(danger)
    big_r = (2 * danger - hi - lo) / (hi - lo)
    return (1 - big_r / 3) / (1 + big_r / 3)


def _step(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, span: float, q: float, t: float
) -> tuple[np.ndarray, np.ndarray, float]:
    w = c * s
    mu = _median_voter(x, w, span)
    prob = _probability(x, w)
    n = x.size
    r = risk_exponents(challenge_utilities(x, s, prob, np.ones(n), mu, span, q, t)[0])
    e, f = challenge_utilities(x, s, prob, r, mu, span, q, t)  # in each actor's own view
    i = np.arange(n)
    xi, xj = x[:, None], x[None, :]
    lose = (f > e) & (e > 0)  # conflict that i loses
    concede = (e < 0) & (f > 0)
    compromise = concede & (f > np.abs(e))
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = xi + (xj - xi) * np.abs(e / f)
    target = np.where(lose | (concede & ~compromise), xj, np.where(compromise, partial, np.nan))
    target[xj == xi] = np.nan  # no contest with an actor at the same position (or itself)
    move = np.where(np.isnan(target), np.inf, np.abs(target - xi))
    best = np.argmin(move, axis=1)  # the smallest move; the first actor on ties
    moved = np.isfinite(move[i, best])
    new = np.where(moved, target[i, best], x)
    return new, r, mu


def expected_utility_model(
    position: np.ndarray,
    capability: np.ndarray,
    salience: np.ndarray,
    lo: float,
    hi: float,
    *,
    rounds: int = 10,
    q: float = 1.0,
    t: float = 1.0,
) -> EumResult:
    """Run the model round by round (see the module docstring for every equation).

    Examples
    --------
    Two actors at the ends of the scale, the stronger one more determined: the weaker
    one gives way.

    >>> res = expected_utility_model(np.array([0., 100.]), np.array([2., 1.]),
    ...                              np.array([0.9, 0.5]), 0, 100, rounds=3)
    >>> res.rounds[1].position.tolist()
    [0.0, 0.0]
    """
    if not 0 <= q <= 1 or not 0 <= t <= 1:
        raise InputError("q and t must be probabilities in [0, 1]")
    if rounds < 1:
        raise InputError("rounds must be >= 1")
    x = np.asarray(position, dtype=float).copy()
    c = np.asarray(capability, dtype=float)
    s = np.asarray(salience, dtype=float)
    if np.any(s < 0) or np.any(s > 1):
        raise InputError("the expected-utility model needs saliences in [0, 1]")
    span = float(hi - lo)
    w = c * s
    log: list[EumRound] = []
    converged = False
    for _ in range(rounds):
        new, r, mu = _step(x, c, s, span, q, t)
        log.append(EumRound(x.copy(), r, mu, float(np.dot(w, x) / w.sum())))
        if np.array_equal(new, x):
            converged = True
            break
        x = new
    mu = _median_voter(x, w, span)
    mean = float(np.dot(w, x) / w.sum())
    if not converged:  # the positions after the last round, not yet logged
        log.append(EumRound(x.copy(), np.full_like(x, np.nan), mu, mean))
    return EumResult(
        rounds=tuple(log),
        final=x,
        median=mu,
        mean=mean,
        converged=converged,
        parameters={"rounds": float(rounds), "q": q, "t": t},
    )
