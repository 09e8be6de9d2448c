"""``goldenbridge optimize``: which package to offer (risk-return optimum, golden bridge)."""

from __future__ import annotations

import math
from typing import Annotated

import typer
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.bargaining_range import issue_column
from goldenbridge.analysis.evaluate import OfferResult
from goldenbridge.analysis.optimize.best import DEFAULT_TARGET_P, OptimizeResult
from goldenbridge.cli.common import (
    JsonOpt,
    PlotOpt,
    SamplesOpt,
    SeedOpt,
    app,
    fail,
    load_scenario,
    out,
    plot_dir,
    publish,
    stage_progress,
    user_errors,
    writing_plots,
)
from goldenbridge.report.narrative import pct


def _package(values: dict, scenario: gb.Scenario) -> str:
    """An offer as ``issue=value`` pairs (issues off the status quo first)."""
    parts = []
    for issue in scenario.issues:
        v = values[issue.name]
        if isinstance(v, str):
            parts.append(f"{issue.name}={v}")
            continue
        # three significant digits of the scale's width: 28.3 on 0..100, 0.599 on 0..1
        decimals = max(0, 2 - math.floor(math.log10(issue.max - issue.min)))
        parts.append(f"{issue.name}={v:.{decimals}f}")
    return ", ".join(parts)


def _row(table: Table, label: str, r: OfferResult, scenario: gb.Scenario, fresh=None) -> None:
    eu = f"{r.proposer_eu:.4f}"
    if fresh is not None:
        eu += f" ({fresh.proposer_eu:.4f})"
    table.add_row(
        label,
        _package(r.values, scenario),
        pct(r.p_deal, r.p_deal_se),
        pct(r.p_war, r.p_war_se),
        eu,
        f"{r.proposer_u:.4f}",
    )


def _blocker(r: OfferResult) -> str:
    name, odds = max(r.actors.items(), key=lambda kv: kv[1].p_reject)
    return f"{name} (rejects in {pct(odds.p_reject)}, sole blocker in {pct(odds.p_sole_blocker)})"


def _is_status_quo(r: OfferResult, scenario: gb.Scenario) -> bool:
    return dict(r.values) == scenario.complete({})


def bridge_sentences(result: OptimizeResult, scenario: gb.Scenario) -> list[str]:
    """Plain sentences: the best package and the cheapest one reaching the target."""
    o, of = result.optimum, result.optimum_fresh
    q = result.target_p
    lines = [
        f"Best package (risk-return optimum): {_package(o.values, scenario)}: "
        f"{scenario.proposer.name}'s expected utility {o.proposer_eu:.4f} "
        f"({of.proposer_eu:.4f} on a fresh population), P(deal) {pct(o.p_deal)}, "
        f"P(war) {pct(o.p_war)}."
    ]
    b = result.bridge
    if b is None and result.no_bridge is not None:
        lines.append(no_bridge_sentence(result, scenario))
        return lines
    if b is None and result.bridge_by == "p_war":
        m = result.max_deal
        vetoes = [(n, a) for n, a in m.actors.items() if a.role == "veto"]
        who = min(vetoes, key=lambda kv: kv[1].p_accept) if vetoes else None
        lines.append(
            f"No package found brings P(war) down to {pct(q)} (half of offering nothing's "
            f"{pct(result.status_quo.p_war)} unless --max-p-war says otherwise): the "
            f"package with the most signed deals, {_package(m.values, scenario)}, gets "
            f"P(deal) {pct(m.p_deal)} and P(war) {pct(m.p_war)}"
            + (
                f"; {who[0]} approves it in only {pct(who[1].p_accept)}."
                if who is not None
                else "."
            )
        )
        return lines
    if b is None:
        m = result.max_deal
        lines.append(
            f"No package found reaches P(deal) >= {pct(q)}: the highest P(deal) found is "
            f"{pct(m.p_deal)} ({_package(m.values, scenario)}), where the main obstacle is "
            f"{_blocker(m)}."
        )
        return lines
    if result.bridge_by == "p_war":
        lines.append(
            f"Golden bridge (the best package for {scenario.proposer.name} with P(war) <= "
            f"{pct(q)}): {_package(b.values, scenario)}: P(war) {pct(b.p_war)}, P(deal) "
            f"{pct(b.p_deal)}, {scenario.proposer.name}'s utility of the package "
            f"{b.proposer_u:.4f}."
        )
        return lines
    lines.append(
        f"Cheapest package reaching P(deal) >= {pct(q)} (golden bridge): "
        f"{_package(b.values, scenario)}: P(deal) {pct(b.p_deal)} "
        f"({pct(result.bridge_fresh.p_deal) if result.bridge_fresh else '-'} fresh), "
        f"{scenario.proposer.name}'s utility of the package {b.proposer_u:.4f}."
    )
    m = result.max_deal
    if _is_status_quo(b, scenario) and not _is_status_quo(m, scenario):
        lines.append(
            f"That is the status quo itself: it counts as a deal in the "
            f"{pct(result.status_quo.p_deal)} of worlds where {scenario.target.name} would not "
            f"fight. The package with concessions found with the highest P(deal) reaches "
            f"{pct(m.p_deal)} ({_package(m.values, scenario)}); the main obstacle there is "
            f"{_blocker(m)}."
        )
    return lines


