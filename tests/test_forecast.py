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
from goldenbridge.analysis.forecast.eum import (
    challenge_utilities,
    expected_utility_model,
    median_voter,
    offer_targets,
    risk_exponents,
    success_probability,
)
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


# --- the expected-utility model: one round by hand on three actors ---


def test_eum_one_round_by_hand():
    # Positions 0, 50, 100 on [0, 100]; capabilities and saliences 1 (Scholz et al. eqs.).
    # P(A beats B) = 50 / (50 + 50 + 50) = 1/3 (only A votes for 0 over 50, by 50);
    # P(B beats A) = 2/3; P(A beats C) = P(C beats A) = 1/2.
    # With r = 1: U_s = 2 - 4(1/2 - d/2), U_f = 2 - 4(1/2 + d/2), U_sq = 0.
    #   EU(A->B) = 1/3*1 + 2/3*(-1) = -1/3, EU(B->A) = 1/3, EU(C->A) = 1/2*2 + 1/2*(-2) = 0.
    # Dangers S_A = EU(B->A) + EU(C->A) = 1/3 = S_C, S_B = -2/3: R = (1, -1, 1),
    # r = (1 - R/3) / (1 + R/3) = (1/2, 2, 1/2).
    # A's view (r = 1/2), against B (d = 1/2): U_s = 2 - 4*sqrt(1/4) = 0,
    # U_f = 2 - 4*sqrt(3/4), U_sq = 2 - 4*sqrt(1/2):
    #   e = EU(A->B) = 2/3 U_f - U_sq < 0,  f = EU(B->A) = 1/3 U_f - U_sq > |e|:
    #   A compromises, moving |e/f| of the way to 50.
    # Against C (d = 1): e = f = 1/2*2 + 1/2*(-2) - U_sq > 0, equal: no move.
    # B's view (r = 2), against A: EU(B->A) = 2/3*1.75 + 1/3*(-0.25) - 1 > 0: B stays.
    uf = 2 - 4 * math.sqrt(0.75)
    usq = 2 - 4 * math.sqrt(0.5)
    e, f = 2 / 3 * uf - usq, 1 / 3 * uf - usq
    assert e < 0 < f and f > abs(e)
    a_new = 50 * abs(e / f)
    x = np.array([0.0, 50, 100])
    assert success_probability(x, np.ones(3)) == pytest.approx(
        np.array([[0, 1 / 3, 1 / 2], [2 / 3, 0, 2 / 3], [1 / 2, 1 / 3, 0]]), abs=1e-15
    )
    assert median_voter(x, np.ones(3)) == 50
    res = expected_utility_model(x, np.ones(3), np.ones(3), 0, 100, rounds=1)
    assert res.rounds[0].risk.tolist() == pytest.approx([0.5, 2.0, 0.5])
    assert res.rounds[1].position.tolist() == pytest.approx([a_new, 50, 100 - a_new], rel=1e-12)
    assert a_new == pytest.approx(21.687, abs=1e-3)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(0, 100), st.floats(0.01, 10), st.floats(0, 1)), min_size=2, max_size=7
    ),
    st.sampled_from([0.5, 1.0]),
)
def test_eum_invariants(actors, q):
    x = np.array([t[0] for t in actors])
    c = np.array([t[1] for t in actors])
    s = np.array([t[2] for t in actors])
    if (c * s).sum() <= 0:
        return
    a = expected_utility_model(x, c, s, 0, 100, rounds=6, q=q)
    b = expected_utility_model(x, c, s, 0, 100, rounds=6, q=q)
    for ra, rb in zip(a.rounds, b.rounds, strict=True):
        assert np.array_equal(ra.position, rb.position)  # deterministic
        # moves go toward other actors' positions: never outside the first round's range
        assert np.all(ra.position >= x.min() - 1e-9) and np.all(ra.position <= x.max() + 1e-9)
        finite = np.isfinite(ra.risk)
        assert np.all((ra.risk[finite] >= 0.5 - 1e-12) & (ra.risk[finite] <= 2 + 1e-12))
    assert a.rounds[0].position.tolist() == x.tolist()


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


