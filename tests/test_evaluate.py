"""evaluate() against closed forms (Fearon 1995; Powell 1999) and model properties."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import goldenbridge as gb
from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.population import sample
from goldenbridge.scenario import load, parse
from strategies import bargaining_scenario, scenarios

FEARON = load("fearon-1d")


def fearon(p_win_target: float, hi: float = 0.3, c_a: float = 0.1, samples: int = 200_000):
    data = FEARON.model_dump(exclude_none=True)
    data["conflict"]["p_win"] = p_win_target
    data["conflict"]["cost"] = {"A": c_a, "B": {"uniform": [0, hi]}}
    data["samples"] = samples
    return parse(data)


@pytest.mark.parametrize(
    ("p", "offers"),
    [(0.5, [0.45, 0.5, 0.55, 0.6, 0.7, 0.79, 0.85]), (0.3, [0.65, 0.7, 0.8, 0.9, 0.95, 1.0])],
)
def test_fearon_acceptance_and_expected_utility(p, offers):
    # B (position 0, rho 1) accepts share x iff 1 - x >= (1 - p_A) - c_B with c_B ~ U[0, .3]:
    # P(accept) = clip((1 - p + .3 - x) / .3, 0, 1) where p = P(A wins) = 1 - p_win(B);
    # A's war value is p - c_A; EU(x) = P x + (1 - P)(p - c_A)   (Fearon 1995, Powell 1999).
    pop = sample(fearon(p))
    result = evaluate(pop, {f"x{x}": {"share": x} for x in offers})
    p_a = 1 - p
    for x in offers:
        r = result.offer(f"x{x}")
        expected = float(np.clip((p_a + 0.3 - x) / 0.3, 0, 1))
        assert abs(r.actors["B"].p_accept - expected) <= 3 * r.actors["B"].p_accept_se + 1e-12
        assert abs(r.p_deal - expected) <= 3 * r.p_deal_se + 1e-12
        assert abs(r.p_war - (1 - expected)) <= 3 * r.p_war_se + 1e-12
        eu = expected * x + (1 - expected) * (p_a - 0.1)
        assert abs(r.proposer_eu - eu) <= 3 * r.proposer_eu_se + 1e-12


@pytest.mark.parametrize(
    ("p", "x_star", "eu_star"), [(0.5, 0.6, 0.5 + 1 / 30), (0.3, 0.8, 0.7 + 1 / 30)]
)
def test_design_examples(p, x_star, eu_star):
    r = evaluate(sample(fearon(p)), {"opt": {"share": x_star}}).offer("opt")
    assert abs(r.p_deal - 2 / 3) <= 3 * r.p_deal_se
    assert abs(r.proposer_eu - eu_star) <= 3 * r.proposer_eu_se


def test_standard_error_is_binomial_for_unit_weights():
    r = evaluate(sample(fearon(0.5), samples=50_000), {"x": {"share": 0.6}}).offer("x")
    assert r.p_deal_se == pytest.approx(np.sqrt(r.p_deal * (1 - r.p_deal) / 50_000), rel=1e-9)


def test_threats_and_status_quo_deterrence():
    # A sure sanction costing B 0.25: war value .5 - c_B - .25 vs u_B(sq) = 0, so B
    # fights iff c_B < .25; elsewhere it is deterred. The status quo offers nothing, so it
    # is never an agreement (docs/design.md 4a).
    data = fearon(0.5).model_dump(exclude_none=True)
    data["threats"] = [
        {"name": "s", "by": "A", "against": "B", "credibility": 1, "effect": {"cost": 0.25}}
    ]
    pop = sample(parse(data))
    r = evaluate(pop, {"keep": {"share": 1.0}}).offer("keep")
    assert abs(r.p_war - 0.25 / 0.3) <= 3 * r.p_war_se
    assert r.p_deal == 0.0 and not r.offered
    assert r.p_deterred == pytest.approx(1 - r.p_war)


def test_p_win_effect_is_exact_expectation_over_combinations():
    data = fearon(0.5).model_dump(exclude_none=True)
    data["conflict"]["cost"]["B"] = 0.0
    data["threats"] = [
        {"name": "a", "by": "A", "against": "B", "credibility": 0.5, "effect": {"p_win": -0.4}},
        {"name": "b", "by": "A", "against": "B", "credibility": 0.25, "effect": {"p_win": -0.4}},
    ]
    pop = sample(parse(data), samples=10)
    # combos: none .375 -> .5; a only .375 -> .1; b only .125 -> .1; both .125 -> clip(-.3)=0
    expected = 0.375 * 0.5 + 0.375 * 0.1 + 0.125 * 0.1 + 0.125 * 0.0
    assert np.allclose(pop.p_win, expected)
    assert np.allclose(pop.war_value[:, 1], expected)  # B: u(win) = 1, u(lose) = 0


def test_types_breakdown_and_blockers():
    pop = sample(parse(bargaining_scenario()), samples=4000)
    result = evaluate(pop)
    for o in result.offers:
        types = o.types["Russia"]
        assert sum(t.weight for t in types.values()) == pytest.approx(1)
        pooled = sum(t.weight * t.p_accept for t in types.values())
        assert pooled == pytest.approx(o.actors["Russia"].p_accept)
        assert o.p_deal <= min(a.p_accept for n, a in o.actors.items() if n != "US") + 1e-12
        sole = sum(o.actors[n].p_sole_blocker for n in ("Russia", "Poland"))
        assert sole <= 1 - o.p_deal + 1e-12
    assert abs(result.offer("reject").types["Russia"]["security"].weight - 0.6) < 0.03


def test_types_odds_have_the_standard_errors_of_their_own_worlds():
    """Each type's share, P(accept) and P(deal) carry the standard error of a weighted
    share over that type's worlds, sqrt(sum w^2 (y - p)^2) / sum w, computed here world by
    world from decide(); so --json rounds them to it like every other share."""
    from goldenbridge.analysis.outcomes import decide
    from goldenbridge.report.documents import round_numbers

    pop = sample(parse(bargaining_scenario()), samples=3000)
    offers = {"x": {"nato": 40}}
    result = evaluate(pop, offers).offer("x")
    decisions = decide(pop, pop.encode(list(offers.values())))
    w = pop.worlds.weights * np.ones(pop.n)

    def share_se(y, inside):
        wi, yi = w[inside], y[inside].astype(float)
        p = (wi @ yi) / wi.sum()
        return p, np.sqrt((wi * wi) @ (yi - p) ** 2) / wi.sum()

    for type_name, odds in result.types["Russia"].items():
        inside = np.array([pop.group_types(g)["Russia"] == type_name for g in pop.worlds.group])
        share = share_se(inside, np.ones(pop.n, bool))
        accept = share_se(decisions.accept[:, 0], inside)
        deal = share_se(decisions.deal[:, 0], inside)
        assert (odds.weight, odds.weight_se) == pytest.approx(share, rel=1e-9)
        assert (odds.p_accept, odds.p_accept_se) == pytest.approx(accept, rel=1e-9)
        assert (odds.p_deal, odds.p_deal_se) == pytest.approx(deal, rel=1e-9)
        shown = round_numbers(odds.__dict__)
        digits = 1 - int(np.floor(np.log10(odds.p_deal_se)))
        assert shown["p_deal"] == round(odds.p_deal, digits)
    refuse = result.actors["Russia"].to_dict()
    assert refuse["p_refuse_se"] == refuse["p_accept_se"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios(), t=st.floats(0, 1), u=st.floats(0, 1))
def test_probabilities_in_range_and_monotone_toward_target(data, t, u):
    scenario = parse(data)
    pop = sample(scenario)
    target = next(a for a in data["actors"] if a["role"] == "target")["position"]
    x = {i["name"]: i["min"] + u * (i["max"] - i["min"]) for i in data["issues"]}
    closer = {k: x[k] + t * (target[k] - x[k]) for k in x}
    closer = {
        k: min(max(v, scenario.issue(k).min), scenario.issue(k).max) for k, v in closer.items()
    }
    result = evaluate(pop, {"x": x, "closer": closer})
    for o in result.offers:
        for value in (o.p_deal, o.p_war, o.p_status_quo, *(a.p_accept for a in o.actors.values())):
            assert 0 <= value <= 1
    assert result.offer("closer").actors["T"].p_accept >= result.offer("x").actors["T"].p_accept


def _relabel(data, order):
    out = copy.deepcopy(data)
    out["issues"] = [data["issues"][i] for i in order]
    return out


def _rescale(data, scale):
    """Change units issue by issue: v -> a_k v + b_k (a_k > 0) wherever a point of issue k
    appears -- its scale, status quo, every position, every offer and the war outcomes."""
    out = copy.deepcopy(data)

    def f(name, v):
        a, b = scale[name]
        return {"uniform": [a * x + b for x in v["uniform"]]} if isinstance(v, dict) else a * v + b

    for issue in out["issues"]:
        for key in ("min", "max", "status_quo"):
            issue[key] = f(issue["name"], issue[key])
    points = [a["position"] for a in out["actors"]]
    points += list(out["offers"].values()) + [out["conflict"]["win"], out["conflict"]["lose"]]
    for point in points:
        for k in point:
            point[k] = f(k, point[k])
    return out


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=scenarios(),
    scale=st.lists(st.tuples(st.floats(0.1, 10), st.floats(-50, 50)), min_size=3, max_size=3),
    points=st.lists(st.floats(0, 1), min_size=9, max_size=9),
    seed=st.randoms(),
)
def test_invariant_to_issue_order_and_units(data, scale, points, seed):
    def at(issue, t):
        return issue["min"] + t * (issue["max"] - issue["min"])

    issues = data["issues"]
    data["offers"] = {
        "mid": {i["name"]: at(i, 0.5) for i in issues},
        "low": {i["name"]: at(i, 0.2) for i in issues},
    }
    # explicit status quo and war outcomes, so that they are transformed too
    for k, issue in enumerate(issues):
        issue["status_quo"] = at(issue, points[3 * k])
    data["conflict"]["win"] = {i["name"]: at(i, points[3 * k + 1]) for k, i in enumerate(issues)}
    data["conflict"]["lose"] = {i["name"]: at(i, points[3 * k + 2]) for k, i in enumerate(issues)}
    base = gb.evaluate(parse(data))
    order = list(range(len(issues)))
    seed.shuffle(order)
    units = _rescale(data, {i["name"]: scale[k] for k, i in enumerate(issues)})
    tol = 3 / data["samples"]  # an exact tie may flip under rounding
    for variant in (_relabel(data, order), units):
        other = gb.evaluate(parse(variant))
        for o in base.offers:
            p = other.offer(o.name)
            assert abs(p.p_deal - o.p_deal) <= tol
            assert abs(p.p_war - o.p_war) <= tol
            assert abs(p.proposer_eu - o.proposer_eu) <= 1e-6 + tol
            for name, odds in o.actors.items():
                assert abs(p.actors[name].p_accept - odds.p_accept) <= tol


def test_raising_samples_keeps_the_first_worlds():
    scenario = parse(bargaining_scenario())
    small, large = sample(scenario, samples=300), sample(scenario, samples=1000)
    for a, b in zip(small.worlds.actors, large.worlds.actors, strict=True):
        for name in ("weight", "ideal", "rho", "table", "reservation"):
            assert np.array_equal(getattr(a, name), getattr(b, name)[:300])
    assert np.array_equal(small.worlds.group, large.worlds.group[:300])
    assert np.array_equal(small.worlds.fight, large.worlds.fight[:300])


def test_adding_an_actor_leaves_other_draws_unchanged():
    data = bargaining_scenario()
    before = sample(parse(data))
    data["actors"].append(
        {"name": "Ukraine", "role": "stakeholder", "position": {"nato": {"uniform": [0, 10]}}}
    )
    after = sample(parse(data))
    for path, values in before.inputs.items():
        assert np.array_equal(after.inputs[path], values)


def test_discrete_issue_utilities_follow_genius_convention():
    pop = sample(parse(bargaining_scenario()), samples=10)
    us = pop.worlds.actors[0]
    # US: values none .2, rotational .6, permanent 1 -> normalised by the max (1),
    # times its salience weight (equal over 3 issues: 1/3).
    assert np.allclose(us.table[:, 0, :], np.array([0.2, 0.6, 1.0]) / 3)


@pytest.mark.parametrize("scenario", ["russia-2021", "july-1914"])
def test_many_offers_are_decided_in_pieces_with_the_same_numbers(monkeypatch, scenario):
    # more offers than DECIDE_CELLS allows are decided a piece at a time (memory); each
    # offer's sums are its own, so the pieces give the sums of one call bit for bit
    import goldenbridge.analysis.evaluate as ev

    s = load(scenario)
    pop = sample(s, samples=3_000, seed=4)
    rng = np.random.default_rng(5)
    offers = [{k.name: float(rng.uniform(k.min, k.max)) for k in s.issues} for _ in range(7)]
    offers.append({k.name: k.status_quo for k in s.issues})  # offers nothing
    encoded = pop.encode(offers)
    whole = ev.outcome_tally(pop, encoded)
    monkeypatch.setattr(ev, "DECIDE_CELLS", 3 * pop.n)  # pieces of 3, 3 and 2 offers
    sizes = []
    decide = ev.decide
    monkeypatch.setattr(ev, "decide", lambda p, o: sizes.append(o.m) or decide(p, o))
    pieces = ev.outcome_tally(pop, encoded)
    assert sizes == [3, 3, 2]
    assert pieces[0] == whole[0]
    for a, b in zip(pieces[1:], whole[1:], strict=True):
        assert np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
