"""Hindcasts: the model's odds for the offer actually made in each library case, scored.

Each library scenario (a built-in with a ``library`` block, docs/track-record.md) is frozen
at its information cut-off.  For the offer it names, :func:`goldenbridge.analysis.evaluate.evaluate`
gives P(deal), P(deterred), P(war); the scenario's ``outcome`` block (never read by the
model) says what happened.  Each case is scored with the Brier and log scores of
:mod:`goldenbridge.analysis.scoring`, and so are two baselines: the ICB base rate of the
case's reference class (:mod:`goldenbridge.analysis.baserate`, the case's own ICB crisis left
out) and the uniform forecast 1/3 each.  Differences are averaged over cases with a percentile
bootstrap interval (cases resampled).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from goldenbridge.analysis.baserate import base_rate
from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.analysis.scoring import (
    BootstrapDifference,
    bootstrap_difference,
    brier,
    log_score,
)
from goldenbridge.population import sample
from goldenbridge.scenario import Scenario, ScenarioError, builtin_names, load, parse
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.record import OUTCOMES

__all__ = ["CaseScore", "Hindcast", "library_names", "score_case", "hindcast", "UNIFORM"]

#: The constant baseline: every outcome 1/3.
UNIFORM: dict[str, float] = {k: 1.0 / 3.0 for k in OUTCOMES}


def library_names() -> list[str]:
    """Built-in scenarios with a ``library`` block, oldest cut-off first.

    Examples
    --------
    >>> "cuba-1962" in library_names()
    True
    """
    cases = []
    for name in builtin_names():
        s = load(name)
        if s.library is not None:
            cases.append((s.library.cutoff, name))
    return [name for _, name in sorted(cases)]


@dataclass(frozen=True)
class CaseScore:
    """One case: the model's forecast for the offer made, what happened, the scores."""

    name: str
    case: str
    date: str
    offer: str
    outcome: str
    outcome_date: str
    forecast: dict[str, float]
    samples: int
    brier: float
    log_score: float
    base_rate: dict[str, float]
    base_rate_n: int
    base_rate_used: dict[str, Any]
    base_rate_brier: float
    base_rate_log_score: float
    constant_brier: float
    constant_log_score: float

    def to_dict(self) -> dict[str, Any]:
        """The case's entry in ``goldenbridge hindcast --json``."""
        return {
            "name": self.name,
            "date": self.date,
            "offer": self.offer,
            "outcome": self.outcome,
            "p_deal": self.forecast["deal"],
            "p_deterred": self.forecast["deterred"],
            "p_war": self.forecast["war"],
            "brier": self.brier,
            "log_score": self.log_score,
            "case": self.case,
            "outcome_date": self.outcome_date,
            "samples": self.samples,
            "base_rate": {
                **{f"p_{k}": v for k, v in self.base_rate.items()},
                "n": self.base_rate_n,
                "attributes": dict(self.base_rate_used),
                "brier": self.base_rate_brier,
                "log_score": self.base_rate_log_score,
            },
        }


def _with_information(scenario: Scenario, information: str | None) -> Scenario:
    """The structural switch of DESIGN.md section 4b (``information: informed``), when given.

    Raises ``ValueError`` while the schema has no such field (it arrives with issue 13).
    """
    if information is None:
        return scenario
    raw = scenario.model_dump(by_alias=True, exclude_none=True)
    try:
        return parse({**raw, "information": information}, scenario.name)
    except ScenarioError as exc:
        raise InputError(
            f"information: {information!r} cannot be applied to {scenario.name} ({exc.message})"
        ) from None


