"""Standard errors beside the JSON numbers that had none (negotiate's P(war) split,
p_sole_blocker, optimize's blocking packages), and the docs' talks figures script
(benchmarks/negotiate_tables.py) against an independent count."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from goldenbridge.analysis.stats import mean_se_bound, se_bound_scale
from goldenbridge.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def test_mean_se_bound_bounds_the_weighted_standard_error():
    """mean_se_bound >= sqrt(sum w^2 (y - mu)^2) / sum w for any y in [low, high] and any
    weights; equal to it where equal weights put every value at an end, half at each."""
    rng = np.random.default_rng(11)
    for case in range(300):
        n = int(rng.integers(1, 50))
        low, high = sorted(rng.normal(size=2) * 3)
        w = rng.exponential(size=n) if case % 2 else np.ones(n)
        if case % 3:
            y = rng.uniform(low, high, size=n)
        else:  # at the ends
            y = np.where(rng.random(n) < rng.random(), low, high)
        mu = (w @ y) / w.sum()
        exact = np.sqrt((w * w) @ (y - mu) ** 2) / w.sum()
        assert mean_se_bound(mu, low, high, se_bound_scale(w)) >= exact - 1e-12
    y = np.array([-1.0, 1.0] * 5)  # the equality case, by hand: sd 1, se 1 / sqrt(10)
    w = np.ones_like(y)
    assert mean_se_bound(0.0, -1.0, 1.0, se_bound_scale(w)) == pytest.approx(10**-0.5)


def _json(args: str) -> dict:
    result = runner.invoke(app, [*args.split(), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_negotiate_split_has_standard_errors():
    """Each part of the P(war) split carries a bound: the share's binomial SE for the total
    and 'at once'; sqrt(1 - part^2) / sqrt(N) for the hazard's part (a weighted average of
    differences of shares, in [-1, 1]); 0 for a mechanism that cannot act (fearon-1d has no
    mobilisation, drift or pretext)."""
    n = 3000
    doc = _json(f"negotiate fearon-1d --rounds 3 --grid 21 --hazard 0.2 --samples {n} --seed 4")
    seen_hazard = False
    for row in doc["decomposition"]:
        for key in ("total", "at_once"):
            se = np.sqrt(row[key] * (1 - row[key]) / n)
            assert row[f"{key}_se"] == pytest.approx(se, rel=0.06, abs=1e-4), key
        for key in ("mobilisation", "drift", "pretext", "induced"):
            assert row[key] == 0.0 and row[f"{key}_se"] == 0.0, key
        hazard_se = np.sqrt(1 - row["hazard"] ** 2) / np.sqrt(n)
        assert row["hazard_se"] == pytest.approx(hazard_se, rel=0.06)
        # rounded to the second significant digit of its standard error
        digits = 1 - int(np.floor(np.log10(row["hazard_se"])))
        assert row["hazard"] == round(row["hazard"], digits)
        seen_hazard |= row["hazard"] != 0.0
    assert seen_hazard  # the hazard's part is not 0 here: the bound was tried on a value


def test_negotiate_payoff_range_holds_every_worlds_payoff_and_bounds_the_eus():
    """The proposer's payoff range holds, world by world, its payoff under reject now
    (war where the target fights, else the status quo) and every strategy's expected
    utility; each expected utility in --json carries the bound over that range."""
    import goldenbridge as gb
    from goldenbridge.cli.negotiate import negotiation_document
    from goldenbridge.population import sample

    pop = sample(gb.load("russia-2021"), samples=1500, seed=5)
    result = gb.negotiate(pop, 3, grid=21, decompose=False)
    low, high = result.payoff_range
    p = pop.worlds.proposer
    reject = np.where(pop.worlds.fight, pop.war_value[:, p], pop.status_quo_u[:, p])
    assert low <= reject.min() and reject.max() <= high
    assert all(low <= row.proposer_eu <= high for row in result.compare)
    doc = negotiation_document(result)
    scale = result.se_scale
    assert scale > 0
    assert doc["proposer_eu_se"] == mean_se_bound(result.proposer_eu, low, high, scale)
    for row in doc["compare"]:
        assert row["proposer_eu_se"] == mean_se_bound(row["proposer_eu"], low, high, scale)
        assert 0 < row["proposer_eu_se"] < 0.05


def test_sole_blocker_has_the_binomial_standard_error():
    """On equally weighted sampled worlds the bound is the binomial SE of the share; on an
    enumerated population it is 0 (exact numbers)."""
    n = 4000
    doc = _json(f"evaluate teaching-2d --samples {n} --seed 3")
    checked = 0
    for offer in doc["offers"]:
        for odds in offer["actors"].values():
            if "p_sole_blocker" not in odds:
                continue
            p = odds["p_sole_blocker"]
            assert odds["p_sole_blocker_se"] == pytest.approx(
                np.sqrt(p * (1 - p) / n), rel=0.06, abs=1e-4
            )
            checked += p not in (0.0, 1.0)
    assert checked


def test_optimize_blocking_packages_carry_standard_errors():
    doc = _json("optimize teaching-2d --samples 2000 --seed 3")
    for key in ("max_deal", "status_quo"):
        part = doc[key]
        assert "p_deal_se" in part and "p_war_se" in part
        assert part["p_sole_blocker_se"].keys() == part["p_sole_blocker"].keys()
        assert part["p_reject_se"].keys() == part["p_reject"].keys()
    assert "proposer_eu_fresh_se" in doc["optimum"]


def _tables():
    spec = importlib.util.spec_from_file_location(
        "negotiate_tables", ROOT / "benchmarks" / "negotiate_tables.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_docs_talks_script_counts_approvals_as_decide_does():
    """benchmarks/negotiate_tables.py's allies' shares: the block of the best one-shot
    offer and the first round's one-shot approvals (every world talks in round 1) equal
    the count from ``decide`` on the same offers (the rule ``evaluate`` uses)."""
    import goldenbridge as gb
    from goldenbridge.analysis.outcomes import decide

    tables = _tables()
    pop = gb.population("russia-2021", 2000, 2022)
    result = gb.negotiate(pop, decompose=False)
    shares = tables.approvals(result, pop)
    w = pop.worlds.weights / pop.worlds.weights.sum()
    start, end = result.path_from, result.path_to

    def on_path(s: float) -> dict:  # the path's offer at position s, as negotiate's values
        return {
            k: v if isinstance(v, str) else round(v + s * (end[k] - v), 10)
            for k, v in start.items()
        }

    best = result.strategy("best one-shot offer").position
    d = decide(pop, pop.encode([on_path(result.sequence[0].position), on_path(best)]))
    vetoes = [i for i, a in enumerate(pop.scenario.actors) if a.role == "veto"]
    every = np.logical_and.reduce([d.approve[i] for i in vetoes])  # (N, 2)
    assert shares["rounds"][0]["on_path"] == 1.0
    assert shares["rounds"][0]["one_shot"] == pytest.approx(float(w @ every[:, 0]), abs=2e-3)
    assert shares["one_shot_block"] == pytest.approx(float(w @ ~every[:, 1]), abs=2e-3)
    assert 0 < shares["one_shot_block"] < 1


@pytest.mark.parametrize("name", ["fearon-1d", "teaching-2d"])
def test_frontier_standard_errors_are_evaluates(name):
    """Each frontier point's standard errors are those ``evaluate`` reports for the same
    offer on the same worlds (fearon-1d: the exact line search; teaching-2d: the search
    under the approval rule, which also scores P(war))."""
    import goldenbridge as gb

    pop = gb.population(name, 3000, 7)
    result = gb.optimize(pop, solutions=False)
    points = result.frontier[:: max(1, len(result.frontier) // 4)]
    assert points
    for point in points:
        odds = gb.evaluate(pop, {"f": point.values}).offer("f")
        assert point.proposer_eu_se == pytest.approx(odds.proposer_eu_se, rel=0.02, abs=1e-6)
        assert point.p_deal_se == pytest.approx(odds.p_deal_se, rel=0.02, abs=1e-3)
        if point.p_war is not None:
            assert point.p_war_se == pytest.approx(odds.p_war_se, rel=0.02, abs=1e-3)
    assert any(p.proposer_eu_se > 0 for p in points)
