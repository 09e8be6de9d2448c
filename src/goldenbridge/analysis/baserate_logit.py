"""A calibrated alternative to the reference class: multinomial logistic regression on ICB.

The three outcomes of :mod:`goldenbridge.analysis.baserate` are regressed on the same four
attributes (features below) with a softmax model (McCullagh & Nelder 1989, section 5.2),
fitted by penalised maximum likelihood (ridge penalty ``lam/2 * ||beta||^2`` on every
coefficient but the intercepts) with scipy's L-BFGS-B and the analytic gradient
``X^T (P - Y) + lam * beta``.  Its out-of-sample quality is measured by K-fold
cross-validation (folds from a fixed seed) against the reference-class rates and the overall
frequencies fitted on the same training folds.

Features of a crisis: intercept; great power (0/1); gravity grave or existence (``GRAVCR`` 5
or 6); gravity territorial (``GRAVCR`` 3); territorial threat to some actor (0/1); power
discrepancy medium, high, missing (dummies; low is the reference).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.optimize import minimize

from goldenbridge.analysis.baserate import (
    GRAVITY,
    IcbCrisis,
    icb_crises,
    outcome_of,
    parse_attributes,
    reference_class,
)
from goldenbridge.scenario.record import OUTCOMES

__all__ = ["FEATURES", "Logit", "LogitCV", "features", "fit", "fit_icb", "cross_validate"]

FEATURES: tuple[str, ...] = (
    "intercept",
    "great_power",
    "gravity_grave_or_existence",
    "gravity_territorial",
    "territorial",
    "power_medium",
    "power_high",
    "power_missing",
)


def _row(
    great_power: bool | None,
    gravcr: int | None,
    territorial: bool | None,
    powdissy_bin: str | None,
) -> list[float]:
    nan = float("nan")
    return [
        1.0,
        nan if great_power is None else float(great_power),
        nan if gravcr is None else float(gravcr >= GRAVITY["grave"]),
        nan if gravcr is None else float(gravcr == GRAVITY["territorial"]),
        nan if territorial is None else float(territorial),
        nan if powdissy_bin is None else float(powdissy_bin == "medium"),
        nan if powdissy_bin is None else float(powdissy_bin == "high"),
        nan if powdissy_bin is None else float(powdissy_bin == "missing"),
    ]


def _power_bin(powdissy: int | None) -> str:
    if powdissy is None:
        return "missing"
    return "low" if powdissy <= 3 else "medium" if powdissy <= 8 else "high"


def features(crises: Sequence[IcbCrisis]) -> np.ndarray:
    """The design matrix of ICB crises (missing gravity as NaN, filled by :func:`fit`)."""
    return np.array(
        [_row(c.great_power, c.gravcr, c.territorial, _power_bin(c.powdissy)) for c in crises]
    )


def _targets(crises: Sequence[IcbCrisis]) -> np.ndarray:
    y = np.zeros((len(crises), len(OUTCOMES)))
    for i, c in enumerate(crises):
        y[i, OUTCOMES.index(outcome_of(c))] = 1.0
    return y


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Logit:
    """A fitted softmax model: coefficients (features x outcomes) and the fill-in means."""

    beta: np.ndarray
    means: np.ndarray
    lam: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Outcome probabilities (rows: cases, columns: :data:`OUTCOMES`)."""
        x = np.where(np.isnan(x), self.means, x)
        return _softmax(x @ self.beta)

    def predict_attributes(self, attributes: Mapping[str, Any]) -> dict[str, float]:
        """P(deal), P(deterred), P(war) for a case's attributes (a missing one at its mean)."""
        a = parse_attributes(attributes)
        gravcr = GRAVITY[a["gravity"]] if "gravity" in a else None
        x = np.array(
            [_row(a.get("great_power"), gravcr, a.get("territorial"), a.get("power_discrepancy"))]
        )
        return dict(zip(OUTCOMES, map(float, self.predict(x)[0]), strict=True))


