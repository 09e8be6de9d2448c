"""optimize(), the bargaining range and the search against closed forms and brute force.

Oracles: Fearon (1995) for the bargaining range, Powell (1999, ch. 3) for the
risk-return optimum with a uniform cost of war, the golden bridge and frontier
from the same closed-form acceptance curve, and a dense grid (brute force) for a
two-issue case and exhaustive enumeration for options.
"""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.bargaining_range import bargaining_range, range_slice
from goldenbridge.analysis.optimize.best import optimize
from goldenbridge.analysis.optimize.line_search import line_search
from goldenbridge.cli import app
from goldenbridge.engine import Offers, tally
from goldenbridge.population import sample
from goldenbridge.scenario import ScenarioError, parse
from strategies import fearon_scenario, scenarios

runner = CliRunner()


# Mapping of Powell's formula onto the fearon-1d parametrisation. The scale is A's
# share x, A's ideal is 1 and B's is 0 (rho = 1), and conflict.p_win is B's chance
# of winning. So A's war value is w_A = (1 - p_win) - c_A and B's is p_win - c_B;
# with p = 1 - p_win (A's chance, Powell's and Fearon's p) B accepts x iff
# 1 - x >= 1 - p - c_B, i.e. x <= p + c_B: Fearon's range is [p - c_A, p + c_B] in A's
# share. With c_B ~ U[lo, hi], P(accept x) = (hi - (x - p)) / (hi - lo) and
# EU(x) = P x + (1 - P)(p - c_A); dEU/dx = 0 gives x* = p + (hi - c_A) / 2, which
# lies in [p + lo, p + hi] iff hi - c_A >= 2 lo, else the corner x* = p + lo (B
# always accepts) -- Powell (1999, ch. 3).
def p_accept(x, p, lo, hi):
    return np.clip((hi - (np.asarray(x) - p)) / (hi - lo), 0.0, 1.0)


def true_eu(x, p, lo, hi, c_a):
    q = p_accept(x, p, lo, hi)
    return q * x + (1 - q) * (p - c_a)


def powell_optimum(p, lo, hi, c_a):
    return p + (hi - c_a) / 2 if hi - c_a >= 2 * lo else p + lo


POWELL = [  # (p_win of B, lo, hi, c_A): interior, interior, corner, interior with lo > 0
    (0.5, 0.0, 0.3, 0.1),
    (0.3, 0.0, 0.3, 0.1),
    (0.5, 0.1, 0.25, 0.1),
    (0.6, 0.05, 0.4, 0.1),
]


@pytest.mark.parametrize(("p_win", "lo", "hi", "c_a"), POWELL)
def test_powell_risk_return_optimum(p_win, lo, hi, c_a):
    p = 1 - p_win
    pop = sample(parse(fearon_scenario(p_win, lo, hi, c_a)), samples=40_000, seed=3)
    r = optimize(pop, solutions=False)
    x = r.optimum.values["share"]
    x_star = powell_optimum(p, lo, hi, c_a)
    gap = true_eu(x_star, p, lo, hi, c_a) - true_eu(x, p, lo, hi, c_a)
    assert -1e-12 <= gap <= 5e-4, (x, x_star, gap)
    assert r.method == "exact-1d" and r.exact
    # the sample EU of the offer found is the sample maximum: no grid point beats it
    grid = np.linspace(0, 1, 401)
    t = tally(pop.worlds, Offers(grid[:, None], np.zeros((401, 0), np.int64)))
    assert r.optimum.proposer_eu >= (t.payoff.sum(0) / t.w.sum()).max() - 1e-12
    # the optimiser's curse: fresh values are close to the truth, both reported
    assert r.fresh_seed != r.seed
    assert abs(r.optimum_fresh.proposer_eu - true_eu(x, p, lo, hi, c_a)) <= 4 * (
        r.optimum_fresh.proposer_eu_se + 1e-9
    )


