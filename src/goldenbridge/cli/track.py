"""Track-record commands: baserate (ICB reference classes) and hindcast (library cases scored)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

import goldenbridge as gb
from goldenbridge.cli.common import (
    JsonOpt,
    SamplesOpt,
    app,
    emit_json,
    err,
    fail,
    out,
    user_errors,
    working,
)
from goldenbridge.report.narrative import pct


def _need_matplotlib() -> None:
    if importlib.util.find_spec("matplotlib") is None:
        fail("--plot needs matplotlib: pip install 'goldenbridge[plots]'")


def _attributes(args: list[str]) -> tuple[dict[str, str], int | None, str]:
    """A library scenario's attributes (and its ICB crisis, left out), or KEY=VALUE pairs."""
    if len(args) == 1 and "=" not in args[0]:
        s = gb.load(args[0])
        if s.library is None or not s.library.attributes:
            fail(f"{args[0]}: library.attributes: missing (give KEY=VALUE attributes instead)")
        return dict(s.library.attributes), s.library.icb, s.name  # type: ignore[arg-type]
    pairs: dict[str, str] = {}
    for item in args:
        key, sep, value = item.partition("=")
        if not sep or not key:
            fail(f"{item}: expected a library scenario or KEY=VALUE attributes")
        pairs[key.strip()] = value.strip()
    return pairs, None, "attributes"


