"""Solution concepts (docs/design.md section 6): Pareto frontier, Nash, Kalai–Smorodinsky.

Each party ``i`` (the proposer, the target and every veto) values an offer at
its expected utility ``E[u_i(x)]`` over the worlds; its disagreement value is its
expected value of the no-offer outcome ``d_i = E[r_i]`` (war where the target fights when
nothing is offered, else the status quo: docs/design.md 4a), the same ``r_i`` a veto's
approval compares a package with (4b); with face and pretext (4c) the target's own is
the better of standing down, ``u_T(sq) - backing_down``, and fighting, ``w_T + pretext``
(:func:`no_offer_values`). With gains ``g_i(x) = E[u_i(x)] - d_i``:

* Nash bargaining solution (Nash 1950, "The bargaining problem", Econometrica
  18(2)): ``argmax prod_i g_i(x)`` over offers with every ``g_i > 0``; with
  capability weights the asymmetric form ``argmax sum_i c_i log g_i(x)``.
* Kalai–Smorodinsky (Kalai & Smorodinsky 1975, "Other solutions to Nash's
  bargaining problem", Econometrica 43(3)): the efficient offer whose gains are
  proportional to each party's best attainable gain ``G_i = max g_i`` over the
  individually rational offers; with more than two parties, ``argmax min_i
  g_i / G_i`` (the same point for two).
* Pareto frontier of the proposer and the target: maximisers of
  ``l E[u_P] + (1 - l) E[u_T]`` for ``l`` in [0, 1] (every efficient point when
  utilities are concave, i.e. loss exponents >= 1).

The expectations are smooth in ``x`` (no step functions), so a gradient method
(SLSQP) finds them; discrete issues are enumerated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.optimize.search import Space, option_combinations
from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.engine import Worlds, utilities
from goldenbridge.engine.utility import OneOffer
from goldenbridge.population import Population
from goldenbridge.scenario.errors import InputError

__all__ = [
    "Solution",
    "PartyUtilities",
    "nash",
    "kalai_smorodinsky",
    "pareto_frontier",
    "no_offer_values",
]

_SLSQP = {"maxiter": 300, "ftol": 1e-12}


@dataclass(frozen=True)
class Solution:
    """One solution concept's offer (searched coordinates) and the parties' values.

    Attributes
    ----------
    concept : str
    x : (K,) searched continuous coordinates; option : (D,) searched options.
    utilities, disagreement : dict
        Party -> E[u_i(x)] and E[r_i].
    exponents : dict
        Party -> weight in the product (1, or its capability).
    """

    concept: str = field(metadata=JSON_SKIP)
    x: np.ndarray = field(metadata=JSON_SKIP)
    option: np.ndarray = field(metadata=JSON_SKIP)
    utilities: dict[str, float]
    disagreement: dict[str, float]
    exponents: dict[str, float]
    values: dict[str, Any] = field(default_factory=dict)
    by_type: dict[str, dict[str, Any]] = field(
        metadata=json_meta(omit_empty=True), default_factory=dict
    )

    def to_dict(self) -> dict[str, Any]:
        """values, utilities, disagreement, exponents (and by_type when there is one)."""
        return to_dict(self)


class PartyUtilities:
    """Expected utilities of the bargaining parties as functions of the offer."""

    def __init__(
        self,
        worlds: Worlds,
        space: Space,
        names: tuple[str, ...],
        target: str,
        no_offer: np.ndarray | None = None,
    ):
        self.worlds = worlds
        self.space = space
        t = names.index(target)
        self.parties = (worlds.proposer, t, *(i for i in worlds.deciders if i != t))
        self.names = tuple(names[i] for i in self.parties)
        w = worlds.weights
        self.total = w.sum()
        r = [
            worlds.actors[i].reservation if no_offer is None else no_offer[:, i]
            for i in self.parties
        ]
        self.d = np.array([w @ r_i for r_i in r]) / self.total
        self._seen: dict[bytes, np.ndarray] = {}
        self._one = OneOffer([worlds.actors[i] for i in self.parties])

    def expected(self, x: np.ndarray, option: np.ndarray | None = None) -> np.ndarray:
        """(M, A) E[u_i] of M offers (searched coordinates ``x`` (M, K)).

        Each point's values are kept: SLSQP asks for the objective and the constraints
        (and their finite differences) at the same points, and the values are the same
        numbers whenever asked."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        key = x.tobytes() + b"|" + (b"" if option is None else np.asarray(option).tobytes())
        if key not in self._seen:
            if len(self._seen) > 4096:
                self._seen.clear()
            self._seen[key] = self._expected(x, option)
        return self._seen[key].copy()

    def _expected(self, x: np.ndarray, option: np.ndarray | None) -> np.ndarray:
        if option is not None:
            option = np.atleast_2d(option)
            option = np.repeat(option, x.shape[0], axis=0) if option.shape[0] == 1 else option
            x = np.repeat(x, option.shape[0], axis=0) if x.shape[0] == 1 else x
        offers = self.space.offers(x, option)
        w = self.worlds.weights
        if offers.m == 1:  # SLSQP's points, most one coordinate from the last: OneOffer
            u = self._one(offers.x[0], offers.option[0])
            return np.stack([w @ u_i / self.total for u_i in u], axis=1)
        return np.stack(
            [w @ utilities(self.worlds.actors[i], offers) / self.total for i in self.parties],
            axis=1,
        )

    def gains(self, x: np.ndarray, option: np.ndarray | None = None) -> np.ndarray:
        return self.expected(x, option) - self.d


