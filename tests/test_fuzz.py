"""Fuzzing the loader and evaluate with mutations of the shipped scenarios (issue 16).

Each mutated scenario, handed over as a mapping, as YAML text or as a JSON file,
must either be refused with one :class:`ScenarioError` line, or evaluate to finite
numbers that the numpy and numba engines agree on. Anything else (a traceback, a
NaN, an engine disagreement) is a bug. Bounded in time: a fixed number of examples
at a small sample size, and hypothesis's deadline off (the first call compiles).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import goldenbridge as gb
from goldenbridge.scenario import ScenarioError, parse, read_text
from goldenbridge.scenario.reading import read_file
from strategies import mutated_scenarios

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def _numbers(document: Any) -> list[float]:
    if isinstance(document, dict):
        return [x for v in document.values() for x in _numbers(v)]
    if isinstance(document, list):
        return [x for v in document for x in _numbers(v)]
    if isinstance(document, float | int) and not isinstance(document, bool):
        return [float(document)]
    return []


def _load(data: dict[str, Any], form: str, tmp_path) -> gb.Scenario:
    if form == "dict":
        return parse(data)
    if form == "yaml":
        return read_text(yaml.safe_dump(data, sort_keys=False), "fuzz.yaml")
    file = tmp_path / "fuzz.json"
    file.write_text(
        json.dumps(data, default=str)
    )  # dates as text; NaN and Infinity appear as JSON's non-standard tokens
    return parse(read_file(file), str(file))


def _check_refusal(exc: ScenarioError) -> None:
    line = exc.one_line()
    assert "\n" not in line and line.isprintable(), line
    assert exc.message


@pytest.mark.slow  # 22-24 s cold
@FUZZ
@given(data=mutated_scenarios(), form=st.sampled_from(["dict", "yaml", "json"]))
def test_mutated_scenarios_are_refused_in_one_line_or_evaluate_finite(data, form, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("fuzz")
    try:
        scenario = _load(data, form, tmp_path)
    except ScenarioError as exc:
        _check_refusal(exc)
        return
    try:
        by_numpy = gb.evaluate(scenario, samples=64, seed=1, backend="numpy")
    except ScenarioError as exc:  # e.g. a distribution that validation let through
        _check_refusal(exc)
        pytest.fail(f"validated, then refused at run time: {exc.one_line()}")
    by_numba = gb.evaluate(scenario, samples=64, seed=1, backend="numba")
    a, b = by_numpy.to_dict(), by_numba.to_dict()
    numbers_a, numbers_b = _numbers(a), _numbers(b)
    assert all(math.isfinite(x) for x in numbers_a), a
    assert len(numbers_a) == len(numbers_b)
    np.testing.assert_allclose(numbers_a, numbers_b, rtol=1e-9, atol=1e-9)
    json.dumps(a, allow_nan=False)
