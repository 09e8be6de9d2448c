"""Structural switches: parts of the model itself that an analyst could read otherwise.

docs/design.md section 6 lists them beside the parameters, each with the recommended
offer and its P(war) under each setting: the vetoes' information (own or informed, 4b),
face and pretext on or off (4c), an unappeasable type of the target ruled in or out, and
the static or dynamic reading of a rejection (added with the dynamics). Each switch is an
entry of :data:`SWITCHES`: a name, what it toggles, and a function giving the population
under the other setting (the same seed and the same draws wherever the setting leaves a
quantity alone: common random numbers) or ``None`` where it does not apply. A new switch
is one :func:`register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.outcomes import decide
from goldenbridge.engine import Offers
from goldenbridge.population import Population, sample
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.schema import Scenario

__all__ = ["Setting", "Switch", "SWITCHES", "register", "unappeasable_types", "UNAPPEASABLE"]

#: A target type is unappeasable when, in its worlds, it would accept even its own most
#: wanted offer with probability below this.
UNAPPEASABLE = 0.05


@dataclass(frozen=True)
class Setting:
    """The two readings of one switch in a scenario, and the population under the other.

    Attributes
    ----------
    as_written, other : str
        Labels of the setting as written and of the alternative.
    population : Population
        The worlds under the alternative.
    """

    as_written: str
    other: str
    population: Population


@dataclass(frozen=True)
class Switch:
    """One structural switch: ``alternative(base)`` is its :class:`Setting`, or ``None``
    where the scenario gives it nothing to switch."""

    name: str
    description: str
    alternative: Callable[[Population], Setting | None]


#: The registry, in the order the report lists them.
SWITCHES: dict[str, Switch] = {}


def register(switch: Switch) -> Switch:
    """Add ``switch`` to :data:`SWITCHES` (replacing one of the same name)."""
    SWITCHES[switch.name] = switch
    return switch


def _resampled(base: Population, scenario: Scenario) -> Population:
    """``scenario``'s worlds drawn with the base's seed and size, the base's weights kept."""
    population = sample(scenario, base.n, base.seed)
    weights = base.worlds.weights
    if np.array_equal(weights, population.worlds.weights):
        return population
    return population.reweighted(weights)


def _information(base: Population) -> Setting | None:
    scenario = base.scenario
    vetoes = [a for a in scenario.actors if a.role == "veto"]
    if not vetoes:
        return None
    informed = scenario.information == "informed" or all(a.informed for a in vetoes)
    if informed:
        actors = [a.model_copy(update={"informed": False}) for a in scenario.actors]
        other = scenario.model_copy(update={"information": "own", "actors": actors})
        return Setting("informed", "own", _resampled(base, other))
    other = scenario.model_copy(update={"information": "informed"})
    return Setting("own", "informed", _resampled(base, other))


def _face(base: Population) -> Setting | None:
    conflict = base.scenario.conflict
    if not conflict.has_face:
        return None
    zero = Quantity(value=0.0)
    off = conflict.model_copy(update={"backing_down": zero, "pretext": zero})
    other = base.scenario.model_copy(update={"conflict": off})
    return Setting("on", "off", _resampled(base, other))


def unappeasable_types(population: Population) -> tuple[str, ...]:
    """The target's types that would refuse even their own most wanted offer.

    For each type of the target, the offer with every continuous issue at the type's mean
    ideal point over its worlds (discrete issues at the status quo) is decided by the model
    (:func:`~goldenbridge.analysis.outcomes.decide`); the type is unappeasable when the
    target would accept it in fewer than :data:`UNAPPEASABLE` of the type's worlds.
    """
    scenario = population.scenario
    target = scenario.target
    if not target.types or target.name not in population.typed_actors:
        return ()
    t = population.actor_names.index(target.name)
    ideal = population.worlds.actors[t].ideal
    index = population.type_index[target.name]
    weights = population.worlds.weights
    status_quo = population.encode([{}])
    names = target.type_names
    x = np.repeat(status_quo.x, len(names), axis=0)
    for k in range(len(names)):
        mine = index == k
        if mine.any() and ideal.shape[1]:
            x[k] = np.average(ideal[mine], axis=0, weights=weights[mine])
    accept = decide(population, Offers(x, np.repeat(status_quo.option, len(names), axis=0))).accept
    found = []
    for k, name in enumerate(names):
        mine = index == k
        w = weights[mine]
        if w.sum() > 0 and w @ accept[mine, k] / w.sum() < UNAPPEASABLE:
            found.append(name)
    return tuple(found)


def _unappeasable(base: Population) -> Setting | None:
    types = unappeasable_types(base)
    if not types:
        return None
    target = base.scenario.target
    names = target.type_names
    ruled_out = np.isin(np.asarray(names)[base.type_index[target.name]], types)
    weights = base.worlds.weights
    kept = weights[~ruled_out].sum()
    if kept <= 0:
        return None
    # the other types keep their relative weights: a likelihood ratio 0 or 1 / (1 - p)
    new = np.where(ruled_out, 0.0, weights * weights.sum() / kept)
    label = ", ".join(types)
    return Setting(f"{label} possible", f"{label} ruled out", base.reweighted(new))


register(
    Switch(
        "veto information",
        "each veto approves on its own information (4b) or sees the whole world",
        _information,
    )
)
register(Switch("face and pretext", "backing_down and pretext as written, or 0 (4c)", _face))
register(
    Switch(
        "unappeasable type",
        "a type of the target that refuses even its own most wanted offer, or none",
        _unappeasable,
    )
)
