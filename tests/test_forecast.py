"""Forecasting models per issue (issue 19, parts 2 and 5): hand computations and oracles."""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.forecast import forecast
from goldenbridge.analysis.forecast.median import weighted_median
from goldenbridge.analysis.forecast.nbs import nash_bargaining
from goldenbridge.cli import app

DATA = Path(__file__).parent / "data"
runner = CliRunner()


# --- EC car emissions (Bueno de Mesquita 1994, table replicated by Scholz et al. 2011) ---


def _condorcet_winner(points, positions, weights):
    """The point that no other point beats in a weighted pairwise vote (brute force)."""
    winners = []
    for a in points:
        if all(
            sum(w for x, w in zip(positions, weights, strict=True) if abs(x - a) < abs(x - b))
            >= sum(w for x, w in zip(positions, weights, strict=True) if abs(x - b) < abs(x - a))
            for b in points
        ):
            winners.append(a)
    return winners


@pytest.mark.parametrize(
    ("name", "weights_by_position"),
    [
        # c x s summed by position, by hand from the file (salience in %):
        # 4: Belgium .08*80 + Luxembourg .03*20 + Germany .16*80 + Denmark .05*100 = 24.8
        # 7: Netherlands .08*40 + Ireland .05*10 + Greece .08*70 = 9.3
        # 10: France .16*60 + Italy .16*60 + UK .16*90 = 33.6
        ("EC_car_emissions_dmasad.csv", {4: 24.8, 7: 9.3, 10: 33.6}),
        # Netherlands and Belgium swapped: 4: .064+.006+.128+.05; 7: .032+.005+.056; 10: .336
        ("EC_car_emissions_jmckib.csv", {4: 0.248, 7: 0.093, 10: 0.336}),
    ],
)
def test_ec_car_emissions_by_hand(name, weights_by_position):
    s = gb.load_eum(DATA / "bdm_eum" / name)
    result = gb.forecast(s, ("compromise", "median"))
    total = sum(weights_by_position.values())
    mean = sum(x * w for x, w in weights_by_position.items()) / total  # 7.39
    assert result.issues["issue"]["compromise"] == pytest.approx(mean, rel=1e-12)
    assert mean == pytest.approx(7.39, abs=0.005)
    # Weighted median by hand: cumulative share at 4 is 24.8/67.7 < 1/2, at 7 it is
    # 34.1/67.7 > 1/2, so 7.
    assert result.issues["issue"]["median"] == 7
    xs = list(weights_by_position)
    ws = list(weights_by_position.values())
    assert _condorcet_winner(np.linspace(4, 10, 601).tolist(), xs, ws) == [7.0]


# --- COP21: every issue's weighted mean against an independent reading of the file ---


def test_cop21_weighted_means_independent():
    sums: dict[str, list[float]] = {}
    with open(DATA / "decide" / "cop21.csv") as f:
        for line in f:
            cells = [c.strip().strip("'") for c in line.rstrip("\n").split("\t")]
            if cells[0] == "#D":
                _, _, issue, pos, sal, power = cells
                w = float(sal) * float(power)
                acc = sums.setdefault(issue, [0.0, 0.0])
                acc[0] += w * float(pos)
                acc[1] += w
    result = gb.forecast(gb.load_decide(DATA / "decide" / "cop21.csv"), ("compromise",))
    assert set(result.issues) == set(sums) and len(sums) == 13
    for issue, (num, den) in sums.items():
        assert result.issues[issue]["compromise"] == pytest.approx(num / den, rel=1e-12)


# --- weighted median = Condorcet winner; NBS = brute force and a closed form ---


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 9)), min_size=1, max_size=8))
def test_weighted_median_is_a_condorcet_winner(actors):
    x = np.array([a for a, _ in actors], dtype=float)
    w = np.array([b for _, b in actors], dtype=float)
    m = weighted_median(x, w)
    grid = np.linspace(0, 20, 81).tolist()
    for b in grid:
        closer_m = w[np.abs(x - m) < np.abs(x - b)].sum()
        closer_b = w[np.abs(x - b) < np.abs(x - m)].sum()
        assert closer_m >= closer_b - 1e-9


