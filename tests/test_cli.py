"""The command line: every command, --json documents, determinism."""

from __future__ import annotations

import json

import pytest
import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from strategies import bargaining_scenario

runner = CliRunner()


def run(*args):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_version():
    assert run("--version").stdout.strip() == f"goldenbridge {gb.__version__}"


def test_scenarios_lists_builtins():
    doc = json.loads(run("scenarios", "--json").stdout)
    names = [s["name"] for s in doc["scenarios"]]
    assert names == gb.builtin_names() and "fearon-1d" in names
    assert "fearon-1d" in run("scenarios").stdout


def test_validate(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario(), sort_keys=False))
    assert run("validate", str(file)).stdout.startswith("ok: base: 3 issues, 3 actors")
    doc = json.loads(run("validate", str(file), "--json").stdout)
    assert doc["valid"] and doc["offers"] == ["reject", "bridge"]


def test_evaluate_json_shape(tmp_path):
    file = tmp_path / "s.json"
    file.write_text(json.dumps(bargaining_scenario()))
    doc = json.loads(run("evaluate", str(file), "--json", "--samples", "3000").stdout)
    assert doc["scenario"] == "base" and doc["samples"] == 3000 and doc["seed"] == 1
    assert [o["name"] for o in doc["offers"]] == ["reject", "bridge"]
    bridge = doc["offers"][1]
    assert bridge["values"] == {"nato": 50, "missiles": 60, "basing": "none"}
    for key in ("p_deal", "p_deal_se", "p_war", "proposer_eu", "proposer_eu_se"):
        assert isinstance(bridge[key], float)
    assert set(bridge["actors"]) == {"Russia", "Poland"}
    assert set(bridge["actors"]["Russia"]) >= {"p_accept", "p_accept_se", "p_sole_blocker"}
    assert set(bridge["types"]["Russia"]) == {"security", "revisionist"}
    assert set(bridge["types"]["Russia"]["security"]) >= {"weight", "p_accept"}


def test_evaluate_selected_and_custom_offers(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario(), sort_keys=False))
    doc = json.loads(
        run(
            "evaluate",
            str(file),
            "--offer",
            "bridge",
            "--set",
            "nato=30",
            "--set",
            "basing=rotational",
            "--json",
        ).stdout
    )
    assert [o["name"] for o in doc["offers"]] == ["bridge", "custom"]
    assert doc["offers"][1]["values"] == {"nato": 30.0, "missiles": 0, "basing": "rotational"}


def test_same_seed_same_json_and_seed_matters(tmp_path):
    args = ("evaluate", "fearon-1d", "--json", "--samples", "5000")
    first, second = run(*args).stdout, run(*args).stdout
    assert first == second
    assert run(*args, "--seed", "99").stdout != first


def test_human_output_has_labelled_errors_and_an_answer():
    text = run("evaluate", "fearon-1d", "--samples", "5000").stdout
    assert "Monte Carlo standard error" in text and "Would B buy the bridge?" in text


def test_evaluate_on_local_dask_cluster_gives_the_same_json():
    pytest.importorskip("dask.distributed")
    args = ("evaluate", "fearon-1d", "--samples", "40000", "--seed", "2", "--json")
    local = json.loads(run(*args).stdout)
    assert json.loads(run(*args, "--dask", "local").stdout) == local


def test_bad_dask_address_is_one_error_line():
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--dask", "somewhere"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        "error: --dask somewhere: expected 'local' or a scheduler address such as tcp://host:8786"
    ]


def test_json_has_null_for_an_empty_type_stratum():
    doc = json.loads(run("evaluate", "russia-2021", "--json", "-n", "1").stdout)
    types = doc["offers"][0]["types"]["Russia"]
    assert None in [t["p_accept"] for t in types.values()]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["negotiate", "fearon-1d", "--rounds", "2", "--hazard", "1.5"], "'--hazard'"),
        (["negotiate", "fearon-1d", "--rounds", "two"], "'--rounds'"),
        (["update", "fearon-1d", "--observe", "x.yaml", "--noise", "-1"], "'--noise'"),
        (["sensitivity", "fearon-1d", "--samples", "0"], "'--samples'"),
        (["deterrence", "fearon-1d"], "'--threat'"),
        (["deterrence", "fearon-1d", "--threat", "t", "--tolerance", "2"], "'--tolerance'"),
        (["evaluate", "fearon-1d", "--bogus"], "--bogus"),
        (["nosuchcommand"], "'nosuchcommand'"),
    ],
)
def test_bad_option_values_are_one_error_line(args, field):
    # click's own checks (ranges, types, missing and unknown options) answer like every
    # other bad input: one line naming the option, exit code 2, no usage box
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and field in lines[0], lines
    assert result.stdout == ""


def test_bare_command_shows_the_help():
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "Usage" in result.stdout and "negotiate" in result.stdout
