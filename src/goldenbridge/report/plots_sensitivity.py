"""Plots of a sensitivity analysis (presentation only): tornado and index bars.

Needs matplotlib (the ``plots`` extra). Every function takes a
:class:`~goldenbridge.analysis.sensitivity.combined.Sensitivity` and a file path, and
writes one PNG (or whatever the suffix names).
"""

from __future__ import annotations

from pathlib import Path

from goldenbridge.analysis.sensitivity.combined import Sensitivity

__all__ = ["tornado", "indices", "save_all"]

_LABEL = {"p_war": "P(war)", "p_deal": "P(deal)", "proposer_eu": "proposer's expected utility"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def tornado(result: Sensitivity, path: str | Path, top: int = 15) -> Path:
    """Tornado plot: the answer (the recommended offer's measure, re-optimised, or the fixed
    offer's) with each assumption at the ends of its range.

    Bars run from the value at the low end of the range to the value at the
    high end, widest first; the vertical line is the value as written.
    """
    plt = _pyplot()
    rows = result.rows[:top][::-1]
    baseline = result.baseline.measure(result.output)
    fig, ax = plt.subplots(figsize=(9, 0.4 * len(rows) + 1.6))
    for y, row in enumerate(rows):
        low, high = row.low.measure(result.output), row.high.measure(result.output)
        ax.barh(y, low - baseline, left=baseline, color="#4477aa", height=0.6)
        ax.barh(y, high - baseline, left=baseline, color="#ee6677", height=0.6)
    a = [r.assumption for r in rows]
    ax.set_yticks(
        range(len(rows)), [f"{x.name}  [{x.low:.3g} .. {x.high:.3g}]" for x in a], fontsize=8
    )
    ax.axvline(baseline, color="black", linewidth=0.8)
    again = ", re-optimised" if result.reoptimised else ""
    ax.set_xlabel(f"{_LABEL[result.output]} of the {result.offer_name} offer{again}")
    ax.set_title("Each assumption at the low (blue) and high (red) end of its range", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def indices(result: Sensitivity, path: str | Path, top: int = 15) -> Path:
    """Sobol' first-order and total indices (or Morris mu* and sigma), largest first."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(9, 0.4 * top + 1.6))
    if result.attribution is not None:
        rows = [f for f in result.attribution.factors if f.ST is not None][:top][::-1]
        names = [f.name for f in rows]
        y = range(len(rows))
        ax.barh(
            [v + 0.2 for v in y],
            [f.ST for f in rows],
            xerr=[f.ST_conf or 0 for f in rows],
            height=0.4,
            color="#ee6677",
            label="total ST",
        )
        ax.barh(
            [v - 0.2 for v in y],
            [f.S1 for f in rows],
            xerr=[f.S1_conf or 0 for f in rows],
            height=0.4,
            color="#4477aa",
            label="first order S1",
        )
        ax.set_xlabel(f"Sobol' index of the per-world outcome behind {_LABEL[result.output]}")
    else:
        morris = result.screening[:top][::-1]
        names = [r.name for r in morris]
        y = range(len(morris))
        ax.barh(y, [r.mu_star for r in morris], xerr=[r.mu_star_conf for r in morris])
        ax.set_xlabel(f"Morris mu* (mean absolute effect on {_LABEL[result.output]})")
    ax.set_yticks(list(y), names, fontsize=8)
    if result.attribution is not None:
        ax.legend(loc="lower right")
    ax.set_title(f"What explains the outcome of the {result.offer_name} offer", fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_all(result: Sensitivity, folder: str | Path) -> list[Path]:
    """Write ``tornado.png`` and ``indices.png`` into ``folder`` (created if needed)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return [tornado(result, folder / "tornado.png"), indices(result, folder / "indices.png")]
