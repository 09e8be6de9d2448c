"""``goldenbridge sensitivity``: which assumption decides the answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

import goldenbridge as gb
from goldenbridge.cli.common import (
    JsonOpt,
    SamplesOpt,
    SeedOpt,
    app,
    emit_json,
    err,
    fail,
    out,
    parse_sets,
    user_errors,
)


@contextmanager
def stages(quiet: bool) -> Iterator[object]:
    """A rich progress bar per stage on stderr; yields the ``progress`` callback."""
    if quiet or not err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def _pm(value: float | None, conf: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} ± {conf:.3f}" if conf is not None else f"{value:.3f}"


def print_sensitivity(result: gb.Sensitivity) -> None:
    """The ranked Sobol' table."""
    a = result.attribution
    what = "P(deal)" if result.output == "p_deal" else "proposer EU"
    out.print(
        f"[bold]{result.scenario}[/bold]: offer '{result.offer_name}', {what} "
        f"{a.mean:.3f} over {a.runs:,} worlds (Saltelli base sample {a.base_samples}), "
        f"seed {result.seed}.",
        soft_wrap=True,
    )
    table = Table(
        title=f"Sobol' indices of the per-world {what} (± 95% bootstrap half-width)",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("factor")
    table.add_column("first order S1", justify="right")
    table.add_column("total ST", justify="right")
    for rank, f in enumerate(a.factors, 1):
        table.add_row(str(rank), f.name, _pm(f.S1, f.S1_conf), _pm(f.ST, f.ST_conf))
    out.print(table)
    if a.variance == 0.0:
        out.print(f"The {what} of this offer is the same in every world: no index is defined.")


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    offer: Annotated[
        str | None,
        typer.Option("--offer", "-o", help="A named offer (default: the recommended one)."),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", "-s", help="ISSUE=VALUE of a custom offer.")
    ] = None,
    output: Annotated[
        str, typer.Option("--output", help="What to explain: p_deal or proposer_eu.")
    ] = "p_deal",
    method: Annotated[str, typer.Option("--method", help="sobol.")] = "sobol",
    n: Annotated[
        int, typer.Option("--n", min=2, help="Saltelli's base sample (a power of 2).")
    ] = 4096,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Which assumption decides the answer: Sobol' indices for one offer."""
    with user_errors():
        s = gb.load(scenario)
        if offer is not None and set_:
            fail("give --offer or --set, not both")
        chosen = parse_sets(set_) if set_ else offer
        with stages(as_json) as progress:
            result = gb.sensitivity(
                s,
                chosen,
                output=output,  # type: ignore[arg-type]
                method=method,
                n=n,
                samples=samples,
                seed=seed,
                progress=progress,  # type: ignore[arg-type]
            )
    if as_json:
        emit_json(result.to_dict())
        return
    print_sensitivity(result)
