"""``goldenbridge negotiate``: the equilibrium offers over several rounds (docs/dynamics.md)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.negotiate.dynamics import Negotiation
from goldenbridge.analysis.negotiate.fictitious import TOLERANCE
from goldenbridge.analysis.stats import mean_se_bound
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
    print_sincere,
    publish,
    stage_progress,
    user_errors,
    writing_plots,
)
from goldenbridge.report.documents import decimals, json_safe, round_numbers
from goldenbridge.report.narrative import pct


def parse_end(text: str, what: str) -> str | dict[str, float | str] | None:
    """One end of ``--path``: empty (the default), a named offer, or ``issue=value,...``."""
    text = text.strip()
    if not text:
        return None
    if "=" not in text:
        return text
    offer: dict[str, float | str] = {}
    for item in text.split(","):
        issue, sep, value = item.partition("=")
        if not sep or not issue.strip() or not value.strip():
            fail(f"--path {what}: expected a named offer or ISSUE=VALUE,ISSUE=VALUE (got {item!r})")
        try:
            offer[issue.strip()] = float(value)
        except ValueError:
            offer[issue.strip()] = value.strip()
    return offer


def parse_path(text: str | None) -> tuple:
    """``FROM:TO`` into its two ends (either may be left empty)."""
    if text is None:
        return None, None
    start, sep, end = text.partition(":")
    if not sep:
        fail(f"--path {text}: expected FROM:TO (named offers or ISSUE=VALUE,...)")
    return parse_end(start, "FROM"), parse_end(end, "TO")


def _short(values: dict) -> str:
    return ", ".join(
        f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}" for k, v in values.items()
    )


def _mix(mix: tuple, shown: int = 3) -> str:
    """A mixed round's offers, the likeliest first: ``0.54 (70%) 0.45 (26%) ...``."""
    text = " ".join(f"{m.position:.2f} ({m.share:.0%})" for m in mix[:shown])
    return text + (" ..." if len(mix) > shown else "")


def part_ranges(result: Negotiation) -> dict[str, tuple[float, float]]:
    """The range of one world's value of each part of the P(war) split.

    The total and *at once* are shares of worlds (a type's probability of war, in [0, 1],
    stands for each of its worlds). A mechanism's Shapley part is a weighted average, with
    weights summing to 1, of differences of two such shares: in [-1, 1], and exactly 0 for
    a mechanism that cannot change anything in the game (``Negotiation.active``).
    *Induced* sums the active parts of mobilisation, drift and pretext: at most ``k`` of
    them, and, the four parts summing to a difference of two shares, (total - at once) -
    hazard, in [-2, 2] ([-1, 1] without the hazard).
    """
    active = {m: m in result.active for m in ("hazard", "mobilisation", "drift", "pretext")}
    out = {"total": (0.0, 1.0), "at_once": (0.0, 1.0)}
    for name, on in active.items():
        out[name] = (-1.0, 1.0) if on else (0.0, 0.0)
    k = sum(active[m] for m in ("mobilisation", "drift", "pretext"))
    k = min(k, 2 if active["hazard"] else 1)
    out["induced"] = (-float(k), float(k))
    return out


def negotiation_document(result: Negotiation) -> dict:
    """``negotiate --json``: the result's document with a standard error beside each part
    of the P(war) split and each expected utility of the proposer, so that every one is
    rounded to the digits its sampling supports
    (:func:`~goldenbridge.analysis.stats.mean_se_bound` over the part's range,
    :func:`part_ranges`, or over the proposer's payoffs, ``Negotiation.payoff_range``; 0
    on an enumerated population: exact numbers)."""
    doc = result.to_dict()
    ranges = part_ranges(result)
    rows = []
    for row in doc.get("decomposition", []):
        out = {}
        for key, value in row.items():
            out[key] = value
            if key in ranges and isinstance(value, float):
                low, high = ranges[key]
                out[f"{key}_se"] = mean_se_bound(value, low, high, result.se_scale)
        rows.append(out)
    doc["decomposition"] = rows
    low, high = result.payoff_range
    doc["proposer_eu_se"] = mean_se_bound(result.proposer_eu, low, high, result.se_scale)
    for row in doc.get("compare", []):
        row["proposer_eu_se"] = mean_se_bound(row["proposer_eu"], low, high, result.se_scale)
    return doc


