"""Expected-utility-model CSV: ``Actor,Capability,Position,Salience``, one issue.

The layout of the Bueno de Mesquita model ports (jmckib/bdm-scholz-expected-utility-model,
dmasad/BDM_DecisionModel_Replication): a header row, then one actor per row. The
replications also write ``Stakeholder`` for ``Actor`` and ``Resources`` (or ``Power``) for
``Capability``. Positions are on the issue's own scale (years, percentages, ...): the
imported issue runs from the smallest to the largest position in the file. Saliences are
read as shares of attention in [0, 1]; a file whose saliences exceed 1 uses percentages,
and they are divided by 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from goldenbridge.importers.common import (
    Imported,
    csv_rows,
    finish,
    number,
    one_file,
    read_text,
    slug,
)
from goldenbridge.scenario import ScenarioError

__all__ = ["load", "LABEL"]

LABEL = "expected-utility-model CSV (Actor,Capability,Position,Salience)"

_COLUMNS = {
    "actor": ("actor", "stakeholder", "name"),
    "capability": ("capability", "resources", "power", "influence"),
    "position": ("position",),
    "salience": ("salience",),
}


def _header(row: list[str], file: str) -> dict[str, int]:
    lowered = [c.strip().lower() for c in row]
    found: dict[str, int] = {}
    for key, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in lowered:
                found[key] = lowered.index(alias)
                break
        else:
            raise ScenarioError(
                "row 1", f"no {key!r} column (expected one of {', '.join(aliases)})", file
            )
    return found


def load(
    files: Sequence[str | Path],
    *,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    issue: str = "issue",
) -> Imported:
    """Import one expected-utility-model CSV as a one-issue scenario.

    Examples
    --------
    >>> from goldenbridge.importers import eum
    >>> imp = eum.load(["tests/data/bdm_eum/EC_car_emissions_dmasad.csv"])
    >>> len(imp.scenario.actors), imp.scenario.issues[0].min, imp.scenario.issues[0].max
    (10, 4.0, 10.0)
    """
    file = one_file(files, "the expected-utility-model format")
    rows = [cells for _, cells in csv_rows(read_text(file))]
    if len(rows) < 3:
        raise ScenarioError("", "expected a header row and at least two actors", file)
    col = _header(rows[0], file)
    names = {v: k for k, v in col.items()}
    records: list[dict[str, Any]] = []
    for i, row in enumerate(rows[1:], start=2):
        if len(row) <= max(col.values()):
            raise ScenarioError(f"row {i}", f"expected {max(col.values()) + 1} columns", file)
        name = slug(row[col["actor"]])
        if not name:
            raise ScenarioError(
                f"row {i}, column {rows[0][col['actor']].strip()}", "empty name", file
            )
        cell = {k: row[j] for j, k in names.items()}
        where = {k: f"row {i}, column {rows[0][j].strip()}" for j, k in names.items()}
        records.append(
            {
                "name": name,
                "capability": number(cell["capability"], file, where["capability"], lo=0),
                "position": number(cell["position"], file, where["position"]),
                "salience": number(cell["salience"], file, where["salience"], lo=0, hi=100),
                "_row": i,
            }
        )
    percent = max(r["salience"] for r in records) > 1
    positions = [r["position"] for r in records]
    lo, hi = min(positions), max(positions)
    if hi == lo:
        hi = lo + 1
    actors = [
        {
            "name": r["name"],
            "capability": r["capability"],
            "position": {issue: r["position"]},
            "salience": {issue: r["salience"] / 100 if percent else r["salience"]},
        }
        for r in records
    ]
    data: dict[str, Any] = {
        "name": Path(file).stem,
        "description": f"Imported from {Path(file).name} ({LABEL}).",
        "issues": [{"name": issue, "min": lo, "max": hi}],
        "actors": actors,
    }
    notes = [
        f"Issue {issue!r}: the file's scale is unknown; it runs from the smallest position"
        f" ({lo:g}) to the largest ({hi:g}); status quo at min (the format has none).",
        "Saliences: " + ("percentages, divided by 100." if percent else "as in the file (0-1)."),
        "Capabilities: as in the file. No war or no-deal values: the format has none.",
    ]
    return finish(
        data,
        files=files,
        format_label=LABEL,
        notes=notes,
        proposer=proposer,
        target=target,
        vetoes=vetoes,
    )
