"""sensitivity(): the combined analysis, its JSON document and the CLI command."""

from __future__ import annotations

import json

import pytest
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
    args = [
        "sensitivity",
        scenario_file(tmp_path),
        "--json",
        "--base-sample",
        "64",
        "--samples",
        "2000",
    ]
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
    robustness = {r["name"]: r for r in doc["robustness"]}
    assert {"Russia.types.revisionist.prior", "threats.sanctions.credibility"} <= set(robustness)
    for r in doc["robustness"]:
        assert len(r["range"]) == 2 and len(r["p_deal"]) == 2 and len(r["proposer_eu"]) == 2
    assert {f["factor"] for f in doc["flips"]} == set(robustness)
    for f in doc["flips"]:
        assert set(f) >= {"factor", "threshold", "new_best"}
    assert set(doc["voi"]) >= {"Russia.type", "everything"}
    assert all(v >= 0 for v in doc["voi"].values())
    assert doc["headline"]
    again = runner.invoke(app, [*args, "--offer", "bridge", "--output", "proposer_eu"])
    assert again.stdout == result.stdout


def test_parts_leave_the_others_empty(tmp_path):
    args = [
        "sensitivity",
        scenario_file(tmp_path),
        "--json",
        "--base-sample",
        "64",
        "--samples",
        "1000",
    ]
    result = runner.invoke(app, [*args, "--parts", "global"])
    doc = json.loads(result.stdout)
    assert doc["parts"] == ["global"] and doc["factors"]
    assert doc["robustness"] == [] and doc["flips"] == [] and doc["voi"] == {}
    assert doc["headline"].startswith("P(deal) of 'bridge' depends most on")
    doc = json.loads(runner.invoke(app, [*args, "--parts", "voi,flips"]).stdout)
    assert doc["parts"] == ["flips", "voi"] and doc["factors"] == []
    assert doc["flips"] and doc["voi"] and doc["robustness"]  # flips need the sweeps


def test_cli_table_and_custom_offer(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--base-sample", "64", "--samples", "2000"]
    result = runner.invoke(app, [*args, "--set", "nato=60"])
    assert result.exit_code == 0, result.output
    assert "offer 'custom'" in result.stdout and "Russia.type" in result.stdout
    for title in ("Sobol' indices", "Robustness", "Value of information"):
        assert title in result.stdout


def test_cli_morris_and_plots(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--samples", "1000", "--method", "morris"]
    result = runner.invoke(app, [*args, "--trajectories", "3", "--plot", str(tmp_path / "p")])
    assert result.exit_code == 0, result.output
    assert "Morris screening" in result.stdout
    for name in ("tornado.png", "indices.png"):
        assert (tmp_path / "p" / name).read_bytes().startswith(b"\x89PNG")
    result = runner.invoke(app, [*args, "--trajectories", "3", "--json"])
    doc = json.loads(result.stdout)
    assert doc["method"] == "morris"
    assert set(doc["factors"][0]) >= {"name", "mu_star", "mu_star_conf", "sigma"}


def test_cli_bad_input_is_one_line(tmp_path):
    file = scenario_file(tmp_path)
    for extra, message in (
        (["--base-sample", "100"], "power of 2"),
        (["--offer", "nope"], "no such offer"),
        (["--output", "war"], "--output war"),
        (["--set", "nato=500"], "outside the scale"),
        (["--offer", "bridge", "--set", "nato=5"], "not both"),
        (["--method", "fast"], "--method fast"),
        (["--evppi", "Russia.nothing"], "not an uncertain input"),
        (["--backend", "gpu"], "--backend gpu: expected auto, numpy or numba"),
        (["--parts", "global,tornado"], "--parts tornado"),
    ):
        result = runner.invoke(app, ["sensitivity", file, "--base-sample", "64", *extra])
        assert result.exit_code == 2, (extra, result.output)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]


def test_progress_reaches_every_stage_and_dask_gives_the_same_numbers():
    pytest.importorskip("dask.distributed")
    scenario = gb.load(bargaining_scenario())
    seen: dict[str, tuple[int, int]] = {}
    local = gb.sensitivity(
        scenario,
        n=64,
        samples=2000,
        progress=lambda s, done, total: seen.update({s: (done, total)}),
    )
    assert set(seen) == {"Sobol' indices", "Robustness sweeps", "Decision flips"}
    assert all(0 < done == total for done, total in seen.values())
    assert seen["Sobol' indices"][1] == local.attribution.runs
    # the sweeps' model runs on a local Dask cluster: the same document, number for number
    on_dask = gb.sensitivity(scenario, n=64, samples=2000, backend="dask", dask="local")
    assert on_dask.to_dict() == local.to_dict()
