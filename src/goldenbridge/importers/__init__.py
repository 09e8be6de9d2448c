"""Importers: files people already have -> ordinary goldenbridge scenarios.

One module per format, each with ``load(files, *, proposer, target, vetoes)`` returning an
:class:`~goldenbridge.importers.common.Imported` (the validated scenario, the mapping and
a provenance header), found through one registry (like SALib's ``avail_approaches``).
To add a format: drop ``<format>.py`` with ``load`` and ``LABEL`` here and add one line
to ``_MODULES``.

>>> available()
['decide', 'eum', 'genius', 'ktab']
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from pathlib import Path

from goldenbridge.importers.common import Imported
from goldenbridge.scenario import ScenarioError

__all__ = ["Imported", "available", "import_files", "label"]

_MODULES = {
    "genius": "goldenbridge.importers.genius",
    "ktab": "goldenbridge.importers.ktab",
    "decide": "goldenbridge.importers.decide",
    "eum": "goldenbridge.importers.eum",
}


def available() -> list[str]:
    """The formats that can be imported."""
    return sorted(_MODULES)


def label(fmt: str) -> str:
    """A format's description."""
    return str(importlib.import_module(_MODULES[fmt]).LABEL)


def import_files(
    fmt: str,
    files: Sequence[str | Path],
    *,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    status_quo: Mapping[str, float | str] | None = None,
) -> Imported:
    """Import ``files`` written in format ``fmt`` (see :func:`available`); ``status_quo``
    sets issues' status quo (issue -> number or option), which none of the formats holds.

    Raises
    ------
    ScenarioError
        An unknown format, or the file, row and column of the first problem.
    """
    if fmt not in _MODULES:
        raise ScenarioError("FORMAT", f"unknown format {fmt!r} (known: {', '.join(available())})")
    module = importlib.import_module(_MODULES[fmt])
    imported: Imported = module.load(list(files), proposer=proposer, target=target, vetoes=vetoes)
    return imported.with_status_quo(dict(status_quo or {}), str(files[0]) if files else "")
