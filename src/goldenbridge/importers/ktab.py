"""KTAB SMP CSV (KAPSARC Toolkit for Behavioral Analysis, spatial model of politics).

Layout (KTAB's examples/smp/doc): a title line ``name,description,N actors,N dims,``;
a header ``Actor,Description,Influence,<Dim> Position,<Dim> Salience,...`` (one pair of
columns per dimension); then one row per actor. Positions are on 0-100; saliences are
on 0-100 and sum to at most 100 per actor (KTAB's convention): they are divided by 100,
so an actor's saliences are shares of its attention. ``Influence`` (``Power`` in older
files) becomes the capability.
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

__all__ = ["load", "LABEL"]

LABEL = "KTAB SMP CSV"


def load(
    files: Sequence[str | Path],
    *,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
) -> Imported:
    """Import one KTAB SMP CSV.

    Examples
    --------
    >>> from goldenbridge.importers import ktab
    >>> imp = ktab.load(["tests/data/ktab/SOE-Policy.csv"])
    >>> len(imp.scenario.actors), [i.name for i in imp.scenario.issues]
    (26, ['Policy'])
    """
    file = one_file(files, "the KTAB format")
    rows = [cells for _, cells in csv_rows(read_text(file))]
    while rows and rows[-1] and all(not c for c in rows[-1]):
        rows.pop()
    if len(rows) < 4:
        raise ScenarioError("", "expected a title line, a header and at least two actors", file)
    title, header = rows[0], [c for c in rows[1]]
    while header and not header[-1]:
        header.pop()
    if len(header) < 5 or (len(header) - 3) % 2 or header[0].lower() != "actor":
        raise ScenarioError(
            "row 2",
            "expected the header Actor,Description,Influence,<Dim> Position,<Dim> Salience,...",
            file,
        )
    dims: list[str] = []
    for j in range(3, len(header), 2):
        pos, sal = header[j], header[j + 1]
        name = pos[: -len("position")].strip()
        if (
            not pos.lower().endswith("position")
            or not sal.lower().endswith("salience")
            or sal[: -len("salience")].strip() != name
        ):
            raise ScenarioError(
                f"row 2, column {j + 1}",
                f"expected '<Dim> Position' then '<Dim> Salience', got {pos!r}, {sal!r}",
                file,
            )
        dims.append(slug(name) or f"dim{len(dims) + 1}")
    actors: list[dict[str, Any]] = []
    for i, row in enumerate(rows[2:], start=3):
        if len(row) < len(header):
            raise ScenarioError(f"row {i}", f"expected {len(header)} columns, got {len(row)}", file)
        where = lambda j, n=i: at(n, header[j])  # noqa: E731
        position, salience = {}, {}
        for d, dim in enumerate(dims):
            j = 3 + 2 * d
            position[dim] = number(row[j], file, where(j), lo=0, hi=100)
            salience[dim] = number(row[j + 1], file, where(j + 1), lo=0, hi=100) / 100
        total = sum(salience.values())
        if total > 1 + 1e-9:
            raise ScenarioError(
                f"row {i}", f"saliences sum to {100 * total:g} (KTAB allows at most 100)", file
            )
        actor: dict[str, Any] = {
            "name": slug(row[0]),
            "capability": number(row[2], file, where(2), lo=0),
            "position": position,
            "salience": salience,
        }
        if row[1]:
            actor["description"] = row[1]
        actors.append(actor)
    data: dict[str, Any] = {
        "name": Path(file).stem,
        "description": (title[2] if len(title) > 2 and title[2] else title[0]),
        "issues": [{"name": d, "min": 0.0, "max": 100.0} for d in dims],
        "actors": actors,
    }
    notes = [
        f"KTAB title line: {', '.join(c for c in title if c)}",
        "Positions on 0-100; saliences divided by 100; Influence -> capability.",
        "Status quo at 0 on every dimension (KTAB files have none). No war or no-deal values.",
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
