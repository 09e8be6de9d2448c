"""Solution concepts on a discrete outcome space, by exact enumeration.

For a scenario whose issues are all discrete (an imported Genius domain) every outcome
can be listed: the product of the issues' options (England-Zimbabwe: 4*4*3*3*4 = 576).
Each bargaining party (the proposer, the target and every veto) values outcome x at
``u_i(x) = sum_k w_ik e_ik(x_k) / max e_ik`` (DESIGN.md section 3, Genius's convention;
saliences normalised to sum 1 over the actor's issues, quantities at their means) and
its disagreement value ``d_i`` is its ``war_value`` (an imported Genius reservation
value) or, without one, its utility of the status quo. On that finite set:

* Pareto frontier: the outcomes no other outcome weakly improves for every party and
  strictly for one;
* Nash point (Nash 1950): ``argmax prod_i (u_i(x) - d_i)`` over the outcomes with every
  gain positive;
* Kalai–Smorodinsky point (Kalai & Smorodinsky 1975): among the Pareto outcomes with
  every gain positive, ``argmax min_i (u_i(x) - d_i) / (U_i - d_i)`` with ``U_i`` the
  party's best utility over those outcomes (ties: the larger sum of gains).

P(accept), P(deal) and best offers under uncertainty come from the ordinary analyses
(``goldenbridge evaluate`` / ``optimize``) on the same imported scenario.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.scenario import Scenario

__all__ = ["OutcomeSpace", "outcome_space"]

#: Enumeration stops above this many outcomes (a clear error instead of a long wait).
MAX_OUTCOMES = 2_000_000


@dataclass(frozen=True)
class OutcomeSpace:
    """Every outcome's utilities and the solution concepts on them.

    Attributes
    ----------
    parties : tuple of str
    issues : tuple of str
    options : (M, K) int array
        Option index per issue of each of the M outcomes (itertools.product order).
    utilities : (M, P) array
    disagreement : (P,) array
    pareto : (F,) int array
        Rows of the Pareto frontier, sorted by the first party's utility.
    nash, kalai_smorodinsky : int or None
        Rows of the two points (None when no outcome gives every party a positive gain).
    """

    parties: tuple[str, ...]
    issues: tuple[str, ...]
    option_names: tuple[tuple[str, ...], ...]
    options: np.ndarray
    utilities: np.ndarray
    disagreement: np.ndarray
    pareto: np.ndarray
    nash: int | None
    kalai_smorodinsky: int | None

    @property
    def n_outcomes(self) -> int:
        return int(self.options.shape[0])

    def outcome(self, row: int) -> dict[str, str]:
        """Outcome ``row`` as issue -> option name."""
        return {
            issue: names[int(k)]
            for issue, names, k in zip(
                self.issues, self.option_names, self.options[row], strict=True
            )
        }

    def _point(self, row: int | None) -> dict[str, Any] | None:
        if row is None:
            return None
        return {
            "outcome": self.outcome(row),
            "utilities": dict(zip(self.parties, map(float, self.utilities[row]), strict=True)),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_outcomes": self.n_outcomes,
            "parties": list(self.parties),
            "disagreement": dict(zip(self.parties, map(float, self.disagreement), strict=True)),
            "n_pareto": int(self.pareto.size),
            "nash": self._point(self.nash),
            "kalai_smorodinsky": self._point(self.kalai_smorodinsky),
        }


def _pareto(u: np.ndarray) -> np.ndarray:
    """Rows of ``u`` (M, P) that no other row dominates."""
    order = np.lexsort(tuple(-u[:, p] for p in reversed(range(u.shape[1]))))
    keep: list[int] = []
    for row in order:
        if not any(np.all(u[k] >= u[row]) and np.any(u[k] > u[row]) for k in keep):
            keep.append(int(row))
    front = np.array(keep, dtype=int)
    return front[np.argsort(u[front, 0], kind="stable")]


def outcome_space(scenario: Scenario, parties: list[str] | None = None) -> OutcomeSpace:
    """Enumerate a discrete scenario's outcomes and find the solution concepts.

    Examples
    --------
    >>> from goldenbridge.importers import import_files
    >>> d = "tests/data/genius/EnglandZimbabwe/"
    >>> imp = import_files("genius", [d + "EnglandZimbabwe_domain.xml", d + "England.xml",
    ...                               d + "Zimbabwe.xml"])
    >>> space = outcome_space(imp.scenario)
    >>> space.n_outcomes
    576
    """
    issues = scenario.issues
    if not all(i.discrete for i in issues):
        raise ValueError("outcome enumeration needs every issue to be discrete")
    sizes = [len(i.options or []) for i in issues]
    total = int(np.prod(sizes))
    if total > MAX_OUTCOMES:
        raise ValueError(f"{total} outcomes is more than {MAX_OUTCOMES} to enumerate")
    if parties is None:
        parties = [scenario.proposer.name, scenario.target.name] + [a.name for a in scenario.vetoes]
    options = np.array(list(itertools.product(*(range(n) for n in sizes))), dtype=int)
    utilities = np.zeros((total, len(parties)))
    disagreement = np.zeros(len(parties))
    sq = [i.options.index(i.status_quo_value) for i in issues]  # type: ignore[union-attr,arg-type]
    for p, name in enumerate(parties):
        actor = scenario.actor(name)
        cares = [i.name for i in issues if i.name in actor.values]
        if actor.salience is None:
            raw = {k: 1.0 for k in cares}
        else:
            raw = {k: actor.salience[k].mean() if k in actor.salience else 0.0 for k in cares}
        total_w = sum(raw.values())
        table = np.zeros((len(issues), max(sizes)))
        for k, issue in enumerate(issues):
            if issue.name not in actor.values or total_w <= 0:
                continue
            evals = np.array(
                [
                    actor.values[issue.name][o].mean() if o in actor.values[issue.name] else 0.0
                    for o in issue.options or []
                ]
            )
            table[k, : len(evals)] = raw[issue.name] / total_w * evals / evals.max()
        per_issue = table[np.arange(len(issues))[None, :], options]
        utilities[:, p] = per_issue.sum(axis=1)
        disagreement[p] = (
            actor.war_value.mean()
            if actor.war_value is not None
            else float(table[np.arange(len(issues)), sq].sum())
        )
    gains = utilities - disagreement
    feasible = np.all(gains > 0, axis=1)
    pareto = _pareto(utilities)
    nash = ks = None
    if feasible.any():
        logs = np.where(feasible[:, None], np.log(np.where(gains > 0, gains, 1.0)), -np.inf)
        nash = int(np.argmax(logs.sum(axis=1)))
        front = np.array([r for r in pareto if feasible[r]], dtype=int)
        best = gains[feasible].max(axis=0)
        ratio = (gains[front] / best).min(axis=1)
        top = np.flatnonzero(np.isclose(ratio, ratio.max(), rtol=0, atol=1e-12))
        ks = int(front[top[np.argmax(gains[front[top]].sum(axis=1))]])
    return OutcomeSpace(
        parties=tuple(parties),
        issues=tuple(i.name for i in issues),
        option_names=tuple(tuple(i.options or []) for i in issues),
        options=options,
        utilities=utilities,
        disagreement=disagreement,
        pareto=pareto,
        nash=nash,
        kalai_smorodinsky=ks,
    )
