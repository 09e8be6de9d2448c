"""``goldenbridge sensitivity``: which assumption decides the answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.sensitivity import FLIP_BY, REOPTIMISE
from goldenbridge.cli.common import (
    DaskOpt,
    JsonOpt,
    SamplesOpt,
    SeedOpt,
    app,
    err,
    fail,
    load_scenario,
    out,
    parse_sets,
    pick_offers,
    plot_dir,
    publish,
    require,
    user_errors,
    writing_plots,
)
from goldenbridge.report.narrative import pct

_WHAT = {"p_war": "P(war)", "p_deal": "P(deal)", "proposer_eu": "proposer EU"}


@contextmanager
def stages(quiet: bool) -> Iterator[object]:
    """A rich progress bar per stage on stderr; yields the ``progress`` callback."""
    if quiet or not err.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description:<20}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield progress


def _pm(value: float | None, conf: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f} ± {conf:.3f}" if conf is not None else f"{value:.3f}"


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.3g}"


def _out(result: gb.Sensitivity, value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if result.output == "proposer_eu" else pct(value)


def _offer(values: dict[str, Any] | None) -> str:
    if not values:
        return "-"
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items()
    )


def print_global(result: gb.Sensitivity, top: int) -> None:
    """The ranked Sobol' (or Morris) table."""
    what = _WHAT[result.output]
    indicator = {"p_war": "war indicator", "p_deal": "deal indicator"}.get(
        result.output, "proposer's payoff"
    )
    a = result.attribution
    if a is not None:
        table = Table(
            title=f"Sobol' indices of the per-world {indicator} of the {result.offer_name} "
            f"offer over {a.runs:,} worlds (± 95% bootstrap half-width)",
            title_justify="left",
        )
        table.add_column("#", justify="right")
        table.add_column("factor")
        table.add_column("first order S1", justify="right")
        table.add_column("total ST", justify="right")
        for rank, f in enumerate(a.factors[:top], 1):
            table.add_row(str(rank), f.name, _pm(f.S1, f.S1_conf), _pm(f.ST, f.ST_conf))
        out.print(table)
        if a.variance == 0.0:
            out.print(f"The {indicator} of this offer is the same in every world: no index.")
        return
    table = Table(
        title=f"Morris screening of the assumptions ({what}, offer held fixed)",
        title_justify="left",
    )
    for column in ("#", "assumption", "mu*", "mu", "sigma"):
        table.add_column(column, justify="left" if column == "assumption" else "right")
    for rank, r in enumerate(result.screening[:top], 1):
        table.add_row(
            str(rank), r.name, _pm(r.mu_star, r.mu_star_conf), f"{r.mu:.3f}", f"{r.sigma:.3f}"
        )
    out.print(table)


def print_robustness(result: gb.Sensitivity, top: int) -> None:
    """Each assumption at the ends of its range, then the structural switches."""
    what = _WHAT[result.output]
    again = "re-optimised" if result.reoptimised else "offer fixed"
    table = Table(
        title=f"Robustness: each assumption over its 90% range, {what} of the "
        f"{result.offer_name} offer ({again}), widest swing first",
        title_justify="left",
    )
    columns = ["assumption", "as written", "range", what, "offer at the ends"]
    if result.reoptimised:
        columns.append(f"{what}, offer fixed")
    for column in columns:
        table.add_column(column, justify="left" if column in ("assumption",) else "right")
    for r in result.rows[:top]:
        a = r.assumption
        cells = [
            a.name + ("" if r.reoptimised or not result.reoptimised else " *"),
            _num(a.baseline),
            f"{_num(a.low)} .. {_num(a.high)}",
            f"{_out(result, r.low.measure(result.output))} .. "
            f"{_out(result, r.high.measure(result.output))}",
            f"{_offer(r.low.values)} .. {_offer(r.high.values)}" if r.reoptimised else "as written",
        ]
        if result.reoptimised:
            cells.append(f"{_out(result, r.fixed[0])} .. {_out(result, r.fixed[1])}")
        table.add_row(*cells)
    out.print(table)
    if result.reoptimised and any(not r.reoptimised for r in result.rows):
        out.print("* screened with the offer held fixed, not re-optimised (--reoptimise N or all).")
    if result.switches:
        table = Table(
            title=f"Structural switches: the {result.offer_name} offer and its {what} "
            f"under the other setting ({_out(result, result.baseline.measure(result.output))} "
            "as written)",
            title_justify="left",
        )
        for column in ("switch", "as written", "other", "offer", what, "P(deal)"):
            table.add_column(column, justify="left" if column != what else "right")
        for s in result.switches:
            inert = s.note is not None
            table.add_row(
                s.name + (" †" if inert else ""),
                s.as_written,
                s.other,
                "unchanged" if inert else _offer(s.answer.values),
                _out(result, s.answer.measure(result.output)),
                pct(s.answer.p_deal),
            )
        out.print(table)
        for s in result.switches:
            if s.note is not None:
                out.print(f"† {s.name}: {s.note}.", soft_wrap=True)


