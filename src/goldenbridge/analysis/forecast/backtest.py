"""Backtests: each forecasting model against recorded outcomes.

Per issue the absolute error ``|prediction - outcome|`` (on the issue's 0-100 scale);
per model the mean (MAE) and median absolute error over the issues every model could
forecast, with a percentile bootstrap 95% interval of the MAE (issues resampled with
replacement, ``n_boot`` times, seeded: Efron & Tibshirani 1993, ch. 13).

The Nash bargaining solution is scored twice: ``nbs`` with each actor's disagreement
at its worst point of the scale (the rule when no status quo is given) and ``nbs_rp``
with the recorded reference point (the status quo before the proposal) as the
disagreement point where there is one.

``blend`` is this project's attempt to beat the compromise model honestly: a convex
combination of the compromise, median and ``nbs`` forecasts and the reference point
(where none is recorded, the compromise stands in for it), with weights on a 0.05 grid
of the simplex fitted by least absolute error on the training folds of a k-fold split
(k = 10, folds drawn with the seed) and scored only on the held-out fold: no issue's
error comes from weights fitted on it. ``paired`` holds, per model, a bootstrap 95%
interval of its MAE minus the compromise model's on the same resampled issues.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from goldenbridge.analysis.forecast import MODELS, IssueInputs, predict
from goldenbridge.analysis.forecast.nbs import nash_bargaining
from goldenbridge.importers.deu3 import Case
from goldenbridge.scenario.errors import InputError

__all__ = ["Backtest", "ModelScore", "backtest", "blend_weights", "BACKTEST_MODELS"]

#: Every model a backtest scores, in the order reported.
BACKTEST_MODELS = ("compromise", "median", "nbs", "nbs_rp", "eum", "blend")


@dataclass(frozen=True)
class ModelScore:
    """One model's errors over the issues."""

    mae: float
    median_ae: float
    mae_ci: tuple[float, float]
    errors: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {"mae": self.mae, "median_ae": self.median_ae, "mae_ci": list(self.mae_ci)}


@dataclass(frozen=True)
class Backtest:
    """Scores per model; ``issues`` and ``predictions`` per issue (same order)."""

    n_issues: int
    models: dict[str, ModelScore]
    issues: tuple[str, ...]
    outcomes: np.ndarray
    predictions: dict[str, np.ndarray]
    left_out: tuple[str, ...]
    blend: tuple[float, ...] | None
    paired: dict[str, tuple[float, float]]

    def to_dict(self, per_issue: bool = False) -> dict[str, Any]:
        """``{"n_issues", "models": {MODEL: {"mae", "median_ae", "mae_ci"}}}``; with
        ``per_issue``, also ``"issues": [{"issue", "outcome", MODEL: prediction}]``."""
        document: dict[str, Any] = {
            "n_issues": self.n_issues,
            "models": {m: s.to_dict() for m, s in self.models.items()},
        }
        if per_issue:
            document["issues"] = [
                {
                    "issue": name,
                    "outcome": float(self.outcomes[k]),
                    **{m: float(p[k]) for m, p in self.predictions.items()},
                }
                for k, name in enumerate(self.issues)
            ]
        return document


def _score(errors: np.ndarray, rng: np.random.Generator, n_boot: int) -> ModelScore:
    n = errors.size
    idx = rng.integers(0, n, size=(n_boot, n))
    boot = errors[idx].mean(axis=1)
    lo, hi = np.percentile(boot, [2.5, 97.5])
    return ModelScore(
        mae=float(errors.mean()),
        median_ae=float(np.median(errors)),
        mae_ci=(float(lo), float(hi)),
        errors=errors,
    )


def _simplex(k: int, steps: int = 20) -> np.ndarray:
    """Every weight vector of length k on the simplex with entries in multiples of 1/steps."""
    rows = [c for c in itertools.product(range(steps + 1), repeat=k - 1) if sum(c) <= steps]
    return np.array([(*c, steps - sum(c)) for c in rows], dtype=float) / steps


