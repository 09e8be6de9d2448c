"""The command line: ``goldenbridge ...`` (presentation only: parse, call, format).

Every command takes ``--json`` and then prints exactly one JSON document. Bad
input prints one line ``error: <file>: <field>: <problem>`` on stderr and exits
with code 2.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

import goldenbridge as gb
from goldenbridge.narrative import answer, pct
from goldenbridge.scenario import ScenarioError

app = typer.Typer(
    name="goldenbridge",
    help="Crisis bargaining analysis: would they take the bridge rather than fight?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 132)
err = Console(stderr=True, highlight=False)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document.")]
SamplesOpt = Annotated[
    int | None,
    typer.Option("--samples", "-n", min=1, help="Worlds to sample (default: scenario's)."),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Seed (default: scenario's).")]


def fail(message: str) -> NoReturn:
    """Print one error line and exit with code 2."""
    err.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn domain errors into one line on stderr and exit code 2."""
    try:
        yield
    except ScenarioError as exc:
        fail(exc.one_line())
    except (ValueError, KeyError) as exc:
        fail(str(exc).strip("'\""))


def emit_json(document: dict[str, Any]) -> None:
    """Print exactly one JSON document on stdout."""
    sys.stdout.write(json.dumps(document, indent=2, allow_nan=False) + "\n")


@contextmanager
def working(message: str, quiet: bool) -> Iterator[None]:
    """A spinner on stderr while something runs (none in --json mode)."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def parse_sets(sets: list[str]) -> dict[str, float | str]:
    """``ISSUE=VALUE`` pairs into an offer; numbers become floats, the rest option names."""
    offer: dict[str, float | str] = {}
    for item in sets:
        issue, sep, value = item.partition("=")
        if not sep or not issue:
            fail(f"--set {item}: expected ISSUE=VALUE")
        try:
            offer[issue.strip()] = float(value)
        except ValueError:
            offer[issue.strip()] = value.strip()
    return offer


def version_callback(value: bool) -> None:
    if value:
        out.print(f"goldenbridge {gb.__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=version_callback, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Crisis bargaining analysis: would they take the bridge rather than fight?"""


def print_evaluation(evaluation: gb.Evaluation, scenario: gb.Scenario) -> None:
    """Rich tables for an evaluation: one row per offer, then per-actor odds."""
    out.print(
        f"[bold]{scenario.name}[/bold]: {evaluation.samples:,} sampled worlds, seed "
        f"{evaluation.seed}. Values are estimates ± one Monte Carlo standard error.",
        soft_wrap=True,
    )
    table = Table(title="Packages", title_justify="left")
    table.add_column("package")
    table.add_column(f"P({evaluation.target} accepts)", justify="right")
    table.add_column("P(deal)", justify="right")
    table.add_column("P(war)", justify="right")
    table.add_column(f"{evaluation.proposer} EU", justify="right")
    table.add_column("main blocker")
    for o in evaluation.offers:
        t = o.actors[evaluation.target]
        blocker = max(o.actors.items(), key=lambda kv: kv[1].p_sole_blocker)
        table.add_row(
            o.name,
            pct(t.p_accept, t.se),
            pct(o.p_deal, o.p_deal_se),
            pct(o.p_war, o.p_war_se),
            f"{o.proposer_eu:.3f} ± {o.proposer_eu_se:.3f}",
            f"{blocker[0]} ({pct(blocker[1].p_sole_blocker)})"
            if blocker[1].p_sole_blocker
            else "-",
        )
    out.print(table)
    actors = Table(title="P(accept) by actor", title_justify="left")
    actors.add_column("package")
    names = list(evaluation.offers[0].actors) if evaluation.offers else []
    for name in names:
        role = scenario.actor(name).role
        actors.add_column(f"{name} ({role})", justify="right")
    for o in evaluation.offers:
        actors.add_row(o.name, *(pct(o.actors[n].p_accept, o.actors[n].se) for n in names))
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
) -> None:
    with user_errors():
        scenario = gb.load(scenario_name)
        chosen: dict[str, dict[str, float | str]] = {}
        for name in offers or []:
            if name not in scenario.offers:
                known = ", ".join(scenario.offers) or "none"
                fail(f"{scenario_name}: --offer {name}: no such offer (named offers: {known})")
            chosen[name] = dict(scenario.offers[name])
        if sets:
            chosen["custom"] = parse_sets(sets)
        with working(f"Sampling and evaluating {scenario.name}...", as_json):
            evaluation = gb.evaluate(scenario, chosen or None, samples=samples, seed=seed)
    if as_json:
        emit_json(evaluation.to_dict())
        return
    print_evaluation(evaluation, scenario)
    out.print(answer(evaluation), soft_wrap=True)


@app.command()
def evaluate(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    offer: Annotated[
        list[str] | None, typer.Option("--offer", "-o", help="A named offer (repeatable).")
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", "-s", help="ISSUE=VALUE of a custom offer.")
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """P(accept) per actor, P(deal), P(war) and the proposer's EU of each offer."""
    run_evaluate(scenario, offer, set_, samples, seed, as_json)


@app.command()
def demo(samples: SamplesOpt = None, seed: SeedOpt = None, as_json: JsonOpt = False) -> None:
    """Analyse the built-in December 2021 Russia–NATO crisis."""
    run_evaluate("russia-2021", None, None, samples, seed, as_json)


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a scenario file; print a one-line summary or the first error."""
    with user_errors():
        s = gb.load(scenario)
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
    rows = []
    for name in gb.builtin_names():
        s = gb.load(name)
        rows.append(
            {
                "name": name,
                "description": s.description or "",
                "issues": len(s.issues),
                "actors": len(s.actors),
            }
        )
    if as_json:
        emit_json({"scenarios": rows})
        return
    table = Table(title="Built-in scenarios", title_justify="left")
    for column in ("name", "issues", "actors", "description"):
        table.add_column(column)
    for r in rows:
        table.add_row(r["name"], str(r["issues"]), str(r["actors"]), r["description"])
    out.print(table)


if __name__ == "__main__":  # pragma: no cover
    app()
