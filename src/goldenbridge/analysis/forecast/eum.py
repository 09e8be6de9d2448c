"""Bueno de Mesquita's expected-utility model, as specified by Scholz, Calbert & Smith.

Scholz, J. B., Calbert, G. J. and Smith, G. A. (2011), "Unravelling Bueno de Mesquita's
group decision model", Journal of Theoretical Politics 23(4): 510-531 (doi:
10.1177/0951629811418142), and its conference version, Proc. ICAART 2011, pp. 18-30 (doi:
10.5220/0003121500180030, https://www.scitepress.org/papers/2011/31215/31215.pdf; a copy is
kept in the public repository hamzagul07/schelling, docs/papers/scholz_2011_unravelling_bdm.pdf).
Equation, section and page numbers below are the conference version's, whose full text was
read. The journal version was not at hand in full; its equations (25a/b), (31) and (34), as
reproduced in dmasad/BDM_DecisionModel_Replication (Figures/EU_typo.png, Prob.png,
RiskExp.png), read the same.

One issue; actor i holds position ``x_i``, capability ``c_i`` and salience ``s_i`` in
[0, 1]. ``D = x_max - x_min``, "the range of positions" (p. 21), taken at the start and
fixed over the rounds. Each round (the paper's Appendix, steps 2-11):

1. **Votes and the median voter** (Sec. 3.2, eqs. 26-29; :func:`median_voter`). With the
   linear utilities of eq. 14, ``u^k(x) = 1 - 2 |x_k - x| / D``, voter k's vote for x_i over
   x_j is ``v^k_ij = c_k s_k (u^k(x_i) - u^k(x_j)) = 2 c_k s_k (|x_k - x_j| - |x_k - x_i|) / D``
   (eq. 28); the median voter position ``mu`` is the position with the most votes against the
   others (eq. 29, App. step 3): on a line, the (c x s)-weighted median.
2. **Probability of success** of i against j (Sec. 4, eqs. 30-31, App. step 5;
   :func:`success_probability`): ``P_ij = sum_{k: v^k_ij > 0} v^k_ij / sum_{k=1..n} |v^k_ij|``
   -- linear votes, numerator and denominator over the voters k (0 when ``x_i = x_j``).
3. **Basic utilities**, with i's risk exponent r_i and ``d_ij = |x_i - x_j| / D`` (Sec. 3.1,
   eqs. 15, 16, 22-24; :func:`expected_utilities`): success ``U_s = 2 - 4 (1/2 - d_ij/2)^r``;
   failure ``U_f = 2 - 4 (1/2 + d_ij/2)^r``; status quo ``U_sq = 2 - 4 (1/2)^r``; better /
   worse when j moves to mu unchallenged, ``U_b, U_w = 2 - 4 (1/2 -/+ (|x_i - mu| + |x_i -
   x_j|) / (4 D))^r``.
4. **Expected utility** of i challenging j (eqs. 5-7 and 25a, App. step 7), j resisting with
   probability s_j: ``E^i(U_ij) = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s - Q U_sq -
   (1 - Q)(T_ij U_b + (1 - T_ij) U_w)``, where ``T_ij = 1`` when j's move to mu makes i better
   off -- mu between i and j (case 1), or i between j and mu with mu the nearer (3A) -- and 0
   otherwise (cases 2, 3B; pp. 22-23): ``T_ij = 1[|x_i - mu| < |x_i - x_j|]``. The superscript
   names whose risk exponent is used (Bueno de Mesquita 1985, p. 158, quoted p. 23).
5. **Security and risk** (Sec. 5, eqs. 32-34, App. steps 2 and 8-10; :func:`risk_exponents`):
   the expected utilities with every r = 1 give i's danger ``S_i = sum_{j != i} E(U_ji)``;
   ``R_i = (2 S_i - max_k S_k - min_k S_k) / (max_k S_k - min_k S_k)`` and ``r_i = (1 - R_i/3)
   / (1 + R_i/3)`` (in [1/2, 2]; all 1 when every S is equal, where eq. 34 is 0/0). Steps 3-4
   are then repeated with these r.
6. **Offers** (Sec. 6.1, fig. 6, eqs. 35-36; :func:`offer_targets`), classified by ``e =
   E^i(U_ij)`` (r_i) and ``f = E^j(U_ji)`` (r_j): i moves to x_j when it loses a *conflict*
   (``f > e > 0``: "Confrontation -"); moves ``|e/f|`` of the way to x_j in a *compromise*
   (``e < 0 < f``, ``f > |e|``: "Compromise -", eq. 36); moves to x_j when it *capitulates*
   (``e < 0 < f``, ``f < |e|``: "Compel -"); otherwise (stalemate, i's upper hand, an exact
   tie) it does not move against j. Both actors of a pair see the same (e, f).
7. **Choice** (Sec. 6.2, App. step 11; :func:`choose_offers`): i takes an offer of the first
   kind it has in the order conflict, compromise, capitulation, and among those the one that
   moves it least (ties: the first actor in the file); all positions change at once.

Parameters and their defaults: ``q = 1`` (Q, the probability that the status quo persists
when i does not challenge: "We chose Q=1.0" for the replication, p. 26; App. step 6 offers
0.5 or 1.0), ``t = None`` (T from the cases above; a number overrides it for every pair,
which the paper does not do; T only matters when Q < 1), ``rounds = 10`` (the paper runs a
fixed number of rounds, App. step 13; this module stops early when no position moves). The
forecast is the median voter position after the last round; the weighted mean is kept too.

Sources, equation by equation (independent readings of the paper; "Scholz's code" is
jmckib/bdm-scholz-expected-utility-model, bdm_scholz_model.py, whose comments say it
follows Scholz's own code and which reproduces the paper's Table 2, below):

- votes, median (1): the paper; dmasad/BDM_DecisionModel_Replication GroupDecisionModel.py
  (``vote``); decisionmechanics/eum ExpectedUtilityModel/Issue.cs (``CalculateVotes``,
  ``CalculateMedianPosition``); hamzagul07/schelling src/schelling/solver/votes.py. Scholz's
  code agrees for the median (``risk=1.0``).
- probability (2): the paper, both versions; decisionmechanics ``CalculateProbability``
  (voters k, denominator ``sum_k |votes|``); schelling ``prevail_probability``; Eftekhari &
  Rahimi (2014), Natural Science 6: 1108-1121, Sec. 2.4 ("the denominator calculates the sum
  of the support for i and for j"). dmasad's port keeps the denominator but takes the net
  vote, floored at 0, as numerator. Scholz's code differs twice: each voter's distances are
  raised to its own exponent r_k, and the denominator sums ``|v|`` over every triple of
  actors, which makes every P tiny.
- utilities (3): the paper; all four ports. D fixed at the start: Scholz's code
  (``position_range``), decisionmechanics, dmasad (given); schelling recomputes it per round.
- expected utility (4): the challenged actor's salience in both directions follows eq. 6
  and its i<->j swap, Scholz's code (``actor_j.s``), dmasad (``alter.s``; its
  Figures/EU_typo.png marks the printed 25b) and schelling (``s_resp``); the printed eq.
  25b and App. step 7 write s_j in ``E^j(U_ji)`` as well, which decisionmechanics follows.
  T from the cases: the paper; decisionmechanics ``CalculateImprovementProbability`` (after
  Eftekhari & Rahimi 2014, Sec. 2.6); schelling ``t_indicator``.
- risk (5): the paper; Scholz's code (``danger_level``, ``risk_acceptance``); dmasad
  (``calculate_r``); decisionmechanics (``CalculateSecurities``); schelling. With r = 1
  everywhere, eq. 34's ``E^i(U_ji)`` and ``E^j(U_ji)`` are equal.
- offers (6): fig. 6 and eqs. 35-36; j's expected utility with r_j: the paper's notation,
  dmasad (each actor's own ``expected_utilities``), decisionmechanics (``_ej`` with
  ``_r[j]``), schelling (one EU matrix, row = challenger). Scholz's code computes both with
  i's exponent ("from the actor's perspective", its docstring says).
- choice (7): the paper's ordered list (p. 26), decisionmechanics ``AcceptChallenges`` (the
  same order, least move within), Scholz's code (the same order; least move for conflicts,
  and for compromises the smallest ``(|e| x_i + |f| x_j) / (|e| + |f|)``). The paper adds
  that with unequally enforceable offers i "might" concede to the highest expected
  utility, which dmasad and schelling use.

What is checked (tests/test_eum.py): rounds on three actors derived by hand from the
equations above, independently of this module; a scalar re-statement of every step;
and the paper's published numbers. Those are not produced by the printed equations: on
the EC car-emission data (Table 1) the median voter stays at 7.0 (this module), where the
paper's Table 2 reports 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6 over rounds 1-8; no reading
of steps 6-7 above (either exponent; choice by kind, smallest move or highest expected
utility) gives any of these, round by round, with eq. 31. They are produced by Scholz's
code: with its probability, i's exponent for both expected utilities and its choice rule,
this module's steps 3-6 reproduce every move of rounds 1-3 of that code's published log
(dmasad/bdm-scholz-expected-utility-model, Example.log) to 1e-12, and the medians of
Table 2 to the printed digit in rounds 1 and 3-8 (round 2 gives 9.61 where the table
prints 9.9). This module follows the equations, not the code.
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
    "improvement",
    "expected_utilities",
    "risk_exponents",
    "offer_targets",
    "choose_offers",
    "CONFLICT",
    "COMPROMISE",
    "CAPITULATION",
]

#: Kinds of offer (step 6), in the order an actor prefers them (step 7); -1: no offer.
CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2


@dataclass(frozen=True)
class EumRound:
    """One round: positions at its start, risk exponents used, median and mean."""

    position: np.ndarray
    risk: np.ndarray
    median: float
    mean: float


@dataclass(frozen=True)
class EumResult:
    """Every round's positions (``rounds[0]`` is the input) and the forecast;
    ``parameters["t"]`` is NaN when T follows the paper's cases."""

    rounds: tuple[EumRound, ...]
    final: np.ndarray
    median: float
    mean: float
    converged: bool
    parameters: dict[str, float]