@pytest.mark.parametrize(("p_win", "lo", "hi", "c_a"), POWELL)
@pytest.mark.parametrize("q", [0.5, 0.9, 1.0])
def test_golden_bridge_and_frontier_closed_form(p_win, lo, hi, c_a, q):
    # U(x) = x is decreasing away from A's ideal 1, so the bridge is the largest x
    # with P(accept) >= q: x_b = p + hi - q (hi - lo); the frontier is U = p + hi - P (hi - lo).
    p = 1 - p_win
    pop = sample(parse(fearon_scenario(p_win, lo, hi, c_a)), samples=20_000, seed=5)
    r = optimize(pop, target_p=q, solutions=False)
    x_b = r.bridge.values["share"]
    assert r.bridge.p_deal >= q
    assert abs(x_b - min(p + hi - q * (hi - lo), 1.0)) < 0.01
    assert abs(r.bridge_fresh.p_deal - q) <= 4 * r.bridge_fresh.p_deal_se + 0.002
    inner = [f for f in r.frontier if 0.02 < f.p_deal < 0.98]
    assert inner
    for f in inner:
        assert abs(f.proposer_u - (p + hi - f.p_deal * (hi - lo))) < 0.01
    us = [f.proposer_u for f in r.frontier]
    ps = [f.p_deal for f in r.frontier]
    assert us == sorted(us, reverse=True) and ps == sorted(ps)


def powell_three_issues(p_win, lo, hi, c_a, weights=(0.5, 0.3, 0.2), widths=(1, 100, 10)):
    """Powell's crisis spread over three issues of different units: A and B weigh them
    alike (linear utilities), so both care only about A's weighted share
    ``s = sum_k w_k x_k / width_k`` and the K-D problem is the 1-D one in ``s``:
    the optimal offers are the plane ``s = x*`` of the closed form."""
    names = ("a", "b", "c")
    top = dict(zip(names, widths, strict=True))
    bottom = dict.fromkeys(names, 0)
    salience = dict(zip(names, weights, strict=True))
    return {
        "name": "powell-3d",
        "samples": 20_000,
        "seed": 3,
        "issues": [{"name": n, "min": 0, "max": w, "status_quo": w} for n, w in top.items()],
        "conflict": {
            "p_win": p_win,
            "win": bottom,
            "lose": top,
            "cost": {"A": c_a, "B": {"uniform": [lo, hi]}},
        },
        "actors": [
            {"name": "A", "role": "proposer", "position": top, "salience": salience, "rho": 1},
            {"name": "B", "role": "target", "position": bottom, "salience": salience, "rho": 1},
        ],
    }


@pytest.mark.parametrize(("p_win", "lo", "hi", "c_a"), POWELL)
def test_powell_optimum_in_three_dimensions(p_win, lo, hi, c_a):
    # The K-D search (boundary candidates + refinement) against the closed form: the
    # true EU of the offer found is within 5e-4 of Powell's optimum, corner included.
    p = 1 - p_win
    data = powell_three_issues(p_win, lo, hi, c_a)
    r = optimize(sample(parse(data)), target_p=0.5, solutions=False)
    assert r.method == "boundary-refine"

    def share(values):  # A's weighted share, the one dimension that matters
        return 0.5 * values["a"] / 1 + 0.3 * values["b"] / 100 + 0.2 * values["c"] / 10

    s = share(r.optimum.values)
    x_star = powell_optimum(p, lo, hi, c_a)
    gap = true_eu(x_star, p, lo, hi, c_a) - true_eu(s, p, lo, hi, c_a)
    assert -1e-12 <= gap <= 5e-4, (s, x_star, gap)
    # the fresh re-evaluation estimates the offer's true value
    assert abs(r.optimum_fresh.proposer_eu - true_eu(s, p, lo, hi, c_a)) <= 4 * (
        r.optimum_fresh.proposer_eu_se + 1e-9
    )
    # the bridge for q = 0.5: the largest share B accepts with probability 0.5
    assert abs(share(r.bridge.values) - (p + hi - 0.5 * (hi - lo))) < 0.01


