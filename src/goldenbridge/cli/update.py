"""``goldenbridge update``: what should we believe, and offer, after what we saw?"""

from __future__ import annotations

import warnings
from typing import Annotated

import typer
from rich.table import Table

import goldenbridge as gb
from goldenbridge.analysis.update.posterior import DegeneracyWarning, Summary
from goldenbridge.cli.common import (
    JsonOpt,
    OfferOpt,
    SamplesOpt,
    SeedOpt,
    app,
    err,
    fail,
    load_scenario,
    out,
    pick_offers,
    publish,
    stage_progress,
    user_errors,
)
from goldenbridge.report.narrative import pct
from goldenbridge.scenario import ScenarioError


def _interval(s: Summary) -> str:
    return f"{s.mean:.3g} [{s.q05:.3g}, {s.q95:.3g}]"


def print_posterior(post: gb.Posterior, prior: gb.Evaluation, after: gb.Evaluation) -> None:
    """Rich tables: observations, ESS, types, key quantities, offers before and after."""
    target = post.prior.scenario.target.name
    out.print(
        f"[bold]{post.prior.scenario.name}[/bold]: {post.prior.n:,} sampled worlds, seed "
        f"{post.prior.seed}, updated on {len(post.evidence)} observation"
        + ("" if len(post.evidence) == 1 else "s")
        + ".",
        soft_wrap=True,
    )
    seen = Table(title="Observations", title_justify="left")
    for column in ("#", "observation", "date", "noise", "read by", "P(it | earlier ones)"):
        seen.add_column(column, justify="right" if column in ("#", "noise") else "left")
    for k, e in enumerate(post.evidence):
        name = e.description + (f" ({e.label})" if e.label else "")
        seen.add_row(
            str(k), name, e.date or "", f"{e.noise:g}", f"{e.model} model", pct(e.probability)
        )
    out.print(seen)
    if any(e.model != "static" or "rejected" in e.description for e in post.evidence):
        how = {
            "context": "a rejection during talks (context: talks) is read with the dynamic "
            "model, any other with the static one",
            "static": "every rejection is read with the static model (--reading static)",
            "dynamic": "every rejection is read with the dynamic model (--reading dynamic)",
        }[post.reading]
        out.print(f"Reading: {how}.", soft_wrap=True)
    other = post.other_reading
    if other is not None:
        if other["p_fight"] is None:
            out.print(
                f"The {other['reading']} reading cannot read these observations: {other['note']}.",
                soft_wrap=True,
            )
        else:
            out.print(
                f"The {other['reading']} reading disagrees by more than 10 points: "
                f"P({target} prefers war to the status quo) {pct(post.p_fight[1])} here, "
                f"{pct(other['p_fight'])} under the {other['reading']} model.",
                soft_wrap=True,
            )
    out.print(
        f"Effective sample size (Kish): {post.ess:,.0f} of {post.prior.n:,} worlds "
        f"({post.ess_fraction:.1%})"
        + (f"; resampled: {post.resampling['method']}" if post.resampling else ""),
        soft_wrap=True,
    )
    beliefs = Table(title="Beliefs: prior -> posterior", title_justify="left")
    beliefs.add_column("quantity")
    beliefs.add_column("prior", justify="right")
    beliefs.add_column("posterior", justify="right")
    for actor, types in post.types.items():
        for name, (p, q) in types.items():
            beliefs.add_row(f"P({actor} is {name})", pct(p), pct(q))
    beliefs.add_row(f"P({target} prefers war to the status quo)", *map(pct, post.p_fight))
    out.print(beliefs)
    moved = Table(
        title="Quantities that moved most: mean [5%, 95%]", title_justify="left", min_width=60
    )
    moved.add_column("quantity", overflow="fold")
    moved.add_column("given", overflow="fold")
    moved.add_column("prior", justify="right")
    moved.add_column("posterior", justify="right")
    moved.add_column("shift (prior sd)", justify="right")
    for change in post.moved(8):
        moved.add_row(
            change.path,
            change.condition or "",
            _interval(change.prior),
            _interval(change.posterior),
            f"{change.shift:+.2f}",
        )
    out.print(moved)
    offers = Table(title="Packages: prior -> posterior", title_justify="left")
    offers.add_column("package")
    offers.add_column("P(deal)", justify="right")
    offers.add_column("P(war)", justify="right")
    offers.add_column(f"{after.proposer} EU", justify="right")
    for a, b in zip(prior.offers, after.offers, strict=True):
        offers.add_row(
            a.name,
            f"{pct(a.p_deal)} -> {pct(b.p_deal, b.p_deal_se)}",
            f"{pct(a.p_war)} -> {pct(b.p_war, b.p_war_se)}",
            f"{a.proposer_eu:.4f} -> {b.proposer_eu:.4f} ± {b.proposer_eu_se:.4f}",
        )
    out.print(offers)
    best_before, best_after = prior.best, after.best
    line = f"Best named package before: '{best_before.name}'; after: '{best_after.name}'"
    out.print(
        line + f" (P(deal) {pct(best_after.p_deal)}, P(war) {pct(best_after.p_war)}, "
        f"{after.proposer} EU {best_after.proposer_eu:.4f}).",
        soft_wrap=True,
    )


