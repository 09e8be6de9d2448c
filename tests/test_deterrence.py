"""deterrence(): the credibility sweep against Fearon-style closed forms.

Fearon's one-issue crisis (docs/design.md section 2) with a threat against B: B's war
value is ``p - c_B - credibility * effect`` for a cost effect, and its status-quo
utility is 0 (the status quo gives A everything). B prefers war iff
``p - c_B - credibility * effect > 0``, so with a fixed c_B deterrence alone keeps
the peace from ``credibility = (p - c_B) / effect`` on (none if that exceeds 1),
and with ``c_B ~ U[0, 0.3]``: ``P(fight) = clip((p - credibility * effect) / 0.3, 0, 1)``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.deterrence import _threshold, deterrence
from goldenbridge.cli import app
from goldenbridge.scenario import ScenarioError, load, parse


def fearon(cost_b, effect, samples=20_000, p=0.5, field="cost", threatener_cost=0.0):
    data = load("fearon-1d").model_dump(exclude_none=True)
    data["conflict"]["p_win"] = p
    data["conflict"]["cost"] = {"A": 0.1, "B": cost_b}
    data["samples"] = samples
    data["threats"] = [
        {
            "name": "threat",
            "by": "A",
            "against": "B",
            "credibility": {"uniform": [0.2, 0.6]},
            "effect": {field: effect},
            "cost_to_threatener": threatener_cost,
        }
    ]
    data["offers"] = {"x": {"share": 0.7}, "keep_all": {"share": 1}}
    return parse(data)


@pytest.mark.parametrize(("effect", "expected"), [(0.5, 0.8), (0.8, 0.5), (0.4, 1.0), (0.3, None)])
def test_threshold_with_a_fixed_cost_of_war(effect, expected):
    # B fights iff 0.5 - 0.1 - credibility * effect > 0: deterred from 0.4 / effect on.
    d = deterrence(fearon(0.1, effect, samples=50), "threat", [0, 0.5, 1])
    t = d.thresholds[0]
    if expected is None:
        assert t.credibility is None and t.p_fight_at_full == 1.0
    else:
        assert t.credibility == pytest.approx(expected, abs=1e-12)
    assert t.p_fight_at_zero == 1.0


@pytest.mark.parametrize(("effect", "expected"), [(0.5, 0.9), (0.9, 0.5), (0.4, None)])
def test_threshold_counts_backing_down_and_the_pretext(effect, expected):
    """docs/design.md 4c: offered nothing, B fights iff w_B + pretext > u_B(sq) -
    backing_down, i.e. 0.5 - 0.1 - c e + 0.02 + 0.03 > 0: deterred from 0.45 / e on."""
    data = fearon(0.1, effect, samples=50).model_dump(exclude_none=True)
    data["conflict"].update(backing_down=0.02, pretext=0.03, face=0.5)
    d = deterrence(parse(data), "threat", [0, 0.5, 1])
    t = d.thresholds[0]
    if expected is None:
        assert t.credibility is None and t.p_fight_at_full == 1.0
    else:
        assert t.credibility == pytest.approx(expected, abs=1e-12)
        assert d.points[-1].p_fight == t.p_fight_at_full == 0.0  # the sweep agrees


def test_p_win_effects_are_clipped_and_linear_in_credibility():
    # Intervention shifts p 0.5 -> clip(0.5 - 0.7) = 0 when carried out:
    # war value (1 - c) 0.5 - 0.2 > 0 iff c < 0.6.
    d = deterrence(fearon(0.2, -0.7, samples=50, field="p_win"), "threat", [0.0, 1.0])
    assert d.thresholds[0].credibility == pytest.approx(0.6, abs=1e-12)
    # Without clipping the shift -0.4 gives 0.5 - 0.4 c - 0.2 > 0 iff c < 0.75.
    d = deterrence(fearon(0.2, -0.4, samples=50, field="p_win"), "threat", [0.0, 1.0])
    assert d.thresholds[0].credibility == pytest.approx(0.75, abs=1e-12)


def test_war_risk_curve_and_threshold_with_uncertain_cost():
    effect, grid = 0.8, [0.0, 0.2, 0.4, 0.6, 0.8]
    d = deterrence(fearon({"uniform": [0, 0.3]}, effect), "threat", grid, tolerance=0.01)
    for point in d.points:
        expected = float(np.clip((0.5 - point.credibility * effect) / 0.3, 0, 1))
        assert abs(point.p_fight - expected) <= 4 * point.p_fight_se + 1e-12
    # Common random numbers: every world's war value falls with credibility, so the
    # war risk falls monotonically, world by world.
    fights = [p.p_fight for p in d.points]
    assert fights == sorted(fights, reverse=True)
    # P(fight) <= 1% from (0.5 - 0.003) / 0.8 on.
    assert d.thresholds[0].credibility == pytest.approx((0.5 - 0.3 * 0.01) / effect, abs=0.005)


def test_deal_odds_and_best_offer_follow_the_closed_form():
    # B accepts x iff 1 - x >= max(0.5 - c_B - c e, 0): P = clip((0.8 - x + c e) / 0.3, 0, 1).
    effect = 0.2
    d = deterrence(fearon({"uniform": [0, 0.3]}, effect), "threat", [0.0, 0.5, 1.0])
    for point in d.points:
        expected = float(np.clip((0.8 - 0.7 + point.credibility * effect) / 0.3, 0, 1))
        assert abs(point.offers["x"]["p_deal"] - expected) < 0.015
        # A's EU: x when accepted, else its war value 0.5 - 0.1 (no threat cost).
        eu = expected * 0.7 + (1 - expected) * 0.4
        assert abs(point.offers["x"]["proposer_eu"] - eu) < 0.005
        best = max(point.offers, key=lambda k: point.offers[k]["proposer_eu"])
        assert point.best == best
    # The scenario as written draws credibility ~ U[0.2, 0.6] (mean 0.4).
    expected = float(np.clip((0.1 + 0.4 * effect) / 0.3, 0, 1))
    assert abs(d.baseline.offers["x"]["p_deal"] - expected) < 0.015


def test_effect_sweep_gives_one_threshold_per_effect():
    d = deterrence(fearon(0.1, 0.5, samples=50), "threat", [0.5, 1.0], effects=[0.5, 0.8, 2.0])
    assert [p.effect for p in d.points] == [0.5, 0.5, 0.8, 0.8, 2.0, 2.0]
    assert [t.credibility for t in d.thresholds] == pytest.approx([0.8, 0.5, 0.2])
    assert d.effect_field == "cost"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(0.1, 2)), min_size=1, max_size=30
    ),
    st.sampled_from([0.0, 0.1, 0.3]),
)
def test_threshold_against_brute_force(worlds, tolerance):
    a, b, w = (np.array(v) for v in zip(*worlds, strict=True))

    def p_fight(c):
        return float(w @ (a + b * c > 0) / w.sum())

    t = _threshold(a, b, w, tolerance)
    fine = np.linspace(0, 1, 2001)
    if t is None:
        assert p_fight(1.0) > tolerance or any(
            p_fight(c) > tolerance for c in fine[fine > 1 - 1e-3]
        )
        return
    assert all(p_fight(c) <= tolerance + 1e-12 for c in fine[fine >= t + 1e-9])
    if t > 1e-6:
        assert p_fight(t - 1e-7) > tolerance


def test_bad_threat_names():
    with pytest.raises(ScenarioError, match="no threat called 'nope'"):
        deterrence(fearon(0.1, 0.5, samples=50), "nope")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        deterrence(fearon(0.1, 0.5, samples=50), "threat", [0.5, 1.5])


runner = CliRunner()


def test_cli_deterrence_json_plot_and_errors(tmp_path):
    scenario = tmp_path / "f.json"
    scenario.write_text(json.dumps(fearon(0.1, 0.5, samples=200).model_dump(exclude_none=True)))
    args = ["deterrence", str(scenario), "--threat", "threat", "--credibility", "0:1:5"]
    result = runner.invoke(app, [*args, "--json", "--plot", str(tmp_path / "plots")])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [p["credibility"] for p in doc["points"]] == [0, 0.25, 0.5, 0.75, 1.0]
    assert doc["thresholds"][0]["credibility"] == pytest.approx(0.8)
    assert doc["points"][0]["best"] in ("x", "keep_all")
    assert (tmp_path / "plots" / "deterrence-threat.png").stat().st_size > 1000
    text = runner.invoke(app, args)
    assert text.exit_code == 0 and "keeps the peace" in text.stdout and "0.800" in text.stdout
    bad = runner.invoke(app, [*args[:4], "--credibility", "0:1"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --credibility 0:1: expected a:b:n")
    unknown = runner.invoke(app, ["deterrence", "russia-2021", "--threat", "nukes"])
    assert unknown.exit_code == 2 and "no threat called 'nukes'" in unknown.stderr
    assert len(unknown.stderr.strip().splitlines()) == 1


def test_facade_loads_by_name():
    d = gb.deterrence("russia-2021", "military_intervention", [0.0, 1.0], samples=2000)
    assert d.target == "Russia" and len(d.points) == 2
    assert d.points[1].p_fight <= d.points[0].p_fight
