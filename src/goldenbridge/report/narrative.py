"""Plain-language sentences from analysis results (presentation only, no model logic)."""

from __future__ import annotations

from goldenbridge.analysis.evaluate import Evaluation

__all__ = ["pct", "possessive", "answer"]


def pct(p: float, se: float | None = None) -> str:
    """A probability as a percentage, with its standard error when given.

    Examples
    --------
    >>> pct(0.4567, 0.0012)
    '45.7% ± 0.1'
    """
    text = f"{100 * p:.1f}%"
    return text if se is None else f"{text} ± {100 * se:.1f}"


def possessive(name: str) -> str:
    """``name's``, or ``name'`` for a name ending in s.

    Examples
    --------
    >>> possessive("United States"), possessive("Russia")
    ("United States'", "Russia's")
    """
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def answer(evaluation: Evaluation) -> str:
    """One line answering "would they buy the bridge?" for the best named package.

    The best package is the one with the highest proposer expected utility. The
    line leads with war: a package that the target prefers to fighting can still
    fail to become a deal where a veto ally refuses it while deterrence would hold
    anyway, so P(war) against the no-deal baseline is the measure of the bridge,
    and P(deal) is reported beside it with the main blocker.
    """
    best = evaluation.best
    target = evaluation.target
    baseline = evaluation.p_war_no_deal
    if baseline <= 0:
        verdict = "There is no bridge to buy: without a deal"
        return f"{verdict} {target} never fights in this model (deterrence holds in every world)."
    cut = (baseline - best.p_war) / baseline
    verdict = "Largely" if cut >= 0.5 else ("Partly" if cut > 0.01 else "No")
    line = (
        f"Would {target} buy the bridge? {verdict}: without a deal {target} fights in "
        f"{pct(baseline)} of worlds; the best named package, '{best.name}' "
        f"({possessive(evaluation.proposer)} expected utility {best.proposer_eu:.3f}), is "
        f"acceptable to {target} in {pct(best.actors[target].p_accept)} and cuts P(war) to "
        f"{pct(best.p_war, best.p_war_se)}; a signed deal in {pct(best.p_deal)}"
    )
    blockers = sorted(best.actors.items(), key=lambda kv: kv[1].p_sole_blocker, reverse=True)
    if blockers and blockers[0][1].p_sole_blocker > 0.01:
        name, odds = blockers[0]
        line += f" (main blocker: {name}, alone in {pct(odds.p_sole_blocker)})"
    return line + "."
