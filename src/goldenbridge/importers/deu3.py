"""DEU III (Decision-making in the European Union; Arregui & Perarnaud 2021): cases with
recorded outcomes, for backtesting the forecasting models.

The file (tab-separated, one issue per row after the header) holds, per issue, 30
actors' positions (columns ``pcom`` ... ``puk``), their saliences (``scom`` ... ``suk``),
the reference point ``rp`` and the outcome ``out``, all on 0-100. The copy used here
(blksv/predictioneers_game) has a second line with GDP figures under the position
columns, which its author used as capabilities.

Rules (issue 19): an actor with no position on an issue is left out of it; a missing
salience counts as 0; capabilities are equal unless ``capabilities="gdp"``; issues
without an outcome are left out. Saliences are divided by 100 (shares in [0, 1]).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from goldenbridge.importers.common import at, number, read_text
from goldenbridge.scenario import ScenarioError
from goldenbridge.scenario.errors import InputError

__all__ = ["Case", "read_cases"]


@dataclass(frozen=True)
class Case:
    """One issue with a recorded outcome: the actors' inputs, reference point, outcome."""

    issue: str
    names: tuple[str, ...]
    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    reference: float | None
    outcome: float
    lo: float = 0.0
    hi: float = 100.0


def read_cases(file: str | Path, capabilities: str = "equal") -> list[Case]:
    """Every DEU III issue that has an outcome.

    Examples
    --------
    >>> cases = read_cases("tests/data/deu3/deu3_blksv_modified.csv")
    >>> len(cases), cases[0].issue
    (353, 'd00032i1')
    """
    if capabilities not in ("equal", "gdp"):
        raise InputError(f"capabilities: {capabilities!r} (expected equal or gdp)")
    name = str(file)
    rows = list(csv.reader(io.StringIO(read_text(file)), delimiter="\t"))
    if not rows:
        raise ScenarioError("", "empty file", name)
    header = [c.strip() for c in rows[0]]
    pcols = [
        j
        for j, c in enumerate(header)
        if len(c) in (3, 4) and c.startswith("p") and "s" + c[1:] in header
    ]
    scols = [header.index("s" + header[j][1:]) for j in pcols]
    try:
        rp, out, issue_col = header.index("rp"), header.index("out"), header.index("isnr")
    except ValueError as exc:
        raise ScenarioError("row 1", f"missing column {exc.args[0].split()[0]}", name) from None
    if not pcols:
        raise ScenarioError(
            "row 1", "no position columns (p<actor>) with salience (s<actor>)", name
        )
    actors = [header[j][1:] for j in pcols]
    data = rows[1:]
    gdp = None
    if data and not "".join(data[0][: pcols[0]]).strip():  # the GDP line of this copy
        gdp_row, data = data[0], data[1:]
        gdp = np.array(
            [number(gdp_row[j], name, f"row 2, column {header[j]}", lo=0) for j in pcols]
        )
    if capabilities == "gdp" and gdp is None:
        raise ScenarioError("row 2", "--capabilities gdp needs the GDP line (row 2)", name)
    cases = []
    first = 3 if gdp is not None else 2
    for i, row in enumerate(data, start=first):
        if len(row) < len(header) or not row[out].strip():
            continue
        where = lambda j, n=i: at(n, header[j])  # noqa: E731
        keep = [k for k, j in enumerate(pcols) if row[j].strip()]
        pos = np.array([number(row[pcols[k]], name, where(pcols[k]), 0, 100) for k in keep])
        sal = np.array(
            [
                number(row[scols[k]], name, where(scols[k]), 0, 100) / 100
                if row[scols[k]].strip()
                else 0.0
                for k in keep
            ]
        )
        cap = gdp[keep] if capabilities == "gdp" and gdp is not None else np.ones(len(keep))
        cases.append(
            Case(
                issue=row[issue_col].strip(),
                names=tuple(actors[k] for k in keep),
                position=pos,
                salience=sal,
                capability=cap,
                reference=number(row[rp], name, where(rp), 0, 100) if row[rp].strip() else None,
                outcome=number(row[out], name, where(out), 0, 100),
            )
        )
    if not cases:
        raise ScenarioError("", "no issue with an outcome", name)
    return cases
