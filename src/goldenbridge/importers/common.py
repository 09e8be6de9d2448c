"""What every importer shares: reading a file, one-line errors, roles, the written header.

An importer turns someone else's file into the mapping a scenario file would hold
(DESIGN.md section 2), validates it with :func:`goldenbridge.scenario.parse`, and
records where it came from. Errors name the file, the row and the column:
``error: cop21.csv: row 57, column salience: 'x' is not a number``.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from goldenbridge.scenario import Scenario, ScenarioError, parse
from goldenbridge.scenario.reading import read_bytes

__all__ = ["Imported", "read_text", "csv_rows", "one_file", "number", "finish", "slug", "at"]


@dataclass(frozen=True)
class Imported:
    """An imported scenario, the mapping it was validated from, and its provenance.

    Attributes
    ----------
    scenario : Scenario
        The validated scenario (an ordinary one: every analysis takes it).
    data : dict
        The mapping written to the YAML file.
    header : tuple of str
        Comment lines for the written file: source, checksum, conventions, roles.
    """

    scenario: Scenario
    data: dict[str, Any]
    header: tuple[str, ...] = field(default=())

    def with_status_quo(self, values: dict[str, float | str], file: str = "") -> Imported:
        """The same import with some issues' status quo set (re-validated, noted in the header).

        Raises
        ------
        ScenarioError
            ``--status-quo ISSUE``: an unknown issue; or the scenario's own error for a value
            off the scale or not an option.
        """
        if not values:
            return self
        data = copy.deepcopy(self.data)
        issues = {i["name"]: i for i in data["issues"]}
        for name, value in values.items():
            if name not in issues:
                known = ", ".join(issues)
                raise ScenarioError(
                    f"--status-quo {name}", f"no issue named {name!r} (issues: {known})", file
                )
            issues[name]["status_quo"] = value
        scenario = parse(data, file or None)
        shown = ", ".join(f"{k} = {v}" for k, v in values.items())
        header = (*self.header[:-1], f"Status quo (given): {shown}.", self.header[-1])
        return Imported(scenario=scenario, data=data, header=header)

    def to_yaml(self) -> str:
        """The scenario file: the provenance header as comments, then the YAML."""
        comments = "".join(f"# {line}\n" if line else "#\n" for line in self.header)
        body = yaml.safe_dump(self.data, sort_keys=False, allow_unicode=True, width=100)
        return comments + body


def read_text(path: str | Path) -> str:
    """A file's text (UTF-8, falling back to Latin-1), or a one-line error; read as every
    user file is (:func:`goldenbridge.scenario.reading.read_bytes`: a regular file only,
    a FIFO or device refused at once, a size limit)."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def one_file(files: Sequence[str | Path], fmt: str) -> str:
    """The one file of a format that takes one (``fmt``: "the KTAB format"), as text."""
    if len(files) != 1:
        raise ScenarioError("FILE", f"{fmt} takes one file")
    return str(files[0])


def csv_rows(
    text: str, *, delimiter: str = ",", quotechar: str = '"', strip: str = ""
) -> list[tuple[int, list[str]]]:
    """(row number from 1, cells) of every CSV row with a non-blank cell; each cell
    without its surrounding whitespace and ``strip`` characters.

    Examples
    --------
    >>> csv_rows("Actor, Position\\n\\n'A', 4\\n", quotechar="'", strip="'")
    [(1, ['Actor', 'Position']), (3, ['A', '4'])]
    """
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, quotechar=quotechar)
    for number_, row in enumerate(reader, 1):
        cells = [c.strip().strip(strip).strip() for c in row]
        if any(cells):
            rows.append((number_, cells))
    return rows


def checksum(path: str | Path) -> str:
    """The first 16 hex digits of the file's SHA-256 (for the provenance header)."""
    return hashlib.sha256(read_bytes(path)).hexdigest()[:16]


def number(
    text: str, file: str, where: str, lo: float | None = None, hi: float | None = None
) -> float:
    """A finite number read from a cell, within [lo, hi] when given.

    Raises
    ------
    ScenarioError
        ``<file>: <where>: <problem>``.
    """
    try:
        value = float(text.strip())
    except ValueError:
        raise ScenarioError(where, f"{text.strip()!r} is not a number", file) from None
    if not math.isfinite(value):
        raise ScenarioError(where, "must be a finite number", file)
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(where, f"{value:g} is outside [{lo:g}, {hi:g}]", file)
    return value


def at(row: int, column: str) -> str:
    """Where a cell is, as errors name it: ``row 3, column Salience``."""
    return f"row {row}, column {column}"


def slug(text: str) -> str:
    """A name for an issue or actor: the text with surrounding space removed."""
    return " ".join(text.split())


def _roles(
    actors: list[dict[str, Any]],
    proposer: str | None,
    target: str | None,
    vetoes: Sequence[str],
    file: str,
) -> list[str]:
    """Set each actor's ``role`` in place; return the header lines that say how."""
    names = [a["name"] for a in actors]
    for option, name in [("--proposer", proposer), ("--target", target)] + [
        ("--veto", v) for v in vetoes
    ]:
        if name is not None and name not in names:
            shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
            raise ScenarioError(option, f"no actor named {name!r} (actors: {shown})", file)
    if len(names) < 2:
        raise ScenarioError("actors", "at least two actors are needed", file)
    chosen_p = proposer if proposer is not None else next(n for n in names if n != target)
    chosen_t = target if target is not None else next(n for n in names if n != chosen_p)
    if chosen_p == chosen_t:
        raise ScenarioError("--target", "the target must differ from the proposer", file)
    if chosen_p in vetoes or chosen_t in vetoes:
        raise ScenarioError("--veto", "the proposer and the target cannot be veto actors", file)
    for actor in actors:
        n = actor["name"]
        actor["role"] = (
            "proposer"
            if n == chosen_p
            else "target"
            if n == chosen_t
            else "veto"
            if n in vetoes
            else "stakeholder"
        )
    how = "given" if proposer is not None and target is not None else "default"
    lines = [
        f"Roles ({how}): proposer {chosen_p}, target {chosen_t}"
        + (f", veto {', '.join(vetoes)}" if vetoes else "")
        + "; every other actor is a stakeholder.",
    ]
    if how == "default":
        lines.append(
            "  The file names no roles: the forecasting models ignore them; for the bargaining"
        )
        lines.append("  analyses re-import with --proposer NAME --target NAME [--veto NAME ...].")
    return lines


def finish(
    data: dict[str, Any],
    *,
    files: Sequence[str | Path],
    format_label: str,
    notes: Sequence[str],
    proposer: str | None,
    target: str | None,
    vetoes: Sequence[str],
) -> Imported:
    """Assign roles, validate the mapping as a scenario and write the provenance header."""
    shown = str(files[0])
    role_lines = _roles(data["actors"], proposer, target, list(vetoes), shown)
    data["sources"] = [f"{Path(f).name} (sha256 {checksum(f)}...)" for f in files]
    scenario = parse(data, shown)
    header = [
        f"Imported by goldenbridge from {format_label}:",
        *(f"  {Path(f).name}  sha256 {checksum(f)}..." for f in files),
        "",
        *notes,
        *role_lines,
        "",
    ]
    return Imported(scenario=scenario, data=data, header=tuple(header))
