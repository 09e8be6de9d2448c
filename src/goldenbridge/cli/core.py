"""Core commands: demo, evaluate, validate, scenarios."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.worlds import world_table
from goldenbridge.cli.common import (
    DaskOpt,
    JsonOpt,
    OfferOpt,
    SamplesOpt,
    SeedOpt,
    app,
    emit_json,
    fail,
    load_scenario,
    out,
    parse_sets,
    pick_offers,
    print_sincere,
    progress_bar,
    publish,
    require,
    user_errors,
    working,
)
from goldenbridge.report.export import check_export, write_worlds
from goldenbridge.report.narrative import answer, pct
from goldenbridge.scenario import InputError, summaries


def print_evaluation(evaluation: gb.Evaluation, scenario: gb.Scenario) -> None:
    """Rich tables for an evaluation: one row per offer, then per-actor odds."""
    if evaluation.se_method == "binomial":
        errors = "one Monte Carlo standard error"
        if evaluation.information != "informed" and evaluation.offers:
            errors += (
                " (binomial: it takes each ally's approval as given; --bootstrap B adds "
                "the error of the allies' thresholds, estimated from the same worlds)"
            )
    else:
        errors = f"one standard error from a {evaluation.se_method}"
    head = f"{evaluation.samples:,} sampled worlds, seed {evaluation.seed}. Values are "
    head += f"estimates ± {errors}."
    if evaluation.exact:
        head = (
            f"{evaluation.samples:,} worlds, every combination of the scenario's values "
            "weighted by its probability. Values are exact (no sampling error)."
        )
    out.print(f"[bold]{scenario.name}[/bold]: {head}", soft_wrap=True)
    rule = (
        "every veto ally sees the whole world (informed)"
        if evaluation.information == "informed"
        else "each veto ally approves a package before it is offered, on its own information"
    )
    out.print(f"Who knows what: {rule}.", soft_wrap=True)
    print_sincere(evaluation.sincere)
    table = Table(title="Packages", title_justify="left")
    table.add_column("package")
    table.add_column(f"P({evaluation.target} would accept)", justify="right")
    table.add_column("P(deal)", justify="right")
    table.add_column("P(deterred)", justify="right")
    table.add_column("P(war)", justify="right")
    table.add_column(f"{evaluation.proposer} EU", justify="right")
    table.add_column("main blocker")
    for o in evaluation.offers:
        t = o.actors[evaluation.target]
        blocker = max(o.actors.items(), key=lambda kv: kv[1].p_sole_blocker)
        table.add_row(
            o.name if o.offered else f"{o.name} (offers nothing)",
            pct(t.p_accept, t.p_accept_se),
            pct(o.p_deal, o.p_deal_se),
            pct(o.p_deterred, o.p_deterred_se),
            pct(o.p_war, o.p_war_se),
            f"{o.proposer_eu:.3f} ± {o.proposer_eu_se:.3f}",
            f"{blocker[0]} ({pct(blocker[1].p_sole_blocker)})"
            if blocker[1].p_sole_blocker
            else "-",
        )
    out.print(table)
    actors = Table(
        title="P(accept) of the target, P(approve) of veto allies and stakeholders",
        title_justify="left",
    )
    actors.add_column("package")
    names = list(evaluation.offers[0].actors) if evaluation.offers else []
    for name in names:
        role = scenario.actor(name).role
        actors.add_column(f"{name} ({role})", justify="right")
    for o in evaluation.offers:
        actors.add_row(o.name, *(pct(o.actors[n].p_accept, o.actors[n].p_accept_se) for n in names))
    out.print(actors)
    for actor, types in (evaluation.offers[0].types if evaluation.offers else {}).items():
        by_type = Table(title=f"{actor} by type: P(accept)", title_justify="left")
        by_type.add_column("package")
        for type_name, odds in types.items():
            by_type.add_column(f"{type_name} ({pct(odds.weight)})", justify="right")
        for o in evaluation.offers:
            by_type.add_row(o.name, *(pct(v.p_accept) for v in o.types[actor].values()))
        out.print(by_type)


def run_evaluate(
    scenario_name: str,
    offers: list[str] | None,
    sets: list[str] | None,
    samples: int | None,
    seed: int | None,
    as_json: bool,
    dask: str | None = None,
    export: Path | None = None,
    bootstrap: int = 0,
    exact: bool = False,
) -> None:
    if dask is not None:
        require("distributed", "dask", "--dask")
    with user_errors():
        if export is not None:
            try:
                check_export(export)
            except ImportError as exc:
                fail(str(exc))
        scenario = load_scenario(scenario_name)
        chosen: dict[str, dict[str, float | str]] = pick_offers(scenario, offers)
        if sets:
            chosen["custom"] = parse_sets(sets, scenario)
        with working(f"Sampling and evaluating {scenario.name}...", as_json or bootstrap > 0):
            try:
                population = gb.population(scenario, samples, seed, exact)
                if not bootstrap:
                    evaluation = gb.evaluate(population, chosen or None, dask=dask)
            except ImportError as exc:
                if dask is None:
                    raise
                fail(f"--dask needs dask.distributed ({exc}): pip install 'goldenbridge[dask]'")
            except OSError as exc:  # no scheduler at that address
                if dask is None:
                    raise
                fail(f"--dask {dask}: {exc}")
        if bootstrap:
            with progress_bar(as_json, "Evaluating, then bootstrap replicates...") as report:
                evaluation = gb.evaluate(
                    population, chosen or None, dask=dask, bootstrap=bootstrap, progress=report
                )
        document = evaluation.to_dict()
        if export is not None:
            try:
                write_worlds(world_table(population, chosen or None), export)
            except OSError as exc:
                fail(f"--export {export}: cannot write: {exc.strerror or exc}")
            document["export"] = str(export)
    if publish(document, as_json):
        return
    print_evaluation(evaluation, scenario)
    out.print(answer(evaluation), soft_wrap=True)


@app.command()
def evaluate(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    offer: OfferOpt = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", "-s", help="ISSUE=VALUE of a custom offer.")
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    dask: DaskOpt = None,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export",
            metavar="WORLDS.csv|WORLDS.parquet",
            help="Also write each world's inputs and each package's outcome in it "
            "(.parquet needs pyarrow).",
        ),
    ] = None,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Every world of an all-discrete scenario (each uncertain number a choice), "
            "weighted by its probability, instead of a sample: exact numbers, no SEs.",
        ),
    ] = False,
    bootstrap: Annotated[
        int,
        typer.Option(
            "--bootstrap",
            min=0,
            max=1000,
            metavar="B",
            help="Standard errors from B bootstrap replicates of the worlds, including the "
            "error of each ally's own-information threshold (B times the work).",
        ),
    ] = 0,
    as_json: JsonOpt = False,
) -> None:
    """P(accept) per actor, P(deal), P(war) and the proposer's EU of each offer."""
    run_evaluate(scenario, offer, set_, samples, seed, as_json, dask, export, bootstrap, exact)