@app.command()
def update(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    observe: Annotated[
        str, typer.Option("--observe", help="YAML/JSON file of observations.", show_default=False)
    ],
    offer: OfferOpt = None,
    noise: Annotated[
        float | None,
        typer.Option(min=0, help="Logit noise in utility units (default: the file's, else 0)."),
    ] = None,
    resample: Annotated[
        bool, typer.Option("--resample", help="Resample to equally weighted worlds.")
    ] = False,
    rejuvenate: Annotated[
        int, typer.Option(min=0, help="Metropolis-Hastings moves after resampling.")
    ] = 0,
    optimize: Annotated[
        bool,
        typer.Option("--optimize", help="Also search for the best offer on the posterior."),
    ] = False,
    min_ess: Annotated[
        float, typer.Option(min=0, max=1, help="Warn when ESS / N falls below this.")
    ] = 0.1,
    reading: Annotated[
        str,
        typer.Option(
            "--reading",
            help="How rejections are read: context (talks -> dynamic), static or dynamic.",
        ),
    ] = "context",
    compare_readings: Annotated[
        bool,
        typer.Option(
            "--compare-readings/--no-compare-readings",
            help=(
                "Also read the rejections the other way (static <-> dynamic) and say so when "
                "P(war) differs by more than 10 points; the dynamic reading solves the talks "
                "game (about a minute at 100 000 worlds)."
            ),
        ),
    ] = True,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Bayesian update on observations: beliefs, ESS, and the named offers on the posterior."""
    if reading not in ("context", "static", "dynamic"):
        fail(f"--reading {reading}: expected context, static or dynamic")
    with user_errors():
        s = load_scenario(scenario)
        observations = gb.load_observations(observe)
        chosen = pick_offers(s, offer) or None
        with (
            stage_progress(as_json, f"{s.name}: sampling the worlds") as progress,
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore", DegeneracyWarning)
            prior = gb.population(s, samples, seed)
            try:
                post = gb.update(
                    prior,
                    observations,
                    noise=noise,
                    resample=resample,
                    rejuvenate=rejuvenate,
                    min_ess_fraction=min_ess,
                    reading=reading,
                    compare_readings=compare_readings,
                    progress=progress,
                )
            except ScenarioError as exc:
                raise exc.with_file(observe) from None
            if progress is not None:
                progress("the offers before and after", 0, 1)
            before = gb.evaluate(prior, chosen)
            after = gb.evaluate(post, chosen)
        found = None
        if optimize:
            with (
                stage_progress(as_json, "the best offer on the posterior") as progress,
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore", DegeneracyWarning)
                found = gb.optimize(post, solutions=False, progress=progress)
    for note in post.warnings:
        err.print(f"warning: {note}", markup=False, soft_wrap=True)
    document = post.to_dict()
    document["offers"] = {
        "prior": [o.to_dict() for o in before.offers],
        "posterior": [o.to_dict() for o in after.offers],
    }
    document["best"] = {"prior": before.best.name, "posterior": after.best.name}
    document["optimize"] = found.to_dict() if found is not None else None
    if publish(document, as_json):
        return
    print_posterior(post, before, after)
    if found is not None:
        o, fresh = found.optimum, found.optimum_fresh
        values = ", ".join(
            f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in o.values.items()
        )
        out.print(
            f"Best offer on the posterior (risk-return optimum, {found.method}): {values}: "
            f"P(deal) {pct(o.p_deal)}, P(war) {pct(o.p_war)}, {after.proposer} EU "
            f"{o.proposer_eu:.4f} ({fresh.proposer_eu:.4f} on an independent draw, seed "
            f"{found.fresh_seed}).",
            soft_wrap=True,
        )
