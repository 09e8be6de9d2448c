"""``goldenbridge deterrence``: how much does a threat's credibility change the answer?"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.table import Table

from goldenbridge.analysis.deterrence import Deterrence, deterrence
from goldenbridge.cli.common import (
    JsonOpt,
    OfferOpt,
    SamplesOpt,
    SeedOpt,
    app,
    fail,
    load_scenario,
    out,
    pick_offers,
    plot_dir,
    progress_bar,
    publish,
    user_errors,
    writing_plots,
)
from goldenbridge.report.narrative import pct

#: Most points of a sweep (each is a full evaluation).
MAX_POINTS = 201


def parse_grid(text: str, option: str) -> list[float]:
    """``a:b:n`` -> n evenly spaced values from a to b; or a comma-separated list."""
    try:
        if ":" in text:
            lo, hi, count = text.split(":")
            n = int(count)
            if not 1 <= n <= MAX_POINTS:
                fail(f"{option} {text}: n must be between 1 and {MAX_POINTS}", field=option)
            values = [round(float(v), 12) for v in np.linspace(float(lo), float(hi), n)]
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        fail(
            f"{option} {text}: expected a:b:n (e.g. 0:1:11) or a list like 0.2,0.5,0.9",
            field=option,
        )
    if len(values) > MAX_POINTS or not all(math.isfinite(v) for v in values):
        fail(f"{option} {text}: at most {MAX_POINTS} finite values", field=option)
    return values


def print_deterrence(result: Deterrence) -> None:
    """Rich tables: the sweep, then the thresholds in words."""
    out.print(
        f"[bold]{result.scenario}[/bold]: threat '{result.threat}' against {result.target}; "
        f"{result.samples:,} worlds, seed {result.seed}, the same random numbers at every "
        "credibility.",
        soft_wrap=True,
    )
    table = Table(title="Sweep", title_justify="left")
    table.add_column("credibility", justify="right")
    if result.effect_field:
        table.add_column(f"effect ({result.effect_field})", justify="right")
    table.add_column("P(war | no deal)", justify="right")
    table.add_column("best named offer")
    table.add_column("P(deal)", justify="right")
    table.add_column("P(war)", justify="right")
    table.add_column(f"{result.proposer} EU", justify="right")
    base = result.baseline
    rows = [base, *result.points]
    for p in rows:
        cells = ["as written" if p.credibility is None else f"{p.credibility:.3g}"]
        if result.effect_field:
            cells.append("as written" if p.effect is None else f"{p.effect:.3g}")
        cells += [
            pct(p.p_fight, p.p_fight_se),
            p.best,
            pct(p.best_p_deal),
            pct(p.best_p_war),
            f"{p.best_eu:.4f}",
        ]
        table.add_row(*cells)
    out.print(table)
    for t in result.thresholds:
        size = "" if t.effect is None else f" with effect {t.effect:g}"
        if t.credibility is None:
            out.print(
                f"Deterrence alone does not keep the peace{size}: even a certain threat leaves "
                f"{result.target} preferring war in {pct(t.p_fight_at_full)} of worlds "
                f"({pct(t.p_fight_at_zero)} with no threat).",
                soft_wrap=True,
            )
        else:
            out.print(
                f"Deterrence alone keeps the peace{size} (P(war | no deal) <= "
                f"{pct(result.tolerance)}) from credibility {t.credibility:.3f} on.",
                soft_wrap=True,
            )


@app.command(name="deterrence")
def deterrence_command(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    threat: Annotated[str, typer.Option("--threat", help="The threat to sweep.")],
    grid: Annotated[
        str,
        typer.Option(
            "--credibility",
            metavar="A:B:N|LIST",
            help="Credibilities to sweep: A:B:N (N evenly spaced values) or a list 0.2,0.5.",
        ),
    ] = "0:1:11",
    effect: Annotated[
        str | None,
        typer.Option(
            "--effect", metavar="A:B:N|LIST", help="Also sweep the effect's size: A:B:N or a list."
        ),
    ] = None,
    effect_field: Annotated[
        str | None, typer.Option("--effect-field", help="cost or p_win (if the threat has both).")
    ] = None,
    offer: OfferOpt = None,
    tolerance: Annotated[
        float, typer.Option(min=0, max=1, help="Peace means P(war | no deal) <= this.")
    ] = 0.01,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="DIR", help="Save deterrence-THREAT.png in this folder."),
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sweep a threat's credibility: P(deal), P(war), best offer, and when deterrence suffices."""
    credibilities = parse_grid(grid, "--credibility")
    effects = parse_grid(effect, "--effect") if effect is not None else None
    if effect_field not in (None, "cost", "p_win"):
        fail(f"--effect-field {effect_field}: expected cost or p_win")
    folder = plot_dir(plot)
    with user_errors():
        s = load_scenario(scenario)
        chosen = pick_offers(s, offer) or None
        with progress_bar(as_json, "Sampling worlds...") as report:
            result = deterrence(
                s,
                threat,
                credibilities,
                effects=effects,
                effect_field=effect_field,  # type: ignore[arg-type]
                offers=chosen,
                samples=samples,
                seed=seed,
                tolerance=tolerance,
                progress=report,  # type: ignore[arg-type]
            )
    path = None
    if folder is not None:
        from goldenbridge.report.plots_deterrence import plot_deterrence

        with writing_plots(folder):
            path = plot_deterrence(result, str(folder))
    document = result.to_dict()
    document["plot"] = str(path) if path else None
    if publish(document, as_json):
        return
    print_deterrence(result)
    if path:
        out.print(f"Plot: {path}")
