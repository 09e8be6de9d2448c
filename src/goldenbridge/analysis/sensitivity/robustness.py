"""Robustness: how P(war), P(deal) and the proposer's EU move when an assumption changes.

Two designs over the assumptions of :mod:`goldenbridge.analysis.sensitivity.assumptions`,
both with common random numbers (the same seed, so only the changed
assumption's draws change):

- one-at-a-time sweeps: each assumption over a grid of its stated range, the
  others as written; the ends give the tornado plot's bars;
- Morris elementary effects (Morris 1991; SALib's trajectories and estimators,
  with ``mu_star`` the mean absolute effect of Campolongo et al. 2007), which
  move all assumptions at once and so also see interactions.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.results import to_dict
from goldenbridge.analysis.sensitivity.assumptions import (
    Assumption,
    Measures,
    outcomes,
    population_at,
)
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.engine import Offers
from goldenbridge.population import Population

__all__ = ["Evaluator", "Sweep", "MorrisRow", "evaluator", "sweeps", "morris", "grid"]

#: ``evaluate({assumption: change, ...})`` -> each measure, (M,) over the offers.
Evaluator = Callable[[Mapping[Assumption, float]], Measures]
Progress = Callable[[int, int], None]


def evaluator(
    base: Population,
    offers: Offers,
    backend: str = "auto",
    dask: str | None = None,
    worlds: Callable[[Mapping[Assumption, float]], Population] | None = None,
) -> Evaluator:
    """Evaluate fixed offers with some assumptions changed (common random numbers);
    ``worlds(settings)`` gives the changed worlds (default ``population_at(base, .)``)."""

    def evaluate(settings: Mapping[Assumption, float]) -> Measures:
        changed = worlds(settings) if worlds is not None else population_at(base, settings)
        return outcomes(changed, offers, backend, dask)

    return evaluate


@dataclass(frozen=True)
class Sweep:
    """One assumption moved over a grid of its stated range, the others as written.

    Attributes
    ----------
    assumption : Assumption
    changes : (G,) float64
        Ascending grid of changes from ``down`` to ``up``, 0 (as written) included.
    measures : dict
        ``p_war``, ``p_deal``, ``proposer_eu`` -> (G, M) float64: each offer's measure
        at each change.
    """

    assumption: Assumption
    changes: np.ndarray
    measures: Measures

    @property
    def values(self) -> np.ndarray:
        """The grid in the assumption's own units."""
        return np.array([self.assumption.value(d) for d in self.changes])

    def at_ends(self, offer: int) -> dict[str, list[float]]:
        """The offer's measures at the two ends of the range."""
        return {k: [float(v[0, offer]), float(v[-1, offer])] for k, v in self.measures.items()}

    def swing(self, offer: int, output: Output) -> float:
        """Largest minus smallest value of the output over the grid."""
        y = self.measures[output][:, offer]
        return float(y.max() - y.min())


def grid(assumption: Assumption, points: int) -> np.ndarray:
    """``points`` evenly spaced changes on each side of 0, the ends of the range included
    (half as many, at least one, for a spread: halved and doubled by default).

    Examples
    --------
    >>> a = Assumption("x", "x", "prior", 0.5, 0.0, 1.0, -0.5, 0.5)
    >>> grid(a, 2).tolist()
    [-0.5, -0.25, 0.0, 0.25, 0.5]
    """
    if assumption.kind == "spread":
        points = max(1, points // 2)
    steps = np.arange(1, points + 1) / points
    changes = np.concatenate([assumption.down * steps[::-1], [0.0], assumption.up * steps])
    return np.unique(changes)


def sweeps(
    evaluate: Evaluator,
    assumptions: Sequence[Assumption],
    points: int = 2,
    progress: Progress | None = None,
) -> tuple[Sweep, ...]:
    """One-at-a-time sweep of every assumption (the baseline is evaluated once).

    Parameters
    ----------
    evaluate : Evaluator
        From :func:`evaluator`.
    assumptions : sequence of Assumption
    points : int
        Grid points on each side of the baseline (the range's end included).
    progress : callable, optional
        ``progress(done, total)`` after each assumption.
    """
    at_baseline = evaluate({})
    result = []
    for k, assumption in enumerate(assumptions):
        changes = grid(assumption, points)
        rows = [at_baseline if d == 0.0 else evaluate({assumption: float(d)}) for d in changes]
        measures = {key: np.array([r[key] for r in rows]) for key in at_baseline}
        result.append(Sweep(assumption, changes, measures))
        if progress is not None:
            progress(k + 1, len(assumptions))
    return tuple(result)


@dataclass(frozen=True)
class MorrisRow:
    """Morris screening of one assumption: its elementary effects on the output.

    ``mu_star`` (mean absolute effect over the range, in the output's units)
    ranks importance; ``sigma`` large relative to it flags interactions or
    non-linearity (Morris 1991).
    """

    name: str
    mu: float
    mu_star: float
    mu_star_conf: float
    sigma: float

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def morris(
    evaluate: Evaluator,
    assumptions: Sequence[Assumption],
    offer: int,
    output: Output,
    trajectories: int = 10,
    levels: int = 4,
    seed: int = 0,
    progress: Progress | None = None,
) -> tuple[MorrisRow, ...]:
    """Morris elementary effects of every assumption on one offer's output.

    Each of ``trajectories`` paths moves the assumptions one at a time over a
    ``levels``-point grid of their ranges of change, so the model runs
    ``trajectories * (D + 1)`` times. Priors of the same actor's types, moved
    together, combine their likelihood ratios (then renormalised).

    References
    ----------
    Morris, M. D. (1991). Factorial sampling plans for preliminary
    computational experiments. Technometrics 33(2), 161-174.
    Campolongo, F., Cariboni, J., Saltelli, A. (2007). An effective screening
    design for sensitivity analysis of large models. Environ. Model. Softw.
    22, 1509-1518.
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    if not assumptions:
        return ()
    problem = {
        "num_vars": len(assumptions),
        "names": [a.name for a in assumptions],
        "bounds": [[a.down, a.up] for a in assumptions],
    }
    design = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    y = np.empty(design.shape[0])
    for row, values in enumerate(design):
        y[row] = evaluate(dict(zip(assumptions, map(float, values), strict=True)))[output][offer]
        if progress is not None:
            progress(row + 1, design.shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = morris_analyze.analyze(problem, design, y, num_levels=levels, seed=seed)
    rows = [
        MorrisRow(
            a.name,
            float(si["mu"][j]),
            float(si["mu_star"][j]),
            float(np.nan_to_num(si["mu_star_conf"][j])),
            float(si["sigma"][j]),
        )
        for j, a in enumerate(assumptions)
    ]
    return tuple(sorted(rows, key=lambda r: -r.mu_star))
