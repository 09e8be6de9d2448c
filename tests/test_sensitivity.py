"""sensitivity(): the combined analysis, its JSON document and the CLI command."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from strategies import bargaining_scenario

runner = CliRunner()


def scenario_file(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario(), sort_keys=False))
    return str(file)


def test_default_offer_is_the_recommended_named_offer():
    scenario = gb.load(bargaining_scenario())
    result = gb.sensitivity(scenario, n=64, samples=2000)
    best = gb.evaluate(scenario, samples=2000).best
    assert result.offer_name == best.name
    assert result.offer == best.values


def test_cli_json_document(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--json", "--n", "64", "--samples", "2000"]
    result = runner.invoke(app, [*args, "--offer", "bridge", "--output", "proposer_eu"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["offer"] == {
        "name": "bridge",
        "values": {"nato": 50, "missiles": 60, "basing": "none"},
    }
    assert doc["output"] == "proposer_eu"
    names = {f["name"] for f in doc["factors"]}
    assert {"Russia.type", "conflict.p_win", "threats.sanctions.credibility"} <= names
    for f in doc["factors"]:
        assert set(f) >= {"name", "S1", "S1_conf", "ST", "ST_conf"}
    again = runner.invoke(app, [*args, "--offer", "bridge", "--output", "proposer_eu"])
    assert again.stdout == result.stdout


def test_cli_table_and_custom_offer(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--n", "64", "--samples", "2000"]
    result = runner.invoke(app, [*args, "--set", "nato=60"])
    assert result.exit_code == 0, result.output
    assert "offer 'custom'" in result.stdout and "Russia.type" in result.stdout


def test_cli_bad_input_is_one_line(tmp_path):
    file = scenario_file(tmp_path)
    for extra, message in (
        (["--n", "100"], "power of 2"),
        (["--offer", "nope"], "no such offer"),
        (["--output", "war"], "--output war"),
        (["--set", "nato=500"], "outside the scale"),
        (["--offer", "bridge", "--set", "nato=5"], "not both"),
    ):
        result = runner.invoke(app, ["sensitivity", file, "--n", "64", *extra])
        assert result.exit_code == 2, (extra, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
