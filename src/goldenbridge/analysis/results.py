"""The JSON shape of every analysis result, from its dataclass fields.

One helper instead of a hand-written ``to_dict`` per result: :func:`to_dict` walks a
frozen dataclass's fields in order and converts each value (nested dataclasses, numpy
arrays and scalars, tuples, mappings) to plain JSON types. A field's metadata, written
``field(metadata=json_meta(...))`` (plain :func:`dataclasses.field`, so type checkers
see the dataclass as it is), changes what it becomes:

- ``name``: the JSON key; a dotted name nests (``"path.from"``), and a numeric last part
  builds a list (``"range.0"``, ``"range.1"`` -> ``"range": [low, high]``);
- ``digits``: round a float (or every float in a list) to this many decimals;
- ``skip``: leave the field out (arrays kept for plots, solver internals);
  ``JSON_SKIP`` is ``json_meta(skip=True)``;
- ``omit_empty``: leave the field out when its value is empty (``{}``, ``()``, ``None``).

A nested object with its own ``to_dict`` method keeps its shape (its method is called).

>>> from dataclasses import dataclass, field
>>> @dataclass(frozen=True)
... class Point:
...     low: float = field(metadata=json_meta(name="range.0"))
...     high: float = field(metadata=json_meta(name="range.1"))
...     p: float = field(metadata=json_meta(digits=2))
...     cache: tuple = field(metadata=JSON_SKIP, default=())
>>> to_dict(Point(0.0, 1.0, 0.12345))
{'range': [0.0, 1.0], 'p': 0.12}

The JSON document of an analysis is ``to_dict(result)``; a result type keeps its
``to_dict()`` method as a one-line call of this helper, so the CLI and the web API call
the same thing.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["JSON_SKIP", "json_meta", "jsonable", "to_dict"]


def json_meta(
    *,
    name: str | None = None,
    digits: int | None = None,
    skip: bool = False,
    omit_empty: bool = False,
) -> dict[str, Any]:
    """Field metadata for :func:`to_dict` (see the module docstring)."""
    metadata: dict[str, Any] = {}
    if name is not None:
        metadata["json_name"] = name
    if digits is not None:
        metadata["json_digits"] = digits
    if skip:
        metadata["json_skip"] = True
    if omit_empty:
        metadata["json_omit_empty"] = True
    return metadata


#: Metadata of a field left out of the JSON document.
JSON_SKIP = json_meta(skip=True)


def _round(value: Any, digits: int | None) -> Any:
    if digits is None:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return round(value, digits)
    if isinstance(value, list):
        return [_round(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _round(v, digits) for k, v in value.items()}
    return value


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: dataclasses as :func:`to_dict` (or their own
    ``to_dict``), numpy arrays as lists, numpy scalars as Python numbers, tuples as
    lists, mappings as dicts with string keys."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        method = getattr(value, "to_dict", None)
        return method() if callable(method) else to_dict(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def _place(out: dict[str, Any], lists: set[int], key: str, value: Any) -> None:
    """Put ``value`` at the dotted ``key`` of ``out`` (numeric parts index lists)."""
    *parents, last = key.split(".")
    node = out
    for part in parents:
        node = node.setdefault(part, {})
    if last.isdigit():
        lists.add(id(node))
    node[last] = value


def _lists(node: Any, lists: set[int]) -> Any:
    if isinstance(node, dict):
        converted = {k: _lists(v, lists) for k, v in node.items()}
        if id(node) in lists:
            return [converted[k] for k in sorted(converted, key=int)]
        return converted
    return node


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, Mapping | list | tuple | str) and len(value) == 0)


def to_dict(result: Any) -> dict[str, Any]:
    """The JSON document of a dataclass ``result``, field by field (see the module
    docstring for the metadata that renames, nests, rounds or skips a field)."""
    out: dict[str, Any] = {}
    lists: set[int] = set()
    for f in dataclasses.fields(result):
        raw = getattr(result, f.name)
        if f.metadata.get("json_skip") or (f.metadata.get("json_omit_empty") and _empty(raw)):
            continue
        value = _round(jsonable(raw), f.metadata.get("json_digits"))
        _place(out, lists, f.metadata.get("json_name", f.name), value)
    return _lists(out, lists)