def print_flips(result: gb.Sensitivity, top: int) -> None:
    """Assumptions that move the answer by the flip size within their range."""
    what = _WHAT[result.output]
    size = (
        f"{100 * result.flip_by:.0f} points"
        if result.output != "proposer_eu"
        else (f"{result.flip_by:.3g}")
    )
    table = Table(
        title=f"Decision flips: the smallest change that moves {what} by {size}",
        title_justify="left",
    )
    for column in ("assumption", "as written", "moves when", what, "offer there"):
        table.add_column(column, justify="left" if column == "assumption" else "right")
    shown = [f for f in result.flips if f.threshold is not None]
    for f in shown[:top]:
        table.add_row(
            f.factor,
            _num(f.baseline),
            f"{f.direction} {_num(f.threshold)}",
            _out(result, f.value),
            _offer(f.offer),
        )
    if shown:
        out.print(table)
    quiet = len(result.flips) - len(shown)
    if quiet:
        out.print(f"{quiet} other assumption(s): no flip within the stated range.")


def print_voi(result: gb.Sensitivity) -> None:
    """The value of learning each input before choosing the offer."""
    table = Table(
        title="Value of information: the proposer's expected gain from learning before "
        f"choosing (recommended offer: P(war) {pct(result.baseline.p_war)})",
        title_justify="left",
    )
    table.add_column("learn")
    table.add_column("gain in EU", justify="right")
    table.add_column("P(war) then", justify="right")
    table.add_column("then offer")
    for i in result.information:
        plan = sorted(set(i.choices.values()))
        table.add_row(i.name, f"{i.value:.4f}", pct(i.p_war), ", ".join(plan) if plan else "-")
    out.print(table)


