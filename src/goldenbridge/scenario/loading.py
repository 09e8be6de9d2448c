"""Reading scenarios: built-in names, YAML (safe loading only) or JSON files, mappings."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from goldenbridge.scenario.checks import check
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.reading import parse_text, read_file
from goldenbridge.scenario.schema import Scenario

__all__ = ["load", "parse", "builtin_names", "read_text", "suggest", "summaries"]

_BUILTIN = "goldenbridge.scenario.builtin"
_NAMED_LISTS = ("issues", "actors", "threats")
_UNION_TAGS = {"float", "str", "int", "bool", "dict[float,str]", "list[str]"}


def builtin_names() -> list[str]:
    """Names of the scenarios shipped with the package.

    Examples
    --------
    >>> "fearon-1d" in builtin_names()
    True
    """
    folder = resources.files(_BUILTIN)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def _field_path(raw: Any, loc: tuple[Any, ...]) -> str:
    """Pydantic's location as a dotted path, naming list items by their ``name``."""
    parts: list[str] = []
    node = raw
    for i, key in enumerate(loc):
        if isinstance(key, str) and (key in _UNION_TAGS or "[" in key):
            continue
        if key == "value" and not isinstance(node, dict):
            continue  # a plain number stands for {value: number}
        if isinstance(key, int) and i > 0 and loc[i - 1] in _NAMED_LISTS:
            try:
                name = node[key].get("name")
            except (AttributeError, IndexError, KeyError, TypeError):
                name = None
            named = isinstance(name, str) and name and name.isprintable()
            parts.append(str(name) if named else str(key))
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (IndexError, KeyError, TypeError):
            node = None
    return ".".join(parts)


def _field_names() -> list[str]:
    """Every field name the scenario format knows (for did-you-mean suggestions)."""
    from goldenbridge.scenario import schema
    from goldenbridge.scenario.distributions import Quantity

    models = (
        schema.Issue,
        schema.Actor,
        schema.ActorType,
        schema.Conflict,
        schema.ThreatEffect,
        schema.Threat,
        schema.Talks,
        schema.Scenario,
        Quantity,
    )
    return sorted({f.alias or name for m in models for name, f in m.model_fields.items()})


def _message(error: ErrorDetails) -> str:
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if error["type"] == "missing":
        return "missing required field"
    if error["type"] == "extra_forbidden":
        return "unknown field" + suggest(str(error["loc"][-1]), _field_names())
    if error["type"] in ("finite_number",):
        return "must be a finite number (not NaN or infinity)"
    return msg[0].lower() + msg[1:] if msg else msg


def parse(data: Any, file: str | None = None) -> Scenario:
    """Validate a mapping (as read from YAML or JSON) into a checked :class:`Scenario`.

    Raises
    ------
    ScenarioError
        With the field path and the problem, naming ``file`` when given.
    """
    if not isinstance(data, dict):
        raise ScenarioError("", "a scenario must be a mapping of fields", file)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ScenarioError(_field_path(data, tuple(first["loc"])), _message(first), file) from None
    try:
        return check(scenario)
    except ScenarioError as exc:
        raise exc.with_file(file) if file else exc from None


def read_text(text: str, file: str = "<text>", aliases: bool = True) -> Scenario:
    """Parse YAML or JSON text (JSON is YAML) into a checked scenario.

    ``aliases=False`` refuses YAML aliases, for text from untrusted sources.
    """
    return parse(parse_text(text, file, aliases=aliases), file)


def suggest(name: str, known: list[str] | tuple[str, ...]) -> str:
    """`` (did you mean 'x'?)`` for the closest of ``known``, or an empty string.

    Examples
    --------
    >>> suggest("salince", ["salience", "position"])
    " (did you mean 'salience'?)"
    """
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def load(source: str | Path | dict[str, Any]) -> Scenario:
    """Load a scenario from a built-in name, a ``.yaml``/``.yml``/``.json`` path or a mapping.

    Examples
    --------
    >>> scenario = load("fearon-1d")
    >>> [a.name for a in scenario.actors]
    ['A', 'B']
    """
    if isinstance(source, dict):
        return parse(source)
    name = str(source)
    if name in builtin_names() and not Path(name).exists():
        text = resources.files(_BUILTIN).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
        return read_text(text, name)
    if not Path(name).exists() and not Path(name).is_symlink():
        known = builtin_names()
        raise ScenarioError(
            "",
            f"no such file or built-in scenario{suggest(name, known)} "
            f"(built-ins: {', '.join(known)})",
            name,
        )
    return parse(read_file(name), name)


def summaries(loader: Callable[[str], Scenario] | None = None) -> list[dict[str, Any]]:
    """One row per built-in scenario: ``name``, ``description``, ``issues`` and
    ``actors`` (counts) — the document of ``goldenbridge scenarios --json`` and of
    the web API's ``/api/scenarios``.

    ``loader`` turns a built-in name into a scenario (default :func:`load`; the web
    passes its cache).

    >>> [row["issues"] for row in summaries() if row["name"] == "fearon-1d"]
    [1]
    """
    load_one = load if loader is None else loader
    rows = []
    for name in builtin_names():
        s = load_one(name)
        rows.append(
            {
                "name": name,
                "description": s.description or "",
                "issues": len(s.issues),
                "actors": len(s.actors),
            }
        )
    return rows
