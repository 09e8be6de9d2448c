"""Sobol' attribution against closed forms: additive models and single-factor models."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.attribution import (
    attribution,
    saltelli_design,
    world_inputs,
)


def fearon(cost_a, p_win, cost_b=0.0, extra=None):
    """Fearon's one-issue crisis (docs/design.md section 2) with the given inputs."""
    return gb.load(
        {
            "name": "toy",
            "seed": 3,
            "samples": 2000,
            "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
            "conflict": {"p_win": p_win, "cost": {"A": cost_a, "B": cost_b}},
            "actors": [
                {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
                {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
            ],
            **(extra or {}),
        }
    )


def index(result, name):
    return next(f for f in result.factors if f.name == name)


def test_additive_payoff_has_the_analytic_indices():
    # B always rejects the status quo (p - c_B > 0 = u_B(1)), so the proposer's payoff is its
    # war value 1 - p - c_A: linear in two independent uniforms, S1_i = a_i^2 var_i / sum.
    scenario = fearon({"uniform": [0, 0.3]}, {"uniform": [0.2, 0.8]})
    result = attribution(scenario, {"share": 1}, "proposer_eu", base_samples=2048, seed=5)
    var_p, var_c = 0.6**2 / 12, 0.3**2 / 12
    assert result.variance == pytest.approx(var_p + var_c, rel=0.05)
    p, c = index(result, "conflict.p_win"), index(result, "conflict.cost.A")
    assert p.S1 == pytest.approx(var_p / (var_p + var_c), abs=0.03)
    assert c.S1 == pytest.approx(var_c / (var_p + var_c), abs=0.03)
    # additive: no interactions, so the total index equals the first-order one
    assert p.ST == pytest.approx(p.S1, abs=0.03) and c.ST == pytest.approx(c.S1, abs=0.03)
    assert [f.name for f in result.factors] == ["conflict.p_win", "conflict.cost.A"]


def test_only_the_target_cost_decides_the_deal():
    # P(B accepts x) depends on p and c_B only; p is fixed, and the proposer's cost and a
    # stakeholder's uncertain position never enter the deal indicator.
    scenario = fearon({"uniform": [0, 0.3]}, 0.5, {"uniform": [0, 0.3]})
    result = attribution(scenario, {"share": 0.6}, "p_deal", base_samples=2048, seed=1)
    assert result.mean == pytest.approx(2 / 3, abs=0.03)
    b, a = index(result, "conflict.cost.B"), index(result, "conflict.cost.A")
    assert b.ST == pytest.approx(1.0, abs=0.05) and b.S1 == pytest.approx(1.0, abs=0.1)
    assert abs(a.ST) < 0.02 and abs(a.S1) < 0.05


def test_type_is_one_categorical_factor():
    # the soft type's war value is below anything offered, the hard type's above: the deal
    # indicator is exactly "B is soft"; the proposer's uncertain cost does not matter.
    data = fearon({"uniform": [0, 0.3]}, 0.5).model_dump(exclude_none=True)
    data["actors"][1]["types"] = {
        "soft": {"prior": 0.3, "war_value": -1},
        "hard": {"prior": 0.7, "war_value": 2},
    }
    scenario = gb.load(data)
    names = [i.name for i in world_inputs(scenario)]
    assert names == ["B.type", "conflict.cost.A"]
    result = attribution(scenario, {"share": 0.5}, "p_deal", base_samples=1024, seed=2)
    assert result.mean == pytest.approx(0.3, abs=0.03)
    t = index(result, "B.type")
    assert t.S1 == pytest.approx(1.0, abs=0.05) and t.ST == pytest.approx(1.0, abs=0.05)
    assert abs(index(result, "conflict.cost.A").ST) < 0.02


def test_constant_output_has_no_indices_and_bad_n_is_rejected():
    scenario = fearon({"uniform": [0, 0.3]}, {"uniform": [0.2, 0.8]})
    result = attribution(scenario, {"share": 1}, "p_deal", base_samples=64)
    assert result.variance == 0.0 and all(f.ST is None for f in result.factors)
    with pytest.raises(ValueError, match="power of 2"):
        attribution(scenario, {"share": 1}, "p_deal", base_samples=100)


def test_same_seed_same_indices():
    scenario = fearon({"uniform": [0, 0.3]}, {"uniform": [0.2, 0.8]})
    one = attribution(scenario, {"share": 1}, "proposer_eu", base_samples=128, seed=9)
    two = attribution(scenario, {"share": 1}, "proposer_eu", base_samples=128, seed=9)
    assert one == two


def test_war_indicator_has_the_analytic_indices():
    # x = .6 offered: B (u_B(x) = .4, war value p - c_B > 0 = u_B(sq)) fights iff it
    # rejects, iff c_B < p - .4. With p ~ U[.4, .6] and c_B ~ U[0, .2], u = (p - .4)/.2 and
    # v = c_B/.2 are independent uniforms and war = 1{v < u}: Var = 1/4; E[war | u] = u and
    # E[war | v] = 1 - v, each of variance 1/12, so S1 = 1/3 for both; E[Var(war | v)] =
    # E[v (1 - v)] = 1/6, so ST = 2/3 for both (Sobol' 2001's definitions).
    scenario = fearon(0.1, {"uniform": [0.4, 0.6]}, {"uniform": [0, 0.2]})
    result = attribution(scenario, {"share": 0.6}, "p_war", base_samples=2048, seed=4)
    assert result.mean == pytest.approx(0.5, abs=0.02)
    assert result.variance == pytest.approx(0.25, abs=0.01)
    for name in ("conflict.p_win", "conflict.cost.B"):
        f = index(result, name)
        assert f.S1 == pytest.approx(1 / 3, abs=0.06)
        assert f.ST == pytest.approx(2 / 3, abs=0.06)


def test_war_indicator_follows_the_approval_rule():
    # the per-world outcomes are the model's (decide): their mean over a design of fresh
    # worlds is evaluate()'s P(war) under the vetoes' own information, within sampling error
    from strategies import bargaining_scenario

    scenario = gb.load(bargaining_scenario())
    offer = {"nato": 50, "missiles": 60, "basing": "none"}
    result = attribution(scenario, offer, "p_war", base_samples=256, seed=2)
    e = gb.evaluate(gb.sample(scenario, 8000, 8), {"x": offer}).offer("x")
    se = np.sqrt(e.p_war * (1 - e.p_war) / result.runs)
    assert result.mean == pytest.approx(e.p_war, abs=4 * (se + e.p_war_se))
    # the rule before the revision (informed vetoes) gives another answer here
    informed = gb.load({**bargaining_scenario(), "information": "informed"})
    other = gb.evaluate(gb.sample(informed, 8000, 8), {"x": offer}).offer("x")
    assert abs(other.p_war - e.p_war) > 4 * (se + e.p_war_se)


@pytest.mark.parametrize(("factors", "n", "seed"), [(1, 2, 0), (3, 8, 7), (64, 1024, 2021)])
def test_saltelli_design_is_salibs(factors, n, seed):
    # SALib's own sampler, one number at a time: the same design bit for bit
    from SALib.sample import sobol

    problem = {"num_vars": factors, "names": [f"x{i}" for i in range(factors)]}
    problem["bounds"] = [[0.0, 1.0]] * factors
    expected = sobol.sample(problem, n, calc_second_order=False, seed=seed)
    got = saltelli_design(factors, n, seed)
    assert got.shape == expected.shape == (n * (factors + 2), factors)
    assert np.array_equal(got, expected)
