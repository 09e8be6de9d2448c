"""The talks' path of offers (docs/dynamics.md): its two ends and its grid.

``x(s) = FROM + s (TO - FROM)``, ``s`` in [0, 1]: by default from the scenario's ``talks``
block, else from the status quo along the direction of the one-shot risk-return optimum
(``negotiate``) or towards the target's mean position (:func:`talks_path`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from goldenbridge.analysis.negotiate.concession_path import target_mean_position
from goldenbridge.engine import Offers
from goldenbridge.information import is_informed
from goldenbridge.population import Population
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = ["OPTIMUM_SAMPLES", "OfferSpec", "path_grid", "position_values", "talks_path"]

OfferSpec = Mapping[str, OfferValue] | str | None

#: Worlds the risk-return optimum (the default path's direction) is searched on.
OPTIMUM_SAMPLES = 2_000


def _offer(scenario: Scenario, spec: OfferSpec, path: str) -> dict[str, OfferValue] | None:
    """A named offer or an issue -> value mapping, completed with the status quo."""
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec not in scenario.offers:
            known = ", ".join(scenario.offers) or "none"
            raise ScenarioError(path, f"no offer named {spec!r} (named offers: {known})")
        spec = scenario.offers[spec]
    return scenario.complete(dict(spec))


def _optimum_direction(
    population: Population, start: dict[str, OfferValue]
) -> tuple[dict[str, OfferValue] | None, str]:
    """The end of the path along the direction from ``start`` through the one-shot
    risk-return optimum (``optimize`` under the scenario's own information rule: vetoes on
    their own information unless ``informed``, docs/design.md 4b), extended to the edge of
    the issue space."""
    from goldenbridge.analysis.optimize.best import optimize
    from goldenbridge.population import sample

    scenario = population.scenario
    if population.n > OPTIMUM_SAMPLES and np.all(population.worlds.weights == 1.0):
        search = sample(scenario, samples=OPTIMUM_SAMPLES, seed=population.seed)
    else:  # small, or a posterior: its own worlds and weights
        search = population
    best = optimize(search, solutions=False, fresh_population=search).optimum.values
    ends = population.encode([start, scenario.complete(dict(best))], "path")
    direction = ends.x[1] - ends.x[0]
    if not np.any(np.abs(direction) > 1e-12):
        return None, "the one-shot optimum is the path's start"
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(
            direction > 0,
            (1 - ends.x[0]) / direction,
            np.where(direction < 0, -ends.x[0] / direction, np.inf),
        )
    x = ends.x[0] + float(np.min(room)) * direction
    end: dict[str, OfferValue] = {}
    c = 0
    for issue in scenario.issues:
        if issue.discrete:
            end[issue.name] = start[issue.name]
        else:
            end[issue.name] = round(issue.min + float(x[c]) * (issue.max - issue.min), 10)
            c += 1
    where = ", ".join(f"{k} {v:g}" for k, v in best.items() if isinstance(v, float))
    rule = "vetoes on their own information"
    if not scenario.vetoes:
        rule = "no veto actors"
    elif _all_informed(scenario):
        rule = "informed vetoes"
    return end, (
        f"direction of the one-shot risk-return optimum ({where}; {rule}, as evaluate "
        f"decides; {search.n:,} worlds)"
    )


def _all_informed(scenario: Scenario) -> bool:
    return all(is_informed(scenario, v.name) for v in scenario.vetoes)


def talks_path(
    population: Population, path_from: OfferSpec = None, path_to: OfferSpec = None, grid: int = 101
) -> tuple[dict[str, OfferValue], dict[str, OfferValue], Offers]:
    """The path's two ends (completed offers) and its grid of ``grid`` offers.

    Defaults: the scenario's ``talks`` block, else from the status quo to the target's
    mean position. (:func:`~goldenbridge.analysis.negotiate.dynamics.negotiate` defaults to the
    optimum's direction instead.)
    """
    start, end, offers, _ = path_grid(population, path_from, path_to, grid, optimum=False)
    return start, end, offers


def path_grid(
    population: Population,
    path_from: OfferSpec,
    path_to: OfferSpec,
    grid: int,
    optimum: bool,
) -> tuple[dict[str, OfferValue], dict[str, OfferValue], Offers, str]:
    """The path's ends, its grid of ``grid`` offers and a note on where its end comes
    from (``optimum``: the direction of the one-shot optimum by default)."""
    scenario = population.scenario
    talks = scenario.talks
    default_from = talks.from_ if talks is not None else None
    default_to = talks.to if talks is not None else None
    start = _offer(scenario, path_from if path_from is not None else default_from, "from")
    end = _offer(scenario, path_to if path_to is not None else default_to, "to")
    start = start or scenario.status_quo()
    if path_to is not None:
        note = "given"
    elif end is not None:
        note = "the scenario's talks block"
    else:
        note = ""
        if optimum:
            end, note = _optimum_direction(population, start)
        if end is None:  # the target's mean position on the continuous issues
            mean = target_mean_position(population)
            end = {i.name: start[i.name] if i.discrete else mean[i.name] for i in scenario.issues}
            note = (note + "; " if note else "") + "towards the target's mean position"
    assert end is not None  # given (a spec is never None), the talks block's, or found
    ends = population.encode([start, end], "path")
    for d, issue in enumerate(i for i in scenario.issues if i.discrete):
        if ends.option[0, d] != ends.option[1, d]:
            raise ScenarioError(
                f"path.{issue.name}", "a discrete issue must take the same option at both ends"
            )
    s = np.linspace(0.0, 1.0, grid)
    x = ends.x[0] + s[:, None] * (ends.x[1] - ends.x[0])
    option = np.repeat(ends.option[:1], grid, axis=0)
    return start, end, Offers(x, option), note


def position_values(scenario: Scenario, start: dict, end: dict, s: float) -> dict[str, OfferValue]:
    """The offer at position ``s`` of the path, in the issues' own units."""
    out: dict[str, OfferValue] = {}
    for issue in scenario.issues:
        a, b = start[issue.name], end[issue.name]
        out[issue.name] = a if issue.discrete else round(float(a) + s * (float(b) - float(a)), 10)
    return out
