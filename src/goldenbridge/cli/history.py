"""The run history in the CLI: every analysis command saved, and ``goldenbridge runs ...``.

:func:`install` wraps the analysis commands once (``cli/__init__.py``): each gains
``--db PATH`` and ``--no-save``, and a run that ends with a result (``publish`` in
cli/common.py) is stored with its scenario text, arguments, version, seed and time.
``runs rerun`` calls the same command again on the stored texts and compares the
JSON documents exactly.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import io
import json
import platform
import tempfile
import time
import typing
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

import goldenbridge as gb
from goldenbridge.cli.common import JsonOpt, app, err, fail, out, publish, results
from goldenbridge.history import (
    HistoryError,
    Run,
    RunStore,
    changed_leaves,
    diff_runs,
    headline_numbers,
)
from goldenbridge.scenario import read_text

__all__ = ["RECORDED", "install", "open_store"]

# The commands whose runs are saved (those not registered are skipped).
RECORDED = (
    "demo",
    "evaluate",
    "optimize",
    "sensitivity",
    "update",
    "negotiate",
    "deterrence",
    "forecast",
    "report",
)
# Arguments naming files the command writes: redirected into a scratch folder on rerun.
OUTPUTS = ("plot", "output", "export", "pdf_path")
# Result fields naming files written: they differ on a rerun by design, not compared.
WRITTEN = ("plot", "output", "export", "pdf")

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db",
        metavar="PATH",
        help="Run history file (default: $GOLDENBRIDGE_DB or the user's data folder).",
    ),
]
NoSaveOpt = Annotated[bool, typer.Option("--no-save", help="Do not save this run.")]


def open_store(db: Path | None) -> RunStore:
    """The run history, or one error line and exit code 2."""
    try:
        return RunStore(db)
    except HistoryError as exc:
        fail(str(exc))


def _builtin_text(name: str) -> str | None:
    if name in gb.builtin_names() and not Path(name).exists():
        folder = resources.files("goldenbridge.scenario.builtin")
        return folder.joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return None


def _read(value: str) -> str | None:
    try:
        return Path(value).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _is_path(annotation: Any) -> bool:
    """Whether a parameter's type (under Annotated / Optional / list) involves Path."""
    if annotation is Path:
        return True
    return any(_is_path(a) for a in typing.get_args(annotation))


def _environment() -> dict[str, str]:
    import numpy

    return {
        "goldenbridge": gb.__version__,
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "machine": platform.machine(),
    }


def _seed(document: dict[str, Any], arguments: dict[str, Any], text: str) -> int | None:
    """The run's seed: as its result says, else as given, else the scenario's own."""
    for seed in (document.get("seed"), arguments.get("seed")):
        if isinstance(seed, int):
            return seed
    try:
        return read_text(text).seed
    except gb.ScenarioError:
        return None


def recorded(name: str, callback: Callable[..., Any]) -> Callable[..., Any]:
    """``callback`` with ``--db``/``--no-save`` whose finished runs go to the history."""
    hints = typing.get_type_hints(callback, include_extras=True)
    signature = inspect.signature(callback)
    params = [
        p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()
    ]
    params += [
        inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DbOpt),
        inspect.Parameter(
            "no_save", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=NoSaveOpt
        ),
    ]

    @functools.wraps(callback)
    def wrapper(*args: Any, db: Path | None = None, no_save: bool = False, **kwargs: Any) -> Any:
        bound = signature.bind(*args, **kwargs)
        scenario_arg = str(bound.arguments.get("scenario", "russia-2021"))
        text = _builtin_text(scenario_arg) or _read(scenario_arg)
        if no_save or results.get() is not None or text is None:
            return callback(*args, **kwargs)  # (an unreadable scenario: the command says so)
        store = open_store(db)  # before the work: a bad history file fails at once
        files = {
            key: content
            for key, value in bound.arguments.items()
            if key != "scenario" and key not in OUTPUTS and isinstance(value, str | Path)
            if Path(value).is_file() and (content := _read(str(value))) is not None
        }
        with store:  # closed however the command ends
            sink: list[dict[str, Any]] = []
            token = results.set(sink)
            start = time.perf_counter()
            try:
                value = callback(*args, **kwargs)
            finally:
                results.reset(token)
                seconds = time.perf_counter() - start
            if not sink:  # the command printed no result: nothing to save
                return value
            document = sink[-1]
            try:
                run_id = store.add(
                    name,
                    str(document.get("scenario") or Path(scenario_arg).stem),
                    text,
                    {k: _jsonable(v) for k, v in bound.arguments.items()},
                    seed=_seed(document, bound.arguments, text),
                    seconds=seconds,
                    result=document,
                    version=gb.__version__,
                    environment=_environment(),
                    files=files,
                )
            except HistoryError as exc:
                fail(str(exc))
            if not bound.arguments.get("as_json") and err.is_terminal:
                err.print(f"Saved as run {run_id} in {store.path}.", markup=False)
        return value

    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    wrapper._original = callback  # type: ignore[attr-defined]
    return wrapper