@pytest.mark.parametrize(
    ("p_win", "c_a", "lo", "hi"),
    [(0.5, 0.1, 0.0, 0.3), (0.3, 0.05, 0.1, 0.2), (0.1, 0.1, 0.0, 0.3)],
)
def test_fearon_bargaining_range_per_world(p_win, c_a, lo, hi):
    # Fearon (1995): [p - c_A, p + c_B] in A's share where B would fight. In the last
    # set B fights only if c_B < p_win = 0.1 (its war value p_win - c_B beats the
    # status quo's 0); elsewhere deterrence holds, no deal means the status quo, and
    # the range shrinks to the status quo itself (a corner: A gives nothing away).
    p = 1 - p_win
    pop = sample(parse(fearon_scenario(p_win, lo, hi, c_a)), samples=2000, seed=1)
    r = bargaining_range(pop, "share")
    c_b = pop.inputs["conflict.cost.B"]
    fights = p_win - c_b > 0
    expected_lo = np.where(fights, p - c_a, 1.0)
    expected_hi = np.where(fights, np.minimum(p + c_b, 1.0), 1.0)
    assert np.allclose(r.lo, expected_lo, atol=1e-8)
    assert np.allclose(r.hi, expected_hi, atol=1e-8)
    assert r.p_nonempty == 1.0
    for x in (p - c_a - 0.01, p, min(p + (lo + hi) / 2, 1.0), 1.0):
        share, _ = r.p_in_range(x)
        expected = float(np.mean((expected_lo - 1e-9 <= x) & (x <= expected_hi + 1e-9)))
        assert share == pytest.approx(expected)
        e = gb.evaluate(pop, {"x": {"share": x}}).offer("x")
        if x == 1.0:  # the status quo offers nothing: never an agreement (design 4a)
            assert e.p_deal == 0.0 and not e.offered
            continue
        assert r.p_deal(x)[0] == pytest.approx(e.p_deal)


@pytest.mark.parametrize("information", ["informed", "own"])
def test_range_slice_matches_evaluate(information):
    """Every grid offer as ``evaluate`` decides it: under the per-world rule and under
    the veto's own information (docs/design.md 4b), where the per-world tally it used
    to call disagreed with the headline numbers."""
    data = two_issue_scenario(information=information)
    pop = sample(parse(data), samples=500, seed=2)
    s = range_slice(pop, ["a", "b"], resolution=5)
    assert s.p_deal.shape == (5, 5)
    points = {f"{i}{j}": {"a": s.x[i], "b": s.y[j]} for i in range(5) for j in range(5)}
    e = gb.evaluate(pop, points)
    p = np.array([[e.offer(f"{i}{j}").p_deal for i in range(5)] for j in range(5)])
    eu = np.array([[e.offer(f"{i}{j}").proposer_eu for i in range(5)] for j in range(5)])
    assert np.allclose(s.p_deal, p, rtol=0, atol=1e-12)
    assert np.allclose(s.proposer_eu, eu, rtol=0, atol=1e-12)
    q = float(np.median(p))
    assert np.array_equal(s.region(q), p >= q) and 0 < s.region(q).sum() < 25
    with pytest.raises(ValueError):
        range_slice(pop, ["a", "a"])


def test_range_slice_and_concession_path_agree_with_evaluate_under_own_information():
    """russia-2021 (the allies on their own information) on 400 worlds: the slice's and
    the path's P(deal), P(war) and EU at each point are ``evaluate``'s of that offer
    (the status quo offers nothing: P(deal) 0), and ``samples`` takes the first worlds."""
    from goldenbridge.analysis.negotiate.concession_path import concession_path
    from goldenbridge.scenario import load

    scenario = load("russia-2021")
    pop = sample(scenario, samples=800, seed=3)
    s = range_slice(pop, ["missiles", "forces"], resolution=3, samples=400)
    assert s.samples == 400
    few = sample(scenario, samples=400, seed=3)
    points = {f"{i}{j}": {"missiles": s.x[i], "forces": s.y[j]} for i in range(3) for j in range(3)}
    e = gb.evaluate(few, points)
    p = np.array([[e.offer(f"{i}{j}").p_deal for i in range(3)] for j in range(3)])
    eu = np.array([[e.offer(f"{i}{j}").proposer_eu for i in range(3)] for j in range(3)])
    war = np.array([[e.offer(f"{i}{j}").p_war for i in range(3)] for j in range(3)])
    assert np.array_equal(s.p_deal, p) and np.array_equal(s.proposer_eu, eu)
    assert np.array_equal(s.p_war, war)  # the bridge's criterion there (docs/design.md 4b)
    assert s.p_deal[0, 0] == 0.0  # the status quo: nothing offered
    path = concession_path(pop, [("sq", {}), ("far", {"missiles": 100.0, "forces": 50.0})], 3, 400)
    e = gb.evaluate(few, {"sq": {}, "mid": {"missiles": 50.0, "forces": 25.0}, "far": {
        "missiles": 100.0, "forces": 50.0}})  # fmt: skip
    for k, name in enumerate(("sq", "mid", "far")):
        assert path.p_deal[k] == e.offer(name).p_deal
        assert path.p_war[k] == e.offer(name).p_war
        assert path.proposer_eu[k] == e.offer(name).proposer_eu