def print_negotiation(result: Negotiation, scenario: gb.Scenario) -> None:
    """The offer sequence, the four strategies and where P(war) comes from."""
    mech = result.mechanisms
    out.print(
        f"[bold]{result.scenario}[/bold]: {result.samples:,} sampled worlds, seed {result.seed}; "
        f"{result.rounds} rounds, discount {result.discount:g}, hazard {result.hazard:g} a "
        f"round, mobilisation {mech['mobilisation']:.3g} a round, p_win drift "
        f"{mech['p_win_drift']:+.3g} a round, pretext {mech['pretext']:.3g}"
        + (" (accumulating)" if mech["accumulate_pretext"] else " (not accumulating)")
        + " (means over worlds).",
        soft_wrap=True,
    )
    out.print(f"Path from {_short(result.path_from)}", soft_wrap=True)
    out.print(f"       to {_short(result.path_to)}", soft_wrap=True)
    out.print(f"       ({result.path_note}; --path overrides)", soft_wrap=True)
    rules = {
        "continuation": "each round each veto ally approves an offer on its own information, "
        "comparing the talks after it with the talks after nothing offered this round, in the "
        "state of the talks it sees",
        "one-shot": "each veto ally approves the offer on its own information, as evaluate does",
        "informed": "every veto ally sees the whole world (informed)",
    }
    if scenario.vetoes:
        rule = rules[result.approvals]
        if result.approvals == "continuation":
            rule += (
                f" (fixed point after {result.approval_iterations} solves)"
                if result.approvals_converged
                else f" (no fixed point after {result.approval_iterations} solves: the "
                "approvals cycle; shown: the proposer's best of the cycle)"
            )
            if result.approval_states:
                rule += (
                    f"; {result.approval_states} states of the talks have approvals of their "
                    "own (rounds the mixed offers reach in several states)"
                )
        out.print(f"Who knows what: {rule}.", soft_wrap=True)
    print_sincere(result.sincere)
    table = Table(
        title=f"{scenario.proposer.name}'s equilibrium offers (no commitment)", title_justify="left"
    )
    table.add_column("round", justify="right")
    table.add_column("s", justify="right")
    table.add_column("offer")
    table.add_column("P(deal by t)", justify="right")
    table.add_column("P(war by t)", justify="right")
    # the shares as --json prints them (rounded to their standard errors), so that the
    # text never differs from the JSON by a rounding of a tie
    raw = json_safe(negotiation_document(result))
    shown = round_numbers(raw)
    for r, d in zip(result.sequence, shown["sequence"], strict=True):
        table.add_row(
            str(r.round),
            _mix(r.mix) if len(r.mix) > 1 else f"{r.position:.2f}",
            _short(r.values),
            pct(d["p_deal_by"]),
            pct(d["p_war_by"]),
        )
    out.print(table)
    compare = Table(title="Compared on the same worlds", title_justify="left")
    compare.add_column("strategy")
    compare.add_column("s", justify="right")
    compare.add_column(f"{scenario.proposer.name} EU", justify="right")
    compare.add_column("P(deal)", justify="right")
    compare.add_column("P(war)", justify="right")
    for row, d, r in zip(result.compare, shown["compare"], raw["compare"], strict=True):
        compare.add_row(
            row.name,
            "" if row.position is None else f"{row.position:.2f}",
            f"{d['proposer_eu']:.{decimals(r['proposer_eu_se'])}f}",  # as --json rounds it
            pct(d["p_deal"]),
            pct(d["p_war"]),
        )
    out.print(compare)
    if result.decomposition:
        parts = Table(
            title="Where P(war) comes from (Shapley parts over the mechanisms; they sum to the "
            "total)",
            title_justify="left",
        )
        for name in ("strategy", "P(war)", "at once", "hazard", "induced by waiting"):
            parts.add_column(name, justify="left" if name == "strategy" else "right")
        parts.add_column("mobilisation / drift / pretext", justify="right")
        for d in shown["decomposition"]:  # as --json prints them (see above)
            parts.add_row(
                d["strategy"],
                pct(d["total"]),
                pct(d["at_once"]),
                pct(d["hazard"]),
                pct(d["induced"]),
                f"{pct(d['mobilisation'])} / {pct(d['drift'])} / {pct(d['pretext'])}",
            )
        out.print(parts)
    order = f"after {result.order_iterations} solves" + (
        "" if result.order_converged else " (cycling: the member misjudging least kept)"
    )
    who = scenario.proposer.name
    if result.skimming_regret <= 0:
        text = (
            f"Every type best-replies and no single change of an offer on the path pays "
            f"{who}, knowing the types' strategies (types ordered as they leave, {order})."
        )
    else:
        text = (
            f"The skimming offers (types ordered as they leave, {order}) leave {who} a "
            f"regret of {result.skimming_regret:.2g} in expected utility: knowing the types' "
            f"strategies it would change an offer on the path. The offers shown mix, as "
            f"fictitious play finds them ({result.mixing_steps} steps); every type "
            f"best-replies to the mixture, and no single change of an offer on the path "
            f"gains {who} more than {result.proposer_regret:.3g}"
            + ("" if result.mixing_converged else f", above the tolerance {TOLERANCE:g}")
            + " (docs/dynamics.md, modelling choice 6)."
        )
    gap = result.approvals_mixed_gap
    if result.approvals_mixed_iterations > 0:
        low, high = result.approvals_p_war_low, result.approvals_p_war_high
        text += (
            f" The allies' approvals reply to the mixed offers: solved "
            f"{result.approvals_mixed_iterations} more times with their replies, the strategy "
            f"kept is the one they would decide differently on the fewest worlds "
            f"({pct(gap)} for one of its offers); over the first mixed strategy and these "
            f"solves the sequence's P(war) lay between {pct(low)} and {pct(high)}."
        )
    elif gap > 0:
        text += (
            f" The allies' approvals reply to the mixed offers up to {pct(gap)} of worlds "
            f"for one of its offers."
        )
    if result.split_unconverged:
        text += (
            f" In the P(war) split, fictitious play stopped at its step limit above the "
            f"tolerance in {result.split_unconverged} of the {2 ** len(result.active)} games "
            f"with mechanisms switched off (largest regret {result.split_regret:.3g}): "
            f"those parts are approximate."
        )
    out.print(text, soft_wrap=True)


