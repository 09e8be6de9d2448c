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


def test_default_offer_is_the_recommended_offer():
    # the risk-return optimum over every issue: no named offer and no offer on a grid of
    # the continuous issues (the discrete one at its status quo, as the search keeps it)
    # has a higher proposer EU on the same worlds, up to the search's last step
    scenario = gb.load(bargaining_scenario())
    result = gb.sensitivity(scenario, n=64, samples=2000, parts=("global",))
    assert result.offer_name == "recommended" and result.reoptimised
    population = gb.sample(scenario, 2000, scenario.seed)
    grid = {
        f"{a},{b}": {"nato": a, "missiles": b} for a in range(0, 101, 10) for b in range(0, 101, 10)
    }
    e = gb.evaluate(population, {**scenario.offers, **grid, "recommended": result.offer})
    found = e.offer("recommended")
    assert found.proposer_eu == pytest.approx(result.baseline.proposer_eu, abs=1e-9)
    assert found.p_war == pytest.approx(result.baseline.p_war, abs=1e-9)
    assert found.proposer_eu >= max(o.proposer_eu for o in e.offers) - 0.005


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
        "reoptimised": False,
    }
    assert doc["output"] == "proposer_eu"
    names = {f["name"] for f in doc["factors"]}
    assert {"Russia.type", "conflict.p_win", "threats.sanctions.credibility"} <= names
    for f in doc["factors"]:
        assert set(f) >= {"name", "S1", "S1_conf", "ST", "ST_conf"}
    robustness = {r["name"]: r for r in doc["robustness"]}
    assert {"Russia.types.revisionist.prior", "threats.sanctions.credibility"} <= set(robustness)
    for r in doc["robustness"]:
        assert len(r["range"]) == 2 and all(len(r[k]) == 2 for k in ("p_war", "p_deal"))
        assert r["reoptimised"] is False  # a named offer is held fixed
    assert {f["factor"] for f in doc["flips"]} == set(robustness)
    for f in doc["flips"]:
        assert set(f) >= {"factor", "threshold", "direction", "value", "offer"}
    assert [s["name"] for s in doc["switches"]] == ["veto information", "reading of a rejection"]
    assert doc["switches"][0]["note"] is None and doc["switches"][1]["note"]
    assert set(doc["voi"]) >= {"Russia.type", "everything"}
    assert all(v >= 0 for v in doc["voi"].values())
    assert doc["headline"].startswith("The answer depends most on " + doc["decides"])
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
    assert doc["headline"].startswith("P(war) of the recommended offer depends most, across")
    doc = json.loads(
        runner.invoke(app, [*args, "--parts", "voi,flips", "--reoptimise", "1"]).stdout
    )
    assert doc["parts"] == ["flips", "voi"] and doc["factors"] == []
    assert doc["flips"] and doc["voi"] and doc["robustness"]  # flips need the rows
    assert [r["reoptimised"] for r in doc["robustness"]].count(True) == 1


def test_cli_table_and_custom_offer(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--base-sample", "64", "--samples", "2000"]
    result = runner.invoke(app, [*args, "--set", "nato=60"])
    assert result.exit_code == 0, result.output
    assert "custom offer" in result.stdout and "Russia.type" in result.stdout
    for title in ("Sobol' indices", "Robustness", "Structural switches", "Value of information"):
        assert title in result.stdout


def test_cli_morris_and_plots(tmp_path):
    args = ["sensitivity", scenario_file(tmp_path), "--samples", "1000", "--method", "morris"]
    args += ["--offer", "bridge", "--parts", "global,robustness"]
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
        (["--reoptimise", "some"], "--reoptimise some"),
        (["--flip-by", "2"], "--flip-by 2"),
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
        reoptimise=1,
        progress=lambda s, done, total: seen.update({s: (done, total)}),
    )
    stages = {"Recommended offer", "Sobol' indices", "Robustness", "Decision flips"}
    assert set(seen) == stages
    assert all(0 < done == total for done, total in seen.values())
    assert seen["Sobol' indices"][1] == local.attribution.runs
    # Morris' model runs (the offer fixed) on a local Dask cluster: the same numbers
    kw = {"n": 64, "samples": 1000, "method": "morris", "trajectories": 2, "parts": ["global"]}
    on_dask = gb.sensitivity(scenario, "bridge", backend="dask", dask="local", **kw)
    assert on_dask.to_dict() == gb.sensitivity(scenario, "bridge", **kw).to_dict()
