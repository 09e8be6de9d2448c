"""Forecasting commands: ``forecast`` (where a many-actor process ends up) and
``backtest`` (how well each model did on recorded outcomes)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.forecast import MODELS
from goldenbridge.cli.common import JsonOpt, app, emit_json, err, fail, out, user_errors

_MODEL_HELP = "compromise | median | nbs | eum | all (repeatable)"


def _models(chosen: list[str] | None) -> tuple[str, ...]:
    names = chosen or ["all"]
    if "all" in names:
        return MODELS
    for m in names:
        if m not in MODELS:
            fail(f"--model {m}: unknown model (known: {', '.join(MODELS)}, all)")
    return tuple(dict.fromkeys(names))


def _num(v: float) -> str:
    return "-" if v != v else f"{v:.2f}"


@app.command()
def forecast(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    model: Annotated[list[str] | None, typer.Option("--model", "-m", help=_MODEL_HELP)] = None,
    rounds: Annotated[
        int,
        typer.Option("--rounds", min=1, max=1000, help="EUM: most rounds (stops when settled)."),
    ] = 10,
    q: Annotated[
        float, typer.Option("--q", min=0, max=1, help="EUM: P(status quo persists), Q.")
    ] = 1.0,
    t: Annotated[
        float | None,
        typer.Option(
            "--t", min=0, max=1, help="EUM: T for every pair (default: the paper's cases; Q < 1)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Predicted outcome per issue: compromise, weighted median, Nash bargaining, EUM."""
    models = _models(model)
    with user_errors():
        s = gb.load(scenario)
        result = gb.forecast(s, models, rounds=rounds, q=q, t=t)
        space = None
        if result.skipped and all(i.discrete for i in s.issues):
            from goldenbridge.analysis.outcome_space import outcome_space

            space = outcome_space(s)
    if as_json:
        document = result.to_dict()
        if space is not None:
            document["outcome_space"] = space.to_dict()
        emit_json(document)
        return
    if result.issues:
        table = Table(title=f"{s.name}: predicted outcome per issue", title_justify="left")
        table.add_column("issue")
        for m in models:
            table.add_column(m, justify="right")
        for issue, preds in result.issues.items():
            table.add_row(issue, *(_num(preds[m]) for m in models))
        out.print(table)
    for issue, log in result.eum.items():
        rounds_table = Table(title=f"EUM on {issue}: positions by round", title_justify="left")
        rounds_table.add_column("actor")
        for k in range(len(log.rounds)):
            rounds_table.add_column(str(k), justify="right")
        names = list(result.eum_rounds[0][issue])
        for a, name in enumerate(names):
            rounds_table.add_row(name, *(f"{r.position[a]:.1f}" for r in log.rounds))
        rounds_table.add_row(
            "[bold]median[/bold]", *(f"{r.median:.2f}" for r in log.rounds), style="bold"
        )
        out.print(rounds_table)
        state = "settled" if log.converged else f"still moving after {rounds} rounds"
        out.print(
            f"EUM ({state}; Q = {q:g}, T = {'by case' if t is None else f'{t:g}'}): "
            f"forecast {log.median:.2f}, "
            f"weighted mean {log.mean:.2f}",
            soft_wrap=True,
        )
    if space is not None:
        doc = space.to_dict()
        out.print(
            f"{doc['n_outcomes']} outcomes, {doc['n_pareto']} on the Pareto frontier "
            f"(parties: {', '.join(space.parties)}).",
            soft_wrap=True,
        )
        for key, title in (("nash", "Nash point"), ("kalai_smorodinsky", "Kalai–Smorodinsky")):
            point = doc[key]
            if point is None:
                out.print(f"{title}: none (no outcome beats every party's no-deal value)")
                continue
            us = ", ".join(f"{p} {u:.3f}" for p, u in point["utilities"].items())
            chosen = "; ".join(f"{k}: {v}" for k, v in point["outcome"].items())
            out.print(f"{title} ({us}): {chosen}", markup=False, soft_wrap=True)
    elif result.skipped:
        out.print(f"discrete issues not forecast: {', '.join(result.skipped)}", soft_wrap=True)


