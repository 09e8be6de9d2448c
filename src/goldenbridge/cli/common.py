"""What every command shares: the typer app, consoles, options, error handling.

Every command takes ``--json`` and then prints exactly one JSON document. Bad
input prints one line ``error: <file>: <field>: <problem>`` on stderr and exits
with code 2; under ``--json`` the error is that one document instead, on stdout:
``{"error": {"file", "field", "message"}}``. Only domain errors
(:class:`~goldenbridge.scenario.InputError` and its subclass ``ScenarioError``)
are the user's to fix; any other exception is a bug and says so, with a request
to report it (exit code 1). A new command lives in its own module of this
package, imports ``app`` from here, and is imported once in
``goldenbridge/cli/__init__.py``.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

import goldenbridge as gb
from goldenbridge.report.documents import json_safe, round_numbers
from goldenbridge.scenario import InputError
from goldenbridge.scenario.errors import printable
from goldenbridge.scenario.loading import suggest

#: Where a bug report goes (shown with every internal error).
ISSUES_URL = "https://github.com/goldenbridge/goldenbridge/issues"
#: The order ``goldenbridge --help`` lists the commands in: the first analysis first.
COMMAND_ORDER = (
    "demo",
    "evaluate",
    "optimize",
    "sensitivity",
    "deterrence",
    "update",
    "negotiate",
    "validate",
    "scenarios",
    "serve",
    "bench",
)


class _OneLineErrors(TyperGroup):
    """The command group: a bad option value, a missing argument or an unknown option
    (click's usage errors) prints one line ``error: <problem>`` on stderr and exits with
    code 2, like every other bad input, instead of click's usage box."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda n: (rank.get(n, len(rank)), n))

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        argv = sys.argv[1:] if args is None else list(args)
        _STATE["json"] = "--json" in argv
        _STATE["warnings"] = []
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except typer.TyperException as exc:  # click's ClickException, as typer vendors it
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `goldenbridge`: the help
                sys.stdout.write(exc.format_message() + "\n")
            else:
                message = " ".join(exc.format_message().split())
                _print_error({"file": None, "field": None, "message": message})
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("Aborted.", markup=False)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


_STATE: dict[str, Any] = {"json": False, "warnings": []}

app = typer.Typer(
    cls=_OneLineErrors,
    rich_markup_mode=None,  # help is plain text: `a:b:n` is not an emoji, [x] not a style
    name="goldenbridge",
    help="Crisis bargaining analysis: would they take the bridge rather than fight?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, width=None if sys.stdout.isatty() else 132)
err = Console(stderr=True, highlight=False)


def _json_mode(value: bool) -> bool:
    _STATE["json"] = bool(value)
    return value


JsonOpt = Annotated[
    bool,
    typer.Option(
        "--json", is_eager=True, callback=_json_mode, help="Print one JSON document (errors too)."
    ),
]


def _count(value: str | None) -> int | None:
    """A count written as ``20000``, ``20_000`` or ``2e4`` (a whole number >= 1)."""
    if value is None:
        return None
    try:
        number = float(str(value).replace("_", ""))
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a number") from None
    if not math.isfinite(number) or number < 1 or number != int(number):
        raise typer.BadParameter(f"{value!r}: expected a whole number >= 1, e.g. 20000 or 2e4")
    return int(number)


SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples",
        "-n",
        metavar="N",
        parser=_count,
        help="Worlds to sample, e.g. 20000 or 2e4 (default: the scenario's).",
    ),
]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Seed (default: scenario's).")]
PlotOpt = Annotated[
    Path | None,
    typer.Option("--plot", metavar="DIR", help="Write PNG and SVG plots into this folder."),
]
OfferOpt = Annotated[
    list[str] | None, typer.Option("--offer", "-o", help="A named offer (repeatable).")
]


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


def _print_error(error: Mapping[str, Any]) -> None:
    if _STATE["json"]:
        sys.stdout.write(json.dumps({"error": dict(error)}, indent=2) + "\n")
        return
    err.print(f"error: {printable(error['message'])}", markup=False, emoji=False, soft_wrap=True)


def fail(message: str, field: str | None = None, file: str | None = None) -> NoReturn:
    """Report bad input in one line (one JSON document under ``--json``); exit code 2."""
    _print_error({"file": file, "field": field, "message": message})
    raise typer.Exit(2)


@contextmanager
def stage_progress(quiet: bool, first: str) -> Iterator[Callable[[str, int, int], None] | None]:
    """One progress bar on stderr whose label follows an analysis's stages: yields
    ``progress(stage, done, total)`` (None when ``quiet`` or stderr is not a terminal);
    ``first`` labels the bar until the first stage reports."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(first, total=1)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=max(total, 1))

        yield progress


@contextmanager
def user_errors() -> Iterator[None]:
    """Domain errors become one line on stderr (or one JSON document) and exit code 2;
    any other exception is a bug: it says so, asks for a report and exits with 1."""
    try:
        yield
    except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
        raise
    except InputError as exc:
        if _STATE["json"]:
            _print_error(exc.as_dict())
        else:
            err.print(f"error: {exc.one_line()}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except MemoryError:
        fail("out of memory: lower --samples (or the scenario's samples)", field="samples")
    except Exception as exc:  # the edge: a bug must not look like bad input
        if os.environ.get("GOLDENBRIDGE_DEBUG"):
            raise
        detail = printable(" ".join(f"{type(exc).__name__}: {exc}".split()))[:300]
        message = f"internal error (a bug in goldenbridge): {detail}"
        hint = f"Please report it with the command you ran: {ISSUES_URL}"
        if _STATE["json"]:
            _print_error({"file": None, "field": None, "message": f"{message}. {hint}"})
        else:
            err.print(f"error: {message}\n{hint}", markup=False, emoji=False, soft_wrap=True)
        raise typer.Exit(1) from None


def print_sincere(names: tuple[str, ...] | list[str]) -> None:
    """The sincere-approval assumption (docs/design.md 4b), for the vetoes it concerns."""
    if names:
        out.print(
            f"Approval is assumed sincere for {', '.join(names)}: a field of "
            "its own (a threat's credibility) moves the target.",
            soft_wrap=True,
        )


def load_scenario(name: str) -> gb.Scenario:
    """Load a scenario (inside :func:`user_errors`); its warnings go to stderr once
    and into the ``warnings`` of the JSON document."""
    scenario = gb.load(name)
    for warning in scenario.warnings:
        if warning not in _STATE["warnings"]:
            _STATE["warnings"].append(warning)
            err.print(f"warning: {name}: {warning}", markup=False, emoji=False, soft_wrap=True)
    return scenario


def require(module: str, extra: str, what: str) -> None:
    """Stop before any work when an optional dependency is missing, naming the install."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        fail(f"{what} needs {module}, which is not installed: pip install 'goldenbridge[{extra}]'")


def plot_dir(path: Path | str | None, option: str = "--plot") -> Path | None:
    """Check, before any work, that plots can be written into ``path`` (made if missing)."""
    if path is None:
        return None
    require("matplotlib", "plots", option)
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".goldenbridge-") as probe:
            probe.write(b"x" * 65536)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        fail(f"{option} {folder}: cannot write there: {exc.strerror or exc}", field=option)
    return folder


