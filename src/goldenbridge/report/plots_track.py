"""Plots of the track record (presentation only): hindcast reliability and forecasts, and the
reliability of the ICB logistic model.  Needs matplotlib (the ``plots`` extra)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from goldenbridge.analysis.hindcast import Hindcast
from goldenbridge.scenario.record import OUTCOMES

__all__ = ["reliability_bins", "hindcast_plots", "logit_reliability"]

_COLOURS = {"deal": "#228833", "deterred": "#4477aa", "war": "#ee6677"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def reliability_bins(
    p: np.ndarray, happened: np.ndarray, bins: int = 5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Equal-width bins on [0, 1]: mean forecast, observed frequency, count (empty bins dropped)."""
    p, happened = np.asarray(p, float), np.asarray(happened, float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    keep = [b for b in range(bins) if np.any(which == b)]
    mean_p = np.array([p[which == b].mean() for b in keep])
    freq = np.array([happened[which == b].mean() for b in keep])
    count = np.array([int((which == b).sum()) for b in keep])
    return mean_p, freq, count


def _reliability(ax, p: np.ndarray, happened: np.ndarray, bins: int, label: str) -> None:
    mean_p, freq, count = reliability_bins(p, happened, bins)
    ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, linestyle="--", label="perfect")
    ax.scatter(
        mean_p, freq, s=20 + 160 * count / count.max(), color="#4477aa", zorder=3, label=label
    )
    for x, y, n in zip(mean_p, freq, count, strict=True):
        ax.annotate(f"n={n}", (x, y), textcoords="offset points", xytext=(6, -10), fontsize=8)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed frequency")
    ax.legend(loc="upper left", fontsize=8, markerscale=0.5)


def hindcast_plots(result: Hindcast, folder: str | Path) -> list[Path]:
    """``hindcast-reliability.png`` (every case's three probabilities against what happened,
    pooled in five bins) and ``hindcast-cases.png`` (the forecasts as stacked bars, the outcome
    marked)."""
    plt = _pyplot()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    p = np.array([[c.forecast[k] for k in OUTCOMES] for c in result.cases]).ravel()
    y = np.array([[float(c.outcome == k) for k in OUTCOMES] for c in result.cases]).ravel()
    fig, ax = plt.subplots(figsize=(5, 5))
    _reliability(ax, p, y, 5, "model (all three outcomes pooled)")
    ax.set_title(f"Hindcast reliability, {len(result.cases)} cases", fontsize=10)
    fig.tight_layout()
    first = folder / "hindcast-reliability.png"
    fig.savefig(first, dpi=120)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(9, 0.45 * len(result.cases) + 1.5))
    names = [c.name for c in result.cases]
    left = np.zeros(len(names))
    for k in OUTCOMES:
        width = np.array([c.forecast[k] for c in result.cases])
        ax.barh(names, width, left=left, color=_COLOURS[k], label=f"P({k})", height=0.6)
        left += width
    for i, c in enumerate(result.cases):
        ax.annotate(
            f"happened: {c.outcome}", (1.01, i), va="center", fontsize=8, annotation_clip=False
        )
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8)
    fig.tight_layout()
    second = folder / "hindcast-cases.png"
    fig.savefig(second, dpi=120)
    plt.close(fig)
    return [first, second]


def logit_reliability(p_war: np.ndarray, war: np.ndarray, path: str | Path) -> Path:
    """Reliability of the cross-validated logistic model's P(full-scale war) on ICB."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(5, 5))
    _reliability(ax, p_war, war, 10, "logistic model, out of fold")
    ax.set_title(f"ICB v14: P(full-scale war), {len(war)} crises", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
