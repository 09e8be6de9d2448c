"""negotiate(): the skimming equilibrium against closed forms and the one-shot model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.analysis.negotiate.dynamics import negotiate, responses
from goldenbridge.analysis.negotiate.skimming import ACCEPT, ScreeningGame, solve
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.report.narrative import pct
from goldenbridge.scenario import ScenarioError, load, parse

runner = CliRunner()


def uniform_game(a: float, b: float, m: float, grid: int) -> ScreeningGame:
    """Types uniform over the grid points in [a, b]; the proposer earns m - s from a deal at s
    and its no-deal value 0 otherwise; the target gains s - theta (phi = s)."""
    s = np.linspace(0.0, 1.0, grid)
    mass = np.zeros(grid + 1)
    mass[:grid][(s >= a - 1e-12) & (s <= b + 1e-12)] = 1.0
    mass /= mass.sum()
    return ScreeningGame.by_threshold(s, mass, mass[:, None] * (m - s)[None, :], np.zeros(grid + 1))


def two_period_closed_form(a: float, m: float, beta: float) -> tuple[float, float, float, float]:
    """Cutoff type, both offers and the proposer's value of the two-period game without
    commitment, types theta ~ U[a, b], target gain s - theta, proposer gain m - s, both
    discounting by beta (the two-period example of Fudenberg & Tirole 1991, ch. 10, with
    theta = 1 - v).

    Period 2, remaining types [k, b]: max_s (s - k)(m - s)  ->  s2 = (m + k) / 2.
    The cutoff type k is indifferent: s1 - k = beta (s2 - k)  ->  s1 = k + beta (m - k) / 2.
    Period 1: max_k (k - a)(m - s1) + beta (s2 - k)(m - s2)
             = (k - a)(m - k)(1 - beta/2) + beta (m - k)^2 / 4;
    d/dk = 0  ->  k = (2 m (1 - beta) + a (2 - beta)) / (4 - 3 beta).
    Coase's buyer (v ~ U[0, 1], price p = 1 - s, a = 0, m = 1): k = 2(1 - beta)/(4 - 3 beta),
    i.e. the value cutoff 1 - k = (2 - beta)/(4 - 3 beta) and p1 = (2 - beta)^2 / (2(4 - 3 beta)).
    The value (per unit mass over [a, b]) is returned unnormalised by b - a.
    """
    k = (2 * m * (1 - beta) + a * (2 - beta)) / (4 - 3 * beta)
    s2 = (m + k) / 2
    s1 = k + beta * (s2 - k)
    value = (k - a) * (m - s1) + beta * (s2 - k) * (m - s2)
    return k, s1, s2, value


@pytest.mark.parametrize(
    ("a", "b", "m", "delta", "hazard"),
    [
        (0.0, 1.0, 1.0, 0.9, 0.0),  # Coase's uniform buyer
        (0.0, 1.0, 1.0, 0.5, 0.0),
        (0.0, 1.0, 1.0, 0.95, 0.2),  # the hazard scales both discount factors
        (0.2, 0.5, 0.6, 0.9, 0.0),  # Fearon's crisis of docs/design.md section 2
        (0.1, 0.7, 0.9, 0.8, 0.1),
    ],
)
def test_two_period_screening_matches_closed_form(a, b, m, delta, hazard):
    # Types on a grid approximate the uniform continuum: the offers are off by a few grid
    # steps, and the cutoff k = (s1 - beta s2) / (1 - beta) by (1 + beta) / (1 - beta) times that.
    grid = 401
    step = 1 / (grid - 1)
    beta = delta * (1 - hazard)
    eq = solve(uniform_game(a, b, m, grid), rounds=2, discount=delta, hazard=hazard)
    k, s1, s2, value = two_period_closed_form(a, m, beta)
    assert s2 <= b  # the closed form's interior case
    offers = eq.path * step
    assert offers[0] == pytest.approx(s1, abs=4 * step)
    assert offers[1] == pytest.approx(s2, abs=4 * step)
    cutoff = eq.states(eq.path)[1]
    accepted = eq.theta[:cutoff].max() * step
    assert accepted == pytest.approx(k, abs=(2 + 4 * (1 + beta) / (1 - beta)) * step)
    assert eq.value[0, 0] == pytest.approx(value / (b - a), abs=0.003)
    assert eq.path_gap < 2 * step


@pytest.mark.parametrize(
    ("p_low", "low", "high", "m"),
    [(0.5, 0.2, 0.4, 1.0), (0.8, 0.2, 0.4, 1.0), (0.3, 0.1, 0.6, 0.8), (0.9, 0.1, 0.6, 0.8)],
)
def test_one_shot_two_type_screening(p_low, low, high, m):
    # Screening (offer the low type's threshold; the high type refuses) beats pooling (offer
    # the high type's threshold to both) iff p_low (m - low) > m - high.
    grid = 11
    s = np.linspace(0, 1, grid)
    mass = np.zeros(grid + 1)
    mass[round(low * 10)] = p_low
    mass[round(high * 10)] = 1 - p_low
    game = ScreeningGame.by_threshold(s, mass, mass[:, None] * (m - s)[None, :], np.zeros(grid + 1))
    offer = solve(game, rounds=1, discount=1.0, hazard=0.0).path[0] / (grid - 1)
    screen = p_low * (m - low) > m - high
    assert offer == pytest.approx(low if screen else high)


def test_fearon_two_rounds_through_the_whole_model():
    pop = sample(load("fearon-1d"), samples=40_000, seed=11)
    result = negotiate(pop, 2, path_to={"share": 0}, discount=0.9, grid=201)
    k, s1, s2, _ = two_period_closed_form(0.2, 0.6, 0.9)
    assert result.sequence[0].values["share"] == pytest.approx(1 - s1, abs=0.011)
    assert result.sequence[1].values["share"] == pytest.approx(1 - s2, abs=0.011)
    # B's threshold is .5 - c_B ~ U[.2, .5]: types below the cutoff settle in round 1.
    assert result.sequence[0].p_deal_by == pytest.approx((k - 0.2) / 0.3, abs=0.03)
    # Types the second offer cannot reach start the war at once (they expect nothing).
    assert result.sequence[0].p_war_by == pytest.approx((0.5 - s2) / 0.3, abs=0.03)


@pytest.mark.parametrize("scenario", ["fearon-1d", "russia-2021"])
def test_one_round_without_hazard_is_the_one_shot_optimum(scenario):
    # negotiate still reads the per-world approval rule (docs/model.md): compare like with like
    pop = sample(load(scenario).model_copy(update={"information": "informed"}), 4000, seed=5)
    end = {"share": 0} if scenario == "fearon-1d" else "accept_all"
    result = negotiate(pop, 1, path_to=end, discount=0.9, hazard=0.0, grid=41)
    assert result.non_monotone_share == 0
    assert result.sequence[0].values == result.one_shot.values
    assert result.proposer_eu == pytest.approx(result.one_shot.proposer_eu, abs=1e-12)
    assert result.p_war == pytest.approx(result.one_shot.p_war, abs=1e-12)
    # The one-shot optimum is an ordinary offer: evaluate() must agree on it ...
    static = evaluate(pop, {"best": result.one_shot.values}).offer("best")
    assert static.proposer_eu == pytest.approx(result.one_shot.proposer_eu, abs=1e-9)
    assert static.p_war == pytest.approx(result.one_shot.p_war, abs=1e-12)
    # ... and no other point of the path may beat it.
    others = {f"s{i}": v for i, v in enumerate(_path_offers(pop, end, 41))}
    assert max(o.proposer_eu for o in evaluate(pop, others).offers) <= static.proposer_eu + 1e-12


def _path_offers(pop, end, grid):
    scenario = pop.scenario
    stop = scenario.complete(scenario.offers[end] if isinstance(end, str) else end)
    start = scenario.status_quo()
    return [
        {k: start[k] + s * (stop[k] - start[k]) for k in start} for s in np.linspace(0, 1, grid)
    ]


@pytest.mark.parametrize(("rounds", "hazard"), [(3, 0.0), (4, 0.15)])
def test_forward_play_agrees_with_backward_induction(rounds, hazard):
    pop = sample(load("russia-2021"), samples=3000, seed=2)
    result = negotiate(pop, rounds, path_to="accept_all", discount=0.95, hazard=hazard, grid=41)
    eq = result.equilibrium
    w = pop.worlds.weights
    base = w @ pop.worlds.actors[pop.worlds.proposer].reservation
    assert result.proposer_eu == pytest.approx((base + eq.value[0, 0]) / w.sum(), abs=1e-12)
    deal_by = [r.p_deal_by for r in result.sequence]
    war_by = [r.p_war_by for r in result.sequence]
    assert np.all(np.diff(deal_by) >= -1e-15) and np.all(np.diff(war_by) >= -1e-15)
    assert deal_by[-1] + war_by[-1] <= 1 + 1e-12
    # Delay without commitment can only cost the proposer relative to the one-shot optimum.
    assert result.proposer_eu <= result.one_shot.proposer_eu + 1e-12


def test_responses_follow_the_equilibrium_and_answer_any_offers():
    pop = sample(load("fearon-1d"), samples=5000, seed=3)
    result = negotiate(pop, 3, path_to={"share": 0}, discount=0.9, grid=51)
    played = responses(result)
    for t, r in enumerate(result.sequence, start=1):
        settled = (played.accept_round >= 1) & (played.accept_round <= t)
        assert settled.mean() == pytest.approx(r.p_deal_by, abs=1e-12)  # no vetoes, no hazard
    assert not ((played.accept_round > 0) & (played.attack_round > 0)).any()
    # Offering nothing: B (who always fights here) accepts nothing and attacks at the latest
    # in the last round.
    stalled = responses(result, [0.0, 0.0, 0.0])
    assert (stalled.action != ACCEPT).all()
    assert (stalled.attack_round >= 1).all()
    with pytest.raises(ValueError):
        responses(result, [0.5] * 4)


def test_talks_block_is_validated_and_used():
    data = load("fearon-1d").model_dump(exclude_none=True, by_alias=True)
    data["talks"] = {"rounds": 2, "hazard": 0.1, "discount": 0.9, "to": {"share": 0}}
    result = negotiate(sample(parse(data), samples=2000))
    assert (result.rounds, result.hazard, result.discount) == (2, 0.1, 0.9)
    assert result.path_to == {"share": 0}
    bad = [
        ({"rounds": 0}, "talks.rounds"),
        ({"rounds": 2.5}, "talks.rounds"),
        ({"rounds": {"uniform": [1, 3]}}, "talks.rounds"),
        ({"rounds": 2, "hazard": 1}, "talks.hazard"),
        ({"rounds": 2, "discount": 0}, "talks.discount"),
        ({"rounds": 2, "to": "nothing"}, "talks.to"),
        ({"rounds": 2, "from": {"share": 3}}, "talks.from.share"),
    ]
    for talks, path in bad:
        data["talks"] = talks
        with pytest.raises(ScenarioError) as info:
            parse(data)
        assert info.value.path == path, (talks, info.value)


def test_russia_talks_block_is_sourced():
    talks = gb.load("russia-2021").talks
    assert talks is not None
    for q in (talks.rounds, talks.hazard, talks.discount):
        assert q.source and q.basis


def test_cli_json_has_the_issue_shape(tmp_path):
    result = runner.invoke(
        app,
        "negotiate fearon-1d --rounds 2 --path :share=0 --discount 0.9 --hazard 0.05 "
        "--samples 3000 --seed 4 --json --plot".split()
        + [str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc) == {
        "scenario",
        "samples",
        "seed",
        "rounds",
        "discount",
        "hazard",
        "grid",
        "path",
        "sequence",
        "proposer_eu",
        "p_deal",
        "p_war",
        "one_shot",
        "talks",
        "incentive_gap",
        "non_monotone_share",
    }
    assert doc["rounds"] == 2 and doc["path"] == {"from": {"share": 1.0}, "to": {"share": 0.0}}
    round_keys = {"round", "position", "values", "p_deal_by", "p_war_by"}
    assert [set(r) for r in doc["sequence"]] == [round_keys] * 2
    assert set(doc["one_shot"]) == {"position", "values", "proposer_eu", "p_deal", "p_war"}
    assert set(doc["talks"]) == {"proposer_eu", "p_deal", "p_war"}
    assert (tmp_path / "negotiate-fearon-1d.png").stat().st_size > 0
    table = runner.invoke(app, ["negotiate", "russia-2021", "--samples", "2000"])
    assert table.exit_code == 0, table.output
    assert "one-shot optimum" in table.stdout and "talks" in table.stdout


def test_cli_json_holds_every_number_the_text_shows():
    """Each number of the text output, formatted as the text formats it, comes from the
    JSON document of the same run (so --json drops nothing the table shows)."""
    args = ["negotiate", "fearon-1d", "-T", "3", "--discount", "0.9", "--hazard", "0.05"]
    args += ["--grid", "21", "--samples", "3000", "--seed", "4"]
    wide = {"COLUMNS": "200"}
    text = runner.invoke(app, args, env=wide)
    as_json = runner.invoke(app, [*args, "--json"], env=wide)
    assert text.exit_code == 0 and as_json.exit_code == 0, text.output + as_json.output
    doc = json.loads(as_json.stdout)
    one, talks = doc["one_shot"], doc["talks"]
    shown = [
        f"{doc['scenario']}",
        f"{doc['samples']:,} sampled worlds, seed {doc['seed']}",
        f"{doc['rounds']} rounds, discount {doc['discount']:g}, pretext hazard {doc['hazard']:g}",
        f"{doc['proposer_eu']:.4f}",
        pct(doc["p_deal"]),
        pct(doc["p_war"]),
        f"one-shot optimum (s = {one['position']:.2f})",
        f"{one['proposer_eu']:.4f}",
        pct(one["p_deal"]),
        pct(one["p_war"]),
        f"{talks['proposer_eu']:.4f}",
        pct(talks["p_deal"]),
        pct(talks["p_war"]),
    ]
    for r in doc["sequence"]:
        shown += [f"{r['position']:.2f}", pct(r["p_deal_by"]), pct(r["p_war_by"])]
    if doc["incentive_gap"] > 0:
        shown.append(f"at most {doc['incentive_gap']:.2g} in utility")
    missing = [s for s in shown if s not in text.stdout]
    assert not missing, f"{missing} not in:\n{text.stdout}"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fearon-1d", "--path", ":share=0"], "rounds"),
        (["fearon-1d", "-T", "2", "--path", "share=0"], "FROM:TO"),
        (["fearon-1d", "-T", "2", "--path", ":nope"], "no offer named 'nope'"),
        (["fearon-1d", "-T", "2", "--path", ":share=7"], "outside the scale"),
        (["fearon-1d", "-T", "2", "--discount", "0"], "discount"),
    ],
)
def test_cli_errors_are_one_line(args, message):
    result = runner.invoke(app, ["negotiate", *args, "--samples", "500"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.output
