"""Nash and Kalai–Smorodinsky solutions against closed forms (war as disagreement point)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.optimize import brentq
from typer.testing import CliRunner

from goldenbridge.analysis.optimize.best import optimize
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.scenario import parse
from strategies import fearon_scenario


def solve(data: dict, samples: int = 4000, **options):
    return optimize(sample(parse(data), samples=samples, seed=2), **options)


@pytest.mark.parametrize(
    ("p_win", "lo", "hi", "c_a", "k_a", "k_b"),
    [
        (0.5, 0.1, 0.1, 0.1, 1, 1),  # symmetric costs: the split at p
        (0.5, 0.0, 0.3, 0.05, 1, 1),  # uncertain c_B: E[c_B] enters
        (0.3, 0.2, 0.2, 0.0, 1, 1),
        (0.5, 0.0, 0.3, 0.1, 3, 1),  # capability-weighted (asymmetric Nash)
        (0.4, 0.1, 0.3, 0.2, 1, 4),
    ],
)
def test_nash_with_war_as_disagreement_point(p_win, lo, hi, c_a, k_a, k_b):
    # u_A = x, u_B = 1 - x, d_A = p - c_A, d_B = (1 - p) - E[c_B] with p = 1 - p_win
    # (B fights in every world: p_win > hi). Maximising k_A log(x - d_A) +
    # k_B log(1 - x - d_B) gives x = (k_A (p + E c_B) + k_B (p - c_A)) / (k_A + k_B);
    # with k_A = k_B, Nash (1950) splits the surplus: x = p + (E c_B - c_A) / 2.
    data = fearon_scenario(p_win, lo, hi, c_a)
    data["actors"][0]["capability"] = k_a
    data["actors"][1]["capability"] = k_b
    r = solve(data, capability_weighted=(k_a != k_b))
    p = 1 - p_win
    c_b = np.mean(sample(parse(data), samples=4000, seed=2).inputs.get("conflict.cost.B", [lo]))
    x = (k_a * (p + c_b) + k_b * (p - c_a)) / (k_a + k_b)
    assert r.nash.values["share"] == pytest.approx(x, abs=1e-4)
    assert r.nash.disagreement["A"] == pytest.approx(p - c_a)
    if k_a == k_b:  # linear utilities: the frontier is symmetric, KS = Nash
        assert r.ks.values["share"] == pytest.approx(x, abs=1e-4)


@pytest.mark.parametrize(("p_win", "c_b", "c_a"), [(0.5, 0.1, 0.1), (0.4, 0.05, 0.2)])
def test_quadratic_proposer_nash_and_ks(p_win, c_b, c_a):
    # A quadratic: u_A = 1 - (1 - x)^2, d_A = p - c_A; B linear, d_B = (1 - p) - c_B.
    # Nash: d/dx [g_A g_B] = 0 with y = 1 - x gives 3 y^2 + 2 (s - 1) y + d_A - 1 = 0,
    # s = p + c_B. KS (Kalai & Smorodinsky 1975): g_A / G_A = g_B / G_B with the best
    # attainable gains G_A = 1 - (1 - s)^2 - d_A, G_B = sqrt(1 - d_A) - d_B.
    data = fearon_scenario(p_win, c_b, c_b, c_a)
    data["actors"][0]["rho"] = 2
    r = solve(data)
    p = 1 - p_win
    d_a, d_b, s = p - c_a, 1 - p - c_b, p + c_b
    y = (-2 * (s - 1) + np.sqrt(4 * (s - 1) ** 2 - 12 * (d_a - 1))) / 6
    assert r.nash.values["share"] == pytest.approx(1 - y, abs=1e-4)

    def g_a(x):
        return 1 - (1 - x) ** 2 - d_a

    def g_b(x):
        return 1 - x - d_b

    big_a, big_b = g_a(s), np.sqrt(1 - d_a) - d_b
    x_ks = brentq(lambda x: g_a(x) / big_a - g_b(x) / big_b, 1 - np.sqrt(1 - d_a), s)
    assert r.ks.values["share"] == pytest.approx(x_ks, abs=1e-4)
    assert r.ks.values["share"] != pytest.approx(r.nash.values["share"], abs=1e-3)


def test_nash_per_type_and_none_without_surplus():
    # B's two types have direct war values .4 and .2; d_A = .5 - .1: per type
    # x = (1 - d_B + d_A) / 2.
    data = fearon_scenario(0.5, 0.1, 0.1, 0.1)
    data["actors"][1]["types"] = {
        "hard": {"prior": 0.5, "war_value": 0.4},
        "soft": {"prior": 0.5, "war_value": 0.2},
    }
    r = solve(data)
    by_type = r.nash_by_type
    assert by_type["B=hard"]["share"] == pytest.approx((1 - 0.4 + 0.4) / 2, abs=1e-4)
    assert by_type["B=soft"]["share"] == pytest.approx((1 - 0.2 + 0.4) / 2, abs=1e-4)
    assert r.to_dict()["nash"]["by_type"] == by_type
    # No surplus: war values .8 and .5 sum past the pie: no offer beats both.
    data = fearon_scenario(0.5, 0.1, 0.1, 0.1)
    data["actors"][0]["war_value"] = 0.8
    data["actors"][1]["war_value"] = 0.5
    r = solve(data, samples=500)
    assert r.nash is None and r.ks is None
    doc = r.to_dict()
    assert doc["nash"] is None and doc["ks"] is None


def test_pareto_frontier_is_the_contract_curve():
    # Two quadratic parties with certain ideal points (0, 0) and (100, 100) and equal
    # saliences: u_P = 1 - (x1^2 + x2^2)/2, u_T = 1 - ((1-x1)^2 + (1-x2)^2)/2 (normalised).
    # Maximising lam u_P + (1 - lam) u_T gives x1 = x2 = 1 - lam: the contract curve
    # (Edgeworth 1881) is the diagonal between the ideals, and no offer dominates it.
    from goldenbridge.analysis.optimize.best import _space
    from goldenbridge.analysis.optimize.solutions import pareto_frontier

    scenario = parse(
        {
            "name": "contract-curve",
            "issues": [{"name": "a"}, {"name": "b"}],
            "actors": [
                {"name": "P", "role": "proposer", "position": {"a": 0, "b": 0}},
                {"name": "T", "role": "target", "position": {"a": 100, "b": 100}},
            ],
        }
    )
    pop = sample(scenario, samples=200, seed=0)
    x, expected = pareto_frontier(pop.worlds, _space(pop, None), pop.actor_names, "T", points=11)
    lam = np.linspace(0, 1, 11)
    assert np.allclose(x[:, 0], 1 - lam, atol=1e-4) and np.allclose(x[:, 1], 1 - lam, atol=1e-4)
    grid = np.stack(np.meshgrid(np.linspace(0, 1, 41), np.linspace(0, 1, 41)), -1).reshape(-1, 2)
    u_p = 1 - (grid**2).sum(1) / 2
    u_t = 1 - ((1 - grid) ** 2).sum(1) / 2
    for up, ut in expected:
        dominated = (u_p >= up + 1e-9) & (u_t >= ut + 1e-9)
        assert not dominated.any()


def test_cli_capability_weighted_nash(tmp_path):
    # The asymmetric Nash solution on request: k_A = 3, k_B = 1 moves the split from
    # p + (E c_B - c_A) / 2 = 0.525 to (3 (p + E c_B) + (p - c_A)) / 4 = 0.5875.
    data = fearon_scenario(0.5, 0.0, 0.3, 0.1)
    data["actors"][0]["capability"] = 3
    file = tmp_path / "fearon.json"
    file.write_text(json.dumps(data))
    runner = CliRunner()

    def nash_share(*extra):
        args = ["optimize", str(file), "--json", "-n", "4000", *extra]
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["nash"]["values"]["share"]

    assert nash_share() == pytest.approx(0.525, abs=0.005)
    assert nash_share("--capability-weighted") == pytest.approx(0.5875, abs=0.005)


@pytest.mark.parametrize("face", [False, True])
def test_disagreement_is_the_no_offer_value_of_the_approval_rule(face):
    """Nash's and KS's d_i = E[r_i], the no-offer values of docs/design.md 4a-4c, derived
    by hand for the one-veto case of tests/test_information.py: the target fights when
    nothing is offered iff w_T + pretext > u_T(sq) - backing_down (u_T(sq) = 0,
    w_T ~ U[-0.5, 1]). V's r_V is w_V ~ U[0, 0.5] there and u_V(sq) = 1 elsewhere:
    E[r_V] = P(fight) / 4 + 1 - P(fight). The target's is E[max(w_T + p, -b)]."""
    from test_information import one_veto

    from goldenbridge.analysis.optimize.best import _space
    from goldenbridge.analysis.optimize.solutions import kalai_smorodinsky, nash, no_offer_values

    b = p = 0.1 if face else 0.0
    extra = {"conflict": {"backing_down": b, "pretext": p, "face": 0.5}} if face else {}
    pop = sample(one_veto(**extra), samples=50_000)
    fight = (1 + b + p) / 1.5  # P(w_T > -b - p)
    r_v = fight * 0.25 + (1 - fight)
    lo = -b - p  # w_T + p > -b: integrate (w + p) over (lo, 1), -b below
    r_t = ((1 + p) ** 2 - (lo + p) ** 2) / 2 / 1.5 + (lo + 0.5) / 1.5 * -b
    r = no_offer_values(pop)
    names = pop.actor_names
    assert abs(r[:, names.index("V")].mean() - r_v) < 0.008
    assert abs(r[:, names.index("T")].mean() - r_t) < 0.008
    space = _space(pop, None)
    worlds = pop.worlds.subset(slice(0, 5_000))
    for solve in (nash, kalai_smorodinsky):
        # every x in (1/3, 1/2) gives every party more than its d_i: a solution exists
        sol = solve(worlds, space, names, "T", no_offer=r[:5_000])
        assert sol is not None
        if sol is not None:
            d = sol.disagreement
            assert abs(d["V"] - r[:5_000, names.index("V")].mean()) < 1e-12
            assert abs(d["T"] - r_t) < 0.02 and abs(d["V"] - r_v) < 0.02
    if not face:  # without face and pretext these are the worlds' reservation values
        for i, actor in enumerate(pop.worlds.actors):
            assert np.array_equal(r[:, i], actor.reservation)
