"""The shipped russia-2021 scenario and `goldenbridge demo` (docs/tutorial.md)."""

from __future__ import annotations

import json
from importlib import resources

import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app

runner = CliRunner()
RAW = yaml.safe_load(
    resources.files("goldenbridge.scenario.builtin").joinpath("russia-2021.yaml").read_text()
)
NUMBER_KEYS = {"value", "uniform", "normal", "triangular", "beta", "choice"}


def _unsourced(node, path=""):
    """Paths of numbers (or distributions) not written with both `source` and `basis`."""
    if isinstance(node, dict):
        if NUMBER_KEYS & set(node):
            return [] if {"source", "basis"} <= set(node) else [path]
        return [p for k, v in node.items() for p in _unsourced(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _unsourced(v, f"{path}.{i}")]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [path]
    return []


def test_every_model_parameter_has_source_and_basis():
    for section in ("actors", "conflict", "threats"):
        assert _unsourced(RAW[section], section) == []


def test_seed_scenario_shape():
    s = gb.load("russia-2021")
    assert {i.name for i in s.issues} >= {"enlargement", "missiles", "forces"}
    for issue in s.issues:
        assert (issue.min, issue.max) == (0, 100) and issue.labels
    assert s.proposer.name == "United States" and s.target.name == "Russia"
    assert len(s.target.type_names) >= 2 and len(s.vetoes) >= 2
    names = set(s.offers)
    assert {"reject", "us_jan26_answer", "accept_all"} <= names
    assert len([n for n in names if n.startswith("bridge_")]) >= 2


def test_demo_prints_every_package_and_the_answer():
    result = runner.invoke(app, ["demo", "--samples", "20000"])
    assert result.exit_code == 0, result.output
    for name in gb.load("russia-2021").offers:
        assert name in result.stdout
    assert "Would Russia buy the bridge?" in result.stdout
    assert "standard error" in result.stdout


def test_demo_json_has_every_actor_and_type():
    doc = json.loads(runner.invoke(app, ["demo", "--samples", "5000", "--json"]).stdout)
    s = gb.load("russia-2021")
    assert doc["scenario"] == s.name and doc["samples"] == 5000
    for offer in doc["offers"]:
        assert set(offer["actors"]) == {a.name for a in s.actors if a.role != "proposer"}
        assert set(offer["types"]["Russia"]) == set(s.target.type_names)
        assert 0 <= offer["p_deal"] <= 1 and offer["p_deal_se"] >= 0
