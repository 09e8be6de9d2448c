"""Which assumption decides: the recommended offer re-optimised under a change (closed
forms), the structural switches (against evaluate() on scenarios rewritten by hand), and
the headline's consistency with the tables."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.assumptions import assumptions, population_at
from goldenbridge.analysis.sensitivity.decides import input_of
from goldenbridge.analysis.sensitivity.recommend import Recommender
from goldenbridge.analysis.sensitivity.switches import SWITCHES, unappeasable_types
from strategies import bargaining_scenario


def fearon(mean_cost_b: float = 0.15, samples: int = 20_000, **extra) -> dict:
    """Fearon's crisis: p = .5, c_A = .1, c_B ~ U[m - .15, m + .15], one issue."""
    return {
        "name": "closed",
        "seed": 5,
        "samples": samples,
        "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
        "conflict": {
            "p_win": 0.5,
            "cost": {"A": 0.1, "B": {"uniform": [mean_cost_b - 0.15, mean_cost_b + 0.15]}},
            **extra,
        },
        "actors": [
            {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
            {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
        ],
    }


# Derived by hand for fearon(m): B (u_B(x) = 1 - x, war value .5 - c_B > 0 = u_B(sq), so it
# fights whenever it rejects) accepts x iff c_B >= x - .5, so P(accept x) = (m + .65 - x)/.3
# on the support; A's EU(x) = .4 + (x - .4) P(x) is maximal at x* = (m + 1.05)/2, where
# P(war) = 1 - (m + .25)/.6.
def p_war_at(x: float, m: float) -> float:
    return 1.0 - min(max((m + 0.65 - x) / 0.3, 0.0), 1.0)


def optimum(m: float) -> float:
    return (m + 1.05) / 2


def test_reoptimised_offer_and_its_p_war_follow_the_closed_form():
    scenario = gb.load(fearon())
    base = gb.sample(scenario)
    rec = Recommender(base)
    se = np.sqrt(0.25 / base.n)
    x0 = rec.base.values["share"]
    assert x0 == pytest.approx(optimum(0.15), abs=0.015)
    assert rec.base.p_war == pytest.approx(p_war_at(x0, 0.15), abs=4 * se)
    # a change of nothing re-optimises to the same offer (the warm start's fixed point)
    assert rec.at(population_at(base, {})).values == rec.base.values
    cost = next(a for a in assumptions(scenario) if a.name == "conflict.cost.B")
    for delta in (-0.1, 0.1):
        m = 0.15 + delta
        answer = rec.at(population_at(base, {cost: delta}))
        x = answer.values["share"]
        assert x == pytest.approx(optimum(m), abs=0.015)
        assert answer.p_war == pytest.approx(p_war_at(x, m), abs=4 * se)
        assert answer.p_war == pytest.approx(1 - (m + 0.25) / 0.6, abs=0.06)
        # held fixed, the base offer's P(war) follows the same closed form at x0
        fixed = rec.fixed(population_at(base, {cost: delta}))
        assert fixed.values == rec.base.values
        assert fixed.p_war == pytest.approx(p_war_at(x0, m), abs=4 * se)


def test_rows_and_headline_of_a_one_issue_crisis():
    # c_B ~ U[0, .3]: its 90% range moves the mean from .015 to .285 (the 5% and 95%
    # quantiles); the spread from half to twice.
    result = gb.sensitivity(fearon(samples=8000), n=64, parts=("robustness",))
    rows = {r.assumption.name: r for r in result.rows}
    cost = rows["conflict.cost.B"]
    assert (cost.assumption.low, cost.assumption.high) == pytest.approx((0.015, 0.285))
    assert cost.reoptimised
    se = np.sqrt(0.25 / 8000)
    for answer, m in ((cost.low, 0.015), (cost.high, 0.285)):
        assert answer.values["share"] == pytest.approx(optimum(m), abs=0.02)
        assert answer.p_war == pytest.approx(p_war_at(answer.values["share"], m), abs=4 * se)
    # the base offer held fixed at the two ends
    x0 = result.baseline.values["share"]
    assert cost.fixed == pytest.approx((p_war_at(x0, 0.015), p_war_at(x0, 0.285)), abs=4 * se)
    # the assumption that decides is the row with the widest swing, named by the headline
    top = max(result.rows, key=lambda r: r.swing)
    assert result.decides is top
    assert result.headline.startswith(f"The answer depends most on {top.assumption.name}: ")
    assert result.to_dict()["decides"] == top.assumption.name
    # no veto, no face, no types, no talks mechanism: only the reading of a rejection is
    # listed, saying that without an observed rejection it changes nothing
    (reading,) = result.switches
    assert reading.name == "reading of a rejection"
    assert reading.answer == result.baseline and reading.swing == 0.0
    assert reading.note.startswith("no rejection is observed")
    assert result.to_dict()["switches"][0]["note"] == reading.note


def test_information_switch_matches_evaluate_on_the_informed_scenario():
    data = bargaining_scenario()
    scenario = gb.load(data)
    base = gb.sample(scenario, 2000, 3)
    rec = Recommender(base)
    setting = SWITCHES["veto information"].alternative(base)
    assert (setting.as_written, setting.other) == ("own", "informed")
    answer = rec.at(setting.population)
    # the same offer evaluated by evaluate() on the scenario written with informed vetoes
    informed = gb.load({**data, "information": "informed"})
    e = gb.evaluate(gb.sample(informed, 2000, 3), {"x": answer.values}).offer("x")
    assert answer.p_war == pytest.approx(e.p_war, abs=1e-9)
    assert answer.p_deal == pytest.approx(e.p_deal, abs=1e-9)
    assert SWITCHES["face and pretext"].alternative(base) is None
    assert SWITCHES["unappeasable type"].alternative(base) is None


def test_face_switch_is_face_and_pretext_at_zero():
    data = fearon(samples=2000, backing_down=0.1, pretext=0.1, face=0.5)
    base = gb.sample(gb.load(data))
    setting = SWITCHES["face and pretext"].alternative(base)
    assert (setting.as_written, setting.other) == ("on", "off")
    plain = fearon(samples=2000)
    offers = {"a": {"share": 0.6}, "b": {"share": 1.0}}
    by_hand = gb.evaluate(gb.sample(gb.load(plain)), offers)
    switched = gb.evaluate(setting.population, offers)
    for name in offers:
        assert switched.offer(name).p_war == by_hand.offer(name).p_war
    # with face on, offering nothing is worse (design 4c): more war than without
    with_face = gb.evaluate(base, offers)
    assert with_face.offer("b").p_war >= switched.offer("b").p_war


def test_unappeasable_type_is_found_and_ruled_out():
    # a "zealot" type values war above anything offered (war value 1.5 > u_B <= 1): it
    # refuses even its own ideal offer; the "pragmatic" type is fearon's B.
    data = fearon(samples=4000)
    data["actors"][1]["types"] = {
        "pragmatic": {"prior": 0.7},
        "zealot": {"prior": 0.3, "war_value": 1.5},
    }
    base = gb.sample(gb.load(data))
    assert unappeasable_types(base) == ("zealot",)
    setting = SWITCHES["unappeasable type"].alternative(base)
    assert setting.other == "zealot ruled out"
    rec = Recommender(base)
    answer = rec.at(setting.population, step=1 / 8)
    # without the zealot the crisis is fearon(.15): the closed-form optimum and P(war)
    x = answer.values["share"]
    assert x == pytest.approx(optimum(0.15), abs=0.03)
    assert answer.p_war == pytest.approx(p_war_at(x, 0.15), abs=0.04)
    # with it, every zealot world ends in war whatever is offered
    assert rec.base.p_war >= 0.3 - 0.03


@pytest.mark.slow
def test_headline_tables_and_notes_are_consistent():
    result = gb.sensitivity(
        gb.load(bargaining_scenario()), n=64, samples=2000, reoptimise=3, flip_by=0.02
    )
    doc = result.to_dict()
    head = result.rows[0]
    assert head.reoptimised
    # the headline names the re-optimised row that moves P(war) most, and quotes its ends
    assert head.swing == max(r.swing for r in result.rows if r.reoptimised)
    assert f"depends most on {head.assumption.name}:" in result.headline
    assert f"{100 * head.low.p_war:.1f}%" in result.headline
    assert doc["robustness"][0]["name"] == doc["decides"] == head.assumption.name
    # a switch that moves it further is named in the headline too
    bigger = [s for s in result.switches if s.swing > head.swing]
    assert bool(bigger) == ("structural switch" in result.headline)
    # each table either agrees with the headline or a note says why
    quantity = input_of(head.assumption)
    notes = " ".join(result.notes)
    sobol = [f for f in result.attribution.factors if f.ST is not None]
    assert sobol[0].name == quantity or f"ranks {sobol[0].name} first" in notes
    moved = [f for f in result.flips if f.threshold is not None]
    assert not moved or moved[0].factor == head.assumption.name or moved[0].factor in notes
    learned = [i for i in result.information if i.name != "everything" and i.value > 0]
    if learned:
        best = max(learned, key=lambda i: i.value)
        assert best.name == quantity or f"Learning {best.name}" in notes
    # the recommended offer is one of the offers the value of information chooses among
    assert set(doc["voi"]) >= {"Russia.type", "everything"}
    assert set(doc["voi_p_war"]) == set(doc["voi"])


def _row(name: str, lo: float, hi: float, fixed: tuple[float, float], reoptimised: bool = True):
    from goldenbridge.analysis.sensitivity.assumptions import Assumption
    from goldenbridge.analysis.sensitivity.decides import Row
    from goldenbridge.analysis.sensitivity.recommend import Answer

    a = Assumption(name, name, "shift", 0.5, 0.4, 0.6, -0.1, 0.1)
    answers = [Answer({"x": 0.5}, p, 0.5, 0.9, np.zeros(1)) for p in (lo, hi)]
    return Row(a, *answers, fixed, reoptimised, 0.2, "p_war")


def test_notes_explain_every_table_that_ranks_another_assumption_first():
    from goldenbridge.analysis.sensitivity.decides import notes
    from goldenbridge.analysis.sensitivity.robustness import MorrisRow
    from goldenbridge.analysis.sensitivity.voi import Information

    head = _row("conflict.p_win", 0.1, 0.4, (0.15, 0.35))  # swing 0.3
    other = _row("Russia.rho", 0.18, 0.22, (0.0, 0.6))  # fixed swing 0.6 > 0.3
    morris = (
        MorrisRow("Russia.rho", 0.1, 0.2, 0.01, 0.05),
        MorrisRow("conflict.p_win", 0, 0, 0, 0),
    )
    voi = (Information("Russia.type", 0.01, {}, 0.2), Information("everything", 0.05, {}, 0.1))
    said = notes([head, other], None, (), voi, "p_war", screening=morris)
    assert any(n.startswith("Morris screening ranks Russia.rho first") for n in said)
    assert any("With the offer held fixed Russia.rho moves P(war) most (60.0 points)" in n
               for n in said)  # fmt: skip
    assert any(n.startswith("Learning Russia.type") for n in said)
    # when every table agrees with the headline, nothing is said
    agree = (MorrisRow("conflict.p_win", 0.1, 0.2, 0.01, 0.05),)
    learned = (Information("conflict.p_win", 0.01, {}, 0.2),)
    quiet = _row("Russia.rho", 0.18, 0.22, (0.19, 0.21))
    assert notes([head, quiet], None, (), learned, "p_war", screening=agree) == ()
    # without robustness rows the headline is the global table's first entry: the value
    # of information is checked against it (a Morris name's quantity: no ".sd")
    spread = (MorrisRow("conflict.p_win.sd", 0.1, 0.2, 0.01, 0.05),)
    assert notes([], None, (), learned, "p_war", screening=spread) == ()
    assert notes([], None, (), voi, "p_war", screening=spread)[0].startswith("Learning Russia")
    # the proposer's EU is not in points
    eu = notes([head, other], None, (), (), "proposer_eu")
    assert eu and "(0.600)" in eu[0] and "points" not in eu[0]