def fit(x: np.ndarray, y: np.ndarray, lam: float = 1.0) -> Logit:
    """Penalised maximum-likelihood softmax regression (module docstring)."""
    means = np.nanmean(x, axis=0)
    x = np.where(np.isnan(x), means, x)
    p, k = x.shape[1], y.shape[1]
    mask = np.ones((p, k))
    mask[0, :] = 0.0  # intercepts are not penalised

    def loss(flat: np.ndarray) -> tuple[float, np.ndarray]:
        beta = flat.reshape(p, k)
        z = x @ beta
        zmax = z.max(axis=1, keepdims=True)
        logsum = zmax[:, 0] + np.log(np.exp(z - zmax).sum(axis=1))
        nll = float(logsum.sum() - (y * z).sum())
        penalty = 0.5 * lam * float(((beta * mask) ** 2).sum())
        grad = x.T @ (_softmax(z) - y) + lam * beta * mask
        return nll + penalty, grad.ravel()

    result = minimize(
        loss, np.zeros(p * k), jac=True, method="L-BFGS-B", options={"maxiter": 2000, "gtol": 1e-10}
    )
    return Logit(beta=result.x.reshape(p, k), means=means, lam=lam)


def fit_icb(exclude: Sequence[int] = (), lam: float = 1.0) -> Logit:
    """The model fitted on every ICB crisis except those in ``exclude`` (a case's own crisis)."""
    crises = [c for c in icb_crises() if c.crisno not in set(exclude)]
    return fit(features(crises), _targets(crises), lam)


@dataclass(frozen=True)
class LogitCV:
    """Cross-validated comparison on ICB: mean Brier (0..2, lower better) and log score (higher
    better) of the logistic model, the reference class and the overall frequencies, plus the
    out-of-fold P(war) of the logistic model for a reliability plot."""

    folds: int
    n: int
    brier: dict[str, float]
    log_score: dict[str, float]
    p_war: np.ndarray
    war: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "folds": self.folds,
            "n": self.n,
            "brier": dict(self.brier),
            "log_score": dict(self.log_score),
        }


def _scores(p: np.ndarray, y: np.ndarray, floor: np.ndarray) -> tuple[float, float]:
    brier = float(((p - y) ** 2).sum(axis=1).mean())
    chosen = np.maximum((p * y).sum(axis=1), floor)
    return brier, float(np.log(chosen).mean())


def cross_validate(
    folds: int = 10, lam: float = 1.0, seed: int = 0, min_cases: int = 20
) -> LogitCV:
    """K-fold cross-validation of the logistic model against the two simple baselines.

    Every forecaster is fitted on the training folds only; the reference class for a held-out
    crisis uses its four attributes, relaxed to at least ``min_cases`` training crises.
    Probabilities from counts are floored at ``1/(n+1)`` (n = training cases used).
    """
    crises = list(icb_crises())
    x, y = features(crises), _targets(crises)
    order = np.random.default_rng(seed).permutation(len(crises))
    fold_of = np.empty(len(crises), dtype=int)
    fold_of[order] = np.arange(len(crises)) % folds
    preds = {name: np.zeros_like(y) for name in ("logistic", "reference_class", "overall")}
    floors = {name: np.zeros(len(crises)) for name in preds}
    for f in range(folds):
        test = fold_of == f
        train = ~test
        model = fit(x[train], y[train], lam)
        preds["logistic"][test] = model.predict(x[test])
        preds["overall"][test] = y[train].mean(axis=0)
        floors["overall"][test] = 1.0 / (train.sum() + 1)
        held = {crises[i].crisno for i in np.flatnonzero(test)}
        for i in np.flatnonzero(test):
            c = crises[i]
            attributes: dict[str, Any] = {
                "great_power": c.great_power,
                "territorial": c.territorial,
            }
            if c.gravcr is not None and c.gravcr in GRAVITY.values():
                attributes["gravity"] = next(k for k, v in GRAVITY.items() if v == c.gravcr)
            if c.powdissy is not None:
                attributes["power_discrepancy"] = _power_bin(c.powdissy)
            members, _, _ = reference_class(attributes, held, min_cases)
            preds["reference_class"][i] = _targets(members).mean(axis=0)
            floors["reference_class"][i] = 1.0 / (len(members) + 1)
    brier, log_score = {}, {}
    for name, p in preds.items():
        brier[name], log_score[name] = _scores(p, y, floors[name])
    return LogitCV(
        folds=folds,
        n=len(crises),
        brier=brier,
        log_score=log_score,
        p_war=preds["logistic"][:, OUTCOMES.index("war")].copy(),
        war=y[:, OUTCOMES.index("war")].copy(),
    )