def two_issue_scenario(samples: int = 3000, information: str = "informed") -> dict:
    """Two issues, a quadratic proposer, a target with uncertain weights and war
    value, and a veto that dislikes concessions on issue b."""
    # ``informed``: these tests check the exact per-world searches (docs/design.md 4b's
    # default rule is searched by model_search, tested in tests/test_information.py)
    return {
        "information": information,
        "name": "two-issue",
        "samples": samples,
        "seed": 11,
        "issues": [{"name": "a"}, {"name": "b"}],
        "actors": [
            {
                "name": "P",
                "role": "proposer",
                "position": {"a": 0, "b": 0},
                "salience": {"a": 0.6, "b": 0.4},
            },
            {
                "name": "T",
                "role": "target",
                "position": {"a": 100, "b": 100},
                "salience": {"a": {"uniform": [0.2, 0.8]}, "b": 0.5},
                "war_value": {"uniform": [0.5, 0.9]},
            },
            {
                "name": "V",
                "role": "veto",
                "position": {"a": 50, "b": 0},
                "war_value": {"uniform": [0.4, 0.8]},
            },
        ],
        "conflict": {"p_win": 0.5},
    }


def test_two_issue_optimum_matches_dense_grid():
    pop = sample(parse(two_issue_scenario()), samples=3000, seed=11)
    r = optimize(pop, solutions=False)
    grid = np.linspace(0, 1, 201)
    xs = np.array(list(itertools.product(grid, grid)))
    t = tally(pop.worlds, Offers(xs, np.zeros((xs.shape[0], 0), np.int64)))
    grid_eu = t.payoff.sum(0) / t.w.sum()
    gap = grid_eu.max() - r.optimum.proposer_eu
    # the search beats (or ties) every point of a 201 x 201 grid on the same worlds
    assert gap <= 1e-4, gap
    assert r.method == "boundary-refine"
    # the bridge: feasible, and no feasible grid point has a higher E[u_P]
    q = r.target_p
    u = t.proposer_u.sum(0) / t.w.sum()
    feasible = t.deal.sum(0) / t.w.sum() >= q
    assert r.bridge.p_deal >= q
    assert r.bridge.proposer_u >= u[feasible].max() - 2e-3


def test_exhaustive_over_options():
    data = {
        "name": "options",
        "samples": 800,
        "seed": 4,
        "issues": [{"name": n, "options": ["o0", "o1", "o2", "o3"]} for n in ("x", "y", "z")],
        "actors": [
            {
                "name": "P",
                "role": "proposer",
                "values": {n: {"o0": 1, "o1": 0.7, "o2": 0.4, "o3": 0.1} for n in "xyz"},
            },
            {
                "name": "T",
                "role": "target",
                "values": {
                    n: {"o0": 0.1, "o1": {"uniform": [0, 1]}, "o2": 0.8, "o3": 1} for n in "xyz"
                },
                "war_value": {"uniform": [0.3, 0.9]},
            },
        ],
        "conflict": {"p_win": 0.5},
    }
    pop = sample(parse(data))
    r = optimize(pop, target_p=0.6)
    combos = {
        "".join(c): dict(zip("xyz", c, strict=True))
        for c in itertools.product(["o0", "o1", "o2", "o3"], repeat=3)
    }
    e = gb.evaluate(pop, combos)
    best = max(e.offers, key=lambda o: o.proposer_eu)
    assert r.method == "exhaustive" and r.candidates == 64
    assert r.optimum.proposer_eu == pytest.approx(best.proposer_eu)
    feasible = [o for o in e.offers if o.p_deal >= 0.6]
    assert r.bridge.proposer_u == pytest.approx(max(o.proposer_u for o in feasible))
    for o in e.offers:  # nothing evaluated beats a frontier point in both
        assert not any(o.p_deal > f.p_deal and o.proposer_u > f.proposer_u for f in r.frontier)


