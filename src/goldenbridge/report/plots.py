"""Plots (presentation only): matplotlib figures written as PNG and SVG.

Every function takes analysis results, draws, writes ``<name>.png`` and
``<name>.svg`` into a folder and returns the paths. matplotlib is an optional
dependency (``pip install 'goldenbridge[plots]'``) and runs on the Agg backend.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from goldenbridge.analysis.bargaining_range import BargainingRange, RangeSlice
from goldenbridge.analysis.evaluate import outcome_tally, per_world_rule
from goldenbridge.analysis.negotiate.concession_path import ConcessionPath
from goldenbridge.analysis.negotiate.dynamics import Negotiation
from goldenbridge.analysis.optimize.best import OptimizeResult
from goldenbridge.population import first_worlds

__all__ = [
    "FORMATS",
    "plot_concession_path",
    "plot_frontier",
    "plot_bridge_curve",
    "plot_negotiation",
    "plot_range_1d",
    "plot_range_slice",
    "optimize_plots",
]

FORMATS = ("png", "svg")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("plots need matplotlib: pip install 'goldenbridge[plots]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig: Any, directory: Path, name: str) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in FORMATS:
        path = directory / f"{name}.{fmt}"
        fig.savefig(path, dpi=120)
        paths.append(path)
    _pyplot().close(fig)
    return paths


def plot_concession_path(path: ConcessionPath, directory: Path, title: str = "") -> list[Path]:
    """P(deal), P(war) (top) and the proposer's EU and E[u_P] (bottom) along a path."""
    plt = _pyplot()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(path.s, path.p_deal, label="P(deal)")
    top.fill_between(
        path.s, path.p_deal - 2 * path.p_deal_se, path.p_deal + 2 * path.p_deal_se, alpha=0.2
    )
    top.plot(path.s, path.p_war, label="P(war)", color="C3")
    top.set(ylabel="probability", ylim=(-0.02, 1.02))
    bottom.plot(path.s, path.proposer_eu, label="EU (deal or no-deal value)", color="C2")
    bottom.plot(path.s, path.proposer_u, label="E[u_P] of the offer", color="C1", ls="--")
    bottom.set(xlabel="position along the concession path", ylabel="proposer utility")
    for ax in (top, bottom):
        for _, s, _ in path.knots:
            ax.axvline(s, color="grey", lw=0.8, ls=":")
        ax.legend(loc="best", fontsize="small")
    for label, s, _ in path.knots:
        top.annotate(label, (s, 1.0), fontsize="small", rotation=90, va="top", ha="right")
    fig.suptitle(title or f"Concession path ({path.samples:,} worlds)")
    fig.tight_layout()
    return _save(fig, directory, "concession-path")


def plot_frontier(result: OptimizeResult, directory: Path) -> list[Path]:
    """The frontier: non-dominated (P(war), E[u_P]) with the chosen offers marked
    (P(deal) on the x axis under the per-world rule, whose frontier is by P(deal))."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 5))
    by_war = bool(result.frontier) and all(f.p_war is not None for f in result.frontier)
    key = "p_war" if by_war else "p_deal"
    points = sorted(result.frontier, key=lambda f: getattr(f, key))
    ax.plot(
        [getattr(f, key) for f in points],
        [f.proposer_u for f in points],
        ".-",
        label="frontier",
        color="C0",
    )
    marks = [("risk-return optimum", result.optimum, "*", "C2")]
    if result.bridge is not None:
        sign = "<=" if result.bridge_by == "p_war" else ">="
        name = "P(war)" if result.bridge_by == "p_war" else "P(deal)"
        bridge = f"golden bridge ({name} {sign} {result.target_p:.3g})"
        marks.append((bridge, result.bridge, "D", "C1"))
    marks.append(("status quo (offers nothing)", result.status_quo, "s", "grey"))
    for label, r, marker, color in marks:
        ax.plot(getattr(r, key), r.proposer_u, marker, ms=11, color=color, label=label)
    if (result.bridge_by == "p_war") == by_war:
        ax.axvline(result.target_p, color="C1", lw=0.8, ls=":")
    label = "P(war)" if by_war else "P(deal)"
    ax.set(xlabel=label, ylabel="proposer's expected utility of the offer E[u_P]")
    ax.set_title(f"{result.scenario}: what each {label} costs the proposer")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _save(fig, directory, "frontier")


def plot_bridge_curve(result: OptimizeResult, directory: Path) -> list[Path]:
    """The proposer's best utility over the P(war) target (``optimize --curve``)."""
    curve = result.curve
    assert curve is not None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    found = [p for p in curve.points if p.values is not None]
    ax.step(
        [p.max_p_war for p in found],
        [p.proposer_u for p in found],
        "o-",
        where="post",
        color="C1",
        label="best E[u_P] with P(war) <= target",
    )
    ax.plot(
        [p.p_war for p in found], [p.proposer_u for p in found], "x", color="C0", label="its P(war)"
    )
    ax.axvline(curve.p_war_nothing, color="grey", ls="--", lw=0.8, label="offering nothing")
    ax.set(xlabel="P(war) target", ylabel="proposer's utility of the package E[u_P]")
    ax.set_title(f"{result.scenario}: the golden bridge's price ({curve.samples:,} worlds)")
    ax.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _save(fig, directory, "bridge-curve")


