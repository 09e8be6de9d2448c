"""Per-world results: each sampled world's inputs and each package's outcome in it.

For analysts who continue elsewhere (pandas, R, the EMA Workbench's habit of one
row per experiment): :func:`world_table` lays out, per world, its weight, each
actor's type, every uncertain input as drawn, whether the target fights without
a deal, and for each package whether the target would accept it and each veto
approves it, whether it ends in a deal or in war, and the proposer's realised payoff.
The decisions are :func:`goldenbridge.analysis.outcomes.decide`'s (docs/design.md
sections 4a-4c: vetoes approve on their own information unless informed; the status
quo offers nothing). Weighted means of the columns are the probabilities
:func:`goldenbridge.analysis.evaluate.evaluate` reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.evaluate import named_offers
from goldenbridge.analysis.outcomes import decide
from goldenbridge.population import Population
from goldenbridge.scenario.schema import OfferValue

__all__ = ["WorldTable", "world_table"]


@dataclass(frozen=True)
class WorldTable:
    """Columns of equal length N, in display order.

    ``columns`` maps a column name to a (N,) array: ``world``, ``weight``,
    ``<actor>.type``, the inputs by field name, ``fights_without_deal``, then per
    package ``<package>.deal``, ``<package>.war``, ``<package>.<actor>.accepts``,
    ``<package>.proposer_payoff``.
    """

    columns: dict[str, np.ndarray]
    packages: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(next(iter(self.columns.values())))


def world_table(
    population: Population, offers: Mapping[str, Mapping[str, OfferValue]] | None = None
) -> WorldTable:
    """Each world's inputs and each offer's outcome in it.

    Parameters
    ----------
    population : Population
    offers : mapping, optional
        Package name -> {issue: value}; default the scenario's named offers.

    Examples
    --------
    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> t = world_table(sample(load("fearon-1d"), samples=1000, seed=1), {"x": {"share": 0.6}})
    >>> list(t.columns)[:4]
    ['world', 'weight', 'conflict.cost.B', 'fights_without_deal']
    >>> # B accepts 0.6 iff its war value 0.5 - c_B is at most 1 - 0.6 (DESIGN.md section 2)
    >>> c = t.columns["conflict.cost.B"]
    >>> bool(np.all(t.columns["x.deal"] == (c >= 0.1)))
    True
    """
    # lazy: the sensitivity package imports scipy (~0.15 s of every evaluate's start-up)
    from goldenbridge.analysis.sensitivity.attribution import factor_name

    offers = dict(named_offers(population) if offers is None else offers)
    scenario = population.scenario
    worlds = population.worlds
    columns: dict[str, np.ndarray] = {
        "world": np.arange(population.n),
        "weight": np.asarray(worlds.weights, dtype=np.float64),
    }
    for actor, index in population.type_index.items():
        type_names = np.array(scenario.actor(actor).type_names, dtype=object)
        columns[f"{actor}.type"] = type_names[index]
    for path, draws in population.inputs.items():
        columns[factor_name(path)] = np.asarray(draws, dtype=np.float64)
    columns["fights_without_deal"] = np.asarray(worlds.fight, dtype=bool)
    encoded = population.encode([scenario.complete(dict(v)) for v in offers.values()])
    d = decide(population, encoded)
    names = population.actor_names
    target = names.index(scenario.target.name)
    for m, package in enumerate(offers):
        columns[f"{package}.deal"] = d.deal[:, m]
        columns[f"{package}.war"] = d.war[:, m]
        for i in worlds.deciders:
            said = d.accept if i == target else d.approve[i]
            columns[f"{package}.{names[i]}.accepts"] = said[:, m]
        columns[f"{package}.proposer_payoff"] = d.payoff[:, m]
    return WorldTable(columns=columns, packages=tuple(offers))
