"""``goldenbridge import FORMAT FILE... -o scenario.yaml``: files people already have."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from goldenbridge.cli.common import JsonOpt, app, emit_json, fail, out, user_errors
from goldenbridge.importers import available, import_files, label


def _status_quo(items: list[str]) -> dict[str, float | str]:
    """``ISSUE=VALUE`` pairs; numbers become floats, the rest option names."""
    values: dict[str, float | str] = {}
    for item in items:
        issue, sep, value = item.partition("=")
        if not sep or not issue.strip():
            fail(f"--status-quo {item}: expected ISSUE=VALUE")
        try:
            values[issue.strip()] = float(value)
        except ValueError:
            values[issue.strip()] = value.strip()
    return values


@app.command("import")
def import_(
    fmt: Annotated[str, typer.Argument(metavar="FORMAT", help="genius | ktab | decide | eum")],
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Genius: domain and profiles.")
    ],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the scenario YAML here.")
    ] = None,
    proposer: Annotated[
        str | None, typer.Option("--proposer", help="The proposer (default: first actor).")
    ] = None,
    target: Annotated[
        str | None, typer.Option("--target", help="The target (default: next actor).")
    ] = None,
    veto: Annotated[
        list[str] | None, typer.Option("--veto", help="A veto actor (repeatable).")
    ] = None,
    status_quo: Annotated[
        list[str] | None,
        typer.Option(
            "--status-quo", metavar="ISSUE=VALUE", help="An issue's status quo (repeatable)."
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a Genius, KTAB, Decide or expected-utility-model file as a scenario."""
    if fmt not in available():
        fail(f"FORMAT {fmt}: unknown format (known: {', '.join(available())})")
    with user_errors():
        imported = import_files(
            fmt,
            [str(f) for f in files],
            proposer=proposer,
            target=target,
            vetoes=veto or [],
            status_quo=_status_quo(status_quo or []),
        )
    text = imported.to_yaml()
    s = imported.scenario
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: cannot write: {exc.__class__.__name__}")
    if as_json:
        emit_json(
            {
                "format": fmt,
                "scenario": s.name,
                "output": str(output) if output is not None else None,
                "issues": len(s.issues),
                "actors": len(s.actors),
                "roles": {a.name: a.role for a in s.actors},
                "header": list(imported.header),
                **({} if output is not None else {"yaml": text}),
            }
        )
        return
    if output is None:
        sys.stdout.write(text)
        return
    out.print(
        f"wrote {output}: {s.name}, {len(s.issues)} issues, {len(s.actors)} actors "
        f"({label(fmt)}); proposer {s.proposer.name}, target {s.target.name}",
        markup=False,
        soft_wrap=True,
    )
