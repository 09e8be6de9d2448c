"""One issue's forecasting inputs, read from a scenario (DESIGN.md section 2).

Per continuous issue: the actors that take a position on it, with position, capability,
salience and loss exponent as numbers (a distribution's mean). An actor with types
counts once per type, its capability multiplied by the type's prior. An actor with no
position on the issue is left out; a salience it does not give counts as 0; without a
``salience`` mapping its saliences are equal, 1/K over the K issues it takes a position on
(the scenario format's default). Saliences are used as written (the importers write
shares of attention in [0, 1]): the compromise, median and Nash models depend only on
their ratios; the expected-utility model reads them as probabilities of resisting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.scenario import Scenario
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import Actor

__all__ = ["IssueInputs", "issue_inputs"]


@dataclass(frozen=True)
class IssueInputs:
    """The actors on one issue as arrays (same order as ``names``).

    ``status_quo`` is the issue's status quo when the scenario gives one (else ``None``).
    """

    issue: str
    lo: float
    hi: float
    names: tuple[str, ...]
    position: np.ndarray
    capability: np.ndarray
    salience: np.ndarray
    rho: np.ndarray
    status_quo: float | None = None

    @property
    def weight(self) -> np.ndarray:
        """Capability x salience: each actor's weight in the compromise and median models."""
        return self.capability * self.salience


def _salience(actor: Actor, issue: str) -> float:
    if actor.salience is None:
        return 1.0 / max(1, len(actor.position) + len(actor.values))
    q = actor.salience.get(issue)
    return 0.0 if q is None else q.mean()


def issue_inputs(scenario: Scenario, issue: str) -> IssueInputs:
    """The forecasting inputs of one continuous issue of ``scenario``.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> data = issue_inputs(load("fearon-1d"), "share")
    >>> data.names, data.position.tolist(), data.salience.tolist()
    (('A', 'B'), [1.0, 0.0], [1.0, 1.0])
    """
    spec = scenario.issue(issue)
    if spec.discrete:
        raise InputError(f"issue {issue!r} is discrete: the forecasting models need a scale")
    names, pos, cap, sal, rho = [], [], [], [], []
    for actor in scenario.actors:
        variants = (
            [(f"{actor.name}:{t}", actor.resolved(t), actor.types[t].p) for t in actor.types]
            if actor.types
            else [(actor.name, actor, 1.0)]
        )
        for name, a, prior in variants:
            if issue not in a.position:
                continue
            names.append(name)
            pos.append(a.position[issue].mean())
            cap.append(a.capability.mean() * prior)
            sal.append(_salience(a, issue))
            rho.append(a.rho.mean())
    sq = spec.status_quo
    return IssueInputs(
        issue=issue,
        lo=spec.min,
        hi=spec.max,
        names=tuple(names),
        position=np.array(pos, dtype=float),
        capability=np.array(cap, dtype=float),
        salience=np.array(sal, dtype=float),
        rho=np.array(rho, dtype=float),
        status_quo=None if sq is None or isinstance(sq, str) else float(sq),
    )