def print_sensitivity(result: gb.Sensitivity, top: int) -> None:
    """Headline, notes, then each computed part."""
    b = result.baseline
    out.print(
        f"[bold]{result.scenario}[/bold]: {result.offer_name} offer {_offer(b.values)} "
        f"(P(war) {pct(b.p_war)}, P(deal) {pct(b.p_deal)}, proposer EU {b.proposer_eu:.3f}). "
        f"{result.samples:,} worlds per run, seed {result.seed}.",
        soft_wrap=True,
    )
    if result.headline:
        out.print(f"[bold]{result.headline}[/bold]", soft_wrap=True)
    for note in result.notes:
        out.print(f"Note: {note}", soft_wrap=True)
    if "global" in result.parts:
        print_global(result, top)
    if "robustness" in result.parts:
        print_robustness(result, top)
    if "flips" in result.parts:
        print_flips(result, top)
    if "voi" in result.parts:
        print_voi(result)


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    offer: Annotated[
        list[str] | None,
        typer.Option(
            "--offer",
            "-o",
            help="A named offer held fixed (repeatable; default: the recommended offer, "
            "re-optimised under each change).",
        ),
    ] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", "-s", help="ISSUE=VALUE of a custom offer.")
    ] = None,
    output: Annotated[
        str,
        typer.Option("--output", help="The measure of the answer: p_war, p_deal or proposer_eu."),
    ] = "p_war",
    method: Annotated[
        str,
        typer.Option(
            "--method", help="sobol (indices of world-level inputs) or morris (assumptions)."
        ),
    ] = "sobol",
    base_sample: Annotated[
        int,
        typer.Option(
            "--base-sample", min=2, help="Saltelli's base sample for Sobol' (a power of 2)."
        ),
    ] = 1024,
    trajectories: Annotated[
        int, typer.Option("--trajectories", min=2, help="Morris trajectories.")
    ] = 10,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    reoptimise: Annotated[
        str,
        typer.Option(
            "--reoptimise",
            help="How many assumptions (the widest when screened) to re-optimise, or 'all'.",
        ),
    ] = str(REOPTIMISE),
    flip_by: Annotated[
        float, typer.Option("--flip-by", help="How far the measure must move for a flip.")
    ] = FLIP_BY,
    evppi: Annotated[
        list[str] | None,
        typer.Option("--evppi", help="An input to value information on (repeatable)."),
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", help="Engine: auto, numpy or numba (Dask: --dask).")
    ] = "auto",
    dask: DaskOpt = None,
    parts: Annotated[
        str,
        typer.Option("--parts", help="Comma-separated: global, robustness, flips, voi."),
    ] = ",".join(gb.SENSITIVITY_PARTS),
    observe: Annotated[
        str | None,
        typer.Option(
            "--observe",
            help="YAML/JSON file of observations: every answer on the worlds updated on them.",
            show_default=False,
        ),
    ] = None,
    reading: Annotated[
        str,
        typer.Option(
            "--reading",
            help="How observed rejections are read: context (talks -> dynamic), static or dynamic.",
        ),
    ] = "context",
    top: Annotated[int, typer.Option("--top", min=1, help="Rows per table.")] = 15,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="DIR", help="Write tornado.png and indices.png here."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Which assumption decides the answer: the recommended offer's P(war), re-optimised
    under each assumption's range and each structural switch; Sobol' indices, flips, VOI."""
    if backend not in ("auto", "numpy", "numba"):
        fail(
            f"--backend {backend}: expected auto, numpy or numba (Dask: --dask)", field="--backend"
        )
    wanted = [p.strip() for p in parts.split(",") if p.strip()]
    if "global" in wanted:
        require("SALib", "sensitivity", "sensitivity's global part (--parts global)")
    if dask is not None:
        require("distributed", "dask", "--dask")
    folder = plot_dir(plot)
    if reoptimise.strip().lower() == "all":
        count: int | None = None
    elif reoptimise.strip().isdigit():
        count = int(reoptimise)
    else:
        fail(f"--reoptimise {reoptimise}: expected a count or 'all'", field="--reoptimise")
    if reading not in ("context", "static", "dynamic"):
        fail(f"--reading {reading}: expected context, static or dynamic", field="--reading")
    results = []
    with user_errors():
        s = load_scenario(scenario)
        observations = gb.load_observations(observe) if observe is not None else None
        if offer and set_:
            fail("give --offer or --set, not both")
        choices: list[Any] = (
            [parse_sets(set_, s)] if set_ else list(pick_offers(s, offer)) if offer else [None]
        )
        for chosen in choices:
            with stages(as_json) as progress:
                results.append(
                    gb.sensitivity(
                        s,
                        chosen,
                        output=output,  # type: ignore[arg-type]
                        method=method,
                        n=base_sample,
                        trajectories=trajectories,
                        samples=samples,
                        seed=seed,
                        reoptimise=count,
                        flip_by=flip_by,
                        evppi=evppi,
                        parts=wanted,
                        backend="dask" if dask is not None else backend,
                        dask=dask,
                        progress=progress,  # type: ignore[arg-type]
                        observations=observations,
                        reading=reading,
                    )
                )
    if folder is not None:
        from goldenbridge.report.plots_sensitivity import save_all

        with writing_plots(folder):
            for result in results:
                written = save_all(result, folder)
                if not as_json:
                    out.print("Wrote " + ", ".join(str(p) for p in written))
    documents = [r.to_dict() for r in results]
    if publish(documents[0] if len(documents) == 1 else {"results": documents}, as_json):
        return
    for result in results:
        print_sensitivity(result, top)