@app.command()
def negotiate(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    rounds: Annotated[
        int | None,
        typer.Option("--rounds", "-T", min=1, max=100, help="Rounds (default: scenario's talks)."),
    ] = None,
    path: Annotated[
        str | None,
        typer.Option(
            "--path",
            help="FROM:TO, each a named offer or ISSUE=VALUE,... (default: the scenario's "
            "talks block, else from the status quo along the one-shot optimum's direction).",
        ),
    ] = None,
    discount: Annotated[
        float | None, typer.Option("--discount", min=0, max=1, help="Per-round discount factor.")
    ] = None,
    hazard: Annotated[
        float | None,
        typer.Option("--hazard", min=0, max=1, help="Per-round chance of war while waiting."),
    ] = None,
    grid: Annotated[int, typer.Option("--grid", min=2, max=1001, help="Offers on the path.")] = 101,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """The proposer's equilibrium offers over T rounds when time is strategic."""
    path_from, path_to = parse_path(path)
    folder = plot_dir(plot)
    with user_errors():
        loaded = load_scenario(scenario)
        with stage_progress(as_json, f"{loaded.name}: sampling the worlds") as progress:
            result = gb.negotiate(
                loaded,
                rounds,
                path_from=path_from,
                path_to=path_to,
                discount=discount,
                hazard=hazard,
                grid=grid,
                samples=samples,
                seed=seed,
                progress=progress,
            )
    if folder is not None:
        from goldenbridge.report.plots import plot_negotiation

        with writing_plots(folder):
            written = plot_negotiation(result, folder)
    if not publish(negotiation_document(result), as_json):
        print_negotiation(result, loaded)
    if plot is not None and not as_json:
        out.print("Plots: " + ", ".join(str(p) for p in written))
