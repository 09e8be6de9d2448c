"""Structural switches: parts of the model itself that an analyst could read otherwise.

docs/design.md section 6 lists them beside the parameters, each with the recommended
offer and its P(war) under each setting: the vetoes' information (own or informed, 4b),
face and pretext on or off (4c), an unappeasable type of the target ruled in or out, the
static or dynamic reading of a rejection, and the mechanisms of talks (mobilisation, the
drift of ``p_win``, pretext accumulating over rounds; section 6, dynamics). Each switch is
an entry of :data:`SWITCHES`: a name, what it toggles, and a function giving the *prior*
worlds under the other setting (the same seed and the same draws wherever the setting
leaves a quantity alone: common random numbers) and, for the reading, how the observations
are read; the caller conditions them on the observations
(:class:`~goldenbridge.analysis.sensitivity.observed.Observed`). A switch returns ``None``
where the scenario gives it nothing to switch, and a setting marked ``inert`` (with the
reason) where it exists but cannot change the answer -- e.g. the reading of a rejection
when no rejection is observed: listed, not silently left out. A new switch is one
:func:`register` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.outcomes import decide
from goldenbridge.analysis.sensitivity.observed import NOTHING_OBSERVED, Observed
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
    population : Population or None
        The prior worlds under the alternative (``None``: the worlds as written).
    reading : str or None
        How the observations' rejections are read under the alternative (``None``: as
        given).
    inert : str or None
        Why the alternative cannot change the answer (then nothing is recomputed and the
        row shows the answer as written with this reason); ``None`` otherwise.
    """

    as_written: str
    other: str
    population: Population | None
    reading: str | None = None
    inert: str | None = None


@dataclass(frozen=True)
class Switch:
    """One structural switch: ``alternative(prior, observed)`` is its :class:`Setting`, or
    ``None`` where the scenario gives it nothing to switch."""

    name: str
    description: str
    alternative: Callable[..., Setting | None]


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


def _information(base: Population, observed: Observed = NOTHING_OBSERVED) -> Setting | None:
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


def _face(base: Population, observed: Observed = NOTHING_OBSERVED) -> Setting | None:
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


def _unappeasable(base: Population, observed: Observed = NOTHING_OBSERVED) -> Setting | None:
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


def _reading(base: Population, observed: Observed = NOTHING_OBSERVED) -> Setting:
    """The observed rejections read with the other model: all statically when any is read
    dynamically (as ``update`` compares them), else all dynamically. Listed even without a
    rejection, as not changing the answer."""
    if not observed.rejections:
        return Setting(
            "static (one-shot)",
            "dynamic (talks)",
            None,
            inert="no rejection is observed: there is nothing to read, so the reading "
            "cannot change the answer",
        )
    as_written = observed.reads()
    other = "static" if "dynamic" in as_written else "dynamic"
    return Setting(as_written, other, None, reading=other)


def _mechanism(label: str, off: Callable[[Scenario], Scenario | None]):
    """A mechanism of talks switched off (``off`` gives the scenario without it, or None
    where it is off already). It enters the answer only through observations read with
    the dynamic model: otherwise it is listed as not changing the one-shot answer."""

    def alternative(base: Population, observed: Observed = NOTHING_OBSERVED) -> Setting | None:
        other = off(base.scenario)
        if other is None:
            return None
        if not observed.dynamic():
            return Setting(
                "on",
                "off",
                None,
                inert=f"{label} is a mechanism of talks: the one-shot answer does "
                "not depend on it, and no observation is read with the dynamic model",
            )
        return Setting("on", "off", _resampled(base, other))

    return alternative


def _conflict_zero(name: str) -> Callable[[Scenario], Scenario | None]:
    def off(scenario: Scenario) -> Scenario | None:
        q = getattr(scenario.conflict, name)
        if q.support() == (0.0, 0.0):
            return None
        conflict = scenario.conflict.model_copy(update={name: Quantity(value=0.0)})
        return scenario.model_copy(update={"conflict": conflict})

    return off


def _no_accumulation(scenario: Scenario) -> Scenario | None:
    """The scenario with ``talks.accumulate_pretext: false`` (None without a talks block
    that accumulates a pretext that is not 0)."""
    talks = scenario.talks
    if talks is None or not talks.accumulate_pretext:
        return None
    if scenario.conflict.pretext.support() == (0.0, 0.0):
        return None
    off = talks.model_copy(update={"accumulate_pretext": False})
    return scenario.model_copy(update={"talks": off})


register(
    Switch(
        "reading of a rejection",
        "an observed rejection read by the static model (a final offer) or the dynamic one "
        "(a round of talks that go on)",
        _reading,
    )
)
register(
    Switch(
        "mobilisation",
        "the target's cost of each round waited mobilised (conflict.mobilisation), or 0",
        _mechanism("mobilisation", _conflict_zero("mobilisation")),
    )
)
register(
    Switch(
        "p_win drift",
        "the drift of p_win per round of talks (conflict.p_win_drift), or 0",
        _mechanism("the drift of p_win", _conflict_zero("p_win_drift")),
    )
)
register(
    Switch(
        "accumulating pretext",
        "pretext accumulating over rounds whose offer saves no face (talks.accumulate_pretext), "
        "or only the one-shot pretext",
        _mechanism("pretext accumulating over rounds", _no_accumulation),
    )
)