def no_bridge_sentence(result: OptimizeResult, scenario: gb.Scenario) -> str:
    """Why no package reaches the P(war) target: the lowest P(war) along the concession
    path, and the concession at which the first veto actor's approval fails."""
    why = result.no_bridge
    assert why is not None
    text = (
        f"No package found brings P(war) down to {pct(why.max_p_war)} (half of offering "
        f"nothing's {pct(result.status_quo.p_war)} unless --max-p-war says otherwise). "
        f"Conceding step by step towards {scenario.target.name}'s position, P(war) is "
        f"lowest at {_package(why.best_values, scenario)} ({pct(why.best_p_war)}, P(deal) "
        f"{pct(why.best_p_deal)}; {scenario.target.name} would accept it in "
        f"{pct(why.target_p_accept)})"
    )
    blocker = why.blocker
    if blocker is None:
        return (
            text + "; every veto ally approves each step in at least half of the worlds: "
            f"what is missing is {scenario.target.name}'s acceptance."
        )
    assert blocker.values is not None
    return (
        text + f"; from {_package(blocker.values, scenario)} on, {blocker.actor} approves "
        f"in only {pct(blocker.p_approve)}: its approval is what fails as the concession grows."
    )


#: What each search method's name means, for the header line.
_METHODS = {
    "exact-1d": "every breakpoint of one issue, exact",
    "sweep-refine-1d": "a sweep of one issue, refined around the best points",
    "exhaustive": "every combination of options",
    "exhaustive-screened": "every combination of options, screened on a subsample",
    "boundary-refine": "a coarse grid, refined where P(deal) crosses the target",
}


def _method_words(method: str) -> str:
    parts = [p for p in method.replace(" + ", "+").split("+") if p]
    return "; ".join(_METHODS.get(p.strip(), p.strip()) for p in parts) or method


