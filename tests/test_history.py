"""The run history: round trip, CLI saving, diff, rerun, concurrency, bad files, migration."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3

import pytest
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.cli import app
from goldenbridge.history import HistoryError, RunStore, diff_runs, scenario_hash
from goldenbridge.history.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

runner = CliRunner()

FEARON = """name: fearon-edit
samples: 4000
seed: 7
issues:
  - {name: share, min: 0, max: 1, status_quo: 1}
conflict:
  p_win: 0.5
  win: {share: 0}
  lose: {share: 1}
  cost: {A: 0.1, B: {uniform: [0, 0.3]}}
actors:
  - {name: A, role: proposer, position: {share: 1}, rho: 1}
  - {name: B, role: target, position: {share: 0}, rho: 1}
offers:
  split: {share: 0.6}
"""


def cli(*args, code=0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result


def add(store, **over):
    fields = dict(
        command="evaluate",
        scenario_name="s",
        scenario_text="name: s\n",
        arguments={"samples": 10},
        seed=1,
        seconds=0.5,
        result={"p_deal": 0.25},
    )
    fields.update(over)
    command, name, text, arguments = (fields.pop(k) for k in list(fields)[:4])
    return store.add(command, name, text, arguments, **fields)


def test_round_trip(tmp_path):
    path = tmp_path / "deep" / "runs.sqlite"
    with RunStore(path) as store:
        first = add(store, result={"p_deal": 0.1 + 0.2, "offers": [{"name": "x"}]})
        second = add(store, scenario_name="t")
        assert store.schema_version == SCHEMA_VERSION
    with RunStore(path) as store:  # reopened: same contents
        run = store.get(first)
        assert run.result == {"p_deal": 0.1 + 0.2, "offers": [{"name": "x"}]}  # exact float
        assert run.scenario_hash == scenario_hash("name: s\n") and run.seed == 1
        assert run.arguments == {"samples": 10} and run.command == "evaluate"
        assert [r.id for r in store.runs()] == [second, first]
        assert [r.id for r in store.runs(scenario="t")] == [second]
        with pytest.raises(KeyError, match="no run with id 99"):
            store.get(99)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_cli_saves_each_analysis_run_with_its_json(tmp_path):
    db = tmp_path / "runs.sqlite"
    doc = json.loads(cli("evaluate", "fearon-1d", "-n", "2000", "--json", "--db", str(db)).stdout)
    cli("evaluate", "fearon-1d", "-n", "2000", "--no-save", "--db", str(db))
    listed = json.loads(cli("runs", "list", "--db", str(db), "--json").stdout)["runs"]
    assert len(listed) == 1 and listed[0]["command"] == "evaluate"
    assert listed[0]["scenario"] == "fearon-1d" and listed[0]["seed"] == doc["seed"]
    shown = json.loads(cli("runs", "show", str(listed[0]["id"]), "--db", str(db), "--json").stdout)
    assert shown["result"] == doc
    text = (gb.__file__.rsplit("/", 1)[0]) + "/scenario/builtin/fearon-1d.yaml"
    assert shown["scenario_text"] == open(text, encoding="utf-8").read()
    assert shown["arguments"]["samples"] == 2000 and shown["version"] == gb.__version__
    assert "fearon-1d" in cli("runs", "list", "--db", str(db)).stdout
    # the environment variable chooses the default file
    cli("evaluate", "fearon-1d", "-n", "1000", "--json")
    with RunStore(os.environ["GOLDENBRIDGE_DB"]) as store:
        assert store.count() == 1


def test_a_failed_run_is_not_saved(tmp_path):
    db = tmp_path / "runs.sqlite"
    cli("evaluate", "fearon-1d", "--offer", "nope", "--db", str(db), code=2)
    with RunStore(db) as store:
        assert store.count() == 0


def test_diff_shows_scenario_change_and_moves(tmp_path):
    db, file = tmp_path / "runs.sqlite", tmp_path / "f.yaml"
    file.write_text(FEARON)
    a = json.loads(cli("evaluate", str(file), "--json", "--db", str(db)).stdout)
    file.write_text(FEARON.replace("A: 0.1,", "A: 0.2,"))
    b = json.loads(cli("evaluate", str(file), "--json", "--db", str(db)).stdout)
    doc = json.loads(cli("runs", "diff", "1", "2", "--db", str(db), "--json").stdout)
    assert not doc["same_scenario"]
    assert "-  cost: {A: 0.1, B: {uniform: [0, 0.3]}}" in doc["scenario_diff"]
    assert "+  cost: {A: 0.2, B: {uniform: [0, 0.3]}}" in doc["scenario_diff"]
    moved = {m["path"]: m for m in doc["numbers"]}
    eu = moved["offers[split].proposer_eu"]
    assert eu["before"] == a["offers"][0]["proposer_eu"]
    assert eu["after"] == b["offers"][0]["proposer_eu"]
    assert eu["change"] == pytest.approx(eu["after"] - eu["before"])
    # A's cost enters only its war value: B's choices, hence P(deal), do not move
    assert moved["offers[split].p_deal"]["change"] == 0
    assert "offers[split].p_deal_se" not in moved
    human = cli("runs", "diff", "1", "2", "--db", str(db)).stdout
    assert "A: 0.2" in human and "offers[split].proposer_eu" in human


def test_diff_of_runs_names_changed_arguments(tmp_path):
    with RunStore(tmp_path / "r.sqlite") as store:
        one = store.get(add(store, arguments={"seed": 1}, result={"p_war": 0.5, "p_war_se": 0.1}))
        two = store.get(add(store, arguments={"seed": 2}, result={"p_war": 0.3, "p_war_se": 0.1}))
    d = diff_runs(one, two)
    assert d.same_scenario and d.arguments == {"seed": (1, 2)}
    (m,) = d.numbers
    assert m.path == "p_war" and m.change == pytest.approx(-0.2)
    assert m.in_se == pytest.approx(-0.2 / (2**0.5 * 0.1))


@pytest.mark.parametrize(
    "command",
    [
        ["evaluate", "-n", "3000"],
        ["optimize", "-n", "3000", "--issues", "share"],
        ["negotiate", "-n", "2000", "--rounds", "2", "--grid", "11"],
    ],
)
def test_rerun_gives_the_same_numbers_bit_for_bit(tmp_path, command):
    db, file = tmp_path / "runs.sqlite", tmp_path / "f.yaml"
    file.write_text(FEARON)
    name, *rest = command
    cli(name, str(file), *rest, "--json", "--db", str(db))
    file.write_text(FEARON.replace("seed: 7", "seed: 8"))  # the stored text is what reruns
    doc = json.loads(cli("runs", "rerun", "1", "--db", str(db), "--json").stdout)
    assert doc == {"id": 1, "identical": True, "changed": [], "reasons": []}
    assert "bit for bit" in cli("runs", "rerun", "1", "--db", str(db)).stdout


def test_rerun_explains_a_difference(tmp_path):
    db = tmp_path / "runs.sqlite"
    cli("evaluate", "fearon-1d", "-n", "2000", "--json", "--db", str(db))
    with sqlite3.connect(db) as con:  # as if saved by another version with other numbers
        result = json.loads(con.execute("SELECT result FROM runs").fetchone()[0])
        result["offers"][0]["p_deal"] += 0.01
        con.execute(
            "UPDATE runs SET result = ?, version = '0.0.1', environment = ?",
            (json.dumps(result), json.dumps({"goldenbridge": "0.0.1"})),
        )
    out = cli("runs", "rerun", "1", "--db", str(db), code=1).stdout
    assert "offers[" in out and "p_deal" in out and "goldenbridge 0.0.1 then" in out
    doc = json.loads(cli("runs", "rerun", "1", "--db", str(db), "--json").stdout)
    assert not doc["identical"] and len(doc["changed"]) == 1


def _write_many(args):
    path, worker, count = args
    with RunStore(path, timeout=120) as store:
        for i in range(count):
            add(store, scenario_name=f"w{worker}", result={"i": i, "blob": "x" * 2000})
    return worker


def test_parallel_writers_never_corrupt(tmp_path):
    path = tmp_path / "runs.sqlite"
    workers, each = 4, 30
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        assert sorted(pool.map(_write_many, [(path, w, each) for w in range(workers)])) == list(
            range(workers)
        )
    with RunStore(path) as store:
        assert store.integrity() == "ok"
        assert store.count() == workers * each
        for w in range(workers):
            assert sorted(r.result["i"] for r in store.runs(scenario=f"w{w}")) == list(range(each))


@pytest.mark.parametrize(
    "content", [b"not a database at all\n" * 50, b"SQLite format 3\x00" + b"\x07" * 4000]
)
def test_corrupt_file_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(content)
    with pytest.raises(HistoryError, match="runs.sqlite"):
        RunStore(path)
    result = runner.invoke(app, ["evaluate", "fearon-1d", "-n", "1000", "--db", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(path) in lines[0]
    assert path.read_bytes() == content
    assert runner.invoke(app, ["runs", "list", "--db", str(path)]).exit_code == 2
    assert path.read_bytes() == content


def test_foreign_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE accounts (id INTEGER)")
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="another application"):
        RunStore(path)
    assert path.read_bytes() == before


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "runs.sqlite"
    RunStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(HistoryError, match="newer"):
        RunStore(path)


def test_migration_from_version_1_keeps_old_runs(tmp_path):
    path = tmp_path / "runs.sqlite"
    with sqlite3.connect(path) as db:  # a file as the first schema version wrote it
        for statement in MIGRATIONS[0]:
            db.execute(statement)
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
        db.execute(
            "INSERT INTO runs (created, command, scenario_name, scenario_hash, scenario_text, "
            "arguments, version, seed, seconds, result) VALUES "
            "('2026-01-01T00:00:00Z', 'evaluate', 'old', 'h', 'name: old', '{}', '0.0.9', 3, "
            "1.5, '{\"p_deal\": 0.5}')"
        )
    with RunStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 2
        (old,) = store.runs(scenario="old")
        assert old.result == {"p_deal": 0.5} and old.environment == {} and old.files == {}
        assert old.version == "0.0.9" and old.seed == 3
        new = add(store, scenario_name="old", environment={"python": "3"})
        assert store.get(new).environment == {"python": "3"}


def test_rerun_uses_the_stored_observations(tmp_path):
    db, observed = tmp_path / "runs.sqlite", tmp_path / "seen.yaml"
    observed.write_text("- {kind: rejected, values: {share: 0.7}}\n")
    cli("update", "fearon-1d", "--observe", str(observed), "-n", "2000", "--json", "--db", str(db))
    observed.write_text("- {kind: rejected, values: {share: 0.55}}\n")  # edited since
    shown = json.loads(cli("runs", "show", "1", "--db", str(db), "--json").stdout)
    assert shown["files"] == {"observe": "- {kind: rejected, values: {share: 0.7}}\n"}
    assert shown["seed"] == gb.load("fearon-1d").seed
    doc = json.loads(cli("runs", "rerun", "1", "--db", str(db), "--json").stdout)
    assert doc["identical"], doc


def test_every_analysis_command_is_saved():
    from goldenbridge.cli.history import RECORDED

    wrapped = {
        info.name or info.callback.__name__.replace("_", "-")
        for info in app.registered_commands
        if hasattr(info.callback, "_original")
    }
    registered = {
        info.name or info.callback.__name__.replace("_", "-") for info in app.registered_commands
    }
    assert wrapped == registered & set(RECORDED)
    assert {"evaluate", "optimize", "sensitivity", "update", "negotiate", "report"} <= wrapped
