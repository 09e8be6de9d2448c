"""Comparing two stored runs: what changed in the scenario, how each headline number moved."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from goldenbridge.history.store import Run

__all__ = ["Moved", "RunDiff", "diff_runs", "headline_numbers", "changed_leaves"]


def _label(item: Any, index: int) -> str:
    """A list element's name in a path: its ``name`` field when it has one."""
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return f"[{item['name']}]"
    return f"[{index}]"


def _leaves(document: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(document, dict):
        for key, value in document.items():
            yield from _leaves(value, f"{path}.{key}" if path else str(key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _leaves(value, path + _label(value, i))
    else:
        yield path, document


def _is_headline(key: str) -> bool:
    """Probabilities and the proposer's utilities, not their errors or inputs."""
    if key.endswith("_se") or key in ("se", "p_reject"):  # (p_reject: 1 - p_accept)
        return False
    return key.startswith("p_") or key in ("proposer_eu", "proposer_u")


def headline_numbers(result: dict[str, Any]) -> dict[str, tuple[float, float | None]]:
    """Each headline number of a result document with its standard error (when given),
    keyed by its path (list elements by their ``name``).

    Examples
    --------
    >>> doc = {"offers": [{"name": "a", "p_deal": 0.5, "p_deal_se": 0.01,
    ...                    "actors": {"B": {"p_accept": 0.6, "se": 0.02}}}]}
    >>> headline_numbers(doc)
    {'offers[a].p_deal': (0.5, 0.01), 'offers[a].actors.B.p_accept': (0.6, 0.02)}
    """
    numbers: dict[str, tuple[float, float | None]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}" if path else str(key)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    if _is_headline(key):
                        se = node.get(f"{key}_se", node.get("se") if key == "p_accept" else None)
                        numbers[here] = (float(value), float(se) if se is not None else None)
                else:
                    walk(value, here)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, path + _label(value, i))

    walk(result, "")
    return numbers


@dataclass(frozen=True)
class Moved:
    """One headline number in both runs."""

    path: str
    before: float | None
    after: float | None
    se: float | None  # the larger of the two standard errors, when known

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def in_se(self) -> float | None:
        """The change in standard errors of the difference (independent runs)."""
        if self.change is None or not self.se:
            return None
        return self.change / (math.sqrt(2) * self.se)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "se": self.se,
            "change_in_se": self.in_se,
        }


@dataclass(frozen=True)
class RunDiff:
    """What separates two runs."""

    first: int
    second: int
    same_scenario: bool
    scenario_diff: tuple[str, ...]  # unified diff lines of the scenario texts
    arguments: dict[str, tuple[Any, Any]]  # argument -> (first, second), changed ones only
    versions: tuple[str, str]
    numbers: tuple[Moved, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``runs diff``."""
        return {
            "first": self.first,
            "second": self.second,
            "same_scenario": self.same_scenario,
            "scenario_diff": list(self.scenario_diff),
            "arguments": {k: list(v) for k, v in self.arguments.items()},
            "versions": list(self.versions),
            "numbers": [m.to_dict() for m in self.numbers],
        }


def diff_runs(first: Run, second: Run) -> RunDiff:
    """Compare two runs: a unified diff of their scenario texts (difflib), the changed
    arguments, and every headline number of either result with its move."""
    lines = difflib.unified_diff(
        first.scenario_text.splitlines(),
        second.scenario_text.splitlines(),
        fromfile=f"run {first.id}: {first.scenario_name}",
        tofile=f"run {second.id}: {second.scenario_name}",
        lineterm="",
    )
    keys = sorted(set(first.arguments) | set(second.arguments))
    changed_args = {
        k: (first.arguments.get(k), second.arguments.get(k))
        for k in keys
        if first.arguments.get(k) != second.arguments.get(k)
    }
    a, b = headline_numbers(first.result), headline_numbers(second.result)
    moved = []
    for path in [*a, *(p for p in b if p not in a)]:
        (va, sa), (vb, sb) = a.get(path, (None, None)), b.get(path, (None, None))
        errors = [s for s in (sa, sb) if s is not None]
        moved.append(Moved(path, va, vb, max(errors) if errors else None))
    return RunDiff(
        first=first.id,
        second=second.id,
        same_scenario=first.scenario_hash == second.scenario_hash,
        scenario_diff=tuple(lines),
        arguments=changed_args,
        versions=(first.version, second.version),
        numbers=tuple(moved),
    )


def changed_leaves(before: Any, after: Any) -> list[str]:
    """Paths whose values differ between two JSON documents (exact comparison: JSON
    floats round-trip, so equal documents mean bit-for-bit equal numbers).

    >>> changed_leaves({"a": [1.0, 2.0], "b": 1}, {"a": [1.0, 2.5], "b": 1})
    ['a[1]']
    """
    old, new = dict(_leaves(before)), dict(_leaves(after))
    return [p for p in [*old, *(q for q in new if q not in old)] if old.get(p) != new.get(p)]
