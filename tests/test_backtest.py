"""DEU III backtest (issue 19, parts 3 and 5): the file's rules and the scores."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from goldenbridge.analysis.forecast.backtest import backtest
from goldenbridge.cli import app
from goldenbridge.importers.deu3 import read_cases
from goldenbridge.scenario import ScenarioError

DEU3 = Path(__file__).parent / "data" / "deu3" / "deu3_blksv_modified.csv"
runner = CliRunner()


def _independent_rows():
    """The file read with the csv module alone: header, GDP line, issue rows."""
    with open(DEU3) as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], rows[1], rows[2:]


def test_deu3_cases_follow_the_rules():
    header, gdp, rows = _independent_rows()
    cases = read_cases(DEU3)
    with_outcome = [r for r in rows if r[header.index("out")].strip()]
    assert len(cases) == len(with_outcome) == 353
    pcols = list(range(header.index("pcom"), header.index("puk") + 1))
    assert len(pcols) == 30
    n_missing_salience = 0
    for case, row in zip(cases, with_outcome, strict=True):
        present = [j for j in pcols if row[j].strip()]
        assert case.names == tuple(header[j][1:] for j in present)  # no position: left out
        for k, j in enumerate(present):
            s = row[j + 30].strip()
            assert case.salience[k] == (float(s) / 100 if s else 0.0)  # missing salience: 0
            n_missing_salience += not s
        assert case.outcome == float(row[header.index("out")])
        assert np.all(case.capability == 1)
    assert n_missing_salience > 0
    gdp_cases = read_cases(DEU3, "gdp")
    first = gdp_cases[0]
    by_actor = {header[j][1:]: float(gdp[j]) for j in pcols}
    assert first.capability.tolist() == [by_actor[n] for n in first.names]


def test_compromise_mae_against_an_independent_computation():
    header, _, rows = _independent_rows()
    pcols = list(range(header.index("pcom"), header.index("puk") + 1))
    errors = []
    for row in rows:
        if not row[header.index("out")].strip():
            continue
        num = den = 0.0
        for j in pcols:
            if row[j].strip():
                s = float(row[j + 30]) if row[j + 30].strip() else 0.0
                num += s * float(row[j])
                den += s
        errors.append(abs(num / den - float(row[header.index("out")])))
    result = backtest(read_cases(DEU3), ("compromise", "median"), n_boot=500, seed=3)
    assert result.n_issues == len(errors) == 353
    score = result.models["compromise"]
    assert score.mae == pytest.approx(np.mean(errors), rel=1e-12)
    assert score.median_ae == pytest.approx(np.median(errors), rel=1e-12)
    assert score.mae_ci[0] < score.mae < score.mae_ci[1]
    again = backtest(read_cases(DEU3), ("compromise", "median"), n_boot=500, seed=3)
    assert again.models["compromise"].mae_ci == score.mae_ci  # same seed, same interval


def test_blend_is_scored_out_of_fold():
    cases = read_cases(DEU3)[:80]
    models = ("compromise", "median", "nbs", "blend")
    base = backtest(cases, models, n_boot=200, seed=1)
    # Moving one issue's recorded outcome cannot move its own blend forecast: the
    # weights used for it were fitted on the other folds.
    changed = list(cases)
    changed[5] = replace(cases[5], outcome=100.0 - cases[5].outcome)
    other = backtest(changed, models, n_boot=200, seed=1)
    assert other.predictions["blend"][5] == base.predictions["blend"][5]


def test_blend_finds_a_model_that_is_exact():
    # Outcomes equal to every issue's reference point: the blend puts all weight there.
    cases = [
        replace(c, outcome=c.reference) for c in read_cases(DEU3)[:60] if c.reference is not None
    ]
    result = backtest(cases, ("compromise", "median", "nbs", "blend"), n_boot=200)
    assert result.blend == (0.0, 0.0, 0.0, 1.0)
    assert result.models["blend"].mae == pytest.approx(0.0, abs=1e-12)


def test_backtest_cli_json_and_errors():
    r = runner.invoke(
        app, ["backtest", str(DEU3), "--json", "-m", "compromise", "-m", "median", "--boot", "200"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["n_issues"] == 353 and set(doc["models"]) == {"compromise", "median"}
    assert set(doc["models"]["median"]) == {"mae", "median_ae", "mae_ci"}
    r = runner.invoke(app, ["backtest", str(DEU3), "--json", "-m", "median", "--per-issue"])
    rows = json.loads(r.stdout)["issues"]
    assert len(rows) == 353 and set(rows[0]) == {"issue", "outcome", "median"}
    errors = [abs(row["median"] - row["outcome"]) for row in rows]
    assert np.mean(errors) == pytest.approx(json.loads(r.stdout)["models"]["median"]["mae"])
    r = runner.invoke(app, ["backtest", str(DEU3), "--format", "decide"])
    assert r.exit_code == 2 and "record no outcomes" in r.stderr
    r = runner.invoke(app, ["backtest", "missing.csv"])
    assert r.exit_code == 2 and r.stderr.strip() == "error: missing.csv: no such file"


def test_bad_deu3_cell(tmp_path):
    text = DEU3.read_text().splitlines()
    cells = text[2].split("\t")
    cells[13] = "lots"
    text[2] = "\t".join(cells)
    bad = tmp_path / "bad.tsv"
    bad.write_text("\n".join(text))
    with pytest.raises(ScenarioError, match=r"bad.tsv: row 3, column pcom: 'lots' is not a number"):
        read_cases(bad)
