"""Assumptions: what a user wrote down, each movable over a stated range.

Robustness sweeps and decision flips (docs/design.md section 6) ask how the answer
moves when an *assumption* changes, not when a world's draw does. The
assumptions are:

- every uncertain quantity's distribution, shifted whole by ``delta`` (its
  spread unchanged), each draw then clipped to the field's domain
  (probabilities in [0, 1], saliences and loss exponents >= 0, positions and
  war outcomes on the issue's scale). Its value is the mean of the shifted
  distribution; its stated range is its **90% range**: the mean moves from the
  distribution's own 5% quantile to its 95% quantile (docs/design.md section 6:
  "the assumption that decides is the one whose 90% range moves the recommended
  offer's P(war) the most");
- every uncertain quantity's spread (``NAME.sd``): the draws scaled about the
  distribution's mean by ``1 + delta``, then clipped to the domain. Its value
  is the standard deviation; its stated range halves to doubles it
  (``delta`` in [-1/2, 1]). Shift and spread together move a distribution's
  own parameters: a uniform's ``lo`` and ``hi``, a normal's mean and sd, a
  triangular's three points, a beta's scale, a choice's values;
- every threat's credibility, fixed or uncertain, shifted over all of [0, 1]
  (a number stated without a distribution has no 90% range of its own);
- every type prior over [0, 1], the actor's other types keeping their relative
  weights. A prior change is a reweighting of the type strata of the same
  worlds (likelihood ratio ``p'_t / p_t``), so no world is redrawn.

A shifted quantity is drawn from the very uniforms its path's random stream
gives (:func:`goldenbridge.population.stream`), through ``clip(F^-1(u) +
delta)``, and every other path keeps its stream: the settings are compared on
common random numbers, so their differences are not sampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel

from goldenbridge.analysis.evaluate import outcome_tally
from goldenbridge.analysis.results import JSON_SKIP, json_meta, to_dict
from goldenbridge.analysis.sensitivity.attribution import Output, factor_name, world_inputs
from goldenbridge.engine import Offers
from goldenbridge.population import Population, sample, stream
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.schema import Scenario

__all__ = ["Assumption", "assumptions", "population_at", "outcomes", "Measures", "RANGE"]

#: Each measure (P(war), P(deal), the proposer's EU) of M offers, (M,) float64 each.
Measures = dict[Output, np.ndarray]

#: The quantiles a shifted distribution's mean moves between: its 90% range.
RANGE = (0.05, 0.95)

Location = tuple[str | int, ...]

#: A spread's stated range as changes of its scale factor: halved .. doubled.
SPREAD_RANGE = (-0.5, 1.0)

#: Quantiles at which a shifted, clipped distribution's mean is computed.
_QUANTILES = (np.arange(4096) + 0.5) / 4096


@dataclass(frozen=True)
class Assumption:
    """One assumption and the range it is moved over.

    Attributes
    ----------
    name : str
        Actor and quantity: ``conflict.p_win``, ``Russia.types.revisionist.prior``.
    path : str
        The field path (``actors.Russia.types.revisionist.prior``).
    kind : {"shift", "spread", "prior"}
        A distribution shifted whole, its spread scaled, or a type prior.
    baseline : float
        The value as written: the distribution's mean (or standard deviation),
        or the prior.
    low, high : float
        The value at the ends of the stated range.
    down, up : float
        The changes that reach them (``down <= 0 <= up``): a distribution's
        shift, its scale factor minus 1, or the prior's change.
    """

    name: str
    path: str = field(metadata=JSON_SKIP)
    kind: Literal["shift", "spread", "prior"]
    baseline: float
    low: float = field(metadata=json_meta(name="range.0"))
    high: float = field(metadata=json_meta(name="range.1"))
    down: float = field(metadata=JSON_SKIP)
    up: float = field(metadata=JSON_SKIP)
    location: Location = field(metadata=JSON_SKIP, default=())
    domain: tuple[float, float] = field(metadata=JSON_SKIP, default=(-math.inf, math.inf))
    quantity: Quantity | None = field(metadata=JSON_SKIP, default=None, compare=False, repr=False)

    def draws(self, u: np.ndarray, delta: float) -> np.ndarray:
        """Draws of the shifted (or rescaled) distribution from uniforms ``u``, clipped."""
        assert self.quantity is not None
        if self.kind == "spread":
            return _draws(self.quantity, self.domain, u, 0.0, delta)
        return _draws(self.quantity, self.domain, u, delta, 0.0)

    def value(self, delta: float) -> float:
        """The assumption's value after a change ``delta``: the shifted mean, the rescaled
        standard deviation, or the prior."""
        if self.kind == "prior" or self.quantity is None:
            return float(self.baseline + delta)
        if self.kind == "spread":
            return float(self.draws(_QUANTILES, delta).std())
        lo, hi = self.quantity.support()
        if self.domain[0] <= lo + delta and hi + delta <= self.domain[1]:
            return float(self.baseline + delta)  # nothing clipped: the mean moves by delta
        return float(self.draws(_QUANTILES, delta).mean())

    def to_dict(self) -> dict[str, Any]:
        """name, kind, baseline and range [low, high]."""
        return to_dict(self)


def _draws(
    q: Quantity, domain: tuple[float, float], u: np.ndarray, shift: float, spread: float
) -> np.ndarray:
    """``clip(m + (1 + spread) (F^-1(u) - m) + shift)``, ``m`` the distribution's mean."""
    x = q.ppf(u)
    if spread != 0.0:
        m = q.mean()
        x = m + (1.0 + spread) * (x - m)
    return np.clip(x + shift, *domain)


