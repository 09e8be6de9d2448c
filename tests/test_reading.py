"""The one reader of user files, and validation of what the model cannot compute (issue 16).

Each test stands for a class of input that once crashed, hung or silently gave a
wrong answer; every refusal is one line naming the file, and the position or field.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from goldenbridge.importers import import_files
from goldenbridge.population import sample
from goldenbridge.scenario import ScenarioError, load, parse, read_text
from goldenbridge.scenario.budget import DEFAULT_BUDGET, INNER_SAMPLE, check_budget, cost
from goldenbridge.scenario.checks import inner_sample
from goldenbridge.scenario.observations import load_observations
from goldenbridge.scenario.reading import MAX_DEPTH, MAX_NODES, parse_text, read_file
from strategies import bargaining_scenario, fearon_scenario


def one_line(exc: pytest.ExceptionInfo[ScenarioError]) -> str:
    line = exc.value.one_line()
    assert "\n" not in line and line.isprintable()
    return line


# --- YAML and JSON that the schema never expects -------------------------------------

YAML_CASES = {
    "unhashable key": ("? [1, 2]\n: 3\n", "a key must be a name or a number", "line 1"),
    "merge key": ("a: &x {b: 1}\nc:\n  <<: *x\n", "merge keys (<<) are not accepted", "line 3"),
    "bare merge key": ("<<: 1\n", "merge keys", "line 1"),
    "control character": ("name: a\x07b\n", "control character U+0007", "line 1, column 8"),
    "escape sequence": ("name: x\ndesc: \x1b[2J\n", "U+001B", "line 2, column 7"),
    "python tag": ("a: !!python/object/apply:os.system ['echo hi']\n", "is not accepted", "line 1"),
    "unknown tag": ("a: !foo x\n", "the tag !foo is not accepted", "line 1"),
    "duplicate key": ("a: 1\nb: 2\na: 3\n", "duplicate key 'a'", "line 3"),
    "deep flow nesting": ("[" * 500 + "]" * 500, f"nested more than {MAX_DEPTH}", "line 1"),
    "deep block nesting": (
        "".join(" " * (2 * i) + "a:\n" for i in range(200)) + " " * 400 + "a: 1\n",
        f"nested more than {MAX_DEPTH}",
        "line",
    ),
    "syntax error": ("name: x\nissues: [\n  - {name: a\n", "YAML syntax error", "line"),
}


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_problems_are_one_line_with_a_position(case):
    text, words, where = YAML_CASES[case]
    with pytest.raises(ScenarioError) as exc:
        parse_text(text, "bad.yaml")
    line = one_line(exc)
    assert line.startswith("bad.yaml: ") and words in line and where in line, line


def test_deep_json_is_refused_before_parsing():
    with pytest.raises(ScenarioError) as exc:
        parse_text("[" * 100_000 + "]" * 100_000, "deep.json", json_only=True)
    assert f"more than {MAX_DEPTH} levels" in one_line(exc) and "line 1, column" in one_line(exc)
    # brackets inside strings do not count
    assert parse_text(json.dumps({"a": "[" * 100}), "ok.json", json_only=True) == {"a": "[" * 100}


def test_json_nan_and_infinity_are_refused_with_their_field():
    for token in ("NaN", "Infinity", "-Infinity"):
        text = json.dumps(bargaining_scenario()).replace('"US": 0.05', f'"US": {token}')
        data = parse_text(text, "x.json", json_only=True)
        with pytest.raises(ScenarioError) as exc:
            parse(data, "x.json")
        assert exc.value.path == "conflict.cost.US" and "finite" in exc.value.message


def test_alias_expansion_is_bounded():
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with pytest.raises(ScenarioError, match=f"more than {MAX_NODES:,} values"):
        parse_text("\n".join(lines), "lol.yaml")
    with pytest.raises(ScenarioError, match="aliases"):
        parse_text("a: &x 1\nb: *x\n", "web", aliases=False)
    with pytest.raises(ScenarioError, match="recursive"):
        parse_text("a: &a [*a]\n", "rec.yaml")


def test_observations_use_the_same_reader(tmp_path):
    file = tmp_path / "obs.yaml"
    file.write_text("observations:\n  - {kind: rejected, offer: a}\nobservations: []\n")
    with pytest.raises(ScenarioError, match="duplicate key 'observations'"):
        load_observations(file)
    file.write_text("observations:\n  - {kind: rejected, offer: \x00}\n")
    with pytest.raises(ScenarioError, match="control character"):
        load_observations(file)


# --- Files that are not files --------------------------------------------------------


def test_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        load(fifo)  # would block forever waiting for a writer if it were opened for reading


def test_device_and_directory_are_refused(tmp_path):
    with pytest.raises(ScenarioError, match="not a regular file"):
        read_file("/dev/zero")
    with pytest.raises(ScenarioError, match="is a directory"):
        load(tmp_path)


def test_symlink_to_a_scenario_is_followed_and_to_a_directory_refused(tmp_path):
    real = tmp_path / "real.yaml"
    real.write_text(yaml.safe_dump(bargaining_scenario()))
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert load(link).name == "base"
    folder_link = tmp_path / "dir.yaml"
    folder_link.symlink_to(tmp_path)
    with pytest.raises(ScenarioError, match="directory"):
        load(folder_link)


def test_unknown_builtin_suggests_the_closest():
    with pytest.raises(ScenarioError, match="did you mean 'russia-2021'"):
        load("russia-2012")


# --- Validated, then wrong or crashing -----------------------------------------------


def mutate(change):
    data = bargaining_scenario()
    change(data)
    return data


def actor(data, name):
    return next(a for a in data["actors"] if a["name"] == name)


REFUSED = {
    "beta overflowing the sampler": (
        lambda d: d["conflict"].update(p_win={"beta": [5e-324, 1e308]}),
        "conflict.p_win",
        "beta",
    ),
    "beta giving NaN draws": (
        lambda d: d["conflict"].update(p_win={"beta": [1e300, 40]}),
        "conflict.p_win",
        "beta",
    ),
    "scale of +-1e308": (
        lambda d: d["issues"][1].update(min=-1e308, max=1e308),
        "issues.missiles.min",
        "greater than or equal",
    ),
    "beta scale of +-1e308": (
        lambda d: actor(d, "Poland").update(war_value={"beta": [2, 2], "scale": [-1e308, 1e308]}),
        "actors.Poland.war_value",
        "too large",
    ),
    "cost near 1e308": (
        lambda d: d["conflict"]["cost"].update(US=1e308),
        "conflict.cost.US",
        "too large",
    ),
    "war value of -1e154": (
        lambda d: actor(d, "Poland").update(war_value=-1e154),
        "actors.Poland.war_value",
        "too large",
    ),
    "war value beyond the utility range": (
        lambda d: actor(d, "Poland").update(war_value=-1e9),
        "actors.Poland.war_value",
        "utility range",
    ),
    "threat cost huge": (
        lambda d: d["threats"][0].update(cost_to_threatener={"uniform": [0, 1e10]}),
        "threats.sanctions.cost_to_threatener",
        "utility range",
    ),
    "rho absurd": (lambda d: actor(d, "Poland").update(rho=1e9), "actors.Poland.rho", "outside"),
    "newline in a name": (
        lambda d: actor(d, "Poland").update(name="Poland\nerror: forged"),
        "actors.2.name",
        "printable",
    ),
    "newline in an option": (
        lambda d: d["issues"][2].update(options=["none", "a\nb", "permanent"]),
        "issues.basing.options.1",
        "printable",
    ),
    "escape in an offer name": (
        lambda d: d["offers"].update({"\x1b[31mred": {}}),
        "offers",
        "printable",
    ),
    "misspelt field": (
        lambda d: actor(d, "Poland").update(salince={"nato": 1}),
        "actors.Poland.salince",
        "did you mean 'salience'",
    ),
    "misspelt issue": (
        lambda d: actor(d, "Poland")["position"].update(natoo=3),
        "actors.Poland.position.natoo",
        "did you mean 'nato'",
    ),
    "too many type combinations": (
        lambda d: [
            a.update(types={f"t{i}": {"prior": 0.05} for i in range(20)}) for a in d["actors"]
        ],
        "actors",
        "combinations",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_validation_refuses_what_the_model_cannot_compute(case):
    change, path, words = REFUSED[case]
    with pytest.raises(ScenarioError) as exc:
        parse(mutate(change))
    one_line(exc)
    assert exc.value.path.startswith(path) and words in exc.value.message, exc.value.one_line()


def test_extreme_but_valid_parameters_sample_finite_numbers():
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1, samples=2000)
    data["conflict"]["p_win"] = {"beta": [1e-3, 1e5]}
    data["conflict"]["cost"]["A"] = {"normal": [0, 1e6], "clip": [-1e6, 1e6]}
    data["issues"][0].update(min=-1e12, max=1e12, status_quo=1e12)
    data["conflict"]["win"] = {"share": -1e12}
    data["conflict"]["lose"] = {"share": 1e12}
    data["actors"][0]["position"] = {"share": 1e12}
    data["actors"][1]["position"] = {"share": -1e12}
    population = sample(parse(data))
    assert np.isfinite(population.war_value).all() and np.isfinite(population.p_win).all()
    document = gb.evaluate(population, {"half": {"share": 0.0}}).to_dict()
    json.dumps(document, allow_nan=False)


# --- Cost explosions -----------------------------------------------------------------


def test_budget_names_the_number_before_any_work():
    scenario = load("russia-2021")
    with pytest.raises(ScenarioError) as exc:
        sample(scenario, samples=10**12)
    line = one_line(exc)
    assert exc.value.path == "samples" and f"{cost(scenario, 10**12):,}" in line
    assert f"{DEFAULT_BUDGET:,}" in line and "at most" in line
    check_budget(scenario, 1000)  # the ordinary case passes


def test_budget_counts_actors_types_and_options():
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1)
    base = cost(parse(data), 1000)
    assert base == 1000 * 2 * (1 + 1)  # worlds x actors x (issues + 1)
    data["actors"][1]["types"] = {"a": {"prior": 0.5}, "b": {"prior": 0.5}}
    assert cost(parse(data), 1000) == 1000 * 3 * 2


def test_budget_counts_the_inner_sample_of_the_approval_rule():
    """A quantity known to all makes the approval rule redraw 16 partner worlds per
    world: the budget counts them, before any work."""
    scenario = load("russia-2021")
    assert inner_sample(scenario) == 1
    data = scenario.model_dump(mode="json", exclude_none=True, by_alias=True)
    data["conflict"]["p_win"]["known_to"] = "all"
    shared = parse(data)
    assert inner_sample(shared) == INNER_SAMPLE
    fits = DEFAULT_BUDGET // (cost(shared, 1) * INNER_SAMPLE)
    with pytest.raises(ScenarioError) as exc:
        sample(shared, samples=fits + 1)
    assert exc.value.path == "samples" and f"use at most {fits:,} worlds" in one_line(exc)
    data["information"] = "informed"
    assert inner_sample(parse(data)) == 1


def test_cost_of_the_shipped_scenarios_is_far_below_the_budget():
    for name in gb.builtin_names():
        assert cost(load(name)) < DEFAULT_BUDGET / 10


def test_extreme_utilities_give_finite_standard_errors():
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1, samples=2000)
    data["conflict"]["cost"]["A"] = {"uniform": [-1e6, 1e6]}
    result = gb.evaluate(data, {"x": {"share": 0.6}})
    numbers = [result.offers[0].proposer_eu, result.offers[0].proposer_eu_se]
    assert all(math.isfinite(x) for x in numbers)


def test_read_text_and_files_share_one_reader(tmp_path):
    text = yaml.safe_dump(bargaining_scenario(), sort_keys=False)
    file = tmp_path / "s.yaml"
    file.write_text(text)
    assert read_text(text) == load(file)
    assert Path(file).read_text() == text


def test_a_scenario_without_conflict_warns_once():
    data = bargaining_scenario()
    assert parse(data).warnings == []
    del data["conflict"]
    (warning,) = parse(data).warnings
    assert "p_win 0.5" in warning and "no costs" in warning


@pytest.mark.parametrize(
    ("content", "suffix"),
    [
        ("root:x:0:0:SECRET-1:/root:/bin/bash\n", ".yaml"),  # not a mapping
        ("name: x\nactors: SECRET-2\n", ".yaml"),  # a mapping, wrong fields
        ('{"name": "SECRET-3", "issues": 5}', ".json"),
        ("SECRET-4 \x01\n", ".yaml"),  # control character
        ("SECRET-5: [unclosed\n", ".yaml"),  # syntax error
    ],
)
def test_a_symlink_to_some_file_is_refused_without_showing_its_content(tmp_path, content, suffix):
    """Issue 16: a symlink is followed (the CLI runs with its user's rights: a link grants
    nothing), and whatever it points at, the error names the file and never shows the
    file's content, in the text line or under --json."""
    secret = tmp_path / "secret"
    secret.write_text(content)
    link = tmp_path / f"link{suffix}"
    link.symlink_to(secret)
    for args in (["validate", str(link)], ["evaluate", str(link), "--json"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "SECRET" not in result.output and str(link) in result.output


def test_importers_refuse_a_fifo_and_a_device_at_once(tmp_path):
    """The importers read through the one reader: a FIFO is refused without waiting for a
    writer, a device without reading it."""
    fifo = tmp_path / "actors.csv"
    os.mkfifo(fifo)
    for path, words in ((fifo, "not a regular file"), ("/dev/zero", "not a regular file")):
        with pytest.raises(ScenarioError, match=words):
            import_files("eum", [path])