def _eum_round_scalar(x, c, s, lo, hi, q, t):
    """One round of the module docstring's steps, written out with scalars (an oracle)."""
    n, span = len(x), max(x) - min(x)  # D: the range of the positions (module docstring)
    if span == 0:
        return list(x), [1.0] * n
    w = [c[k] * s[k] for k in range(n)]
    # the weighted median; totals equal to 12 decimals are a tie, won by the first actor
    mu = min(x, key=lambda y: (round(sum(w[k] * abs(x[k] - y) for k in range(n)), 12), x.index(y)))

    def prob(i, j):
        v = [w[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i])) for k in range(n)]
        den = sum(abs(a) for a in v)
        return sum(a for a in v if a > 0) / den if den > 0 else 0.0

    def eu(i, j, r):
        d = abs(x[i] - x[j]) / span
        us, uf = 2 - 4 * (0.5 - d / 2) ** r, 2 - 4 * (0.5 + d / 2) ** r
        usq = 2 - 4 * 0.5**r
        shift = (abs(x[i] - mu) / span + d) / 4
        ub, uw = 2 - 4 * max(0.5 - shift, 0) ** r, 2 - 4 * (0.5 + shift) ** r
        p = prob(i, j)
        return (
            s[j] * (p * us + (1 - p) * uf)
            + (1 - s[j]) * us
            - q * usq
            - (1 - q) * (t * ub + (1 - t) * uw)
        )

    danger = [sum(eu(j, i, 1.0) for j in range(n) if j != i) for i in range(n)]
    top, bottom = max(danger), min(danger)
    r = [
        1.0 if math.isclose(top, bottom, abs_tol=1e-14) else (1 - big / 3) / (1 + big / 3)
        for big in [(2 * dg - top - bottom) / (top - bottom or 1) for dg in danger]
    ]
    new = list(x)
    for i in range(n):
        best = None
        for j in range(n):
            if j == i or x[j] == x[i]:
                continue
            e, f = eu(i, j, r[i]), eu(j, i, r[i])
            if f > e > 0 or (e < 0 < f and f < abs(e)):
                cand = x[j]
            elif e < 0 < f and f > abs(e):
                cand = x[i] + (x[j] - x[i]) * abs(e / f)
            else:
                continue
            if best is None or abs(cand - x[i]) < abs(best - x[i]):
                best = cand
        if best is not None:
            new[i] = best
    return new, r


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 20).map(lambda v: 5.0 * v), st.floats(0.1, 5), st.floats(0.05, 1)),
        min_size=2,
        max_size=6,
    ),
    st.sampled_from([1.0, 0.5, 0.0]),
    st.sampled_from([1.0, 0.3]),
)
def test_eum_round_matches_a_scalar_oracle(actors, q, t):
    x = [a[0] for a in actors]
    c = [a[1] for a in actors]
    s = [a[2] for a in actors]
    expected, r = _eum_round_scalar(x, c, s, 0.0, 100.0, q, t)
    res = expected_utility_model(np.array(x), np.array(c), np.array(s), 0, 100, rounds=1, q=q, t=t)
    assert res.rounds[0].risk.tolist() == pytest.approx(r, rel=1e-9, abs=1e-12)
    got = res.rounds[1].position.tolist() if len(res.rounds) > 1 else x
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


# --- the expected-utility model against a reference port's published example ---
#
# dmasad/bdm-scholz-expected-utility-model publishes Example.log: jmckib's port of Scholz's
# own code run on the EC car-emissions data (tests/data/bdm_eum/EC_car_emissions_jmckib.csv,
# the same rows as the port's ExampleActors.csv). Each logged move gives EU_ij and EU_ji in
# the moving actor's view and the new position. The port's probability of success differs
# from the paper's (eum.py docstring: votes weighted by each voter's exponent, |v| summed
# over all triples of actors), so the test computes that probability itself, below, and
# feeds it to the module's utilities (steps 3-4), risk exponents (step 5) and offers (6).