def _sites(node: Any, path: str, loc: Location, out: dict[str, tuple[Location, Quantity]]):
    """Every quantity in a scenario by field path (named list items by name)."""
    if isinstance(node, Quantity):
        out[path] = (loc, node)
    elif isinstance(node, BaseModel):
        for key in type(node).model_fields:
            _sites(getattr(node, key), f"{path}.{key}" if path else key, (*loc, key), out)
    elif isinstance(node, dict):
        for key, value in node.items():
            _sites(value, f"{path}.{key}", (*loc, key), out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _sites(value, f"{path}.{getattr(value, 'name', i)}", (*loc, i), out)


def _replace(node: Any, loc: Location, value: Any) -> Any:
    """A copy of ``node`` with the item at ``loc`` replaced (nothing else copied deeply)."""
    if not loc:
        return value
    key, rest = loc[0], loc[1:]
    if isinstance(node, BaseModel):
        assert isinstance(key, str)  # a model's fields are named; list items are numbered
        return node.model_copy(update={key: _replace(getattr(node, key), rest, value)})
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[key] = _replace(node[key], rest, value)  # type: ignore[index]
    return copy


def _field(loc: Location) -> tuple[str, ...]:
    """The field part of a location, after the actor / type / threat prefix."""
    if loc[0] == "actors":
        return tuple(map(str, loc[4:] if len(loc) > 4 and loc[2] == "types" else loc[2:]))
    if loc[0] == "threats":
        return tuple(map(str, loc[2:]))
    return tuple(map(str, loc))


def _domain(scenario: Scenario, loc: Location) -> tuple[float, float]:
    """The values a field can take (where a shifted distribution must stay)."""
    field = _field(loc)
    if field in (("credibility",), ("conflict", "p_win")):
        return (0.0, 1.0)
    if field == ("effect", "p_win"):
        return (-1.0, 1.0)
    if field[0] in ("salience", "rho", "capability", "values"):
        return (0.0, math.inf)
    if field[0] == "position" or field[:2] in (("conflict", "win"), ("conflict", "lose")):
        issue = scenario.issue(field[-1])
        return (issue.min, issue.max)
    return (-math.inf, math.inf)


def _shift_range(q: Quantity, credibility: bool) -> tuple[float, float]:
    """How far the distribution may move down and up (``<= 0``, ``>= 0``)."""
    lo, hi = q.support()
    if credibility:  # over all of [0, 1]: never carried out .. always carried out
        return min(-hi, 0.0), max(1.0 - lo, 0.0)
    mean = q.mean()
    low, high = (float(v) for v in q.ppf(np.array(RANGE)))
    return min(low - mean, 0.0), max(high - mean, 0.0)


def assumptions(scenario: Scenario) -> tuple[Assumption, ...]:
    """Every assumption with its stated range (see the module docstring).

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> for a in assumptions(load("fearon-1d")):  # c_B ~ U[0, .3]: sd .3 / sqrt(12)
    ...     print(a.name, a.kind, round(a.baseline, 4), round(a.low, 4), round(a.high, 4))
    conflict.cost.B shift 0.15 0.015 0.285
    conflict.cost.B.sd spread 0.0866 0.0433 0.1732
    """
    sites: dict[str, tuple[Location, Quantity]] = {}
    _sites(scenario, "", (), sites)
    drawn = {i.path for i in world_inputs(scenario)}
    found = []
    for path, (loc, q) in sites.items():
        name, kind = factor_name(path), _field(loc)
        if kind == ("prior",):
            actor = scenario.actors[int(loc[1])]
            types = actor.type_names
            priors = [actor.types[t].p for t in types]  # type: ignore[index]
            # with two types one prior says it all: show the second type's
            shown = types[1:] if len(types) == 2 else types
            p = q.support()[0]
            if loc[3] in shown and 0 < p < 1 and sum(x > 0 for x in priors) > 1:
                found.append(Assumption(name, path, "prior", p, 0.0, 1.0, -p, 1.0 - p, loc))
            continue
        credibility = kind == ("credibility",)
        if not (path in drawn or credibility):
            continue
        down, up = _shift_range(q, credibility)
        if down == up == 0.0:
            continue
        domain = _domain(scenario, loc)
        a = Assumption(name, path, "shift", q.mean(), 0.0, 0.0, down, up, loc, domain, q)
        found.append(
            Assumption(name, path, "shift", a.baseline, a.value(down), a.value(up), down, up,
                       loc, domain, q)
        )  # fmt: skip
        if path not in drawn:
            continue  # a fixed credibility has no spread
        sd = Assumption(f"{name}.sd", path, "spread", 0.0, 0.0, 0.0, 0.0, 0.0, loc, domain, q)
        baseline = sd.value(0.0)
        if baseline > 0.0:
            lo, hi = SPREAD_RANGE
            found.append(
                Assumption(f"{name}.sd", path, "spread", baseline, sd.value(lo), sd.value(hi),
                           lo, hi, loc, domain, q)
            )  # fmt: skip
    return tuple(found)


def _prior_ratio(population: Population, assumption: Assumption, delta: float) -> np.ndarray:
    """Per-world likelihood ratio ``p'_s / p_s`` of a type's prior moved by ``delta``."""
    _, index, _, type_name, _ = assumption.location
    actor = population.scenario.actors[int(index)]
    p = assumption.baseline
    new = p + delta
    ratio = np.array(
        [new / p if s == type_name else (1.0 - new) / (1.0 - p) for s in actor.type_names]
    )
    return ratio[population.type_index[actor.name]]


def population_at(base: Population, settings: Mapping[Assumption, float]) -> Population:
    """The population with each assumption changed by ``delta``, common random numbers.

    Parameters
    ----------
    base : Population
        The worlds as written.
    settings : mapping
        Assumption -> change (a distribution's shift or spread, a prior's change).

    A shifted or rescaled distribution is replaced by a uniform over the range
    of its new draws and fed the uniforms that reproduce them exactly (the
    population's ``uniforms`` hook), so every other draw is the base
    population's; a shift and a spread of one quantity combine
    (``clip(m + (1 + spread) (F^-1(u) - m) + shift)``); a changed prior
    reweights the worlds.
    """
    scenario, uniforms = base.scenario, {}
    moved: dict[str, tuple[Assumption, float, float]] = {}  # path -> (any, shift, spread)
    for assumption, delta in settings.items():
        if assumption.kind != "prior" and delta != 0.0:
            a, shift, spread = moved.get(assumption.path, (assumption, 0.0, 0.0))
            if assumption.kind == "shift":
                shift += delta
            else:
                spread += delta
            moved[assumption.path] = (a, shift, spread)
    for path, (assumption, shift, spread) in moved.items():
        assert assumption.quantity is not None
        u = stream(base.seed, path).random(base.n)
        x = _draws(assumption.quantity, assumption.domain, u, shift, spread)
        lo, hi = float(x.min()), float(x.max())
        carrier = Quantity(uniform=(lo, hi))
        scenario = _replace(scenario, assumption.location, carrier)
        uniforms[assumption.path] = (x - lo) / (hi - lo) if hi > lo else np.zeros(base.n)
    # every other path is fed the uniforms its stream gave the base (the same draws,
    # without drawing them again)
    population = (
        sample(scenario, base.n, base.seed, {**base.uniforms, **uniforms}) if uniforms else base
    )
    weights = population.worlds.weights
    for assumption, delta in settings.items():
        if assumption.kind == "prior" and delta != 0.0:
            weights = weights * _prior_ratio(population, assumption, delta)
    if weights is population.worlds.weights:
        return population
    return population.reweighted(weights)


def outcomes(
    population: Population, offers: Offers, backend: str = "auto", dask: str | None = None
) -> Measures:
    """P(war), P(deal) and the proposer's EU of each offer, by the model's outcome path
    (:func:`goldenbridge.analysis.evaluate.outcome_tally`)."""
    t, _, _, _ = outcome_tally(population, offers, backend, dask)
    w = t.w.sum()
    return {
        "p_war": t.war.sum(axis=0) / w,
        "p_deal": t.deal.sum(axis=0) / w,
        "proposer_eu": t.payoff.sum(axis=0) / w,
    }