def score_case(
    scenario: Scenario,
    *,
    samples: int | None = None,
    information: str | None = None,
    min_cases: int = 20,
) -> CaseScore:
    """Evaluate the library case's offer and score it and the two baselines."""
    if scenario.library is None or scenario.outcome is None:
        raise InputError(f"{scenario.name}: not a library case (needs library and outcome blocks)")
    record, happened = scenario.library, scenario.outcome
    population = sample(_with_information(scenario, information), samples=samples)
    result = evaluate(population, {record.offer: dict(scenario.offers[record.offer])})
    offer = result.offer(record.offer)
    forecast = {"deal": offer.p_deal, "deterred": offer.p_deterred, "war": offer.p_war}
    if scenario.complete(dict(scenario.offers[record.offer])) == scenario.status_quo():
        # DESIGN.md section 4a: the status-quo package ("offering nothing", an ultimatum) has
        # P(deal) = 0 by definition; a target that takes it has stood down (deterred).  A no-op
        # once evaluate applies the rule itself (issue 13).
        forecast = {"deal": 0.0, "deterred": 1.0 - offer.p_war, "war": offer.p_war}
    rate = base_rate(
        record.attributes, exclude=[record.icb] if record.icb else [], min_cases=min_cases
    )
    base = rate.forecast()
    outcome = happened.result
    return CaseScore(
        name=scenario.name,
        case=record.case,
        date=record.cutoff.isoformat(),
        offer=record.offer,
        outcome=outcome,
        outcome_date=happened.date.isoformat(),
        forecast=forecast,
        samples=population.n,
        brier=brier(forecast, outcome),
        log_score=log_score(forecast, outcome, n=population.n),
        base_rate=base,
        base_rate_n=rate.n,
        base_rate_used=rate.used,
        base_rate_brier=brier(base, outcome),
        base_rate_log_score=log_score(base, outcome, n=rate.n),
        constant_brier=brier(UNIFORM, outcome),
        constant_log_score=log_score(UNIFORM, outcome),
    )


@dataclass(frozen=True)
class Hindcast:
    """All cases, the mean scores, and the model-minus-baseline differences."""

    cases: tuple[CaseScore, ...]
    brier: float
    log_score: float
    baselines: dict[str, dict[str, float]]
    differences: dict[str, dict[str, BootstrapDifference]]
    information: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge hindcast --json`` (issue 17's shape, plus
        ``differences``: model minus baseline, mean over cases with a bootstrap interval;
        negative is better for Brier, positive for the log score)."""
        return {
            "cases": [c.to_dict() for c in self.cases],
            "brier": self.brier,
            "log_score": self.log_score,
            "baselines": {k: dict(v) for k, v in self.baselines.items()},
            "differences": {
                k: {s: vars(d) for s, d in v.items()} for k, v in self.differences.items()
            },
            "information": self.information or "default",
        }


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values)


def hindcast(
    names: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    information: str | None = None,
    min_cases: int = 20,
    draws: int = 10_000,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Hindcast:
    """Score the model against every library case (or the named ones).

    Parameters
    ----------
    names : sequence of str, optional
        Library scenarios (built-in names or files); default :func:`library_names`.
    samples : int, optional
        Worlds per case (default: each scenario's own).
    information : str, optional
        The structural switch of "Who knows what" (``"informed"``), applied to every case;
        ``None`` runs the default rule.
    min_cases : int
        Smallest ICB reference class for the base-rate baseline (attributes relaxed until met).
    draws, seed : int
        Bootstrap draws and seed for the intervals on the differences.
    progress : callable, optional
        Called with each case's name before it runs.
    """
    chosen = list(names) if names is not None else library_names()
    if not chosen:
        raise InputError("hindcast: no library cases")
    cases = []
    for name in chosen:
        if progress is not None:
            progress(name)
        cases.append(
            score_case(load(name), samples=samples, information=information, min_cases=min_cases)
        )
    model_b = [c.brier for c in cases]
    model_l = [c.log_score for c in cases]
    base = {
        "base_rate": ([c.base_rate_brier for c in cases], [c.base_rate_log_score for c in cases]),
        "constant": ([c.constant_brier for c in cases], [c.constant_log_score for c in cases]),
    }
    return Hindcast(
        cases=tuple(cases),
        brier=_mean(model_b),
        log_score=_mean(model_l),
        baselines={k: {"brier": _mean(b), "log_score": _mean(lg)} for k, (b, lg) in base.items()},
        differences={
            k: {
                "brier": bootstrap_difference(model_b, b, draws=draws, seed=seed),
                "log_score": bootstrap_difference(model_l, lg, draws=draws, seed=seed),
            }
            for k, (b, lg) in base.items()
        },
        information=information,
    )
