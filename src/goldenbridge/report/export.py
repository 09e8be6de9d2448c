"""Writing the per-world table (:mod:`goldenbridge.analysis.worlds`) as CSV or Parquet."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from goldenbridge.analysis.worlds import WorldTable
from goldenbridge.scenario.errors import InputError

__all__ = ["FORMATS", "check_export", "write_worlds"]

FORMATS = (".csv", ".parquet")


def check_export(path: Path) -> None:
    """Before any work: a known suffix, and pyarrow for Parquet (named with its install)."""
    if path.suffix.lower() not in FORMATS:
        raise InputError("expected a .csv or .parquet file", f"--export {path}")
    if path.suffix.lower() == ".parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise ImportError(
                f"--export {path}: Parquet needs pyarrow: pip install 'goldenbridge[export]'"
            ) from None


def _cell(value: object) -> object:
    if isinstance(value, np.bool_ | bool):
        return int(value)
    if isinstance(value, np.floating | float):
        return repr(float(value))  # shortest text that reads back to the same float
    return value.item() if isinstance(value, np.generic) else value


def write_worlds(table: WorldTable, path: Path) -> Path:
    """Write ``table`` to ``path`` (.csv: booleans as 0/1, floats round-trip exactly;
    .parquet: typed columns via pyarrow)."""
    check_export(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        arrays = {
            k: pa.array(v.tolist() if v.dtype == object else v) for k, v in table.columns.items()
        }
        pq.write_table(pa.table(arrays), path)
        return path
    names = list(table.columns)
    columns = [table.columns[k] for k in names]
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(names)
        for n in range(table.n):
            writer.writerow([_cell(c[n]) for c in columns])
    return path
