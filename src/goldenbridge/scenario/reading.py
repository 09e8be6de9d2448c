"""The one reader of every user file: scenarios, observations, imported documents.

Text becomes plain data (mappings, lists, numbers, text) here and nowhere else, so
every file a user hands the system is refused the same way, in one line with a
position, before anything is built from it:

- YAML is read with the safe loader (no ``!!python`` tags), a key given twice in
  one mapping is an error (PyYAML keeps the last silently), keys must be plain
  scalars (``? [1, 2]`` is refused), merge keys (``<<``) are refused;
- nesting deeper than :data:`MAX_DEPTH` is refused before it can exhaust the
  recursion limit (YAML while composing, JSON by a scan before parsing);
- aliases (``*name``) are refused for untrusted text and, where allowed, the
  document they expand to is bounded (:data:`MAX_NODES`: "billion laughs");
- control characters are refused with their line and column;
- a path must name a regular file no larger than :data:`MAX_BYTES`: a FIFO, a
  device or a directory (or a symlink to one) is refused at once, without reading it
  (:func:`read_bytes`, also the importers' reader); a symlink to a regular file is
  followed, and no error shows a file's content.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from goldenbridge.scenario.errors import ScenarioError

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "parse_text", "read_bytes", "read_file"]

#: Largest file accepted (the shipped scenarios are under 40 KB).
MAX_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and lists (a scenario needs about 8).
MAX_DEPTH = 32
#: Most values a document may hold once its aliases are expanded.
MAX_NODES = 200_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _where(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"line {line}, column {column}"


def _check_characters(text: str, file: str) -> None:
    found = _CONTROL.search(text)
    if found:
        code = f"U+{ord(found.group()):04X}"
        raise ScenarioError(
            "", f"control character {code} at {_where(text, found.start())} is not allowed", file
        )


class _Loader(yaml.SafeLoader):
    """Safe loading with unique scalar keys, no merge keys and bounded nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", mark
                )
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                raise yaml.constructor.ConstructorError(
                    None, None, "merge keys (<<) are not accepted", key_node.start_mark
                )
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a name or a number", key_node.start_mark
                )
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_undefined(self, node: yaml.Node) -> Any:
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {node.tag} is not accepted", node.start_mark
        )


_Loader.add_constructor(None, _Loader.construct_undefined)


class _NoAliasLoader(_Loader):
    """The same, also refusing aliases: for untrusted text (the web)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not accepted here", self.peek_event().start_mark
            )
        return super().compose_node(parent, index)


def _expanded_size(data: Any, file: str) -> int:
    """Values in ``data`` counting each alias as a copy; bounded depth, no cycles."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any, depth: int) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ScenarioError("", "a document may not contain itself (recursive alias)", file)
        if depth > MAX_DEPTH:
            raise ScenarioError("", f"nested more than {MAX_DEPTH} levels deep", file)
        active.add(key)
        children = [*node.keys(), *node.values()] if isinstance(node, dict) else node
        total = 1
        for child in children:
            total += size(child, depth + 1)
            if total > MAX_NODES:
                raise ScenarioError(
                    "",
                    f"the document expands to more than {MAX_NODES:,} values "
                    "(aliases repeat what they refer to)",
                    file,
                )
        active.discard(key)
        sizes[key] = total
        return total

    return size(data, 0)


