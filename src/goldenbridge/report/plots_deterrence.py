"""Plots of a deterrence sweep (presentation only; needs the ``plots`` extra)."""

from __future__ import annotations

from pathlib import Path

from goldenbridge.analysis.deterrence import Deterrence

__all__ = ["plot_deterrence"]


def plot_deterrence(result: Deterrence, folder: str | Path) -> Path:
    """Save ``deterrence-<threat>.png`` in ``folder``: the war risk and the best
    named offer's P(deal), P(war) and EU against the threat's credibility."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    fig, (odds, value) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    effects = sorted({p.effect for p in result.points}, key=lambda e: (e is None, e))
    for effect in effects:
        points = [p for p in result.points if p.effect == effect]
        c = [p.credibility for p in points]
        tag = "" if effect is None else f" (effect {effect:g})"
        (line,) = odds.plot(c, [p.p_fight for p in points], label=f"P(war | no deal){tag}")
        odds.plot(
            c,
            [p.best_p_war for p in points],
            "--",
            color=line.get_color(),
            label=f"P(war), best offer{tag}",
        )
        odds.plot(
            c,
            [p.best_p_deal for p in points],
            ":",
            color=line.get_color(),
            label=f"P(deal), best offer{tag}",
        )
        value.plot(
            c,
            [p.best_eu for p in points],
            marker="o",
            color=line.get_color(),
            label=f"best named offer{tag}",
        )
        for p in points:
            if p is points[0] or p.best != points[points.index(p) - 1].best:
                value.annotate(
                    p.best,
                    (p.credibility, p.best_eu),
                    fontsize=7,
                    textcoords="offset points",
                    xytext=(3, 5),
                )
        threshold = next(t for t in result.thresholds if t.effect == effect)
        if threshold.credibility is not None:
            odds.axvline(threshold.credibility, color=line.get_color(), alpha=0.4)
    odds.set(
        xlabel=f"credibility of {result.threat}",
        ylabel="probability",
        ylim=(0, 1),
        title=f"{result.scenario}: war risk and deal odds",
    )
    odds.legend(fontsize=7)
    value.set(
        xlabel=f"credibility of {result.threat}",
        ylabel=f"{result.proposer} EU",
        title="Best named offer (max proposer EU)",
    )
    value.legend(fontsize=7)
    path = folder / f"deterrence-{result.threat}.png"
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
