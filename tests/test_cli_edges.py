"""What a new user hits on the command line (issue 16, part 1): errors under --json,
bugs that show as bugs, did-you-mean, option checks before any work, plain help."""

from __future__ import annotations

import json
import math
import os
import stat

import pytest
import yaml
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app, common
from goldenbridge.report.documents import round_numbers
from strategies import bargaining_scenario

runner = CliRunner()


def scenario_file(tmp_path, data=None):
    file = tmp_path / "s.yaml"
    file.write_text(yaml.safe_dump(data or bargaining_scenario(), sort_keys=False))
    return str(file)


def test_json_errors_are_one_document_on_stdout(tmp_path):
    data = bargaining_scenario()
    data["actors"][2]["position"]["nato"] = 120
    result = runner.invoke(app, ["evaluate", scenario_file(tmp_path, data), "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error == {
        "file": str(tmp_path / "s.yaml"),
        "field": "actors.Poland.position.nato",
        "message": "120 is outside the issue's scale [0, 100]",
    }
    # click's own checks too
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--json", "--samples", "0"])
    assert result.exit_code == 2 and "--samples" in json.loads(result.stdout)["error"]["message"]


def test_validate_json_says_valid_or_not(tmp_path):
    ok = runner.invoke(app, ["validate", "fearon-1d", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["valid"] is True
    data = bargaining_scenario()
    data["actors"][0]["salince"] = {"nato": 1}
    bad = runner.invoke(app, ["validate", scenario_file(tmp_path, data), "--json"])
    document = json.loads(bad.stdout)
    assert bad.exit_code == 2 and document["valid"] is False
    assert document["error"]["field"] == "actors.US.salince"
    assert "did you mean 'salience'" in document["error"]["message"]


def test_an_internal_error_shows_as_a_bug(monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("offers")  # a bug, not bad input

    monkeypatch.setattr(gb, "evaluate", broken)
    result = runner.invoke(app, ["evaluate", "fearon-1d"])
    assert result.exit_code == 1
    assert "internal error (a bug in goldenbridge): KeyError" in result.stderr
    assert "report" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--json"])
    assert result.exit_code == 1 and "a bug" in json.loads(result.stdout)["error"]["message"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["evaluate", "fearon-1dd"], "did you mean 'fearon-1d'"),
        (["evaluate", "russia-2021", "--offer", "bridge_moratorim"], "'bridge_moratorium'"),
        (["evaluate", "russia-2021", "--set", "enlargment=50"], "did you mean 'enlargement'"),
        (["evaluate", "fearon-1d", "--set", "share=fifty"], "not a number"),
        (["evaluate", "fearon-1d", "--set", "share=nan"], "not a finite number"),
        (["evaluate", "fearon-1d", "--samples", "1e12"], "work units"),
        (["evaluate", "fearon-1d", "--samples", "lots"], "not a number"),
        (["deterrence", "fearon-1d", "--threat", "x", "--credibility", "0:1:100000"], "n must"),
    ],
)
def test_user_mistakes_are_one_line_with_a_hint(args, words):
    result = runner.invoke(app, args)
    lines = result.stderr.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and words in lines[0], result.output


def test_a_discrete_issue_lists_its_options(tmp_path):
    result = runner.invoke(app, ["evaluate", scenario_file(tmp_path), "--set", "basing=lunar"])
    assert result.exit_code == 2 and "none, rotational, permanent" in result.stderr
    assert "--set" in result.stderr


def test_samples_accepts_scientific_notation():
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--samples", "2e3", "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["samples"] == 2000


def test_missing_optional_dependency_is_named_before_any_work(monkeypatch):
    calls = []
    monkeypatch.setattr(gb, "sensitivity", lambda *a, **k: calls.append(1))
    real = common.importlib.util.find_spec
    monkeypatch.setattr(
        common.importlib.util, "find_spec", lambda n, *a: None if n == "SALib" else real(n, *a)
    )
    result = runner.invoke(app, ["sensitivity", "fearon-1d"])
    assert result.exit_code == 2 and not calls
    assert "pip install 'goldenbridge[sensitivity]'" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_plot_into_a_read_only_folder_fails_before_the_work(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(gb, "negotiate", lambda *a, **k: calls.append(1))
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    result = runner.invoke(app, ["negotiate", "fearon-1d", "--rounds", "2", "--plot", str(folder)])
    assert result.exit_code == 2 and not calls and "cannot write there" in result.stderr
    assert list(folder.iterdir()) == []


def test_a_full_disk_while_plotting_is_one_line_and_leaves_no_file(tmp_path):
    folder = tmp_path / "plots"
    with pytest.raises(common.typer.Exit):
        with common.writing_plots(folder.parent):
            (tmp_path / "half.png").write_bytes(b"")
            raise OSError(28, "No space left on device")
    assert not (tmp_path / "half.png").exists()


def test_plot_into_a_file_is_refused_before_the_work(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(gb, "negotiate", lambda *a, **k: calls.append(1))
    file = tmp_path / "not-a-folder"
    file.write_text("x")
    result = runner.invoke(app, ["negotiate", "fearon-1d", "--rounds", "2", "--plot", str(file)])
    assert result.exit_code == 2 and not calls and "cannot write there" in result.stderr


def test_help_is_plain_and_commands_come_in_order():
    result = runner.invoke(app, ["deterrence", "--help"])
    assert "A:B:N" in result.stdout and "\U0001f171" not in result.stdout  # no emoji for :b:
    listed = runner.invoke(app, ["--help"]).stdout
    positions = [listed.index(f"  {name} ") for name in ("demo", "evaluate", "optimize", "serve")]
    assert positions == sorted(positions)


def test_same_option_names_across_commands():
    for command in (
        "demo",
        "evaluate",
        "optimize",
        "sensitivity",
        "deterrence",
        "update",
        "negotiate",
    ):
        text = runner.invoke(app, [command, "--help"]).stdout
        assert "--samples" in text and "--json" in text, command
    assert "--base-sample" in runner.invoke(app, ["sensitivity", "--help"]).stdout
    for command in ("optimize", "sensitivity", "deterrence", "negotiate"):
        assert "--plot DIR" in runner.invoke(app, [command, "--help"]).stdout, command


def test_json_numbers_are_rounded_to_their_standard_errors():
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--samples", "5000", "--json"])
    offer = json.loads(result.stdout)["offers"][1]
    se = offer["p_deal_se"]
    assert len(f"{se}".replace("0.", "").lstrip("0")) <= 2  # two significant digits
    assert offer == round_numbers(offer)  # already rounded: rounding is idempotent
    if se > 0:  # the value stops at the decimal of the standard error's second digit
        decimals = 1 - math.floor(math.log10(se))
        assert offer["p_deal"] == round(offer["p_deal"], decimals)
    assert round_numbers({"x": 5.551115123125783e-17}) == {"x": 0.0}


def test_a_scenario_without_conflict_warns_once_on_stderr_and_in_json(tmp_path):
    data = bargaining_scenario()
    del data["conflict"]
    file = scenario_file(tmp_path, data)
    result = runner.invoke(app, ["evaluate", file, "--samples", "500"])
    assert result.exit_code == 0 and result.stderr.count("warning:") == 1
    assert "p_win 0.5" in result.stderr
    result = runner.invoke(app, ["evaluate", file, "--samples", "500", "--json"])
    (warning,) = json.loads(result.stdout)["warnings"]
    assert "no costs" in warning
