"""Reading scenarios: built-in names, YAML (safe loading only) or JSON files, mappings."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from goldenbridge.scenario.checks import check
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import Scenario

__all__ = ["load", "parse", "builtin_names", "read_text", "summaries"]

_BUILTIN = "goldenbridge.scenario.builtin"
_NAMED_LISTS = ("issues", "actors", "threats")
_UNION_TAGS = {"float", "str", "int", "bool", "dict[float,str]", "list[str]"}


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loading that rejects a key given twice in one mapping (PyYAML keeps
    the last silently, which hides typos in scenario files)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _NoAliasLoader(_UniqueKeyLoader):
    """The same, also refusing aliases (``*name``): for untrusted text, where a few
    hundred bytes of aliases can expand into billions of nodes during validation."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted here", event.start_mark
            )
        return super().compose_node(parent, index)  # type: ignore[no-untyped-call]


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
            parts.append(str(name) if isinstance(name, str) and name else str(key))
        else:
            parts.append(str(key))
        try:
            node = node[key]
        except (IndexError, KeyError, TypeError):
            node = None
    return ".".join(parts)


def _message(error: ErrorDetails) -> str:
    msg = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    if error["type"] == "missing":
        return "missing required field"
    if error["type"] == "extra_forbidden":
        return "unknown field"
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
    try:
        loader = _UniqueKeyLoader if aliases else _NoAliasLoader
        data = yaml.load(text, Loader=loader)  # noqa: S506 (SafeLoader subclasses)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ScenarioError("", f"YAML syntax error{where}: {problem}", file) from None
    return parse(data, file)


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
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        known = ", ".join(builtin_names())
        raise ScenarioError(
            "", f"no such file or built-in scenario (built-ins: {known})", name
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError("", f"cannot read file: {exc.__class__.__name__}", name) from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                "", f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}", name
            ) from None
        return parse(data, name)
    return read_text(text, name)


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