def median_voter(x: np.ndarray, w: np.ndarray) -> float:
    """Step 1 (Sec. 3.2, eqs. 28-29): ``argmax_i sum_j sum_k v^k_ij`` over the actors'
    positions, with ``w = c * s``; the first position on ties.

    Examples
    --------
    >>> median_voter(np.array([4., 7., 10.]), np.array([0.248, 0.093, 0.336]))
    7.0
    """
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, i] = |x_k - x_i|
    # sum_j sum_k v^k_ij = (2/D) (sum_k w_k sum_j |x_k - x_j| - n sum_k w_k |x_k - x_i|): the
    # first sum does not depend on i, so the winner minimises sum_k w_k |x_k - x_i|.
    totals = -(w @ dist)
    return float(x[int(np.argmax(np.round(totals, 12)))])


def success_probability(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Step 2 (Sec. 4, eq. 31): (n, n) ``P[i, j]``, i's probability of success against j,
    ``sum_k max(v^k_ij, 0) / sum_k |v^k_ij|`` with ``w = c * s`` (2/D cancels); 0 when
    ``x_i = x_j``.

    Examples
    --------
    Three equal voters at 0, 50, 100: only the voter at 0 prefers 0 to 50, by 50 of the
    150 vote-units cast, so ``P[0, 1] = 1/3``.

    >>> success_probability(np.array([0., 50, 100]), np.ones(3))[0, 1].round(4)
    np.float64(0.3333)
    """
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, j] = |x_k - x_j|
    # v[k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|)
    v = w[:, None, None] * (dist[:, None, :] - dist[:, :, None])
    num = np.clip(v, 0, None).sum(axis=0)
    den = np.abs(v).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(den > 0, num / den, 0.0)
    return p


def improvement(x: np.ndarray, mu: float) -> np.ndarray:
    """T of step 4 (pp. 22-23): ``T[i, j] = 1`` when j moving to the median ``mu`` makes i
    better off (cases 1 and 3A), ``|x_i - mu| < |x_i - x_j|``; else 0 (cases 2 and 3B).

    Examples
    --------
    >>> improvement(np.array([0., 40, 100]), 40.0)
    array([[0., 0., 1.],
           [1., 0., 1.],
           [1., 0., 0.]])
    """
    gap = np.abs(x[:, None] - x[None, :])
    return (np.abs(x - mu)[:, None] < gap).astype(float)


def expected_utilities(
    x: np.ndarray,
    s: np.ndarray,
    prob: np.ndarray,
    r: np.ndarray,
    mu: float,
    span: float,
    q: float = 1.0,
    t: float | None = None,
) -> np.ndarray:
    """Steps 3-4 (eqs. 15-16, 22-24, 25a): (n, n) ``E[i, j] = E^i(U_ij)``, i's expected
    utility of challenging j, with i's exponent ``r[i]``; ``prob[i, j]`` is P_ij, ``span``
    is D, ``t`` None takes T from :func:`improvement`. The diagonal is 0.

    ``E[j, i]`` is then j's own expected utility of challenging i, ``E^j(U_ji)``. An actor's
    estimate of another's, ``E^i(U_ji)`` (i's exponent), is ``E'[j, i]`` for ``E'`` computed
    with every exponent set to ``r[i]``.
    """
    d = np.abs(x[:, None] - x[None, :]) / span
    rr = np.asarray(r, dtype=float)[:, None]
    u_s = 2 - 4 * (0.5 - 0.5 * d) ** rr
    u_f = 2 - 4 * (0.5 + 0.5 * d) ** rr
    u_sq = 2 - 4 * 0.5**rr
    shift = (np.abs(x - mu)[:, None] / span + d) / 4  # (|x_i - mu| + |x_i - x_j|) / (4 D)
    u_b = 2 - 4 * np.clip(0.5 - shift, 0, None) ** rr
    u_w = 2 - 4 * (0.5 + shift) ** rr
    big_t = improvement(x, mu) if t is None else np.full_like(d, t)
    resist = s[None, :]  # j resists i with probability s_j
    e = resist * (prob * u_s + (1 - prob) * u_f) + (1 - resist) * u_s - q * u_sq
    e = e - (1 - q) * (big_t * u_b + (1 - big_t) * u_w)
    np.fill_diagonal(e, 0.0)
    return e


def risk_exponents(eu_linear: np.ndarray) -> np.ndarray:
    """Step 5 (Sec. 5, eqs. 33-34): r_i from the danger ``S_i = sum_j E(U_ji)``, expected
    utilities computed with r = 1 (``eu_linear[j, i]`` is j's of challenging i).

    Examples
    --------
    The most endangered actor is the most risk-averse (r = 1/2), the safest the most
    risk-acceptant (r = 2):

    >>> risk_exponents(np.array([[0, -1/3, 0], [1/3, 0, 1/3], [0, -1/3, 0]])).round(12).tolist()
    [0.5, 2.0, 0.5]
    """
    danger = eu_linear.sum(axis=0)  # column i: everyone's EU of challenging i
    hi, lo = danger.max(), danger.min()
    if np.isclose(hi, lo, rtol=0, atol=1e-14):
        return np.ones_like(danger)
    big_r = (2 * danger - hi - lo) / (hi - lo)
    return (1 - big_r / 3) / (1 + big_r / 3)


def offer_targets(
    x: np.ndarray, e: np.ndarray, f: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Step 6 (Sec. 6.1, fig. 6, eq. 36): ``(target, kind)``, each (n, n): where i would move
    against j (NaN: no move) and the kind of offer (:data:`CONFLICT`, :data:`COMPROMISE`,
    :data:`CAPITULATION`; -1: none). ``e[i, j] = E^i(U_ij)``; ``f[i, j]`` is j's expected
    utility of challenging i, by default ``E^j(U_ji) = e[j, i]`` (the paper).

    Examples
    --------
    A compromise (``e < 0 < f``, ``f > |e|``) moves i a quarter of the way when
    ``|e/f| = 1/4``; a conflict i loses (``f > e > 0``) moves it all the way:

    >>> x = np.array([0., 100.])
    >>> target, kind = offer_targets(x, np.array([[0, -1.], [4, 0]]))
    >>> float(target[0, 1]), int(kind[0, 1]), int(kind[1, 0])
    (25.0, 1, -1)
    >>> target, kind = offer_targets(x, np.array([[0, 1.], [2, 0]]))
    >>> float(target[0, 1]), int(kind[0, 1])
    (100.0, 0)
    """
    f = e.T if f is None else f
    xi, xj = x[:, None], x[None, :]
    contest = np.broadcast_to(xj != xi, e.shape)  # no contest at one position
    lose = contest & (f > e) & (e > 0)  # "Confrontation -": i moves to j
    concede = contest & (e < 0) & (f > 0)
    compromise = concede & (f > np.abs(e))  # "Compromise -": part of the way (eq. 36)
    capitulate = concede & (f < np.abs(e))  # "Compel -": all the way
    with np.errstate(divide="ignore", invalid="ignore"):
        partial = xi + (xj - xi) * np.abs(e / f)
    target = np.where(lose | capitulate, xj, np.where(compromise, partial, np.nan))
    kind = np.select([lose, compromise, capitulate], [CONFLICT, COMPROMISE, CAPITULATION], -1)
    return target, kind


def choose_offers(x: np.ndarray, target: np.ndarray, kind: np.ndarray) -> np.ndarray:
    """Step 7 (Sec. 6.2): each actor's new position -- of its offers, the first kind in the
    order conflict, compromise, capitulation, and of those the smallest move (ties: the
    first actor in the file); an actor with no offer stays.

    Examples
    --------
    A conflict lost comes before a compromise that would move the actor less:

    >>> choose_offers(np.array([0., 10, 100]), np.array([[np.nan, 10, 5], [np.nan] * 3,
    ...               [np.nan] * 3]), np.array([[-1, 0, 1], [-1] * 3, [-1] * 3])).tolist()
    [10.0, 10.0, 100.0]
    """
    move = np.where(kind >= 0, np.abs(target - x[:, None]), np.inf)
    rank = np.where(kind >= 0, kind, CAPITULATION + 1)
    new = x.copy()
    for i in range(x.size):
        order = np.lexsort((np.arange(x.size), move[i], rank[i]))  # kind, then move
        best = order[0]
        if kind[i, best] >= 0:
            new[i] = target[i, best]
    return new


def _step(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, span: float, q: float, t: float | None
) -> tuple[np.ndarray, np.ndarray, float]:
    w = c * s
    mu = median_voter(x, w)
    prob = success_probability(x, w)
    n = x.size
    r = risk_exponents(expected_utilities(x, s, prob, np.ones(n), mu, span, q, t))
    e = expected_utilities(x, s, prob, r, mu, span, q, t)  # E^i(U_ij), r_i on row i
    target, kind = offer_targets(x, e)  # against E^j(U_ji) = e[j, i]
    return choose_offers(x, target, kind), r, mu


def expected_utility_model(
    position: np.ndarray,
    capability: np.ndarray,
    salience: np.ndarray,
    lo: float,
    hi: float,
    *,
    rounds: int = 10,
    q: float = 1.0,
    t: float | None = None,
) -> EumResult:
    """Run the model round by round (see the module docstring for every equation).

    Parameters
    ----------
    position, capability, salience : numpy.ndarray
        Each actor's x_i, c_i and s_i (saliences in [0, 1]).
    lo, hi : float
        The issue's scale: positions must lie on it. Distances are normalised by D, the
        range of the positions held at the start (the paper's ``x_max - x_min``).
    rounds : int
        At most this many rounds (the model stops when no position moves).
    q : float
        Q of step 4, the probability that the status quo persists (paper's replication: 1).
    t : float, optional
        T of step 4 for every pair; None (default) takes it from the paper's cases.

    Examples
    --------
    Two actors at the ends of the scale, the stronger one more determined: the weaker
    one gives way.

    >>> res = expected_utility_model(np.array([0., 100.]), np.array([2., 1.]),
    ...                              np.array([0.9, 0.5]), 0, 100, rounds=3)
    >>> res.rounds[1].position.tolist()
    [0.0, 0.0]
    """
    if not 0 <= q <= 1 or (t is not None and not 0 <= t <= 1):
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
        parameters={"rounds": float(rounds), "q": q, "t": float("nan") if t is None else t},
    )
