"""Proper scores for three-outcome forecasts and bootstrap intervals on their differences.

A forecast is a probability for each of the outcomes ``deal``, ``deterred``, ``war`` (DESIGN.md
section 4a); the outcome is one of them.

- Brier score (Brier 1950, the original multi-category form): ``sum_k (p_k - o_k)^2`` with
  ``o_k = 1`` for the outcome that happened, 0 otherwise; 0 is perfect, 2 is certain and wrong.
  Lower is better.
- Logarithmic score (Good 1952; Gneiting & Raftery 2007, JASA 102, eq. 23): ``ln p_outcome``,
  0 is perfect, lower (more negative) is worse.  Higher is better.  A probability estimated
  from N draws or cases is floored at ``1 / (N + 1)`` first, so one case cannot score minus
  infinity for an outcome its N draws never produced.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from goldenbridge.scenario.record import OUTCOMES

__all__ = ["brier", "log_score", "BootstrapDifference", "bootstrap_difference"]


def _probabilities(forecast: Mapping[str, float]) -> dict[str, float]:
    missing = [k for k in OUTCOMES if k not in forecast]
    if missing:
        raise ValueError(f"forecast: missing probability for {', '.join(missing)}")
    return {k: float(forecast[k]) for k in OUTCOMES}


def brier(forecast: Mapping[str, float], outcome: str) -> float:
    """Multi-category Brier score of one forecast, in [0, 2] (lower is better).

    Examples
    --------
    >>> brier({"deal": 1.0, "deterred": 0.0, "war": 0.0}, "war")
    2.0
    >>> round(brier({"deal": 1 / 3, "deterred": 1 / 3, "war": 1 / 3}, "deal"), 4)
    0.6667
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    p = _probabilities(forecast)
    return sum((p[k] - (1.0 if k == outcome else 0.0)) ** 2 for k in OUTCOMES)


def log_score(forecast: Mapping[str, float], outcome: str, n: int | None = None) -> float:
    """Natural-log score ``ln p_outcome`` (higher is better), floored at ``1/(n+1)`` when ``n``.

    Examples
    --------
    >>> round(log_score({"deal": 0.5, "deterred": 0.25, "war": 0.25}, "war"), 4)
    -1.3863
    >>> round(log_score({"deal": 1.0, "deterred": 0.0, "war": 0.0}, "war", n=99), 4)
    -4.6052
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    p = _probabilities(forecast)[outcome]
    if n is not None:
        p = max(p, 1.0 / (n + 1))
    return math.log(p) if p > 0 else -math.inf


@dataclass(frozen=True)
class BootstrapDifference:
    """Mean over cases of ``a - b`` with a percentile bootstrap interval (cases resampled)."""

    mean: float
    low: float
    high: float
    level: float
    draws: int


def bootstrap_difference(
    a: Sequence[float],
    b: Sequence[float],
    *,
    draws: int = 10_000,
    level: float = 0.95,
    seed: int = 0,
) -> BootstrapDifference:
    """Mean paired difference ``a - b`` and its percentile bootstrap interval.

    Cases are resampled with replacement (Efron & Tibshirani 1993, ch. 13); the same seed gives
    the same interval.

    Examples
    --------
    >>> d = bootstrap_difference([0.1, 0.2, 0.3], [0.1, 0.2, 0.3])
    >>> (d.mean, d.low, d.high)
    (0.0, 0.0, 0.0)
    """
    x = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if x.ndim != 1 or x.size == 0:
        raise ValueError("bootstrap_difference: need one or more paired scores")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(draws, x.size))
    means = x[idx].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return BootstrapDifference(
        mean=float(x.mean()), low=float(low), high=float(high), level=level, draws=draws
    )