def _json_depth(text: str) -> tuple[int, int]:
    """Deepest bracket nesting of JSON text outside strings, and where it is reached."""
    depth = deepest = at = 0
    in_string = escaped = False
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, at = depth, i
                if deepest > MAX_DEPTH:
                    break
        elif ch in "]}":
            depth -= 1
    return deepest, at


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def parse_text(
    text: str, file: str = "<text>", *, json_only: bool = False, aliases: bool = True
) -> Any:
    """Plain data from YAML or JSON text (JSON is YAML; ``json_only`` uses JSON's rules).

    Parameters
    ----------
    text : str
    file : str
        Named in errors.
    json_only : bool
        Parse as strict JSON (a ``.json`` file), with JSON's error positions.
    aliases : bool
        ``False`` refuses YAML aliases, for text from untrusted sources.

    Raises
    ------
    ScenarioError
        One line with the position of the problem.

    Examples
    --------
    >>> parse_text("a: 1\\nb: [2, 3]")
    {'a': 1, 'b': [2, 3]}
    >>> parse_text("a: 1\\na: 2", "x.yaml")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    goldenbridge.scenario.errors.ScenarioError: x.yaml: YAML error at line 2, ...: duplicate key 'a'
    """
    if len(text) > MAX_BYTES:
        raise ScenarioError("", f"larger than {MAX_BYTES // 1024 // 1024} MB", file)
    _check_characters(text, file)
    if json_only:
        deepest, at = _json_depth(text)
        if deepest > MAX_DEPTH:
            raise ScenarioError(
                "", f"JSON nested more than {MAX_DEPTH} levels deep at {_where(text, at)}", file
            )
        try:
            # NaN and Infinity tokens are read, then refused by validation with their field
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                "", f"JSON syntax error at line {exc.lineno}, column {exc.colno}: {exc.msg}", file
            ) from None
    loader = _Loader if aliases else _NoAliasLoader
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = _one_line(exc.problem or exc.context or "invalid YAML")
        syntax = isinstance(exc, yaml.scanner.ScannerError | yaml.parser.ParserError)
        what = "YAML syntax error" if syntax else "YAML error"
        raise ScenarioError("", f"{what}{where}: {problem}", file) from None
    except yaml.reader.ReaderError as exc:
        where = _where(text, exc.position) if isinstance(exc.position, int) else "?"
        raise ScenarioError("", f"YAML error at {where}: {_one_line(exc.reason)}", file) from None
    except yaml.YAMLError as exc:
        raise ScenarioError("", f"YAML error: {_one_line(str(exc))}", file) from None
    except RecursionError:
        raise ScenarioError("", f"nested more than {MAX_DEPTH} levels deep", file) from None
    _expanded_size(data, file)
    return data


def read_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file no larger than :data:`MAX_BYTES`, or a one-line error.

    Only a regular file is read: a directory, FIFO, device or socket is refused at
    once (reading one can block forever or never end). A symlink is followed to its
    file: the command line runs with its user's own rights, so a link grants nothing
    the user could not read directly, and many keep data behind links. No error ever
    shows the file's content, only its name and the problem (the web server never
    opens a path a client names at all).

    Raises
    ------
    ScenarioError
        ``no such file``, ``is a directory``, ``not a regular file``, too large or
        unreadable, naming the file.
    """
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError("", "no such file", name) from None
    except IsADirectoryError:
        raise ScenarioError("", "is a directory", name) from None
    except OSError as exc:
        raise ScenarioError(
            "", f"cannot read file: {exc.strerror or type(exc).__name__}", name
        ) from None
    info = os.fstat(fd)
    problem = (
        "is a directory"
        if stat.S_ISDIR(info.st_mode)
        else "not a regular file (a FIFO, device or socket)"
        if not stat.S_ISREG(info.st_mode)
        else f"larger than {MAX_BYTES // 1024 // 1024} MB"
        if info.st_size > MAX_BYTES
        else None
    )
    if problem:
        os.close(fd)
        raise ScenarioError("", problem, name)
    with os.fdopen(fd, "rb") as handle:
        try:
            raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ScenarioError(
                "", f"cannot read file: {exc.strerror or type(exc).__name__}", name
            ) from None
    if len(raw) > MAX_BYTES:  # it grew after fstat
        raise ScenarioError("", f"larger than {MAX_BYTES // 1024 // 1024} MB", name)
    return raw


def read_file(path: str | Path, *, aliases: bool = True) -> Any:
    """Plain data from a ``.yaml``/``.yml``/``.json`` file, read by :func:`read_bytes`
    (a regular file only; a symlink is followed to its file) and :func:`parse_text`.

    Raises
    ------
    ScenarioError
        ``no such file``, ``not a regular file``, too large, unreadable, or a
        syntax problem with its position.
    """
    name = str(path)
    raw = read_bytes(name)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError("", f"not UTF-8 text (byte {exc.start + 1})", name) from None
    return parse_text(text, name, json_only=name.lower().endswith(".json"), aliases=aliases)