@app.command()
def demo(
    samples: SamplesOpt = None, seed: SeedOpt = None, dask: DaskOpt = None, as_json: JsonOpt = False
) -> None:
    """Analyse the built-in December 2021 Russia–NATO crisis."""
    run_evaluate("russia-2021", None, None, samples, seed, as_json, dask)
    record = gb.load("russia-2021").library
    if not as_json and record is not None:  # the ICB base rate beside the model (issue 17)
        from goldenbridge.analysis.baserate import base_rate

        r = base_rate(record.attributes, min_cases=20)
        like = ", ".join(f"{k}={v}" for k, v in r.used.items())
        out.print(
            f"Base rate: of {r.n} ICB crises like this one ({like}), {pct(r.p_war.p)} ended in "
            f"full-scale war (95% interval {pct(r.p_war.low)}-{pct(r.p_war.high)}); "
            "`goldenbridge baserate russia-2021` and docs/track-record.md say more.",
            soft_wrap=True,
        )


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a scenario file; print a one-line summary or the first error."""
    with user_errors():
        try:
            s = load_scenario(scenario)
        except InputError as exc:
            if not as_json:
                raise
            emit_json({"valid": False, "error": exc.as_dict()})
            raise typer.Exit(2) from None
    summary = {
        "valid": True,
        "scenario": s.name,
        "issues": len(s.issues),
        "actors": len(s.actors),
        "threats": len(s.threats),
        "offers": list(s.offers),
        "samples": s.samples,
        "seed": s.seed,
    }
    if as_json:
        emit_json(summary)
    else:
        out.print(
            f"ok: {s.name}: {len(s.issues)} issues, {len(s.actors)} actors, "
            f"{len(s.threats)} threats, {len(s.offers)} named offers"
        )


@app.command()
def scenarios(as_json: JsonOpt = False) -> None:
    """List the built-in scenarios."""
    rows = summaries()
    if as_json:
        emit_json({"scenarios": rows})
        return
    table = Table(title="Built-in scenarios", title_justify="left")
    for column in ("name", "issues", "actors", "description"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], str(r["issues"]), str(r["actors"]), r["description"])
    out.print(table)
