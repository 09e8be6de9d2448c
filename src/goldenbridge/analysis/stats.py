"""Weighted Monte Carlo estimates from engine sums (docs/design.md section 5)."""

from __future__ import annotations

import numpy as np

__all__ = ["proportion", "mean", "se_bound_scale", "share_se_bound", "mean_se_bound"]


def proportion(s1, s2, w, w2):
    """Weighted fraction ``p = sum w y / sum w`` of a 0/1 indicator and its standard error.

    ``se = sqrt(sum w^2 (y - p)^2) / sum w``, expanded for a 0/1 indicator as
    ``(1 - 2p) sum w^2 y + p^2 sum w^2`` so one pass of sums suffices.

    Examples
    --------
    >>> p, se = proportion(1.0, 1.0, 4.0, 4.0)   # one success in four unit-weight worlds
    >>> float(p), round(float(se), 6), round((0.25 * 0.75 / 4) ** 0.5, 6)
    (0.25, 0.216506, 0.216506)
    """
    p = np.divide(s1, w, out=np.zeros_like(np.asarray(s1, dtype=float)), where=np.asarray(w) > 0)
    var = (1 - 2 * p) * s2 + p * p * w2
    se = np.sqrt(np.maximum(var, 0.0)) / np.where(np.asarray(w) > 0, w, 1.0)
    return p, se


def mean(s1, s2, s_sq2, w, w2):
    """Weighted mean of a payoff ``z`` and its standard error.

    ``s1 = sum w z``, ``s2 = sum w^2 z``, ``s_sq2 = sum w^2 z^2``;
    ``sum w^2 (z - mu)^2 = s_sq2 - 2 mu s2 + mu^2 sum w^2``.
    """
    mu = np.divide(s1, w, out=np.zeros_like(np.asarray(s1, dtype=float)), where=np.asarray(w) > 0)
    var = s_sq2 - 2 * mu * s2 + mu * mu * w2
    se = np.sqrt(np.maximum(var, 0.0)) / np.where(np.asarray(w) > 0, w, 1.0)
    return mu, se


def se_bound_scale(weights) -> float:
    """``sqrt(max w / sum w)``: what :func:`share_se_bound` multiplies ``sqrt(p (1 - p))`` by
    (``1 / sqrt(N)`` on N equally weighted worlds)."""
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    return float(np.sqrt(w.max() / total)) if total > 0 else 0.0


def share_se_bound(p: float, scale: float) -> float:
    """An upper bound on the standard error of a weighted share ``p = sum w y / sum w`` of
    per-world values ``y`` in [0, 1], from ``p`` alone: ``sqrt(p (1 - p)) scale`` with
    ``scale`` = :func:`se_bound_scale` of the weights.

    The standard error of :func:`proportion` is ``sqrt(sum w^2 (y - p)^2) / sum w``, and
    ``sum w^2 (y - p)^2 <= max w sum w (y - p)^2 = max w (sum w y^2 - p^2 sum w)
    <= max w (sum w y - p^2 sum w) = max w sum w p (1 - p)``, since ``y^2 <= y`` on
    [0, 1]. On equally weighted worlds with 0/1 outcomes both steps are equalities: the
    bound is the binomial standard error ``sqrt(p (1 - p) / N)``.

    Examples
    --------
    >>> round(share_se_bound(0.25, se_bound_scale([1.0] * 4)), 6)  # as proportion's example
    0.216506
    """
    return float(np.sqrt(max(p * (1.0 - p), 0.0)) * scale)


def mean_se_bound(mu: float, low: float, high: float, scale: float) -> float:
    """An upper bound on the standard error of a weighted mean ``mu = sum w y / sum w`` of
    per-world values ``y`` in ``[low, high]``, from ``mu`` alone: ``sqrt((high - mu)
    (mu - low)) scale`` with ``scale`` = :func:`se_bound_scale` of the weights.

    As in :func:`share_se_bound`, ``sum w^2 (y - mu)^2 <= max w sum w (y - mu)^2``; and
    ``sum w (y - mu)^2 / sum w <= (high - mu) (mu - low)`` for values in ``[low, high]``
    (Bhatia and Davis 2000, "A better bound on the variance", Amer. Math. Monthly 107(4):
    353-357): the variance is largest when every value sits at an end. ``low = 0, high = 1``
    is :func:`share_se_bound`.

    Examples
    --------
    >>> scale = se_bound_scale([1.0] * 4)
    >>> mean_se_bound(0.25, 0.0, 1.0, scale) == share_se_bound(0.25, scale)
    True
    >>> round(mean_se_bound(0.0, -1.0, 1.0, scale), 6)  # values -1, 1, -1, 1: sd 1, se 1/2
    0.5
    """
    return float(np.sqrt(max((high - mu) * (mu - low), 0.0)) * scale)