def plot_range_1d(
    r: BargainingRange,
    directory: Path,
    value: float | None = None,
    worlds: int = 80,
    p_deal: Callable[[np.ndarray], np.ndarray] | None = None,
) -> list[Path]:
    """The exact range of a sample of worlds (one segment each), and along the issue
    P(in range) and P(deal): ``p_deal(values)``, or where None each world's closed form
    (the per-world rule's P(deal))."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
    ok = np.flatnonzero(~np.isnan(r.lo))[:worlds]
    order = ok[np.argsort(r.lo[ok])]
    for row, n in enumerate(order):
        left.plot([r.lo[n], r.hi[n]], [row, row], color="C0", lw=1.5)
    if value is not None:
        left.axvline(value, color="C2", ls="--", label="optimum")
        left.legend(loc="best", fontsize="small")
    left.set(xlabel=r.issue, ylabel="world (sorted by the range's low end)")
    left.set_title("Bargaining range per world")
    span = np.concatenate([r.deal_lo[~np.isnan(r.deal_lo)], r.deal_hi[~np.isnan(r.deal_hi)]])
    lo, hi = (span.min(), span.max()) if span.size else (0.0, 1.0)
    grid = np.linspace(lo, hi, 201)
    if p_deal is None:
        right.plot(grid, [r.p_deal(x)[0] for x in grid], label="P(deal)")
    else:
        coarse = np.linspace(lo, hi, 41)
        right.plot(coarse, p_deal(coarse), label="P(deal)")
    right.plot(grid, [r.p_in_range(x)[0] for x in grid], label="P(in range)", ls="--")
    right.set(xlabel=r.issue, ylabel="probability", ylim=(-0.02, 1.02))
    right.legend(loc="best", fontsize="small")
    fig.tight_layout()
    return _save(fig, directory, f"range-{r.issue}")


def plot_range_slice(
    s: RangeSlice,
    directory: Path,
    q: float,
    mark: Sequence[float] | None = None,
    by: str = "p_deal",
) -> list[Path]:
    """P(deal) over two issues (the others held fixed) and, in white, the bridge's
    criterion's level ``q``: P(deal) = q, or with ``by="p_war"`` (the bridge by P(war),
    docs/design.md 4b) P(war) = q."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 5.5))
    levels = np.linspace(0.0, 1.0, 11)
    filled = ax.contourf(s.x, s.y, s.p_deal, levels=levels, cmap="viridis")
    fig.colorbar(filled, ax=ax, label="P(deal)")
    line = s.p_war if by == "p_war" else s.p_deal
    if line.min() < q <= line.max():
        ax.contour(s.x, s.y, line, levels=[q], colors="white", linewidths=2)
    if mark is not None:
        ax.plot(*mark, "*", ms=14, color="C1", label="optimum")
        ax.legend(loc="best", fontsize="small")
    ax.set(xlabel=s.issues[0], ylabel=s.issues[1])
    white = "P(war)" if by == "p_war" else "P(deal)"
    ax.set_title(f"P(deal); white: {white} = {q:g} ({s.samples:,} worlds)")
    fig.tight_layout()
    return _save(fig, directory, f"range-{s.issues[0]}-{s.issues[1]}")


def _deal_along(
    population: Any, issue: str, samples: int = 20_000
) -> Callable[[np.ndarray], np.ndarray]:
    """P(deal) at values of one issue, the others at the status quo (the bargaining
    range's base), each offer decided as ``evaluate`` decides it, on the first
    ``samples`` worlds."""
    few = first_worlds(population, samples)

    def p_deal(values: np.ndarray) -> np.ndarray:
        t = outcome_tally(few, few.encode([{issue: float(v)} for v in values]))[0]
        return t.deal.sum(0) / t.w.sum()

    return p_deal