@contextmanager
def writing_plots(folder: Path | None, option: str = "--plot") -> Iterator[None]:
    """Turn a failed write (a full disk) into one error line, removing partial files."""
    before = set(folder.iterdir()) if folder is not None and folder.is_dir() else set()
    try:
        yield
    except OSError as exc:
        if folder is not None and folder.is_dir():
            for path in set(folder.iterdir()) - before:
                path.unlink(missing_ok=True)
        fail(f"{option} {folder}: cannot write there: {exc.strerror or exc}", field=option)


def pick_offers(scenario: gb.Scenario, names: list[str] | None) -> dict[str, dict[str, Any]]:
    """The named offers ``names`` (``--offer``, repeatable), with a did-you-mean."""
    chosen: dict[str, dict[str, Any]] = {}
    for name in names or []:
        if name not in scenario.offers:
            known = ", ".join(scenario.offers) or "none"
            fail(
                f"--offer {name}: no such offer{suggest(name, list(scenario.offers))} "
                f"(named offers: {known})",
                field="--offer",
            )
        chosen[name] = dict(scenario.offers[name])
    return chosen


# The result documents of the running command, for the run history (cli/history.py).
results: ContextVar[list[dict[str, Any]] | None] = ContextVar("results", default=None)


def _keep(document: dict[str, Any]) -> None:
    sink = results.get()
    if sink is not None:
        sink.append(json_safe(document))


def emit_json(document: dict[str, Any]) -> None:
    """Print exactly one JSON document on stdout (numbers rounded, warnings added) and
    hand it to the run history."""
    document = round_numbers(json_safe(document))
    if _STATE["warnings"] and isinstance(document, dict):
        document = {**document, "warnings": list(_STATE["warnings"])}
    _keep(document)
    sys.stdout.write(json.dumps(document, indent=2, allow_nan=False) + "\n")


def publish(document: dict[str, Any], as_json: bool) -> bool:
    """A command's result: handed to the run history, printed under ``--json``.

    Returns ``as_json`` (the command then prints nothing else).
    """
    if as_json:
        emit_json(document)
    else:  # the history keeps what --json would print, so a rerun compares like with like
        _keep(round_numbers(json_safe(document)))
    return as_json


@contextmanager
def working(message: str, quiet: bool) -> Iterator[None]:
    """A spinner on stderr while something runs (none in --json mode)."""
    if quiet or not err.is_terminal:
        yield
        return
    with err.status(message):
        yield


def parse_sets(sets: list[str], scenario: gb.Scenario | None = None) -> dict[str, float | str]:
    """``ISSUE=VALUE`` pairs (``--set``) into an offer: a number on a continuous issue,
    an option's name on a discrete one; checked against ``scenario`` when given."""
    offer: dict[str, float | str] = {}
    issues = {i.name: i for i in scenario.issues} if scenario is not None else {}
    for item in sets:
        issue, sep, value = item.partition("=")
        issue, value = issue.strip(), value.strip()
        if not sep or not issue:
            fail(f"--set {item}: expected ISSUE=VALUE", field="--set")
        if scenario is not None and issue not in issues:
            fail(
                f"--set {item}: unknown issue{suggest(issue, list(issues))} "
                f"(issues: {', '.join(issues)})",
                field="--set",
            )
        spec = issues.get(issue)
        if spec is not None and spec.options is not None:
            if value not in spec.options:
                fail(
                    f"--set {item}: {value!r} is not an option of {issue}"
                    f"{suggest(value, spec.options)} (options: {', '.join(spec.options)})",
                    field="--set",
                )
            offer[issue] = value
            continue
        try:
            number = float(value)
        except ValueError:
            if spec is not None:
                fail(
                    f"--set {item}: not a number (the scale of {issue} runs from "
                    f"{spec.min:g} to {spec.max:g})",
                    field="--set",
                )
            offer[issue] = value
            continue
        if not math.isfinite(number):
            fail(f"--set {item}: not a finite number", field="--set")
        offer[issue] = number
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


@contextmanager
def progress_bar(quiet: bool, label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr (none in --json mode or off a terminal): yields
    ``report(done, total)``, or None."""
    if quiet or not err.is_terminal:
        yield None
        return
    from rich.progress import Progress  # lazy: only commands that report progress

    with Progress(console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
