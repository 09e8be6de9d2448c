"""Every class of bad input gives one clear line naming the field (docs/scenario-format.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from goldenbridge.cli import app
from goldenbridge.scenario import ScenarioError, load, parse
from strategies import bargaining_scenario

runner = CliRunner()


def mutate(change):
    data = bargaining_scenario()
    change(data)
    return data


def actor(data, name):
    return next(a for a in data["actors"] if a["name"] == name)


CASES = {
    "unknown issue in a position": (
        lambda d: actor(d, "Poland")["position"].update(tanks=3),
        "actors.Poland.position.tanks",
        "unknown issue",
    ),
    "unknown actor in a threat": (
        lambda d: d["threats"][0].update(by="France"),
        "threats.sanctions.by",
        "unknown actor",
    ),
    "unknown actor in conflict costs": (
        lambda d: d["conflict"]["cost"].update(France=0.1),
        "conflict.cost.France",
        "unknown actor",
    ),
    "missing field": (
        lambda d: d["actors"][2].pop("name"),
        "actors.2.name",
        "missing",
    ),
    "wrong type": (
        lambda d: d["issues"][0].update(max="lots"),
        "issues.nato.max",
        "number",
    ),
    "NaN": (
        lambda d: actor(d, "Poland")["position"].update(nato=float("nan")),
        "actors.Poland.position.nato",
        "finite",
    ),
    "infinity": (
        lambda d: d["conflict"]["cost"].update(US=float("inf")),
        "conflict.cost.US",
        "finite",
    ),
    "negative salience": (
        lambda d: actor(d, "US").update(salience={"nato": -1, "missiles": 1}),
        "actors.US.salience.nato",
        ">= 0",
    ),
    "position outside the scale": (
        lambda d: actor(d, "Poland")["position"].update(nato=120),
        "actors.Poland.position.nato",
        "outside",
    ),
    "uncertain position outside the scale": (
        lambda d: actor(d, "US")["position"].update(missiles={"uniform": [-5, 20]}),
        "actors.US.position.missiles",
        "outside",
    ),
    "bad uniform": (
        lambda d: actor(d, "US")["position"].update(missiles={"uniform": [20, 0]}),
        "actors.US.position.missiles",
        "lo <= hi",
    ),
    "bad beta": (
        lambda d: d["conflict"].update(p_win={"beta": [0, 3]}),
        "conflict.p_win",
        "beta",
    ),
    "negative normal sd": (
        lambda d: d["conflict"].update(p_win={"normal": [0.5, -1], "clip": [0, 1]}),
        "conflict.p_win",
        "standard deviation",
    ),
    "choice probabilities": (
        lambda d: d["conflict"].update(p_win={"choice": [0.2, 0.8], "p": [0.5, 0.6]}),
        "conflict.p_win",
        "sum to 1",
    ),
    "two distributions at once": (
        lambda d: d["conflict"].update(p_win={"uniform": [0, 1], "value": 0.5}),
        "conflict.p_win",
        "exactly one",
    ),
    "priors not summing to 1": (
        lambda d: actor(d, "Russia")["types"]["security"].update(prior=0.7),
        "actors.Russia.types",
        "sum to 1",
    ),
    "no proposer": (
        lambda d: actor(d, "US").update(role="veto"),
        "actors",
        "exactly one proposer",
    ),
    "two targets": (
        lambda d: actor(d, "Poland").update(role="target"),
        "actors",
        "exactly one target",
    ),
    "unknown role": (
        lambda d: actor(d, "Poland").update(role="ally"),
        "actors.Poland.role",
        "proposer",
    ),
    "unknown field": (
        lambda d: actor(d, "Poland").update(salary=3),
        "actors.Poland.salary",
        "unknown field",
    ),
    "offer off the scale": (
        lambda d: d["offers"].update(big={"nato": 101}),
        "offers.big.nato",
        "outside",
    ),
    "offer with an unknown option": (
        lambda d: d["offers"].update(odd={"basing": "lunar"}),
        "offers.odd.basing",
        "not an option",
    ),
    "credibility above 1": (
        lambda d: d["threats"][0].update(credibility=1.5),
        "threats.sanctions.credibility",
        "outside",
    ),
    "p_win effect on a direct war value": (
        lambda d: d["threats"][0]["effect"].update(p_win=-0.2),
        "threats.sanctions.effect.p_win",
        "war_value",
    ),
    "values on a continuous issue": (
        lambda d: actor(d, "Poland").update(values={"nato": {"a": 1}}),
        "actors.Poland.values.nato",
        "continuous",
    ),
    "salience without a position": (
        lambda d: actor(d, "Poland").update(salience={"basing": 1}),
        "actors.Poland.salience.basing",
        "no position",
    ),
    "samples below 1": (lambda d: d.update(samples=0), "samples", "greater than"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_names_field_and_problem(case):
    change, path, words = CASES[case]
    with pytest.raises(ScenarioError) as info:
        parse(mutate(change))
    assert info.value.path == path
    assert words in info.value.message


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_prints_one_line_and_exits_2(case, tmp_path):
    change, path, words = CASES[case]
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(mutate(change)))
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith(f"error: {file}: {path}: ")
    assert "Traceback" not in result.output


def test_base_scenario_is_valid():
    assert parse(bargaining_scenario()).name == "base"


def test_yaml_syntax_error(tmp_path):
    file = tmp_path / "bad.yaml"
    file.write_text("name: x\nissues: [\n  - {name: a\n")
    result = runner.invoke(app, ["evaluate", str(file)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {file}: YAML syntax error at line")
    assert len(result.stderr.strip().splitlines()) == 1


def test_duplicate_yaml_key(tmp_path):
    file = tmp_path / "dup.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario(), sort_keys=False) + "name: again\n")
    result = runner.invoke(app, ["validate", str(file)])
    assert result.exit_code == 2
    assert "duplicate key 'name'" in result.stderr and "line" in result.stderr


def test_unreadable_and_missing_files(tmp_path):
    missing = tmp_path / "nope.yaml"
    result = runner.invoke(app, ["evaluate", str(missing)])
    assert result.exit_code == 2 and "no such file" in result.stderr
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2 and "is a directory" in result.stderr
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    result = runner.invoke(app, ["validate", str(binary)])
    assert result.exit_code == 2 and result.stderr.startswith("error: ")


def test_yaml_is_loaded_safely(tmp_path):
    file = tmp_path / "evil.yaml"
    file.write_text("name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(ScenarioError, match="YAML"):
        load(file)


def test_not_a_mapping(tmp_path):
    file = tmp_path / "list.yaml"
    file.write_text("- 1\n- 2\n")
    with pytest.raises(ScenarioError, match="mapping"):
        load(file)


def test_bad_set_and_unknown_offer_on_cli(tmp_path):
    file = tmp_path / "ok.yaml"
    file.write_text(yaml.safe_dump(bargaining_scenario(), sort_keys=False))
    result = runner.invoke(app, ["evaluate", str(file), "--set", "nato=300"])
    assert result.exit_code == 2 and "offers.nato" in result.stderr
    result = runner.invoke(app, ["evaluate", str(file), "--set", "tanks=3"])
    assert result.exit_code == 2 and "unknown issue" in result.stderr
    result = runner.invoke(app, ["evaluate", str(file), "--offer", "nonesuch"])
    assert result.exit_code == 2 and "no such offer" in result.stderr
    result = runner.invoke(app, ["evaluate", str(file), "--set", "nato"])
    assert result.exit_code == 2 and "ISSUE=VALUE" in result.stderr


def test_loading_a_file_keeps_it_unchanged(tmp_path):
    file = tmp_path / "ok.yaml"
    text = yaml.safe_dump(bargaining_scenario(), sort_keys=False)
    file.write_text(text)
    load(Path(file))
    assert file.read_text() == text