def test_mixed_space_finds_the_global_optimum():
    # One continuous issue and one with options. At the status quo share the best
    # option is 'none' (B then accepts), but once the share is conceded another
    # option is better: alternating searches stall at 'none' (EU about 0.2 lower).
    # Brute force: every option over a 2001-point grid of shares on the same worlds.
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1, samples=4000)
    data["issues"].append(
        {
            "name": "basing",
            "options": ["none", "rotational", "permanent"],
            "status_quo": "permanent",
        }
    )
    data["conflict"]["win"]["basing"] = "none"
    data["conflict"]["lose"]["basing"] = "permanent"
    proposer, target = data["actors"]
    proposer["values"] = {"basing": {"none": 0, "rotational": 0.7, "permanent": 1}}
    proposer["salience"] = {"share": 0.5, "basing": 0.5}
    target["values"] = {
        "basing": {"none": 1, "rotational": {"uniform": [0.2, 0.9]}, "permanent": 0}
    }
    target["salience"] = {"share": {"uniform": [0.5, 0.9]}, "basing": 0.3}
    pop = sample(parse(data))
    r = optimize(pop, target_p=0.6, solutions=False)
    assert r.method == "exhaustive+exact-1d" and r.exact
    grid = np.linspace(0, 1, 2001)
    eu, u, p = [], [], []
    for option in range(3):
        t = tally(pop.worlds, Offers(grid[:, None], np.full((grid.size, 1), option)))
        eu.append(t.payoff.sum(0) / t.w.sum())
        u.append(t.proposer_u.sum(0) / t.w.sum())
        p.append(t.deal.sum(0) / t.w.sum())
    eu, u, p = np.array(eu), np.array(u), np.array(p)
    assert r.optimum.proposer_eu >= eu.max() - 1e-12
    assert r.bridge.p_deal >= 0.6
    assert r.bridge.proposer_u >= u[p >= 0.6].max() - 1e-3


def test_issues_restrict_the_search_and_errors():
    pop = sample(parse(two_issue_scenario()), samples=1000, seed=3)
    r = optimize(pop, issues=["b"], solutions=False)
    assert r.issues == ("b",) and r.optimum.values["a"] == 0 and r.method == "exact-1d"
    with pytest.raises(ScenarioError, match="no such issue"):
        optimize(pop, issues=["nope"])
    with pytest.raises(ValueError):
        optimize(pop, target_p=1.5)