def print_optimize(result: OptimizeResult, scenario: gb.Scenario) -> None:
    """Rich tables: the chosen packages, the frontier, the solution concepts."""
    out.print(
        f"[bold]{scenario.name}[/bold]: searched {', '.join(result.issues)} over "
        f"{result.samples:,} worlds (seed {result.seed}; re-evaluated with seed "
        f"{result.fresh_seed}); method {result.method}"
        + (" (exact)" if result.exact else "")
        + f" ({_method_words(result.method)}).",
        soft_wrap=True,
    )
    table = Table(title="Packages", title_justify="left")
    for column in ("", "package", "P(deal)", "P(war)", "EU (fresh)", r"E\[u_P]"):
        table.add_column(column, justify="left" if column in ("", "package") else "right")
    _row(table, "status quo", result.status_quo, scenario)
    _row(table, "risk-return optimum", result.optimum, scenario, result.optimum_fresh)
    if result.bridge is not None:
        label = (
            f"bridge P(war)<={result.target_p:.3g}"
            if result.bridge_by == "p_war"
            else f"bridge P(deal)>={result.target_p:g}"
        )
        _row(table, label, result.bridge, scenario, result.bridge_fresh)
    _row(table, "highest P(deal), concessions", result.max_deal, scenario)
    out.print(table)
    out.print(
        f"EU: {scenario.proposer.name}'s expected utility of offering the package (its value "
        "where a deal is signed, the no-deal value elsewhere); (fresh): the same on "
        f"independent worlds (seed {result.fresh_seed}), free of the search's luck; "
        f"E[u_P]: {scenario.proposer.name}'s utility of the package itself, if signed.",
        soft_wrap=True,
        markup=False,
    )
    points = result.frontier
    by_war = bool(points) and all(f.p_war is not None for f in points)
    title = r"Frontier (non-dominated E\[u_P] vs " + ("P(war))" if by_war else "P(deal))")
    frontier = Table(title=title, title_justify="left")
    columns = ("package", "P(war)", "P(deal)", r"E\[u_P]", "EU")
    for column in columns if by_war else (c for c in columns if c != "P(war)"):
        frontier.add_column(column, justify="left" if column == "package" else "right")
    shown = sorted({*range(0, len(points), max(1, len(points) // 10)), len(points) - 1})
    for f in (points[i] for i in shown if i >= 0):
        war = [pct(f.p_war)] if by_war and f.p_war is not None else []
        frontier.add_row(
            _package(f.values, scenario),
            *war,
            pct(f.p_deal),
            f"{f.proposer_u:.4f}",
            f"{f.proposer_eu:.4f}",
        )
    out.print(frontier)
    if result.curve is not None:
        print_curve(result, scenario)
    for label, sol in (("Nash bargaining solution", result.nash), ("Kalai–Smorodinsky", result.ks)):
        if sol is None:
            out.print(f"{label}: none (no package gives every party more than no deal).")
        else:
            out.print(f"{label}: {_package(sol.values, scenario)}", soft_wrap=True)
    for line in bridge_sentences(result, scenario):
        out.print(line, soft_wrap=True)


def print_curve(result: OptimizeResult, scenario: gb.Scenario) -> None:
    """The proposer's best utility over the P(war) target, one row a target."""
    curve = result.curve
    assert curve is not None
    table = Table(
        title=f"What each P(war) target costs {scenario.proposer.name} (best package with "
        f"P(war) at most the target; {curve.samples:,} worlds)",
        title_justify="left",
    )
    for column in ("P(war) <=", "package", r"E\[u_P]", "P(war)", "P(deal)"):
        table.add_column(column, justify="left" if column == "package" else "right")
    for p in curve.points:
        if p.values is None:
            table.add_row(pct(p.max_p_war), "none found", "-", "-", "-")
        else:
            table.add_row(
                pct(p.max_p_war),
                _package(p.values, scenario),
                f"{p.proposer_u:.4f}",
                pct(p.p_war),
                pct(p.p_deal),
            )
    out.print(table)


def _pair(item: str) -> tuple[str, str]:
    """``A,B`` of ``--slice`` as two different issue names."""
    names = tuple(s.strip() for s in item.split(","))
    if len(names) != 2 or not all(names) or names[0] == names[1]:
        fail(f"--slice {item}: expected two different issues A,B")
    return names[0], names[1]


@app.command()
def optimize(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    target_p: Annotated[
        float | None,
        typer.Option(
            "--min-p-deal",
            "--target-p",
            "-q",
            min=0.0,
            max=1.0,
            help="Bridge: the best package with P(deal) at least this (any signed deal "
            f"counts, token offers included; default {DEFAULT_TARGET_P:g} under the "
            "per-world rule).",
        ),
    ] = None,
    max_p_war: Annotated[
        float | None,
        typer.Option(
            "--max-p-war",
            min=0.0,
            max=1.0,
            help="Bridge: the best package with P(war) at most this (default under the "
            "default information rule: half the P(war) of offering nothing).",
        ),
    ] = None,
    issues: Annotated[
        str | None,
        typer.Option("--issues", help="Comma-separated issues to search (others: status quo)."),
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    slices: Annotated[
        list[str] | None,
        typer.Option(
            "--slice",
            metavar="A,B",
            help="With --plot: a 2-D range slice over issues A and B through the optimum "
            "(repeatable; default: the first three pairs of searched issues).",
        ),
    ] = None,
    capability_weighted: Annotated[
        bool,
        typer.Option(
            "--capability-weighted",
            help="Weight the Nash product by the parties' capabilities (asymmetric Nash).",
        ),
    ] = False,
    curve: Annotated[
        int | None,
        typer.Option(
            "--curve",
            metavar="POINTS",
            min=2,
            max=50,
            help="Also the proposer's best utility over the P(war) target: the best package "
            "with P(war) at most each of POINTS targets, from the lowest P(war) found to "
            "offering nothing's (a bridge search each: slow).",
        ),
    ] = None,
) -> None:
    """The best package to offer, the golden bridge for a required P(deal), the frontier."""
    chosen = [s.strip() for s in issues.split(",") if s.strip()] if issues else None
    if issues is not None and not chosen:
        fail("--issues: name at least one issue")
    pairs = [_pair(item) for item in slices] if slices else None
    folder = plot_dir(plot)  # before the search, not after it
    with user_errors():
        loaded = load_scenario(scenario)
        population = gb.population(loaded, samples, seed)
        for name in (n for pair in pairs or [] for n in pair):
            issue_column(population, name)  # fail before the search, not after
        with stage_progress(as_json, "optimizing") as progress:
            result = gb.optimize(
                population,
                target_p,
                chosen,
                progress=progress,
                capability_weighted=capability_weighted,
                max_p_war=max_p_war,
                curve=curve,
            )
        written = []
        if folder is not None:
            from goldenbridge.report.plots import optimize_plots

            with writing_plots(folder):
                written = optimize_plots(population, result, folder, pairs)
    if publish(result.to_dict(), as_json):
        return
    print_optimize(result, loaded)
    if written:
        out.print(f"Plots: {', '.join(str(p) for p in written)}", soft_wrap=True)
