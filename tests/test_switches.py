"""Structural switches that read observations: the reading of a rejection (static or
dynamic) and the mechanisms of talks, each against an independent computation (the
posterior computed by ``gb.update`` on the switched scenario, the offer scored by
``gb.evaluate``, a closed form derived here); and the model runs that sensitivity saves
(the proposer's own fields keep every decision) give the same numbers."""

from __future__ import annotations

import numpy as np
import pytest

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.assumptions import assumptions, population_at
from goldenbridge.analysis.sensitivity.decides import switch_rows
from goldenbridge.analysis.sensitivity.observed import Observed
from goldenbridge.analysis.sensitivity.recommend import Recommender, proposer_only
from strategies import bargaining_scenario

REJECTED = [{"kind": "rejected", "values": {"share": 0.7}}]


def fearon(samples: int = 4000, **conflict) -> dict:
    """Fearon's crisis: p = .5, c_A = .1, c_B ~ U[0, .3], one issue (share to A)."""
    return {
        "name": "closed",
        "seed": 5,
        "samples": samples,
        "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
        "conflict": {"p_win": 0.5, "cost": {"A": 0.1, "B": {"uniform": [0, 0.3]}}, **conflict},
        "actors": [
            {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
            {"name": "B", "role": "target", "position": {"share": 0}, "rho": 1},
        ],
    }


def rows_by_name(rows):
    return {r.name: r for r in rows}


@pytest.mark.slow  # solves the talks game (compiled on first use)
def test_reading_switch_rereads_an_observed_rejection():
    scenario = gb.load(fearon())
    prior = gb.sample(scenario)
    observed = Observed(gb.load_observations(REJECTED))  # a one-shot rejection: static
    base = observed.condition(prior)
    rec = Recommender(base)
    # Static reading, derived by hand: B rejects 0.7 iff 1 - .7 < .5 - c_B, i.e. c_B < .2,
    # so c_B | rejection ~ U[0, .2]; B accepts x iff c_B >= x - .5: P(x) = (.7 - x)/.2 on
    # [.5, .7]; A's EU .4 + (x - .4) P(x) is largest at x* = .55, where P(war) = .25.
    assert rec.base.values["share"] == pytest.approx(0.55, abs=0.02)
    assert rec.base.p_war == pytest.approx(0.25, abs=0.06)
    row = rows_by_name(switch_rows(prior, rec, "p_war", observed))["reading of a rejection"]
    assert (row.as_written, row.other, row.note) == ("static", "dynamic", None)
    # independently: the posterior of the dynamic reading by gb.update, the offer by evaluate
    dynamic = gb.update(prior, REJECTED, reading="dynamic").population
    e = gb.evaluate(dynamic, {"x": row.answer.values}).offer("x")
    assert row.answer.p_war == pytest.approx(e.p_war, abs=1e-12)
    assert row.answer.p_deal == pytest.approx(e.p_deal, abs=1e-12)
    # and it is the best offer there, within the search's last step
    x = row.answer.values["share"]
    near = {f"{d}": {"share": min(1.0, max(0.0, x + d))} for d in (-0.02, 0.02)}
    around = gb.evaluate(dynamic, near)
    assert all(o.proposer_eu <= e.proposer_eu + 1e-9 for o in around.offers)


def test_reading_switch_is_listed_without_a_rejection_and_changes_nothing():
    scenario = gb.load(fearon(samples=1000))
    prior = gb.sample(scenario)
    rec = Recommender(prior)
    quiet = gb.load_observations([{"kind": "no_attack", "rounds": 2, "hazard": 0.2}])
    for observed in (Observed(), Observed(quiet)):
        rows = rows_by_name(switch_rows(prior, rec, "p_war", observed))
        row = rows["reading of a rejection"]
        assert row.note.startswith("no rejection is observed")
        assert row.answer is rec.base and row.swing == 0.0


def talks_scenario(samples: int = 2000) -> dict:
    data = fearon(samples, mobilisation={"uniform": [0.0, 0.04]}, p_win_drift=-0.05,
                  pretext=0.05, face=0.3)  # fmt: skip
    data["talks"] = {"rounds": 3, "hazard": 0.1, "discount": 0.95}
    return data


def test_mechanism_switches_are_listed_and_inert_without_a_dynamic_reading():
    scenario = gb.load(talks_scenario(1000))
    prior = gb.sample(scenario)
    rec = Recommender(prior)
    rows = rows_by_name(switch_rows(prior, rec, "p_war", Observed()))
    for name in ("mobilisation", "p_win drift", "accumulating pretext"):
        assert rows[name].answer is rec.base
        assert "mechanism of talks" in rows[name].note
    # without them set, they are not listed at all
    plain = gb.sample(gb.load(fearon(1000)))
    names = rows_by_name(switch_rows(plain, Recommender(plain), "p_war", Observed()))
    assert not {"mobilisation", "p_win drift", "accumulating pretext"} & set(names)


@pytest.mark.slow  # solves the talks game (compiled on first use)
def test_mechanism_switches_match_the_switched_scenario_updated_directly():
    data = talks_scenario()
    prior = gb.sample(gb.load(data))
    talks_rejection = [{"kind": "rejected", "values": {"share": 0.7}, "context": "talks"}]
    observed = Observed(gb.load_observations(talks_rejection))
    assert observed.dynamic()
    rec = Recommender(observed.condition(prior))
    rows = rows_by_name(switch_rows(prior, rec, "p_war", observed))
    assert rows["reading of a rejection"].as_written == "dynamic"
    for name, change in (
        ("mobilisation", {"conflict": {**data["conflict"], "mobilisation": 0}}),
        ("p_win drift", {"conflict": {**data["conflict"], "p_win_drift": 0}}),
        ("accumulating pretext", {"talks": {**data["talks"], "accumulate_pretext": False}}),
    ):
        row = rows[name]
        assert row.note is None and (row.as_written, row.other) == ("on", "off")
        # the scenario written without the mechanism, updated on the rejection by gb.update
        off = gb.sample(gb.load({**data, **change}), prior.n, prior.seed)
        posterior = gb.update(off, talks_rejection).population
        e = gb.evaluate(posterior, {"x": row.answer.values}).offer("x")
        assert row.answer.p_war == pytest.approx(e.p_war, abs=1e-12), name
        assert row.answer.proposer_eu == pytest.approx(e.proposer_eu, abs=1e-9), name


def test_changed_assumptions_are_updated_on_the_observations():
    # with a rejection observed, a changed assumption's answer is the changed prior's
    # posterior: c_B ~ U[.1, .4] (shifted by .1) given c_B < .2 is U[.1, .2]
    scenario = gb.load(fearon())
    result = gb.sensitivity(scenario, parts=("robustness",), reoptimise=1,
                            observations=REJECTED)  # fmt: skip
    row = next(r for r in result.rows if r.assumption.name == "conflict.cost.B")
    cost = row.assumption
    prior = gb.sample(scenario, result.samples, result.seed)
    for delta, answer in ((cost.down, row.low), (cost.up, row.high)):
        changed = gb.update(population_at(prior, {cost: delta}), REJECTED).population
        e = gb.evaluate(changed, {"x": answer.values}).offer("x")
        assert answer.p_war == pytest.approx(e.p_war, abs=1e-12)
    notes = " ".join(result.notes)
    assert "reading of a rejection" in {s.name for s in result.switches}
    assert result.baseline.p_war == pytest.approx(0.25, abs=0.06)
    assert "prior's draws" not in notes  # no Sobol' table computed: no such note


def test_proposer_only_changes_keep_the_decisions_and_the_numbers():
    data = bargaining_scenario()
    data["conflict"]["cost"]["US"] = {"uniform": [0.0, 0.1]}
    data["threats"][0]["cost_to_threatener"] = {"uniform": [0.0, 0.04]}
    scenario = gb.load(data)
    base = gb.sample(scenario, 2000, 3)
    rec = Recommender(base, {"nato": 40.0, "missiles": 50.0, "basing": "none"})
    found = {a.name: proposer_only(base, a) for a in assumptions(scenario)}
    assert found["conflict.cost.US"] and found["threats.sanctions.cost_to_threatener"]
    assert found["US.position.missiles"]
    assert not found["threats.sanctions.credibility"]  # the US's threat moves Russia
    assert not found["conflict.cost.Russia"] and not found["conflict.p_win"]
    for a in assumptions(scenario):
        if not found[a.name]:
            continue
        for delta in (a.down, a.up):
            changed = population_at(base, {a: delta})
            quick, full = rec.fixed(changed, True), rec.fixed(changed, False)
            assert (quick.p_war, quick.p_deal, quick.proposer_eu) == (
                full.p_war,
                full.p_deal,
                full.proposer_eu,
            ), a.name
            assert np.array_equal(quick.scores.u, full.scores.u)


def test_searches_skip_no_scoring_that_could_change_their_result():
    """polish skips neighbours it scored before and model_search scores each point once:
    the same path and result as a plain Hooke & Jeeves that scores every neighbour."""
    from goldenbridge.analysis.optimize.best import search_space
    from goldenbridge.analysis.optimize.model_search import (
        Criterion,
        model_scores,
        model_search,
        polish,
    )

    base = gb.sample(gb.load(bargaining_scenario()), 1000, 2)
    space = search_space(base, None)

    def plain(start, step, smallest):
        x = start.copy()
        best = model_scores(base, space.offers(x[None, :]))
        k = x.size
        while step >= smallest:
            moves = np.concatenate([np.eye(k), -np.eye(k)]) * step
            trial = np.unique(np.clip(x[None, :] + moves, 0.0, 1.0), axis=0)
            s = model_scores(base, space.offers(trial))
            i = int(np.argmax(s.eu))
            if s.eu[i] > best.eu[0] + 1e-12:
                x, best = trial[i], s[np.array([i])]
            else:
                step /= 2
        return x, best

    found = model_search(base, space, Criterion(max_p_war=0.3))
    alone = model_search(base, space, Criterion(), bridge=False)
    assert np.array_equal(found.optimum.x, alone.optimum.x) and alone.bridge is None
    start = np.full(len(space.columns), 0.5)
    for step in (1 / 8, 1 / 32):
        x, s = polish(base, space, start, step, 1 / 128)
        x_plain, s_plain = plain(start, step, 1 / 128)
        assert np.array_equal(x, x_plain)
        assert (s.eu[0], s.p_war[0]) == (s_plain.eu[0], s_plain.p_war[0])
