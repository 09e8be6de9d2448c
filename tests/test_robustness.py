"""Assumptions, their stated ranges, common random numbers, sweeps and Morris screening."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.assumptions import assumptions, population_at
from goldenbridge.analysis.sensitivity.robustness import evaluator, morris, sweeps
from strategies import bargaining_scenario


def by_name(items):
    return {a.name: a for a in items}


def test_stated_ranges():
    found = by_name(assumptions(gb.load(bargaining_scenario())))
    # a credibility moves over all of [0, 1]
    c = found["threats.sanctions.credibility"]
    assert (c.baseline, c.low, c.high) == pytest.approx((0.75, 0.0, 1.0))
    # a cost (no domain) moves its mean over its 90% range: from the 5% to the 95%
    # quantile of triangular [0, .1, .3], F(x) = x^2 / .03 below the mode and
    # 1 - (.3 - x)^2 / .06 above it
    cost = found["conflict.cost.Russia"]
    q05, q95 = np.sqrt(0.05 * 0.03), 0.3 - np.sqrt(0.05 * 0.06)
    assert (cost.baseline, cost.low, cost.high) == pytest.approx((0.4 / 3, q05, q95), abs=1e-6)
    # a position is clipped to its scale: U[0, 20] shifted by -9 (its 5% quantile 1 minus
    # its mean 10) is U[-9, 11] clipped at 0, mean 11^2 / 2 / 20; shifted by +9, U[9, 29]
    pos = found["US.position.missiles"]
    assert (pos.baseline, pos.low, pos.high) == pytest.approx((10.0, 121 / 40, 19.0), rel=1e-6)
    # a beta p_win on [0, 1] moves to its 5% and 95% quantiles, its draws clipped to
    # [0, 1]: the mean of clip(X + d, 0, 1) by quadrature against scipy's beta
    p = found["conflict.p_win"]
    assert p.baseline == pytest.approx(0.4, abs=1e-5)
    from scipy import integrate, stats

    beta = stats.beta(2, 3)
    for value, q in ((p.low, 0.05), (p.high, 0.95)):
        d = beta.ppf(q) - 0.4
        mean, _ = integrate.quad(lambda x, d=d: min(max(x + d, 0), 1) * beta.pdf(x), 0, 1)
        assert value == pytest.approx(mean, abs=1e-4)
    # with two types one prior says it all
    prior = found["Russia.types.revisionist.prior"]
    assert (prior.kind, prior.baseline, prior.low, prior.high) == ("prior", 0.4, 0.0, 1.0)
    assert "Russia.types.security.prior" not in found
    # fixed numbers other than credibilities are not assumptions
    assert "conflict.cost.US" not in found
    # a spread is the standard deviation, halved .. doubled: triangular [0, .1, .3] has
    # variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18 = .07 / 18 (no clipping: costs are free)
    sd = found["conflict.cost.Russia.sd"]
    assert sd.kind == "spread" and (sd.down, sd.up) == (-0.5, 1.0)
    assert (sd.baseline, sd.low, sd.high) == pytest.approx(
        np.sqrt(0.07 / 18) * np.array([1.0, 0.5, 2.0]), rel=1e-4
    )
    # a credibility U[.6, .9] doubled about its mean is U[.45, 1.05] clipped at 1: a mass
    # 1/12 at 1 and density 1/.6 below, so E X = (1 - .45^2) / 1.2 + 1/12 and
    # E X^2 = (1 - .45^3) / 1.8 + 1/12
    c = found["threats.sanctions.credibility.sd"]
    m1, m2 = (1 - 0.45**2) / 1.2 + 1 / 12, (1 - 0.45**3) / 1.8 + 1 / 12
    assert (c.baseline, c.low) == pytest.approx((0.3 / np.sqrt(12), 0.15 / np.sqrt(12)), rel=1e-4)
    assert c.high == pytest.approx(np.sqrt(m2 - m1**2), rel=1e-3)


def test_a_change_redraws_only_its_own_input():
    scenario = gb.load(bargaining_scenario())
    base = gb.sample(scenario, 3000, 5)
    found = by_name(assumptions(scenario))
    assert population_at(base, {}) is base
    moved = population_at(base, {found["conflict.cost.Russia"]: 0.05})
    for path, draws in base.inputs.items():
        if path == "conflict.cost.Russia":
            np.testing.assert_allclose(moved.inputs[path], draws + 0.05, atol=1e-12)
        else:
            np.testing.assert_array_equal(moved.inputs[path], draws)
    np.testing.assert_array_equal(moved.type_index["Russia"], base.type_index["Russia"])
    # a spread rescales the draws about the mean; with a shift of the same input the two
    # combine (Morris moves every assumption at once); nothing else is redrawn
    cost, mean = base.inputs["conflict.cost.Russia"], 0.4 / 3
    both = population_at(
        base, {found["conflict.cost.Russia.sd"]: 1.0, found["conflict.cost.Russia"]: -0.05}
    )
    for path, draws in base.inputs.items():
        if path == "conflict.cost.Russia":
            np.testing.assert_allclose(
                both.inputs[path], mean + 2 * (cost - mean) - 0.05, atol=1e-6
            )
        else:
            np.testing.assert_array_equal(both.inputs[path], draws)
    reweighted = population_at(base, {found["Russia.types.revisionist.prior"]: 0.1})
    revisionist = base.type_index["Russia"] == 1
    w = reweighted.worlds.weights
    assert w[revisionist].sum() / w.sum() == pytest.approx(0.5, abs=0.03)


def fearon(cost_a):
    return gb.load(
        {
            "name": "sweep",
            "seed": 2,
            "samples": 20_000,
            "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
            "conflict": {"p_win": 0.5, "cost": {"A": cost_a, "B": {"uniform": [0, 0.3]}}},
            "actors": [
                {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
                {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
            ],
            "offers": {"x": {"share": 0.6}},
        }
    )


def test_sweep_ends_match_the_closed_form():
    # c_B ~ U[m - .15, m + .15]: P(B accepts .6) = P(c_B >= .1) = (m + .05) / .3, clipped.
    # The proposer's own cost never changes B's answer.
    scenario = fearon({"uniform": [0.05, 0.15]})
    base = gb.sample(scenario)
    evaluate = evaluator(base, base.encode([{"share": 0.6}]))
    # over the 90% range the mean moves from .015 to .285: P(deal) (.065 / .3) .. 1; B
    # fights whenever it rejects, so P(war) = 1 - P(deal)
    swept = {s.assumption.name: s for s in sweeps(evaluate, assumptions(scenario), points=3)}
    b = swept["conflict.cost.B"]
    assert b.values[[0, -1]] == pytest.approx([0.015, 0.285])
    p_deal, p_war = b.measures["p_deal"], b.measures["p_war"]
    assert p_deal[0, 0] == pytest.approx(0.065 / 0.3, abs=0.01)
    assert p_deal[-1, 0] == 1.0
    assert p_deal[3, 0] == pytest.approx(2 / 3, abs=0.01)  # as written
    np.testing.assert_allclose(p_war, 1.0 - p_deal, atol=1e-12)
    assert b.at_ends(0)["p_war"] == pytest.approx([1 - 0.065 / 0.3, 0.0], abs=0.01)
    assert swept["conflict.cost.A"].swing(0, "p_deal") == 0.0
    assert swept["conflict.cost.A"].swing(0, "proposer_eu") > 0.0


def test_morris_screens_out_what_does_not_matter():
    scenario = fearon({"uniform": [0.05, 0.15]})
    base = gb.sample(scenario, 2000)
    evaluate = evaluator(base, base.encode([{"share": 0.6}]))
    rows = by_name(morris(evaluate, assumptions(scenario), 0, "p_deal", trajectories=6, seed=1))
    assert rows["conflict.cost.B"].mu_star > 0.1
    assert rows["conflict.cost.A"].mu_star == 0.0 and rows["conflict.cost.A"].sigma == 0.0
