"""Decide CSV (Stokman's Decide program; foarsitter/decide-exchange-model's input).

Tab-separated rows, cells quoted with ``'``, kinds in the first cell:

* ``#A  name  full name  comment`` — an actor;
* ``#P  name  name  description`` — an issue;
* ``#M  issue  value`` — a labelled point of the issue's scale (the scale runs from the
  smallest to the largest; 0-100 when none is given);
* ``#D  actor  issue  position  salience  power`` — an actor's position on an issue,
  its salience (0-1) and its power (0-1).

An actor without a ``#D`` row for an issue takes no position on it. goldenbridge holds
one capability per actor: an actor whose power differs between issues is an error.
Semicolon-separated files are read as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from goldenbridge.importers.common import (
    Imported,
    at,
    csv_rows,
    finish,
    number,
    one_file,
    read_text,
    slug,
)
from goldenbridge.scenario import ScenarioError

__all__ = ["load", "read_rows", "LABEL"]

LABEL = "Decide CSV (#A/#P/#M/#D rows)"

_D_COLUMNS = ("kind", "actor", "issue", "position", "salience", "power")


def read_rows(file: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every non-empty row, quotes removed."""
    text = read_text(file)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first else ";"
    return csv_rows(text, delimiter=delimiter, quotechar="'", strip="'\"")


def load(
    files: Sequence[str | Path],
    *,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
) -> Imported:
    """Import one Decide CSV.

    Examples
    --------
    >>> from goldenbridge.importers import decide
    >>> imp = decide.load(["tests/data/decide/cop21.csv"])
    >>> len(imp.scenario.actors), len(imp.scenario.issues)
    (15, 13)
    """
    file = one_file(files, "the Decide format")
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    points: dict[str, list[float]] = {}
    power: dict[str, tuple[float, int]] = {}
    position_rows: dict[tuple[str, str], int] = {}
    for line, cells in read_rows(file):
        kind = cells[0].upper()
        if kind == "#A":
            if len(cells) < 2 or not cells[1]:
                raise ScenarioError(f"row {line}, column 2", "an #A row needs an actor name", file)
            name = slug(cells[1])
            if name in actors:
                raise ScenarioError(f"row {line}, column 2", f"actor {name!r} given twice", file)
            actors[name] = {"name": name, "position": {}, "salience": {}}
            if len(cells) > 2 and cells[2] and cells[2] != cells[1]:
                actors[name]["description"] = cells[2]
        elif kind == "#P":
            if len(cells) < 2 or not cells[1]:
                raise ScenarioError(f"row {line}, column 2", "a #P row needs an issue name", file)
            name = slug(cells[1])
            issues[name] = {"name": name}
            if len(cells) > 3 and cells[3] and cells[3] != cells[1]:
                issues[name]["label"] = cells[3]
        elif kind == "#M":
            if len(cells) < 3:
                raise ScenarioError(f"row {line}", "an #M row needs an issue and a value", file)
            issue = slug(cells[1])
            if issue not in issues:
                raise ScenarioError(f"row {line}, column 2", f"unknown issue {issue!r}", file)
            points.setdefault(issue, []).append(number(cells[2], file, f"row {line}, column 3"))
        elif kind == "#D":
            if len(cells) < 6:
                raise ScenarioError(
                    f"row {line}", "a #D row needs actor, issue, position, salience, power", file
                )
            where = lambda j, n=line: at(n, _D_COLUMNS[j])  # noqa: E731
            actor, issue = slug(cells[1]), slug(cells[2])
            if actor not in actors:
                raise ScenarioError(where(1), f"unknown actor {actor!r} (no #A row)", file)
            if issue not in issues:
                raise ScenarioError(where(2), f"unknown issue {issue!r} (no #P row)", file)
            if issue in actors[actor]["position"]:
                raise ScenarioError(where(2), f"{actor} on {issue} given twice", file)
            actors[actor]["position"][issue] = number(cells[3], file, where(3))
            position_rows[(actor, issue)] = line
            actors[actor]["salience"][issue] = number(cells[4], file, where(4), lo=0, hi=1)
            p = number(cells[5], file, where(5), lo=0)
            if actor in power and power[actor][0] != p:
                raise ScenarioError(
                    where(5),
                    f"{actor}'s power {p:g} differs from {power[actor][0]:g} on row"
                    f" {power[actor][1]} (goldenbridge holds one capability per actor)",
                    file,
                )
            power.setdefault(actor, (p, line))
        else:
            raise ScenarioError(f"row {line}, column 1", f"unknown row kind {cells[0]!r}", file)
    if not issues:
        raise ScenarioError("", "no #P (issue) rows", file)
    for name, spec in issues.items():
        scale = points.get(name, [0.0, 100.0])
        lo, hi = min(scale), max(scale)
        spec["min"], spec["max"] = lo, (hi if hi > lo else lo + 1)
    for (actor, issue), line in position_rows.items():
        value, spec = actors[actor]["position"][issue], issues[issue]
        if not spec["min"] <= value <= spec["max"]:
            raise ScenarioError(
                at(line, "position"),
                f"{value:g} is outside the scale of {issue!r} [{spec['min']:g}, {spec['max']:g}]",
                file,
            )
    silent = [n for n, a in actors.items() if not a["position"]]
    for n in silent:
        del actors[n]
    for name, record in actors.items():
        record["capability"] = power[name][0]
    data: dict[str, Any] = {
        "name": Path(file).stem,
        "description": f"Imported from {Path(file).name} ({LABEL}).",
        "issues": list(issues.values()),
        "actors": list(actors.values()),
    }
    notes = [
        "Scales from the #M points (0-100 where none); positions as in the file;",
        "saliences (0-1) as in the file; power -> capability. An actor without a #D row",
        "for an issue has no position on it. Status quo at each scale's minimum (the format",
        "has none). No war or no-deal values.",
    ]
    if silent:
        notes.append(f"Left out (no #D row at all): {', '.join(silent)}.")
    return finish(
        data,
        files=files,
        format_label=LABEL,
        notes=notes,
        proposer=proposer,
        target=target,
        vetoes=vetoes,
    )
