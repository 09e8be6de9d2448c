"""``goldenbridge report``: one self-contained HTML brief (optionally PDF) of a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from goldenbridge.cli.common import (
    JsonOpt,
    SamplesOpt,
    SeedOpt,
    app,
    fail,
    out,
    publish,
    stage_progress,
    user_errors,
)


@app.command()
def report(
    scenario: Annotated[str, typer.Argument(help="Built-in name or a YAML/JSON file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")] = Path(
        "brief.html"
    ),
    offer: Annotated[
        list[str] | None,
        typer.Option(
            "--offer",
            "--offers",
            help="Named offers to show (repeatable or comma-separated; default: all).",
        ),
    ] = None,
    samples: SamplesOpt = None,
    seed: SeedOpt = None,
    sensitivity_samples: Annotated[
        int | None,
        typer.Option("--sensitivity-samples", min=100, help="Worlds per sensitivity model run."),
    ] = None,
    sobol_n: Annotated[
        int, typer.Option("--sobol-n", min=8, help="Saltelli base sample (a power of 2).")
    ] = 1024,
    sections: Annotated[
        str,
        typer.Option("--sections", help="Optional analyses: optimize,sensitivity (or 'none')."),
    ] = "optimize,sensitivity",
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print a PDF beside the HTML (needs chromium).")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Write one HTML brief: the question, the scenario, the packages, the optimum and the
    golden bridge, which assumption decides, with plots inline."""
    from goldenbridge.report.brief import build_brief

    chosen = [s.strip() for s in sections.split(",") if s.strip() and s.strip() != "none"]
    offers = [o.strip() for item in offer or [] for o in item.split(",") if o.strip()] or None
    chromium = None
    if pdf:
        from goldenbridge.report.pdf import find_chromium

        chromium = find_chromium()
        if chromium is None:
            fail("--pdf needs chromium: apt-get install -y chromium")
    with user_errors():
        try:
            with stage_progress(as_json, "brief") as progress:
                brief = build_brief(
                    scenario,
                    offers,
                    samples=samples,
                    seed=seed,
                    sensitivity_samples=sensitivity_samples,
                    sobol_n=sobol_n,
                    sections=chosen,
                    progress=progress,
                )
        except ImportError as exc:
            fail(str(exc))
        from goldenbridge.report.html import render

        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(render(brief), encoding="utf-8")
        except OSError as exc:
            fail(f"--output {output}: cannot write: {exc.strerror or exc}")
        pdf_path = None
        if chromium is not None:
            from goldenbridge.report.pdf import print_pdf

            pdf_path = print_pdf(output, output.with_suffix(".pdf"), chromium)
    document = brief.to_dict()
    document["output"] = str(output)
    document["pdf"] = str(pdf_path) if pdf_path else None
    if publish(document, as_json):
        return
    out.print(f"Wrote {output}" + (f" and {pdf_path}" if pdf_path else "") + ".")
