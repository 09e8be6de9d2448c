"""Golden JSON: each command's ``--json`` document on a small, seeded run, against the
file in ``tests/golden/``.

These lock the JSON *shape* (the keys the CLI and the web API promise) and every number
that is deterministic under a fixed seed; the numbers themselves are tested against
independent results elsewhere (test_evaluate, test_optimize, ...). Floats are compared to
1e-9 relative (last-bit differences between machines' floating point are not a change of
behaviour); keys, strings, integers, booleans and nulls exactly.

After an intended change of a document, rewrite the files and review the diff::

    GOLDEN_UPDATE=1 python -m pytest -q -p no:xdist tests/test_golden.py
    git diff tests/golden/

``bench`` is left out: its numbers are timings.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from goldenbridge.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden"
OBSERVATIONS = str(GOLDEN / "fearon-rejected.yaml")
SMALL = ["-n", "2000", "--seed", "1"]

COMMANDS: dict[str, list[str]] = {
    "scenarios": ["scenarios"],
    "validate": ["validate", "teaching-2d"],
    "evaluate": ["evaluate", "teaching-2d", *SMALL],
    "demo": ["demo", *SMALL],
    "optimize": ["optimize", "fearon-1d", *SMALL],
    "sensitivity": [
        "sensitivity",
        "fearon-1d",
        "--set",
        "share=0.6",
        "--base-sample",
        "256",
        *SMALL,
    ],
    "update": ["update", "fearon-1d", "--observe", OBSERVATIONS, *SMALL],
    "negotiate": ["negotiate", "fearon-1d", "--rounds", "3", "--grid", "21", *SMALL],
    "deterrence": [
        "deterrence",
        "teaching-2d",
        "--threat",
        "more_sanctions",
        "--credibility",
        "0,0.5,1",
        *SMALL,
    ],
}


def differences(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` departs from ``expected`` (floats to 1e-9 relative)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        out = [f"{where}.{k}: missing" for k in expected if k not in actual]
        out += [f"{where}.{k}: not in the golden file" for k in actual if k not in expected]
        for k in expected.keys() & actual.keys():
            out += differences(expected[k], actual[k], f"{where}.{k}")
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(actual)} items, expected {len(expected)}"]
        return [
            d
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for d in differences(e, a, f"{where}[{i}]")
        ]
    if isinstance(expected, float) and isinstance(actual, float):
        if math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12):
            return []
    elif type(expected) is type(actual) and expected == actual:
        return []
    return [f"{where}: {actual!r}, expected {expected!r}"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_json_matches_the_golden_file(command):
    result = CliRunner().invoke(app, [*COMMANDS[command], "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)  # exactly one JSON document
    path = GOLDEN / f"{command}.json"
    if os.environ.get("GOLDEN_UPDATE") == "1":
        path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    expected = json.loads(path.read_text(encoding="utf-8"))
    problems = differences(expected, document)
    assert not problems, "\n".join(problems[:20])


def test_differences_sees_what_changes():
    """The comparison itself: a moved number, a missing and an extra key, a type change."""
    golden = {"a": 0.5, "b": [1, 2], "c": "x"}
    assert differences(golden, {"a": 0.5 + 1e-13, "b": [1, 2], "c": "x"}) == []
    assert differences(golden, {"a": 0.51, "b": [1, 2], "c": "x"}) == ["$.a: 0.51, expected 0.5"]
    assert differences(golden, {"a": 0.5, "b": [1, 2]}) == ["$.c: missing"]
    assert differences(golden, {**golden, "d": 1}) == ["$.d: not in the golden file"]
    assert differences({"n": 1}, {"n": 1.0}) == ["$.n: 1.0, expected 1"]
