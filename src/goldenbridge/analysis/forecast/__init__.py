"""Forecasting where a many-actor process ends up, issue by issue (DESIGN.md section 6).

One model per module, each a pure function of one issue's arrays:

* :mod:`.compromise` — capability x salience weighted mean;
* :mod:`.median` — weighted median (the Condorcet winner on a line);
* :mod:`.nbs` — asymmetric Nash bargaining solution;
* :mod:`.eum` — Bueno de Mesquita's expected-utility model (Scholz, Calbert & Smith 2011),
  round by round.

:func:`forecast` runs them on every continuous issue of a scenario (the inputs:
:mod:`.inputs`). Discrete issues (an imported Genius domain) are left to
:mod:`goldenbridge.analysis.outcome_space`.

>>> import goldenbridge as gb
>>> f = forecast(gb.load("fearon-1d"), models=("compromise", "median"))
>>> f.issues["share"]
{'compromise': 0.5, 'median': 0.5}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from goldenbridge.analysis.forecast.compromise import compromise
from goldenbridge.analysis.forecast.eum import EumResult, expected_utility_model
from goldenbridge.analysis.forecast.inputs import IssueInputs, issue_inputs
from goldenbridge.analysis.forecast.median import weighted_median
from goldenbridge.analysis.forecast.nbs import nash_bargaining
from goldenbridge.scenario import Scenario
from goldenbridge.scenario.errors import InputError

__all__ = ["MODELS", "Forecast", "forecast", "predict", "IssueInputs", "issue_inputs"]

#: The models, in the order they are reported.
MODELS = ("compromise", "median", "nbs", "eum")


def eum_saliences(salience: np.ndarray) -> np.ndarray:
    """Saliences for the expected-utility model: in [0, 1], or percentages divided by 100."""
    top = float(salience.max()) if salience.size else 0.0
    if top > 100:
        raise InputError("the expected-utility model needs saliences in [0, 1] (or 0-100)")
    return salience / 100 if top > 1 else salience


def predict(
    data: IssueInputs,
    models: Sequence[str] = MODELS,
    *,
    rounds: int = 10,
    q: float = 1.0,
    t: float | None = None,
) -> tuple[dict[str, float], EumResult | None]:
    """Each model's predicted outcome on one issue (and the EUM's round log)."""
    out: dict[str, float] = {}
    eum: EumResult | None = None
    w = data.weight
    for model in models:
        if model == "compromise":
            out[model] = compromise(data.position, w)
        elif model == "median":
            out[model] = weighted_median(data.position, w)
        elif model == "nbs":
            out[model] = nash_bargaining(
                data.position, w, data.rho, data.lo, data.hi, data.status_quo
            )
        elif model == "eum":
            keep = w > 0
            if keep.sum() < 2:
                out[model] = compromise(data.position, w)
                continue
            eum = expected_utility_model(
                data.position[keep],
                data.capability[keep],
                eum_saliences(data.salience[keep]),
                data.lo,
                data.hi,
                rounds=rounds,
                q=q,
                t=t,
            )
            out[model] = eum.median
        else:
            raise InputError(f"unknown model {model!r} (known: {', '.join(MODELS)}, all)")
    return out, eum


@dataclass(frozen=True)
class Forecast:
    """Predicted outcome per issue and model, and the EUM's positions round by round.

    ``eum_rounds[k][issue][actor]`` is the actor's position after k rounds (round 0: the
    input); an issue that settled early repeats its last positions.
    """

    scenario: str
    models: tuple[str, ...]
    issues: dict[str, dict[str, float]]
    eum_rounds: tuple[dict[str, dict[str, float]], ...]
    eum: dict[str, EumResult] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{"scenario", "issues": {ISSUE: {MODEL: f}}, "eum_rounds": [{ISSUE: {ACTOR: f}}]}``."""
        return {
            "scenario": self.scenario,
            "issues": {k: dict(v) for k, v in self.issues.items()},
            "eum_rounds": [{k: dict(v) for k, v in r.items()} for r in self.eum_rounds],
        }


def forecast(
    scenario: Scenario,
    models: Sequence[str] = MODELS,
    *,
    issues: Sequence[str] | None = None,
    rounds: int = 10,
    q: float = 1.0,
    t: float | None = None,
) -> Forecast:
    """Run the forecasting models on every continuous issue (or on ``issues``).

    Parameters
    ----------
    scenario : Scenario
    models : sequence of str
        Any of :data:`MODELS`.
    issues : sequence of str, optional
        Default: every continuous issue; discrete ones are listed in ``skipped``.
    rounds, q, t
        The expected-utility model's parameters (:mod:`.eum`).
    """
    unknown = [m for m in models if m not in MODELS]
    if unknown:
        raise InputError(f"unknown model {unknown[0]!r} (known: {', '.join(MODELS)}, all)")
    names = [i.name for i in scenario.issues]
    chosen = list(issues) if issues is not None else names
    for name in chosen:
        if name not in names:
            raise InputError(f"no issue named {name!r} (issues: {', '.join(names)})")
    skipped = tuple(n for n in chosen if scenario.issue(n).discrete)
    results: dict[str, dict[str, float]] = {}
    logs: dict[str, EumResult] = {}
    for name in chosen:
        if name in skipped:
            continue
        data = issue_inputs(scenario, name)
        results[name], eum = predict(data, models, rounds=rounds, q=q, t=t)
        if eum is not None:
            logs[name] = eum
    n_rounds = max((len(r.rounds) for r in logs.values()), default=0)
    eum_rounds = []
    for k in range(n_rounds):
        snapshot = {}
        for name, res in logs.items():
            keep = issue_inputs(scenario, name)
            actors = [n for n, w in zip(keep.names, keep.weight, strict=True) if w > 0]
            row = res.rounds[min(k, len(res.rounds) - 1)].position
            snapshot[name] = {a: float(v) for a, v in zip(actors, row, strict=True)}
        eum_rounds.append(snapshot)
    return Forecast(
        scenario=scenario.name,
        models=tuple(models),
        issues=results,
        eum_rounds=tuple(eum_rounds),
        eum=logs,
        skipped=skipped,
    )