def install(typer_app: typer.Typer) -> None:
    """Wrap the registered commands named in :data:`RECORDED` (once)."""
    for info in typer_app.registered_commands:
        callback = info.callback
        if callback is None or hasattr(callback, "_original"):
            continue
        name = info.name or callback.__name__.replace("_", "-")
        if name in RECORDED:
            info.callback = recorded(name, callback)


def _command(name: str) -> Callable[..., Any]:
    for info in app.registered_commands:
        callback = info.callback
        if callback is not None and (info.name or callback.__name__.replace("_", "-")) == name:
            return getattr(callback, "_original", callback)
    raise KeyError(f"command {name} is not available in this goldenbridge")


def rerun_document(run: Run) -> dict[str, Any]:
    """Run a stored command again on the stored scenario and files; its JSON document."""
    callback = _command(run.command)
    hints = typing.get_type_hints(callback, include_extras=True)
    with tempfile.TemporaryDirectory(prefix="goldenbridge-rerun-") as scratch:
        folder = Path(scratch)
        arguments = dict(run.arguments)
        suffix = ".json" if run.scenario_text.lstrip().startswith("{") else ".yaml"
        scenario_file = folder / f"scenario{suffix}"
        scenario_file.write_text(run.scenario_text, encoding="utf-8")
        arguments["scenario"] = str(scenario_file)
        for key, content in run.files.items():
            copy = folder / f"{key}{Path(str(arguments[key])).suffix}"
            copy.write_text(content, encoding="utf-8")
            arguments[key] = str(copy)
        for key in OUTPUTS:
            if arguments.get(key):
                arguments[key] = str(folder / "out" / Path(str(arguments[key])).name)
        arguments["as_json"] = True
        for key, value in arguments.items():
            if value is not None and _is_path(hints.get(key)):
                arguments[key] = Path(value)
        known = inspect.signature(callback).parameters
        if "scenario" not in known:  # demo: the scenario is fixed
            arguments.pop("scenario")
        sink: list[dict[str, Any]] = []
        token = results.set(sink)
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                callback(**{k: v for k, v in arguments.items() if k in known})
        finally:
            results.reset(token)
    if not sink:
        raise ValueError(f"run {run.id}: the rerun produced no result")
    return sink[-1]


runs_app = typer.Typer(help="Saved runs: list, show, compare, rerun.", no_args_is_help=True)
app.add_typer(runs_app, name="runs")


def _load(store: RunStore, run_id: int) -> Run:
    try:
        return store.get(run_id)
    except KeyError as exc:
        fail(str(exc).strip("'\""))