@app.command()
def baserate(
    what: Annotated[
        list[str],
        typer.Argument(
            help="A library scenario (its library.attributes) or KEY=VALUE attributes: "
            "great_power=true|false gravity=political|territorial|influence|grave|existence|... "
            "territorial=true|false power_discrepancy=low|medium|high."
        ),
    ],
    min_cases: Annotated[
        int, typer.Option("--min-cases", min=0, help="Relax attributes until this many crises.")
    ] = 0,
    exact: Annotated[
        bool, typer.Option("--exact", help="Clopper-Pearson intervals (default Wilson).")
    ] = False,
    cv: Annotated[
        bool,
        typer.Option("--cv", help="Also cross-validate the logistic model against the rates."),
    ] = False,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="With --cv: write icb-logit-reliability.png here."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Empirical P(full-scale war), P(violence), P(agreement) of an ICB v14 reference class,
    and a logistic model's forecast for the same attributes."""
    if plot is not None:
        _need_matplotlib()
        if not cv:
            fail("--plot: needs --cv (the plot is the cross-validated model's reliability)")
    from goldenbridge.analysis.baserate import base_rate  # lazy: every command imports cli/
    from goldenbridge.analysis.baserate_logit import cross_validate, fit_icb  # (scipy.optimize)

    with user_errors():
        attributes, icb, label = _attributes(what)
        rate = base_rate(
            attributes,
            exclude=[icb] if icb else [],
            min_cases=min_cases,
            method="exact" if exact else "wilson",
        )
        logistic = fit_icb(exclude=[icb] if icb else []).predict_attributes(attributes)
        with working("Cross-validating the logistic model...", as_json or not cv):
            validation = cross_validate() if cv else None
    if plot is not None and validation is not None:
        from goldenbridge.report.plots_track import logit_reliability

        path = logit_reliability(
            validation.p_war, validation.war, Path(plot) / "icb-logit-reliability.png"
        )
        if not as_json:
            out.print(f"Wrote {path}")
    if as_json:
        document = {"what": label, **rate.to_dict()}
        document["logistic"] = {f"p_{k}": v for k, v in logistic.items()}
        if validation is not None:
            document["cv"] = validation.to_dict()
        emit_json(document)
        return
    used = ", ".join(f"{k}={v}" for k, v in rate.used.items()) or "all crises"
    out.print(
        f"[bold]{label}[/bold]: ICB v14 crises with {used}: n = {rate.n}"
        + (f" (own crisis {icb} left out)" if icb else "")
        + (f"; relaxed {', '.join(rate.relaxed)}" if rate.relaxed else ""),
        soft_wrap=True,
    )
    table = Table(
        title=f"Base rates ({rate.method}, {rate.level:.0%} interval)", title_justify="left"
    )
    for column in ("outcome", "k", "rate", "interval", "codebook"):
        table.add_column(column)
    rows = [
        ("full-scale war", rate.p_war, "VIOL = 4"),
        ("any violence", rate.p_violence, "VIOL >= 2"),
        ("agreement", rate.p_agreement, "FOROUT in {1, 2}"),
        ("-> deal", rate.outcomes["deal"], "agreement, short of war"),
        ("-> deterred", rate.outcomes["deterred"], "neither"),
        ("-> war", rate.outcomes["war"], "VIOL = 4"),
    ]
    for name, r, code in rows:
        table.add_row(name, str(r.k), pct(r.p), f"{pct(r.low)} .. {pct(r.high)}", code)
    out.print(table)
    out.print(
        "Logistic model on all ICB crises"
        + (f" but {icb}" if icb else "")
        + ": "
        + ", ".join(f"P({k}) {pct(v)}" for k, v in logistic.items()),
        soft_wrap=True,
    )
    if validation is not None:
        scores = Table(
            title=f"{validation.folds}-fold cross-validation on {validation.n} ICB crises",
            title_justify="left",
        )
        for column in ("forecaster", "Brier (lower better)", "log score (higher better)"):
            scores.add_column(column)
        for name in ("logistic", "reference_class", "overall"):
            scores.add_row(
                name, f"{validation.brier[name]:.4f}", f"{validation.log_score[name]:.4f}"
            )
        out.print(scores)


@app.command()
def hindcast(
    case: Annotated[
        list[str] | None, typer.Option("--case", "-c", help="A library case (repeatable).")
    ] = None,
    samples: SamplesOpt = None,
    informed: Annotated[
        bool,
        typer.Option("--informed", help="Run every case with information: informed (issue 13)."),
    ] = False,
    plot: Annotated[
        str | None,
        typer.Option("--plot", help="Write hindcast-reliability.png and hindcast-cases.png here."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """The model's P(deal/deterred/war) for the offer made in each library case, scored."""
    if plot is not None:
        _need_matplotlib()
    from goldenbridge.analysis.hindcast import hindcast as run_hindcast  # lazy, as above
    from goldenbridge.analysis.hindcast import library_names

    with user_errors():
        library = library_names()
        names = case or library
        unknown = [n for n in names if n not in library]
        if unknown:
            fail(f"--case {unknown[0]}: not a library case ({', '.join(library)})")
        if not as_json and err.is_terminal:
            from rich.progress import Progress

            with Progress(console=err, transient=True) as bar:
                task = bar.add_task("hindcast", total=len(names))
                result = run_hindcast(
                    names,
                    samples=samples,
                    information="informed" if informed else None,
                    progress=lambda name: bar.update(task, description=name, advance=1),
                )
        else:
            result = run_hindcast(
                names, samples=samples, information="informed" if informed else None
            )
    if plot is not None:
        from goldenbridge.report.plots_track import hindcast_plots

        written = hindcast_plots(result, plot)
        if not as_json:
            out.print("Wrote " + ", ".join(str(p) for p in written))
    if as_json:
        emit_json(result.to_dict())
        return
    table = Table(title="Hindcast: the offer actually made", title_justify="left")
    for column in (
        "case",
        "cut-off",
        "offer",
        "P(deal)",
        "P(deterred)",
        "P(war)",
        "happened",
        "Brier",
        "log",
        "ICB base rate (n)",
    ):
        table.add_column(column)
    for c in result.cases:
        base = " / ".join(pct(c.base_rate[k]) for k in ("deal", "deterred", "war"))
        table.add_row(
            c.name,
            c.date,
            c.offer,
            pct(c.forecast["deal"]),
            pct(c.forecast["deterred"]),
            pct(c.forecast["war"]),
            c.outcome,
            f"{c.brier:.3f}",
            f"{c.log_score:.2f}",
            f"{base} ({c.base_rate_n})",
        )
    out.print(table)
    scores = Table(
        title="Mean scores (Brier 0..2 lower better; log score higher better)", title_justify="left"
    )
    for column in (
        "forecaster",
        "Brier",
        "log score",
        "model - it: Brier [95%]",
        "model - it: log [95%]",
    ):
        scores.add_column(column)
    scores.add_row("model", f"{result.brier:.3f}", f"{result.log_score:.3f}", "", "")
    for name, label in (("base_rate", "ICB base rate"), ("constant", "uniform 1/3")):
        b, lg = result.differences[name]["brier"], result.differences[name]["log_score"]
        scores.add_row(
            label,
            f"{result.baselines[name]['brier']:.3f}",
            f"{result.baselines[name]['log_score']:.3f}",
            f"{b.mean:+.3f} [{b.low:+.3f}, {b.high:+.3f}]",
            f"{lg.mean:+.3f} [{lg.low:+.3f}, {lg.high:+.3f}]",
        )
    out.print(scores)
    out.print(
        f"{len(result.cases)} cases: differences this wide are what n this small can show "
        "(docs/track-record.md).",
        soft_wrap=True,
    )
