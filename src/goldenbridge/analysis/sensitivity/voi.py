"""Value of information: what learning an uncertain input before choosing is worth.

The proposer chooses among a set of offers to maximise its expected utility: the
recommended offer (the risk-return optimum as written) and its alternatives -- the offer
re-optimised under each changed assumption and switch, and the named offers
(docs/design.md section 6: value of information against the recommended offer).
Learning an input first lets it choose per value of the input; the expected value of
that information is

    EV(info) = E_info[ max_m E[z_m | info] ] - max_m E[z_m]

with ``z_m`` the proposer's realised payoff of offer m in a world (``u_P(x_m)``
on a deal, its no-deal value otherwise; Raiffa & Schlaifer 1961). It is never
negative. For the target's type the condition is the type itself (the
expected value of perfect information about the type). For one continuous
input it is the expected value of partial perfect information (EVPPI),
estimated by splitting the worlds into quantile bins of the input and taking
the best offer per bin (Felli & Hazen 1998; Strong & Oakley 2013). With few
worlds per bin the per-bin maximum of noisy means biases the estimate upward
by the order of the payoff's standard error per bin; more worlds shrink it.
"Everything" conditions on the whole world: the expected value of perfect
information, an upper bound for every other. Each value comes with the P(war) the
proposer's informed choice leads to (each world's war indicator under the offer chosen for
what is learned in that world), beside the recommended offer's. Each world's payoff and
war are the model's own (:func:`goldenbridge.analysis.outcomes.decide`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.outcomes import decide
from goldenbridge.analysis.results import to_dict
from goldenbridge.analysis.sensitivity.attribution import world_inputs
from goldenbridge.population import Population
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import OfferValue

__all__ = ["Information", "value_of_information", "information_value"]


@dataclass(frozen=True)
class Information:
    """The value of learning one input before choosing among the offers.

    Attributes
    ----------
    name : str
        ``Russia.type``, ``conflict.p_win``, or ``everything``.
    value : float
        Expected gain in the proposer's utility (>= 0).
    choices : dict
        What to offer given what is learned: type name or bin (the input's
        range in that bin, ``"lo..hi"``) -> offer name; empty for ``everything``.
    p_war : float
        P(war) when the proposer chooses on what it learned.
    """

    name: str
    value: float
    choices: dict[str, str]
    p_war: float

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def information_value(
    payoff: np.ndarray, weights: np.ndarray, groups: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """``EV(info)`` when ``groups`` (N,) labels what is learned in each world.

    Parameters
    ----------
    payoff : (N, M) float64
        Each world's payoff of each offer.
    weights : (N,) float64
    groups : (N,) int

    Returns
    -------
    value : float
    labels : (B,) the group labels, ascending
    best : (B,) int, the best offer per group

    Examples
    --------
    Two equally likely states; offer 0 pays 1 in the first, offer 1 pays 1 in
    the second: choosing blind earns 1/2, choosing per state 1.

    >>> z = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> value, labels, best = information_value(z, np.ones(2), np.array([0, 1]))
    >>> float(value), best.tolist()
    (0.5, [0, 1])
    """
    total = weights.sum()
    labels, inverse = np.unique(groups, return_inverse=True)
    sums = np.zeros((labels.size, payoff.shape[1]))
    np.add.at(sums, inverse, weights[:, None] * payoff)
    informed = sums.max(axis=1).sum() / total
    blind = sums.sum(axis=0).max() / total
    return max(0.0, float(informed - blind)), labels, sums.argmax(axis=1)


def _bins(values: np.ndarray, bins: int) -> tuple[np.ndarray, list[str]]:
    """Quantile bins of an input (its distinct values when it has few)."""
    distinct = np.unique(values)
    if distinct.size <= bins:
        return np.searchsorted(distinct, values), [f"{v:.4g}" for v in distinct]
    edges = np.quantile(values, np.linspace(0, 1, bins + 1))
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
    return index, [f"{edges[b]:.4g}..{edges[b + 1]:.4g}" for b in range(bins)]


def value_of_information(
    population: Population,
    offers: Mapping[str, Mapping[str, OfferValue]],
    inputs: Sequence[str] = (),
    bins: int = 10,
) -> tuple[Information, ...]:
    """The proposer's expected gain from learning before choosing among the named offers.

    Parameters
    ----------
    population : Population
    offers : mapping
        The offers to choose among (name -> {issue: value}), the recommended one first.
    inputs : sequence of str
        World-level inputs (names as in the Sobol' table, e.g. ``conflict.p_win``)
        to compute the EVPPI of; the target's type and ``everything`` are
        always included.
    bins : int
        Quantile bins per continuous input.

    Returns
    -------
    tuple of Information: the target's type (if it has types), each input, everything.

    Raises
    ------
    ValueError
        For a name that is not a world-level input.
    """
    scenario = population.scenario
    offer_names = list(offers)
    values = [scenario.complete(dict(v)) for v in offers.values()]
    decisions = decide(population, population.encode(values))
    payoff, war = np.asarray(decisions.payoff, dtype=np.float64), decisions.war
    weights = population.worlds.weights

    def p_war(groups: np.ndarray, labels: np.ndarray, best: np.ndarray) -> float:
        chosen = best[np.searchsorted(labels, groups)]
        hit = war[np.arange(population.n), chosen]
        return float(weights @ hit / weights.sum())

    known = {i.name: i for i in world_inputs(scenario)}
    target = scenario.target.name
    names = [f"{target}.type"] if f"{target}.type" in known else []
    names += [n for n in inputs if n not in names]
    result = []
    for name in names:
        if name not in known:
            raise InputError(f"--evppi {name}: not an uncertain input (see the Sobol' table)")
        item = known[name]
        if item.categorical:
            actor = item.path.removeprefix("actors.").removesuffix(".type")
            groups = population.type_index[actor]
            labels = list(scenario.actor(actor).type_names)
        else:
            groups, labels = _bins(population.inputs[item.path], bins)
        value, present, best = information_value(payoff, weights, groups)
        choices = {labels[g]: offer_names[b] for g, b in zip(present, best, strict=True)}
        result.append(Information(name, value, choices, p_war(groups, present, best)))
    every = np.arange(population.n)
    value, present, best = information_value(payoff, weights, every)
    result.append(Information("everything", value, {}, p_war(every, present, best)))
    return tuple(result)
