"""What every command shares: the typer app, consoles, options, error handling.

Every command takes ``--json`` and then prints exactly one JSON document. Bad
input prints one line ``error: <file>: <field>: <problem>`` on stderr and exits
with code 2. A new command lives in its own module of this package, imports
``app`` from here, and is imported once in ``goldenbridge/cli/__init__.py``.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

import goldenbridge as gb
from goldenbridge.report.documents import json_safe
from goldenbridge.scenario import ScenarioError


class _OneLineErrors(TyperGroup):
    """The command group: a bad option value, a missing argument or an unknown option
    (click's usage errors) prints one line ``error: <problem>`` on stderr and exits with
    code 2, like every other bad input, instead of click's usage box."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except typer.TyperException as exc:  # click's ClickException, as typer vendors it
            if type(exc).__name__ != "NoArgsIsHelpError":  # (bare `goldenbridge`: help shown)
                message = " ".join(exc.format_message().split())
                err.print(f"error: {message}", markup=False, emoji=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("Aborted.", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
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


def _dask_address(value: str | None) -> str | None:
    """``local`` or a scheduler address ``tcp://host:port`` (or tls://, ucx://, inproc://)."""
    if value is None or value == "local" or re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+", value):
        return value
    fail(f"--dask {value}: expected 'local' or a scheduler address such as tcp://host:8786")


DaskOpt = Annotated[
    str | None,
    typer.Option(
        "--dask",
        metavar="local|tcp://HOST:PORT",
        callback=_dask_address,
        help="Split the worlds across a Dask cluster: 'local' starts one on this machine, "
        "an address joins a running scheduler (same numbers as without).",
    ),
]


def fail(message: str) -> NoReturn:
    """Print one error line and exit with code 2."""
    err.print(f"error: {message}", markup=False, emoji=False, soft_wrap=True)
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
    sys.stdout.write(json.dumps(json_safe(document), indent=2, allow_nan=False) + "\n")


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