def blend_weights(features: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """The simplex-grid weights (step 0.05) of the columns with the least MAE (first on ties)."""
    grid = _simplex(features.shape[1])
    mae = np.abs(features @ grid.T - outcome[:, None]).mean(axis=0)
    return grid[int(np.argmin(mae))]


def backtest(
    cases: Sequence[Case],
    models: Sequence[str] = BACKTEST_MODELS,
    *,
    n_boot: int = 2000,
    seed: int = 0,
    folds: int = 10,
    rounds: int = 10,
    progress: Callable[[int, int], None] | None = None,
) -> Backtest:
    """Score the models on ``cases`` (see the module docstring).

    Issues where a model has no forecast (every weight 0) are left out for every model,
    so all models are scored on the same issues. ``progress(done, total)`` is called after
    each issue.
    """
    unknown = [m for m in models if m not in BACKTEST_MODELS]
    if unknown:
        raise InputError(f"unknown model {unknown[0]!r} (known: {', '.join(BACKTEST_MODELS)})")
    base = [m for m in models if m in MODELS]
    blend_inputs = ("compromise", "median", "nbs") if "blend" in models else ()
    need = list(dict.fromkeys([*base, *blend_inputs]))
    preds: dict[str, list[float]] = {m: [] for m in [*need, "nbs_rp"]}
    refs, outs, names = [], [], []
    for done, case in enumerate(cases, start=1):
        data = IssueInputs(
            issue=case.issue,
            lo=case.lo,
            hi=case.hi,
            names=case.names,
            position=case.position,
            capability=case.capability,
            salience=case.salience,
            rho=np.ones_like(case.position),
            status_quo=None,
        )
        got, _ = predict(data, need, rounds=rounds)
        for m in need:
            preds[m].append(got[m])
        preds["nbs_rp"].append(
            nash_bargaining(data.position, data.weight, data.rho, data.lo, data.hi, case.reference)
            if "nbs_rp" in models
            else 0.0
        )
        refs.append(np.nan if case.reference is None else case.reference)
        outs.append(case.outcome)
        names.append(case.issue)
        if progress is not None:
            progress(done, len(cases))
    table = {m: np.array(v) for m, v in preds.items()}
    outcome = np.array(outs)
    ok = np.all([np.isfinite(v) for v in table.values()], axis=0)
    left_out = tuple(n for n, k in zip(names, ok, strict=True) if not k)
    table = {m: v[ok] for m, v in table.items()}
    outcome, reference = outcome[ok], np.array(refs)[ok]
    kept = tuple(n for n, k in zip(names, ok, strict=True) if k)
    rng = np.random.default_rng(seed)
    chosen: tuple[float, ...] | None = None
    if "blend" in models:
        # Reference point where recorded, else the compromise (so its weight is inert there).
        ref = np.where(np.isfinite(reference), reference, table["compromise"])
        features = np.column_stack([*(table[m] for m in blend_inputs), ref])
        fold = rng.permutation(outcome.size) % folds
        blended = np.empty_like(outcome)
        for k in range(folds):
            train, test = fold != k, fold == k
            w = blend_weights(features[train], outcome[train])
            blended[test] = features[test] @ w
        table["blend"] = blended
        chosen = tuple(float(v) for v in blend_weights(features, outcome))  # type: ignore[assignment]
    scores = {m: _score(np.abs(table[m] - outcome), rng, n_boot) for m in models}
    paired: dict[str, tuple[float, float]] = {}
    if "compromise" in models:
        idx = rng.integers(0, outcome.size, size=(n_boot, outcome.size))
        base_err = scores["compromise"].errors
        for m in models:
            diff = (scores[m].errors[idx] - base_err[idx]).mean(axis=1)
            lo, hi = np.percentile(diff, [2.5, 97.5])
            paired[m] = (float(lo), float(hi))
    return Backtest(
        n_issues=int(outcome.size),
        models=scores,
        issues=kept,
        outcomes=outcome,
        predictions={m: table[m] for m in models},
        left_out=left_out,
        blend=chosen,
        paired=paired,
    )