@runs_app.command("list")
def list_runs(
    scenario: Annotated[
        str | None, typer.Option("--scenario", help="Only runs of this scenario (its name).")
    ] = None,
    command: Annotated[str | None, typer.Option("--command", help="Only this command.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The saved runs, newest first."""
    with open_store(db) as store:
        found = store.runs(scenario, command, limit)
        path = store.path
    if as_json:
        publish({"db": str(path), "runs": [r.summary() for r in found]}, True)
        return
    table = Table(title=f"Runs in {path}", title_justify="left")
    for column in ("id", "when (UTC)", "command", "scenario", "hash", "seed", "seconds"):
        table.add_column(column, justify="right" if column in ("id", "seconds") else "left")
    for r in found:
        table.add_row(
            str(r.id),
            r.created.replace("T", " ").rstrip("Z"),
            r.command,
            escape(r.scenario_name),
            r.scenario_hash[:12],
            "-" if r.seed is None else str(r.seed),
            f"{r.seconds:.1f}",
        )
    out.print(table)


@runs_app.command("show")
def show_run(
    run_id: Annotated[int, typer.Argument(metavar="ID", help="A run's id (runs list).")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One saved run: what was run, with what, and its result."""
    with open_store(db) as store:
        run = _load(store, run_id)
    if as_json:
        publish(run.to_dict(), True)
        return
    args = " ".join(
        f"{k}={json.dumps(v)}" for k, v in run.arguments.items() if v not in (None, False, [])
    )
    out.print(
        f"[bold]run {run.id}[/bold]: {run.command} {run.scenario_name} at {run.created} "
        f"(goldenbridge {run.version}, {run.seconds:.2f} s)\n"
        f"scenario sha256 {run.scenario_hash}\narguments: {args}",
        soft_wrap=True,
    )
    table = Table(title="Headline numbers", title_justify="left")
    table.add_column("number")
    table.add_column("value", justify="right")
    for path, (value, se) in headline_numbers(run.result).items():
        table.add_row(escape(path), f"{value:.4f}" + (f" ± {se:.4f}" if se is not None else ""))
    out.print(table)


@runs_app.command("diff")
def diff_command(
    first: Annotated[int, typer.Argument(metavar="ID1")],
    second: Annotated[int, typer.Argument(metavar="ID2")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """What changed between two runs: the scenario text and each headline number."""
    with open_store(db) as store:
        a, b = _load(store, first), _load(store, second)
    diff = diff_runs(a, b)
    if as_json:
        publish(diff.to_dict(), True)
        return
    if diff.same_scenario:
        out.print(f"Same scenario text (sha256 {a.scenario_hash[:12]}).")
    else:
        out.print("Scenario text changed:")
        for line in diff.scenario_diff:
            style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
            out.print(line, style=style, markup=False, highlight=False, soft_wrap=True)
    for key, (x, y) in diff.arguments.items():
        out.print(f"argument {key}: {json.dumps(x)} -> {json.dumps(y)}", markup=False)
    if diff.versions[0] != diff.versions[1]:
        out.print(f"goldenbridge {diff.versions[0]} -> {diff.versions[1]}")
    table = Table(title="Headline numbers", title_justify="left")
    for column in ("number", f"run {a.id}", f"run {b.id}", "change", "in SEs"):
        table.add_column(column, justify="left" if column == "number" else "right")
    for m in diff.numbers:
        table.add_row(
            escape(m.path),
            "-" if m.before is None else f"{m.before:.4f}",
            "-" if m.after is None else f"{m.after:.4f}",
            "-" if m.change is None else f"{m.change:+.4f}",
            "-" if m.in_se is None else f"{m.in_se:+.1f}",
        )
    out.print(table)


@runs_app.command("rerun")
def rerun_command(
    run_id: Annotated[int, typer.Argument(metavar="ID")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Run a saved run again on its stored scenario text; say whether every number is
    the same bit for bit, and if not, which differ and why that may be."""
    with open_store(db) as store:
        run = _load(store, run_id)
    try:
        document = rerun_document(run)
    except (KeyError, ValueError, gb.ScenarioError) as exc:
        fail(f"run {run.id}: cannot rerun: {str(exc).strip(chr(39) + chr(34))}")
    changed = [
        path
        for path in changed_leaves(run.result, document)
        if path.split(".")[0].split("[")[0] not in WRITTEN
    ]
    now = {"goldenbridge": gb.__version__, **_environment()}
    reasons = [
        f"{key} {run.environment[key]} then, {now[key]} now"
        for key in ("goldenbridge", "numpy", "python", "machine")
        if key in run.environment and run.environment[key] != now[key]
    ]
    if run.version != gb.__version__ and not any(r.startswith("goldenbridge") for r in reasons):
        reasons.insert(0, f"goldenbridge {run.version} then, {gb.__version__} now")
    if as_json:
        publish(
            {"id": run.id, "identical": not changed, "changed": changed, "reasons": reasons},
            True,
        )
        return
    if not changed:
        out.print(f"run {run.id}: rerun gives the same numbers, bit for bit.")
        return
    out.print(
        f"run {run.id}: rerun differs in {len(changed)} value(s): {', '.join(changed[:8])}"
        + (" ..." if len(changed) > 8 else ""),
        soft_wrap=True,
        markup=False,
    )
    out.print(
        "Why: " + ("; ".join(reasons) if reasons else "same versions: a bug — please report it."),
        soft_wrap=True,
        markup=False,
    )
    raise typer.Exit(1)
