"""``goldenbridge bench``: the engine benchmark (see :mod:`goldenbridge.bench`)."""

from __future__ import annotations

from typing import Annotated

import typer

from goldenbridge.cli.common import JsonOpt, app, emit_json, err, out


@app.command()
def bench(
    n: Annotated[int, typer.Option("--samples", "-n", min=1, help="Worlds.")] = 200_000,
    m: Annotated[int, typer.Option("-m", min=1, help="Offers.")] = 2_000,
    k: Annotated[int, typer.Option("-k", min=1, help="Continuous issues.")] = 8,
    repeats: Annotated[int, typer.Option(min=1, help="Timed calls (best kept).")] = 3,
    scaling: Annotated[bool, typer.Option(help="Time vs N and vs M too.")] = True,
    approval_samples: Annotated[
        int,
        typer.Option(min=100, help="Worlds of the approval rule's timing (russia-2021)."),
    ] = 20_000,
    as_json: JsonOpt = False,
) -> None:
    """Time the engines (pairs/s) against this machine's measured FMA peak, and the
    approval rule's nested expectation (approvals/s)."""
    from functools import partial

    from goldenbridge import bench as bench_module

    run = partial(bench_module.run, nested_samples=approval_samples)

    if as_json:
        emit_json(run(n, m, k, repeats, scaling, log=lambda line: None))
        return
    if err.is_terminal:
        with err.status("bench") as status:
            result = run(
                n, m, k, repeats, scaling, log=lambda line: status.update(f"bench: {line}")
            )
    else:
        result = run(n, m, k, repeats, scaling, log=lambda line: None)
    for line in bench_module.format_table(result):
        out.print(line, markup=False, soft_wrap=True)
