"""Per-world export: each world's inputs and each package's outcome, as CSV or Parquet."""

from __future__ import annotations

import builtins
import csv
import json

import numpy as np
import pytest
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app

runner = CliRunner()


def cli(*args, code=0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def test_csv_rows_are_the_worlds_and_average_to_evaluate(tmp_path):
    path = tmp_path / "worlds.csv"
    doc = json.loads(cli("evaluate", "fearon-1d", "-n", "3000", "--export", path, "--json").stdout)
    assert doc["export"] == str(path)
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 3000 and [int(r["world"]) for r in rows[:3]] == [0, 1, 2]
    drawn = gb.population("fearon-1d", 3000).inputs["conflict.cost.B"]
    assert [float(r["conflict.cost.B"]) for r in rows] == drawn.tolist()  # exact round trip
    w = np.array([float(r["weight"]) for r in rows])
    for offer in doc["offers"]:
        name = offer["name"]
        deal = np.array([int(r[f"{name}.deal"]) for r in rows])
        war = np.array([int(r[f"{name}.war"]) for r in rows])
        payoff = np.array([float(r[f"{name}.proposer_payoff"]) for r in rows])
        assert np.dot(w, deal) / w.sum() == pytest.approx(offer["p_deal"], abs=JSON)
        assert np.dot(w, war) / w.sum() == pytest.approx(offer["p_war"], abs=JSON)
        assert np.dot(w, payoff) / w.sum() == pytest.approx(offer["proposer_eu"], abs=JSON)
        # Fearon's rule, derived independently: B takes share x iff 0.5 - c_B <= 1 - x
        x = offer["values"]["share"]
        c = np.array([float(r["conflict.cost.B"]) for r in rows])
        assert np.array_equal(deal == 1, 0.5 - c <= 1 - x + 1e-12)


#: --json rounds each number to the digits its standard error supports
JSON = 1e-3


def test_parquet_of_the_seed_crisis_with_types_and_vetoes(tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "worlds.parquet"
    doc = json.loads(
        cli("evaluate", "russia-2021", "-n", "2000", "--export", path, "--json").stdout
    )
    table = pq.read_table(path).to_pydict()
    w = np.array(table["weight"])
    assert len(w) == 2000 and set(table["Russia.type"]) <= {"security_seeker", "revisionist"}
    for offer in doc["offers"]:
        name = offer["name"]
        deal = np.array(table[f"{name}.deal"], dtype=float)
        assert np.dot(w, deal) / w.sum() == pytest.approx(offer["p_deal"], abs=JSON)
        for actor, odds in offer["actors"].items():
            accepts = np.array(table[f"{name}.{actor}.accepts"], dtype=float)
            said = odds.get("p_accept", odds.get("p_approve"))
            assert np.dot(w, accepts) / w.sum() == pytest.approx(said, abs=JSON)
        types = np.array(table["Russia.type"])
        for type_name, odds in offer["types"]["Russia"].items():
            sel = types == type_name
            assert deal[sel].mean() == pytest.approx(odds["p_deal"], abs=JSON)


def test_bad_export_is_refused_before_any_work(tmp_path, monkeypatch):
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--export", str(tmp_path / "w.xlsx")])
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"error: --export {tmp_path / 'w.xlsx'}: expected a .csv or .parquet file"
    )
    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError("no pyarrow here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    target = tmp_path / "w.parquet"
    result = runner.invoke(app, ["evaluate", "fearon-1d", "--export", str(target)])
    assert result.exit_code == 2 and "pip install 'goldenbridge[export]'" in result.output
    assert result.output.count("\n") == 1 and not target.exists()
