"""Value of information against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.voi import information_value, value_of_information


def crisis(target):
    """One issue: A gets share x (u_A = x), B gets 1 - x; A's no-deal value 0.2."""
    return gb.load(
        {
            "name": "voi",
            "seed": 4,
            "samples": 20_000,
            "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
            "actors": [
                {
                    "name": "A",
                    "role": "proposer",
                    "position": {"share": 1},
                    "rho": 1,
                    "war_value": 0.2,
                },
                {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1, **target},
            ],
            "offers": {"tough": {"share": 0.7}, "generous": {"share": 0.4}},
        }
    )


def test_learning_the_type_by_hand():
    # soft (0.6) accepts both offers, hard (0.4) only the generous one; both fight rather
    # than keep the status quo (war value > u_B(1) = 0). Blind: tough = 0.6*0.7 + 0.4*0.2
    # = 0.50 beats generous = 0.40. Knowing the type: soft -> tough (0.7), hard -> generous
    # (0.4): 0.6*0.7 + 0.4*0.4 = 0.58. The information is worth 0.08.
    scenario = crisis(
        {
            "types": {
                "soft": {"prior": 0.6, "war_value": 0.25},
                "hard": {"prior": 0.4, "war_value": 0.5},
            }
        }
    )
    population = gb.sample(scenario)
    weight_soft = (population.type_index["B"] == 0).mean()
    expected = (
        weight_soft * 0.7 + (1 - weight_soft) * 0.4 - (weight_soft * 0.7 + (1 - weight_soft) * 0.2)
    )
    info = {i.name: i for i in value_of_information(population, scenario.offers)}
    assert info["B.type"].value == pytest.approx(expected, abs=1e-12)
    assert info["B.type"].value == pytest.approx(0.08, abs=0.01)
    assert info["B.type"].choices == {"soft": "tough", "hard": "generous"}
    assert info["everything"].value == pytest.approx(info["B.type"].value, abs=1e-12)
    # knowing the type, every world ends in a deal: no war; blind, 'tough' leaves the hard
    # type (which fights rather than keep the status quo) at war
    assert info["B.type"].p_war == 0.0


def test_evppi_of_a_continuous_input_by_hand():
    # w_B ~ U[0, 1]: tough (x = .7) is accepted iff w_B <= .3, generous (x = .4) iff w_B <= .6.
    # Blind: tough .3*.7 + .7*.2 = .35 beats generous .6*.4 + .4*.2 = .32. Knowing w_B:
    # .3*.7 + .3*.4 + .4*.2 = .41, so EVPPI = EVPI = .06 (decile bins split at .3 and .6).
    scenario = crisis({"war_value": {"uniform": [0, 1]}})
    population = gb.sample(scenario)
    info = {i.name: i for i in value_of_information(population, scenario.offers, ["B.war_value"])}
    assert info["B.war_value"].value == pytest.approx(0.06, abs=0.005)
    assert info["everything"].value == pytest.approx(0.06, abs=0.005)
    assert (
        list(info["B.war_value"].choices.values())
        == ["tough"] * 3 + ["generous"] * 3 + ["tough"] * 4
    )
    with pytest.raises(ValueError, match="not an uncertain input"):
        value_of_information(population, scenario.offers, ["B.rho"])


def test_information_value_is_never_negative_and_zero_without_a_choice():
    rng = np.random.default_rng(0)
    payoff = rng.random((500, 3))
    weights = rng.random(500)
    groups = rng.integers(0, 7, 500)
    value, _, _ = information_value(payoff, weights, groups)
    assert value >= 0
    # one offer: nothing to choose, so nothing to gain
    assert information_value(payoff[:, :1], weights, groups)[0] == 0.0