#: (actor, other, EU_ij, EU_ji, new position) per round, copied from Example.log.
PORT_LOG = [
    [
        ("Belgium", "France", -0.11483050347300794, 0.2432965945234421, 8.415932315426764),
        ("Luxembourg", "Belgium", 0.24550922248250817, 0.542246100211495, 7.0),
        ("Ireland", "Luxembourg", 0.5382377664333493, 0.6824778252511178, 4.0),
    ],
    [
        ("Belgium", "France", -0.08372298010499579, 0.11098827573851458, 9.610859134120188),
        ("Luxembourg", "Belgium", 0.09587865812504826, 0.25279815776071274, 8.415932315426764),
        ("Ireland", "Luxembourg", 0.5364745002601532, 0.6832740271828603, 7.0),
    ],
    [
        ("Belgium", "France", -0.021363682612244528, 0.023677008278475686, 9.961979590401311),
        ("Luxembourg", "Belgium", 0.0752415037116283, 0.1973924602995426, 9.610859134120188),
        ("Ireland", "Luxembourg", 0.2220966141779851, 0.28914350869001226, 8.415932315426764),
    ],
]


def _port_probability(x, c, s, r, span):
    """jmckib's ``probability``: votes ``c_k s_k ((|x_k - x_j|/D)^r_k - (|x_k - x_i|/D)^r_k)``,
    positive parts over voters k, divided by |votes| summed over every (k, a, b)."""
    n = len(x)

    def vote(k, a, b):  # voter k's vote for position a over position b
        return c[k] * s[k] * ((abs(x[k] - b) / span) ** r[k] - (abs(x[k] - a) / span) ** r[k])

    total = sum(abs(vote(k, x[a], x[b])) for k in range(n) for a in range(n) for b in range(n))
    return np.array(
        [
            [
                0.0
                if x[i] == x[j]
                else sum(max(0.0, vote(k, x[i], x[j])) for k in range(n)) / total
                for j in range(n)
            ]
            for i in range(n)
        ]
    )


def test_eum_utilities_risk_and_offers_reproduce_a_reference_port_log():
    with open(DATA / "bdm_eum" / "EC_car_emissions_jmckib.csv") as f:
        rows = list(csv.DictReader(f))
    names = [r["Actor"] for r in rows]
    x = [float(r["Position"]) for r in rows]
    c = [float(r["Capability"]) for r in rows]
    s = np.array([float(r["Salience"]) for r in rows])
    span = max(x) - min(x)  # the port's position_range, fixed at the start
    # the log's first lines: "Median position: 7.0", "Mean position: 7.389955686853767"
    first = expected_utility_model(np.array(x), np.array(c), s, 4, 10, rounds=1).rounds[0]
    assert first.median == 7.0 and first.mean == pytest.approx(7.389955686853767, rel=1e-14)
    for moves in PORT_LOG:
        xa = np.array(x)
        n = len(x)
        ones = np.ones(n)
        # step 5 with r = 1 (Q = 1: mu does not enter), then steps 3-4 with the new r
        e1, _ = challenge_utilities(xa, s, _port_probability(x, c, s, ones, span), ones, 0, span)
        r = risk_exponents(e1)
        prob = _port_probability(x, c, s, r, span)
        e, f = challenge_utilities(xa, s, prob, r, 0.0, span)
        target = offer_targets(xa, e, f)
        for actor, other, eu_ij, eu_ji, new in moves:
            i, j = names.index(actor), names.index(other)
            assert e[i, j] == pytest.approx(eu_ij, rel=1e-12)
            assert f[i, j] == pytest.approx(eu_ji, rel=1e-12)
            assert target[i, j] == pytest.approx(new, rel=1e-12)
        for actor, _, _, _, new in moves:  # the port moves everyone at once
            x[names.index(actor)] = new