def optimize_plots(
    population: Any,
    result: OptimizeResult,
    directory: Path | str,
    pairs: Sequence[Sequence[str]] | None = None,
) -> list[Path]:
    """Every plot of ``goldenbridge optimize --plot``: the concession path through
    the optimum, the frontier and range slices through the optimum, over ``pairs``
    of continuous issues (default: the first three pairs of searched issues)."""
    from goldenbridge.analysis.bargaining_range import bargaining_range, range_slice
    from goldenbridge.analysis.negotiate.concession_path import (
        concession_path,
        target_mean_position,
    )

    directory = Path(directory)
    scenario = population.scenario
    searched = [i for i in result.issues if i in population.continuous]
    target = target_mean_position(population)
    end = {k: (v if k in result.issues else scenario.complete({})[k]) for k, v in target.items()}
    through = [
        ("status quo", {}),
        ("optimum", dict(result.optimum.values)),
        (f"{scenario.target.name}'s position", end),
    ]
    # each point decided as evaluate decides it (the allies on their own information: about
    # 0.7 us a world and offer), so 101 points and 21 x 21 slices keep the brief in seconds
    path = concession_path(population, through, points=101)
    paths = plot_concession_path(path, directory, f"{result.scenario}: concession path")
    paths += plot_frontier(result, directory)
    if result.curve is not None:
        paths += plot_bridge_curve(result, directory)
    if len(searched) == 1:
        r = bargaining_range(population, searched[0])
        # a world's bargaining range is per world; P(deal) is each world's closed form only
        # under the per-world rule, else decided as evaluate decides it
        issue = searched[0]
        along = None if per_world_rule(population) else _deal_along(population, issue)
        paths += plot_range_1d(r, directory, float(result.optimum.values[issue]), p_deal=along)
    if pairs is None:
        pairs = list(itertools.islice(itertools.combinations(searched, 2), 3))
    few = first_worlds(population, 5000)  # one population for every slice: its pairings once
    for a, b in pairs:
        s = range_slice(few, [a, b], base=dict(result.optimum.values), resolution=21)
        mark = (float(result.optimum.values[a]), float(result.optimum.values[b]))
        paths += plot_range_slice(s, directory, result.target_p, mark, result.bridge_by)
    return paths


def plot_negotiation(result: Negotiation, directory: Path) -> list[Path]:
    """The equilibrium offers (left: the likeliest, and where the proposer mixes each
    offer made, its area the share of the talks' weight it is made to) and P(deal by t),
    P(war by t) (right), beside the one-shot optimum and stalling talks."""
    plt = _pyplot()
    rounds = [r.round for r in result.sequence]
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.step(rounds, [r.position for r in result.sequence], where="mid", label="likeliest offer")
    mixed = [
        (r.round, m.position, m.share) for r in result.sequence if len(r.mix) > 1 for m in r.mix
    ]
    if mixed:  # the proposer mixes: every offer made, its area the share it is made to
        x, y, share = zip(*mixed, strict=True)
        left.scatter(x, y, s=[300 * w for w in share], alpha=0.5, color="C0", label="mixed offers")
    left.axhline(result.one_shot.position, ls="--", color="grey", label="one-shot optimum")
    left.set(xlabel="round", ylabel="position on the path s", ylim=(-0.02, 1.02))
    left.legend(loc="best", fontsize="small")
    right.plot(rounds, [r.p_deal_by for r in result.sequence], "o-", label="P(deal by t)")
    right.plot(rounds, [r.p_war_by for r in result.sequence], "s-", color="C3", label="P(war by t)")
    right.axhline(result.talks.p_war, ls=":", color="C3", label="P(war), talks")
    right.axhline(result.one_shot.p_war, ls="--", color="grey", label="P(war), one-shot")
    right.set(xlabel="round", ylabel="probability", ylim=(-0.02, 1.02))
    right.legend(loc="best", fontsize="small")
    for ax in (left, right):
        ax.set_xticks(rounds)
    fig.suptitle(f"{result.scenario}: {result.rounds} rounds, hazard {result.hazard:g}")
    fig.tight_layout()
    return _save(fig, directory, f"negotiate-{result.scenario}")