@pytest.mark.parametrize(("w1", "w2"), [(1, 1), (3, 1), (1, 4)])
def test_nbs_two_linear_actors_closed_form(w1, w2):
    # Gains 1 - x and x (disagreement at each actor's worst end): argmax of
    # w1 log(1 - x) + w2 log(x) is x = w2 / (w1 + w2).
    x = nash_bargaining(np.array([0.0, 1.0]), np.array([w1, w2], float), np.ones(2), 0, 1)
    assert x == pytest.approx(w2 / (w1 + w2), abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0.1, 5), st.sampled_from([1.0, 1.5, 2.0])),
        min_size=2,
        max_size=6,
    ),
    st.one_of(st.none(), st.floats(0, 100)),
)
def test_nbs_matches_a_dense_grid(actors, sq):
    a = np.array([t[0] for t in actors])
    w = np.array([t[1] for t in actors])
    r = np.array([t[2] for t in actors])
    x = nash_bargaining(a, w, r, 0, 100, sq)
    grid = np.linspace(0, 100, 20001)
    u = 1 - (np.abs(grid[:, None] - a) / 100) ** r
    d = (
        (1 - (np.abs(sq - a) / 100) ** r)
        if sq is not None
        else np.minimum(1 - (a / 100) ** r, 1 - ((100 - a) / 100) ** r)
    )
    g = u - d
    ok = np.all(g > 0, axis=1)
    if not ok.any():
        return  # the interval is a point or empty: checked by the closed forms
    obj = np.where(ok, (w * np.log(np.where(g > 0, g, 1))).sum(axis=1), -np.inf)
    best = grid[np.argmax(obj)]
    assert math.isfinite(x)
    assert obj[np.argmax(obj)] - (w * np.log(1 - (np.abs(x - a) / 100) ** r - d)).sum() < 1e-6
    assert abs(x - best) < 0.2


def test_nbs_at_the_status_quo_when_an_actor_holds_it():
    # An actor whose ideal is the status quo gains nothing from any move: NBS = status quo.
    x = nash_bargaining(np.array([0.0, 60, 100]), np.ones(3), np.ones(3), 0, 100, status_quo=0)
    assert x == 0


def test_forecast_json_shape(tmp_path):
    source = DATA / "bdm_eum" / "EC_car_emissions_jmckib.csv"
    s = gb.load_eum(source)
    path = tmp_path / "ec.yaml"
    assert runner.invoke(app, ["import", "eum", str(source), "-o", str(path)]).exit_code == 0
    r = runner.invoke(app, ["forecast", str(path), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert set(doc) == {"scenario", "issues", "eum_rounds"}
    assert set(doc["issues"]["issue"]) == {"compromise", "median", "nbs", "eum"}
    assert doc["eum_rounds"][0]["issue"] == {a.name: a.position["issue"].mean() for a in s.actors}
    r = runner.invoke(app, ["forecast", str(path), "--json", "--model", "median"])
    doc = json.loads(r.stdout)
    assert doc["issues"] == {"issue": {"median": 7.0}} and doc["eum_rounds"] == []
    r = runner.invoke(app, ["forecast", str(path), "--model", "oracle"])
    assert r.exit_code == 2 and "unknown model" in r.stderr


def test_forecast_types_and_missing_saliences():
    s = gb.load(
        {
            "name": "t",
            "issues": [{"name": "a"}, {"name": "b"}],
            "actors": [
                {
                    "name": "P",
                    "role": "proposer",
                    "position": {"a": 0, "b": 0},
                    "capability": 2,
                    "salience": {"a": 1},
                },
                {
                    "name": "T",
                    "role": "target",
                    "position": {"a": 100},
                    "types": {
                        "x": {"prior": 0.25, "position": {"a": 40}},
                        "y": {"prior": 0.75, "position": {"a": 80}},
                    },
                },
            ],
        }
    )
    f = forecast(s, ("compromise",))
    # issue a: P weight 2*1 at 0; T's types weight 0.25 and 0.75 (salience 1/1) at 40, 80
    assert f.issues["a"]["compromise"] == pytest.approx((0.25 * 40 + 0.75 * 80) / 3)
    # issue b: P's salience on b is missing (0), T has no position: no forecast
    assert math.isnan(f.issues["b"]["compromise"])


def test_ktab_log_starts_from_the_imported_positions():
    s = gb.load_ktab(DATA / "ktab" / "SOE-Policy.csv")
    with open(DATA / "ktab" / "SOE-Policy.csv_posLog.csv") as f:
        log = {r[0].strip(): [float(v) for v in r[1:]] for r in csv.reader(f) if r}
    assert len(log) == 26 and all(len(v) == 10 for v in log.values())
    for a in s.actors:
        assert log[a.name][0] == a.position["Policy"].mean()