@app.command()
def backtest(
    file: Annotated[Path, typer.Argument(help="A DEU III file (tab-separated, with outcomes).")],
    fmt: Annotated[str, typer.Option("--format", help="deu3 (decide: no outcomes)")] = "deu3",
    capabilities: Annotated[
        str, typer.Option("--capabilities", help="equal | gdp (DEU III's GDP line)")
    ] = "equal",
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="compromise | median | nbs | nbs_rp | eum | blend"),
    ] = None,
    boot: Annotated[int, typer.Option("--boot", min=100, help="Bootstrap resamples.")] = 2000,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Bootstrap and fold seed.")] = 0,
    per_issue: Annotated[
        bool, typer.Option("--per-issue", help="Also each issue's outcome and predictions.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """MAE, median absolute error and a bootstrap 95% interval per model on real outcomes."""
    from goldenbridge.analysis.forecast.backtest import BACKTEST_MODELS
    from goldenbridge.analysis.forecast.backtest import backtest as run
    from goldenbridge.importers.deu3 import read_cases

    if fmt == "decide":
        fail(f"{file}: --format decide: Decide files record no outcomes to backtest against")
    if fmt != "deu3":
        fail(f"--format {fmt}: unknown format (known: deu3)")
    if capabilities not in ("equal", "gdp"):
        fail(f"--capabilities {capabilities}: expected equal or gdp")
    for m in model or []:
        if m not in BACKTEST_MODELS:
            fail(f"--model {m}: unknown model (known: {', '.join(BACKTEST_MODELS)})")
    models = tuple(dict.fromkeys(model)) if model else BACKTEST_MODELS
    with user_errors():
        cases = read_cases(file, capabilities)
        if as_json or not err.is_terminal:
            result = run(cases, models, n_boot=boot, seed=seed)
        else:
            columns = (
                TextColumn("forecasting issues"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=err, transient=True) as bar:
                task = bar.add_task("issues", total=len(cases))
                result = run(
                    cases,
                    models,
                    n_boot=boot,
                    seed=seed,
                    progress=lambda done, total: bar.update(task, completed=done),
                )
    if as_json:
        emit_json(result.to_dict(per_issue))
        return
    if per_issue:
        issues = Table(title="per issue: outcome and predictions", title_justify="left")
        issues.add_column("issue")
        issues.add_column("outcome", justify="right")
        for m in result.models:
            issues.add_column(m, justify="right")
        for k, name in enumerate(result.issues):
            issues.add_row(
                name,
                f"{result.outcomes[k]:g}",
                *(f"{result.predictions[m][k]:.1f}" for m in result.models),
            )
        out.print(issues)
    table = Table(
        title=f"{file.name}: {result.n_issues} issues, capabilities {capabilities}",
        title_justify="left",
    )
    for col in ("model", "MAE", "95% CI", "median AE", "MAE - compromise (95% CI)"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for m, sc in result.models.items():
        diff = result.paired.get(m)
        table.add_row(
            m,
            f"{sc.mae:.2f}",
            f"[{sc.mae_ci[0]:.2f}, {sc.mae_ci[1]:.2f}]",
            f"{sc.median_ae:.2f}",
            "-" if diff is None or m == "compromise" else f"[{diff[0]:+.2f}, {diff[1]:+.2f}]",
        )
    out.print(table)
    if result.blend is not None:
        a, b, c, d = result.blend
        out.print(
            f"blend: scored out of fold (10-fold cross-validation); weights fitted on all "
            f"issues, for reference: compromise {a:.2f}, median {b:.2f}, nbs {c:.2f}, "
            f"reference point {d:.2f}",
            soft_wrap=True,
        )