def test_exhaustive_limit_of_a_million_combinations(tmp_path):
    # 4^10 = 1 048 576 option combinations: over the limit, a one-line error naming
    # --issues; searching 9 of the 10 issues (262 144 combinations) is allowed.
    names = [f"d{k}" for k in range(10)]
    data = {
        "name": "many-options",
        "samples": 200,
        "conflict": {"p_win": 0.5},
        "issues": [{"name": n, "options": ["o0", "o1", "o2", "o3"]} for n in names],
        "actors": [
            {"name": "P", "role": "proposer", "values": {n: {"o0": 1, "o3": 0} for n in names}},
            {"name": "T", "role": "target", "values": {n: {"o0": 0, "o3": 1} for n in names}},
        ],
    }
    pop = sample(parse(data))
    with pytest.raises(ScenarioError, match="1,048,576 option combinations exceed") as info:
        optimize(pop, solutions=False)
    assert info.value.path == "issues" and "--issues" in info.value.message
    r = optimize(pop, issues=names[:9], solutions=False)
    assert r.method == "exhaustive" and r.candidates == 4**9
    file = tmp_path / "many.json"
    file.write_text(json.dumps(data))
    result = runner.invoke(app, ["optimize", str(file)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("error: issues: 1,048,576 option combinations exceed")
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["optimize", str(file), "--json"])  # the error as JSON
    error = json.loads(result.stdout)["error"]
    assert result.exit_code == 2 and error["field"] == "issues"
    assert error["message"].startswith("1,048,576 option combinations exceed")


def test_no_bridge_when_unreachable():
    # B's war value beats every offer in a quarter of the worlds: P(deal) <= 0.75.
    data = two_issue_scenario(samples=2000)
    data["actors"][1]["war_value"] = {"choice": [0.5, 1.5], "p": [0.75, 0.25]}
    pop = sample(parse(data))
    r = optimize(pop, target_p=0.9, issues=["a"], solutions=False)
    assert r.bridge is None and r.max_deal.p_deal <= 0.76
    assert r.to_dict()["bridge"] is None


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(max_issues=1))
def test_line_search_optimum_beats_every_grid_point(data):
    pop = sample(parse(data), samples=300)
    ls = line_search(pop.worlds, pop.encode([{}]), 0)
    t, value, exact = ls.best_eu()
    grid = np.linspace(0, 1, 1001)
    assert value >= ls.eu(grid).max() - 1e-12
    assert value == pytest.approx(ls.eu(np.array([t]))[0], abs=1e-12)
    p = ls.p_deal(grid)
    brute = np.array([np.mean((ls.lo <= g) & (g <= ls.hi)) for g in grid])
    assert np.allclose(p, brute)


def test_cli_optimize_json_document():
    result = runner.invoke(app, ["optimize", "fearon-1d", "--json", "--samples", "5000"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["optimum"]) >= {"values", "p_deal", "proposer_eu", "proposer_eu_fresh"}
    assert set(doc["bridge"]) >= {"target_p", "values", "p_deal", "proposer_eu"}
    assert doc["bridge"]["target_p"] == 0.5 and doc["bridge"]["p_deal"] >= 0.5
    assert all(set(f) >= {"values", "p_deal", "proposer_u"} for f in doc["frontier"])
    assert set(doc["nash"]) >= {"values"} and set(doc["ks"]) >= {"values"}
    assert abs(doc["optimum"]["values"]["share"] - 0.6) < 0.02


def test_cli_optimize_text_and_errors():
    result = runner.invoke(app, ["optimize", "fearon-1d", "-n", "3000", "--target-p", "0.9"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Best package \(risk-return optimum\): share=0\.[56]", result.stdout)
    assert "golden bridge" in result.stdout
    bad = runner.invoke(app, ["optimize", "fearon-1d", "--issues", "nope"])
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("error: issues.nope: no such issue")
    assert len(bad.stderr.strip().splitlines()) == 1


def test_cli_russia_names_the_bridge_or_why_not():
    result = runner.invoke(app, ["optimize", "russia-2021", "-n", "1500"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    assert "Best package (risk-return optimum): enlargement=" in text
    # the default information rule: the bridge caps P(war) at half of offering nothing's
    by_war = re.search(
        r"Golden bridge \(the best package for United States with P\(war\) <= ([\d.]+)%\): "
        r"(enlargement=[^:]*): P\(war\) ([\d.]+)%",
        text,
    )
    if by_war is not None:
        assert float(by_war.group(3)) <= float(by_war.group(1)) + 0.05
        return
    if "No package found brings P(war) down to" in text:
        assert "approves it in only" in text
        return
    bridge = re.search(
        r"Cheapest package reaching P\(deal\) >= 50\.0% \(golden bridge\): "
        r"(enlargement=[^:]*): P\(deal\) ([\d.]+)%",
        text,
    )
    if bridge is None:  # none found: say so, and what caps P(deal)
        assert re.search(r"No package found reaches P\(deal\) >= 50\.0%.*main obstacle is", text)
        return
    assert float(bridge.group(2)) >= 50.0
    if bridge.group(1) == "enlargement=0, missiles=0, forces=0, ukraine=0":
        # the status quo: the CLI says why no package with concessions gets there
        assert "That is the status quo itself" in text
        assert re.search(r"highest P\(deal\) reaches [\d.]+% .*main obstacle there is \w", text)
