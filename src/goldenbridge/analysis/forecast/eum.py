"""Bueno de Mesquita's expected-utility model, as specified by Scholz, Calbert & Smith.

Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011), "Unravelling Bueno de Mesquita's
group decision model", Journal of Theoretical Politics 23(4): 510-531 (and its conference
version, ICAART 2011), which reconstructs the model of Bueno de Mesquita (1994,
"Political forecasting: an expected utility method", in *European Community Decision
Making*, ch. 4; 1997, International Interactions 23(3-4): 235-266). Section numbers
below are the paper's, as the two public ports cite them (dmasad's comments name
"Section 2.2", "Section 3", "Section 3.2", "Section 4", "Section 5", "Section 6" and the
Appendix's steps 2-11); page and equation numbers could not be checked (see the end).

One issue; actor i holds position ``x_i``, capability ``c_i`` and salience ``s_i`` in
[0, 1]. ``D = max_k x_k - min_k x_k``, the range of the positions the actors hold at the
start (fixed over the rounds; both ports use it, jmckib's as ``position_range``). Each
round (Appendix, steps 2-11):

1. **Votes and the median voter** (Sec. 3.2; :func:`median_voter`). Actor k's vote for
   x_i over x_j is ``v^k_ij = c_k s_k (|x_k - x_j| - |x_k - x_i|) / D``; the median voter
   position ``mu`` is the position with the most votes against all others,
   ``argmax_i sum_j sum_k v^k_ij`` -- with these linear utilities, the (capability x
   salience) weighted median of the positions.
2. **Probability of success** of i challenging j (Sec. 4; :func:`success_probability`):
   ``P_ij = sum_k max(v^k_ij, 0) / sum_k |v^k_ij|`` (0 when ``x_i = x_j``).
3. **Basic utilities** with risk exponent r, ``d_ij = |x_i - x_j| / D`` (Sec. 3;
   :func:`challenge_utilities`): success ``U_s = 2 - 4 (1/2 - d_ij/2)^r``; failure
   ``U_f = 2 - 4 (1/2 + d_ij/2)^r``; status quo ``U_sq = 2 - 4 (1/2)^r``; better / worse
   after others' moves ``U_b, U_w = 2 - 4 (1/2 -/+ (|x_i - mu| + |x_i - x_j|) / (4D))^r``.
4. **Expected utility** of i challenging j (Sec. 2.2; :func:`challenge_utilities`), j
   resisting with probability s_j (its salience):
   ``EU_ij = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq
   - (1 - Q)(T U_b + (1 - T) U_w)``.
5. **Security and risk** (Sec. 5; :func:`risk_exponents`), from the round's expected
   utilities with every r = 1 (Appendix steps 2-9): i's danger ``S_i = sum_{j != i} EU_ji``;
   ``R_i = (2 S_i - max_k S_k - min_k S_k) / (max_k S_k - min_k S_k)`` and
   ``r_i = (1 - R_i/3) / (1 + R_i/3)`` (in [1/2, 2]; all 1 when every S is equal). Steps
   3-7 are then repeated with these r (step 10).
6. **Offers, from i's perspective** (Sec. 6; :func:`offer_targets`): i's own r_i in both
   directions; with ``e = EU_ij`` (i challenging j) and ``f = EU_ji`` (j challenging i),
   i against j is a *conflict i loses* when ``f > e > 0`` (i moves to x_j); a
   *compromise* when ``e < 0 < f`` and ``f > |e|`` (i moves ``|e/f|`` of the way to x_j);
   a *capitulation* when ``e < 0 < f`` and ``f < |e|`` (i moves to x_j); otherwise (an
   exact tie included) no move.
7. **Choice** (Sec. 6, step 11): each actor takes, of its offers, the one that moves it
   least (ties: the first actor in the file); all positions change at once.

Parameters and their defaults: ``q = 1`` (Q, the probability that the status quo
persists if i does not challenge: 1 in both ports; Bueno de Mesquita used 1 in some
publications and 0.5 in others), ``t = 1`` (T, the probability that things get better
for i when they change anyway; only used when q < 1), ``rounds = 10`` (the model is run
until no position moves or for that many rounds). The forecast is the median voter
position after the last round (Bueno de Mesquita's forecast); the weighted mean is also
kept.

What is checked, and against what (tests/test_forecast.py): every step above against a
value derived by hand in the test (one round on three actors) and against a scalar
re-statement of the steps; the basic utilities, the expected utilities (step 4) and the
risk exponents (step 5) against the numbers published in a reference port's example log
(dmasad/bdm-scholz-expected-utility-model, ``Example.log``: round-by-round ``EU_ij`` vs
``EU_ji`` of every move on the EC car-emissions data, from jmckib's port of Scholz's own
code), fed with that port's probabilities of success.

What is not verified. The paper's full text was not at hand: the equations above are as
the ports and the conference version state them, and page and equation numbers are not
given. Where the ports differ from each other or from the paper's text as they describe
it, this module takes: the denominator of P summed over the voters k only (jmckib's port
sums ``|v|`` over all triples of actors, "faithful to Scholz' code", it says; dmasad's
follows the paper's section 4); linear votes (Scholz's code, per jmckib, weights each
voter's distances by its own exponent r_k); the challenged actor's salience s_j as the
probability of resisting (both ports); Q multiplying U_sq with a minus sign (dmasad's
port has a sign slip there); the capitulation test ``f < |e|`` (jmckib's port has a typo
that never fires); the smallest move of all offers (jmckib's port, after Scholz's code,
ranks conflicts before compromises before capitulations, and compromises by another
key; its comment says the paper and Bueno de Mesquita state the smallest move); and D as
the range of the positions, not of the issue's scale (the format of the ports' files has
no scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.scenario.errors import InputError

__all__ = [
    "EumResult",
    "EumRound",
    "expected_utility_model",
    "median_voter",
    "success_probability",
    "challenge_utilities",
    "risk_exponents",
    "offer_targets",
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


def median_voter(x: np.ndarray, w: np.ndarray) -> float:
    """Step 1 (Sec. 3.2): ``argmax_i sum_j sum_k v^k_ij`` over the actors' positions, with
    ``w = c * s``; the first position on ties.

    Examples
    --------
    >>> median_voter(np.array([4., 7., 10.]), np.array([0.248, 0.093, 0.336]))
    7.0
    """
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, i] = |x_k - x_i|
    # sum_j sum_k v^k_ij = sum_k w_k sum_j |x_k - x_j| - n sum_k w_k |x_k - x_i|: the first
    # sum does not depend on i, so the winner minimises sum_k w_k |x_k - x_i| (D > 0
    # scales every total alike).
    totals = -(w @ dist)
    return float(x[int(np.argmax(np.round(totals, 12)))])


def success_probability(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Step 2 (Sec. 4): (n, n) ``P[i, j]``, i's probability of success challenging j,
    ``sum_k max(v^k_ij, 0) / sum_k |v^k_ij|`` with ``w = c * s`` (D cancels)."""
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
    """Steps 3-4 (Secs. 3 and 2.2): both directions of every challenge, as actor i sees
    them with its exponent ``r[i]``.

    Returns ``(e, f)``, each (n, n): ``e[i, j]`` is i's expected utility of challenging j
    and ``f[i, j]`` j's expected utility of challenging i, both with utilities of
    exponent ``r[i]``; ``prob[i, j]`` is P_ij and ``span`` is D. Distances are symmetric,
    so only n x n utilities are needed per view.
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
    """Step 5 (Sec. 5): r_i from the danger ``S_i = sum_j EU_ji``; EU computed with r = 1
    (``eu_linear[j, i]`` is j's expected utility of challenging i)."""
    danger = eu_linear.sum(axis=0)  # column i: everyone's EU of challenging i
    hi, lo = danger.max(), danger.min()
    if np.isclose(hi, lo, rtol=0, atol=1e-14):
        return np.ones_like(danger)
    big_r = (2 * danger - hi - lo) / (hi - lo)
    return (1 - big_r / 3) / (1 + big_r / 3)


def offer_targets(x: np.ndarray, e: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Step 6 (Sec. 6): ``target[i, j]``, where i would move to against j (NaN: no move).

    Examples
    --------
    A compromise (``e < 0 < f``, ``f > |e|``) moves i a quarter of the way when
    ``|e/f| = 1/4``; a conflict i loses (``f > e > 0``) moves it all the way:

    >>> x = np.array([0., 100.])
    >>> float(offer_targets(x, np.array([[0, -1.], [0, 0]]), np.array([[0, 4.], [0, 0]]))[0, 1])
    25.0
    >>> float(offer_targets(x, np.array([[0, 1.], [0, 0]]), np.array([[0, 2.], [0, 0]]))[0, 1])
    100.0
    """
    xi, xj = x[:, None], x[None, :]
    lose = (f > e) & (e > 0)  # a conflict that i loses
    concede = (e < 0) & (f > 0)
    compromise = concede & (f > np.abs(e))
    capitulate = concede & (f < np.abs(e))
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = xi + (xj - xi) * np.abs(e / f)
    target = np.where(lose | capitulate, xj, np.where(compromise, partial, np.nan))
    target[np.broadcast_to(xj == xi, target.shape)] = np.nan  # no contest at one position
    return target


def _step(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, span: float, q: float, t: float
) -> tuple[np.ndarray, np.ndarray, float]:
    w = c * s
    mu = median_voter(x, w)
    prob = success_probability(x, w)
    n = x.size
    r = risk_exponents(challenge_utilities(x, s, prob, np.ones(n), mu, span, q, t)[0])
    e, f = challenge_utilities(x, s, prob, r, mu, span, q, t)  # in each actor's own view
    target = offer_targets(x, e, f)
    move = np.where(np.isnan(target), np.inf, np.abs(target - x[:, None]))
    best = np.argmin(move, axis=1)  # step 7: the smallest move; the first actor on ties
    i = np.arange(n)
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

    Parameters
    ----------
    position, capability, salience : numpy.ndarray
        Each actor's x_i, c_i and s_i (saliences in [0, 1]).
    lo, hi : float
        The issue's scale: positions must lie on it. Distances are normalised by D, the
        range of the positions held at the start, not by ``hi - lo`` (as the paper).
    rounds, q, t : int, float, float
        At most this many rounds; Q and T of step 4.

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
    if x.size == 0 or not x.shape == c.shape == s.shape:
        raise InputError(
            "the expected-utility model needs one position, capability and "
            "salience per actor, and at least one actor"
        )
    if np.any(x < lo) or np.any(x > hi):
        raise InputError(f"positions must lie on the issue's scale [{lo:g}, {hi:g}]")
    span = float(x.max() - x.min())  # D: the range of the positions
    w = c * s
    log: list[EumRound] = []
    converged = False
    for _ in range(rounds):
        if span <= 0:  # every actor at one position: nothing to contest
            converged = True
            log.append(EumRound(x.copy(), np.ones_like(x), float(x[0]), float(x[0])))
            break
        new, r, mu = _step(x, c, s, span, q, t)
        log.append(EumRound(x.copy(), r, mu, float(np.dot(w, x) / w.sum())))
        if np.array_equal(new, x):
            converged = True
            break
        x = new
    mu = median_voter(x, w)
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