def _starts(k: int, extra: list[np.ndarray]) -> np.ndarray:
    from scipy.stats import qmc  # lazy: scipy costs ~0.3 s at start-up

    sobol = qmc.Sobol(k, scramble=True, seed=1).random(16) if k else np.zeros((1, 0))
    return np.vstack([*(e.reshape(1, k) for e in extra), sobol])


def _maximin(
    pu: PartyUtilities, option: np.ndarray | None, scale: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, float]:
    """argmax_x min_i g_i(x) / scale_i over the box (SLSQP with an epigraph variable)."""
    k = starts.shape[1]
    g0 = pu.gains(starts, option) / scale
    x0 = starts[int(np.argmax(g0.min(axis=1)))]
    if k == 0:
        return x0, float(g0.min(axis=1).max())
    t0 = float((pu.gains(x0, option)[0] / scale).min())
    from scipy.optimize import minimize  # lazy: scipy costs ~0.3 s at start-up

    res = minimize(
        lambda z: -z[-1],
        np.r_[x0, t0],
        method="SLSQP",
        bounds=[(0.0, 1.0)] * k + [(None, None)],
        constraints=[
            {"type": "ineq", "fun": lambda z: pu.gains(z[:-1], option)[0] / scale - z[-1]}
        ],
        options=_SLSQP,
    )
    x = np.clip(res.x[:-1], 0.0, 1.0)
    value = float((pu.gains(x, option)[0] / scale).min())
    return (x, value) if value >= t0 else (x0, t0)


def _nash_at(
    pu: PartyUtilities, option: np.ndarray | None, c: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, float] | None:
    """Maximise sum_i c_i log g_i over the box at fixed options; None if no g > 0 point."""
    x0, floor = _maximin(pu, option, np.ones(len(pu.parties)), starts)
    if floor <= 0:
        return None

    def objective(x: np.ndarray) -> float:
        g = pu.gains(x, option)[0]
        return -float(c @ np.log(np.maximum(g, 1e-300)))

    if starts.shape[1] == 0:
        return x0, -objective(x0)
    from scipy.optimize import minimize  # lazy: scipy costs ~0.3 s at start-up

    res = minimize(
        objective,
        x0,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * starts.shape[1],
        constraints=[{"type": "ineq", "fun": lambda x: pu.gains(x, option)[0] - 1e-12}],
        options=_SLSQP,
    )
    x = np.clip(res.x, 0.0, 1.0)
    if np.all(pu.gains(x, option)[0] > 0) and -objective(x) >= -objective(x0):
        return x, -objective(x)
    return x0, -objective(x0)


def _over_options(space: Space, solve, max_combinations: int = 4096):
    """Best (x, option, value) of ``solve(option)`` over every option combination."""
    if not space.choices:
        out = solve(None)
        return None if out is None else (out[0], np.zeros(0, dtype=np.int64), out[1])
    if space.combinations > max_combinations:
        raise InputError(
            f"{space.combinations:,} option combinations: too many for the solution "
            "concepts; restrict the searched issues"
        )
    best = None
    for block in option_combinations(space):
        for option in block:
            out = solve(option)
            if out is not None and (best is None or out[1] > best[2]):
                best = (out[0], option, out[1])
    return best


def nash(
    worlds: Worlds,
    space: Space,
    names: tuple[str, ...],
    target: str,
    capability: np.ndarray | None = None,
    no_offer: np.ndarray | None = None,
) -> Solution | None:
    """The Nash bargaining solution over the searched issues (None: no offer gives
    every party more than its expected no-deal value).

    Parameters
    ----------
    worlds : Worlds
    space : Space
    names : actor names in the engine's order
    target : the target's name
    capability : (N, A) array, optional
        Each world's capabilities; when given, party ``i``'s exponent is its mean
        capability (the asymmetric Nash solution).
    no_offer : (N, A) array, optional
        Each world's no-offer value of each actor (:func:`no_offer_values`); default the
        worlds' ``reservation`` (the same without face and pretext).
    """
    pu = PartyUtilities(worlds, space, names, target, no_offer)
    if capability is None:
        c = np.ones(len(pu.parties))
    else:
        c = worlds.weights @ capability[:, list(pu.parties)] / pu.total
    k = len(space.columns)
    starts = _starts(k, [space.base.x[0, list(space.columns)]])
    best = _over_options(space, lambda o: _nash_at(pu, o, c, starts))
    if best is None:
        return None
    x, option, _ = best
    return _solution("nash", pu, x, option, dict(zip(pu.names, c.tolist(), strict=True)))


