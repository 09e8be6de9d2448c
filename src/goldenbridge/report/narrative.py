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
    """One line answering "would they buy the bridge?" over the named packages.

    The baseline is offering nothing (no agreement; the target fights or is deterred).
    The best concession is the offered package with the highest proposer expected
    utility. The line leads with war, then says who stops the deal: the target (it would
    not accept) or a veto ally (it would not approve the package in the first place,
    docs/design.md 4a-4b).
    """
    target = evaluation.target
    baseline = evaluation.p_war_no_deal
    if baseline <= 0:
        verdict = "There is no bridge to buy: offering nothing,"
        return f"{verdict} {target} never fights in this model (deterrence holds in every world)."
    concessions = [o for o in evaluation.offers if o.offered]
    if not concessions:
        return (
            f"Offering nothing, {target} fights in {pct(baseline)} of worlds; "
            "the scenario names no concession to compare."
        )
    best = max(concessions, key=lambda o: o.proposer_eu)
    cut = (baseline - best.p_war) / baseline
    verdict = "Largely" if cut >= 0.5 else ("Partly" if cut > 0.01 else "No")
    line = (
        f"Would {target} buy the bridge? {verdict}: offering nothing, {target} fights in "
        f"{pct(baseline)} of worlds; the best named concession, '{best.name}' "
        f"({possessive(evaluation.proposer)} expected utility {best.proposer_eu:.3f}), would "
        f"be accepted by {target} in {pct(best.actors[target].p_accept)} if offered"
    )
    vetoes = [(n, o) for n, o in best.actors.items() if o.role == "veto"]
    if vetoes:
        name, odds = min(vetoes, key=lambda kv: kv[1].p_accept)
        if odds.p_accept < 1.0:
            line += f", but it has the approval of {name} in only {pct(odds.p_accept)}"
        else:
            line += " and every ally approves it"
    line += (
        f"; a deal is signed in {pct(best.p_deal, best.p_deal_se)} and P(war) is "
        f"{pct(best.p_war, best.p_war_se)}"
    )
    return line + "."
