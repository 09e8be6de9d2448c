"""Plain-language sentences from analysis results (presentation only, no model logic)."""

from __future__ import annotations

from goldenbridge.analysis.evaluate import Evaluation

__all__ = ["pct", "answer"]


def pct(p: float, se: float | None = None) -> str:
    """A probability as a percentage, with its standard error when given.

    Examples
    --------
    >>> pct(0.4567, 0.0012)
    '45.7% ± 0.1'
    """
    text = f"{100 * p:.1f}%"
    return text if se is None else f"{text} ± {100 * se:.1f}"


def answer(evaluation: Evaluation) -> str:
    """One line answering "would they buy the bridge?" for the best named package.

    The best package is the one with the highest proposer expected utility.
    """
    best = evaluation.best
    target = evaluation.target
    blockers = sorted(best.actors.items(), key=lambda kv: kv[1].p_sole_blocker, reverse=True)
    accepts = best.actors[target].p_accept
    verdict = "likely" if best.p_deal >= 0.5 else "unlikely"
    line = (
        f"Would {target} buy the bridge? Under the best named package, '{best.name}' "
        f"({evaluation.proposer}'s expected utility {best.proposer_eu:.3f}), {target} accepts "
        f"rather than fights in {pct(accepts)} of worlds and a deal is {verdict} "
        f"(P(deal) {pct(best.p_deal)}, P(war) {pct(best.p_war)})"
    )
    main_blocker, odds = blockers[0] if blockers else (None, None)
    if main_blocker is not None and odds is not None and odds.p_sole_blocker > 0.01:
        who = "itself" if main_blocker == target else main_blocker
        line += f"; the main obstacle is {who} (sole blocker in {pct(odds.p_sole_blocker)})"
    return line + "."