def kalai_smorodinsky(
    worlds: Worlds,
    space: Space,
    names: tuple[str, ...],
    target: str,
    no_offer: np.ndarray | None = None,
) -> Solution | None:
    """The Kalai–Smorodinsky solution over the searched issues (None when no offer
    gives every party a positive gain); ``no_offer`` as in :func:`nash`."""
    pu = PartyUtilities(worlds, space, names, target, no_offer)
    k = len(space.columns)
    starts = _starts(k, [space.base.x[0, list(space.columns)]])
    ones = np.ones(len(pu.parties))

    def rational_start(option):
        x, floor = _maximin(pu, option, ones, starts)
        return None if floor <= 0 else (x, floor)

    anchor = _over_options(space, rational_start)
    if anchor is None:
        return None
    x_r, option_r, _ = anchor
    best_gain = np.zeros(len(pu.parties))
    for i in range(len(pu.parties)):
        best_gain[i] = _best_gain(pu, space, i, x_r, option_r)
    scale = np.maximum(best_gain, 1e-12)
    best = _over_options(space, lambda o: _ks_at(pu, o, scale, starts))
    if best is None:
        return None
    x, option, _ = best
    return _solution("ks", pu, x, option, {n: 1.0 for n in pu.names})


def _ks_at(pu: PartyUtilities, option, scale: np.ndarray, starts: np.ndarray):
    x, value = _maximin(pu, option, scale, starts)
    return None if value <= 0 else (x, value)


def _best_gain(pu: PartyUtilities, space: Space, i: int, x0: np.ndarray, option0) -> float:
    """G_i: party i's largest gain over offers where every party gains >= 0."""
    k = x0.shape[0]

    def solve(option):
        if k == 0:
            g = pu.gains(x0, option)[0]
            return (x0, float(g[i])) if np.all(g >= 0) else None
        from scipy.optimize import minimize  # lazy: scipy costs ~0.3 s at start-up

        res = minimize(
            lambda x: -pu.gains(x, option)[0][i],
            x0,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * k,
            constraints=[{"type": "ineq", "fun": lambda x: pu.gains(x, option)[0]}],
            options=_SLSQP,
        )
        g = pu.gains(np.clip(res.x, 0, 1), option)[0]
        return (res.x, float(g[i])) if np.all(g >= -1e-9) else None

    out = _over_options(space, solve)
    start = float(pu.gains(x0, option0 if space.choices else None)[0][i])
    return max(start, out[2] if out is not None else start)


def _solution(concept, pu: PartyUtilities, x, option, exponents) -> Solution:
    e = pu.expected(x, option if pu.space.choices else None)[0]
    return Solution(
        concept=concept,
        x=np.asarray(x, dtype=np.float64),
        option=np.asarray(option, dtype=np.int64),
        utilities=dict(zip(pu.names, e.tolist(), strict=True)),
        disagreement=dict(zip(pu.names, pu.d.tolist(), strict=True)),
        exponents=exponents,
    )


def pareto_frontier(
    worlds: Worlds, space: Space, names: tuple[str, ...], target: str, points: int = 21
) -> tuple[np.ndarray, np.ndarray]:
    """Efficient offers between the proposer and the target (continuous issues).

    Returns
    -------
    x : (points, K) searched coordinates
    expected : (points, 2) E[u_P], E[u_T]
    """
    pu = PartyUtilities(worlds, space, names, target)
    k = len(space.columns)
    xs, values = [], []
    x = space.base.x[0, list(space.columns)]
    for lam in np.linspace(0.0, 1.0, points):
        from scipy.optimize import minimize  # lazy: scipy costs ~0.3 s at start-up

        res = minimize(
            lambda z, lam=lam: -float(pu.expected(z)[0][:2] @ np.array([lam, 1 - lam])),
            x,
            method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * k,
        )
        x = np.clip(res.x, 0.0, 1.0)
        xs.append(x)
        values.append(pu.expected(x)[0][:2])
    return np.array(xs), np.array(values)


def no_offer_values(population: Population) -> np.ndarray:
    """(N, A): each actor's value of the no-offer outcome in each world (docs/design.md
    4a-4c): its war value where the target fights when nothing is offered, its
    status-quo utility where it stands down; for the target itself ``w_T + pretext`` or
    ``u_T(sq) - backing_down`` (its payoffs in 4c with nothing offered, s = 1). Without
    face and pretext this is every actor's ``reservation``; for the proposer and the
    vetoes it is always the ``r_j`` of the approval rule (4b)."""
    out = np.where(population.worlds.fight[:, None], population.war_value, population.status_quo_u)
    t = population.actor_names.index(population.scenario.target.name)
    out[:, t] = np.where(
        population.worlds.fight,
        population.war_value[:, t] + population.pretext,
        population.status_quo_u[:, t] - population.backing_down,
    )
    return out
