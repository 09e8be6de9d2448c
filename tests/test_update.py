"""update(): Bayes over worlds against hand-computed posteriors with closed-form likelihoods.

The oracle scenario has one issue (B's share, status quo 0 for B: u_B(sq) = 0, rho 1)
and a target with two types whose war values are uniform: soft ~ U[-0.3, 0.1] (prior
0.7), hard ~ U[-0.2, 0.8] (prior 0.3). The offer x = 0.95 gives B u = 0.05, so B
accepts iff max(w, 0) <= 0.05 (docs/design.md section 4): P(accept | soft) = 0.35 / 0.4,
P(accept | hard) = 0.25; B prefers war iff w > 0: P(fight | soft) = 0.25,
P(fight | hard) = 0.8. Posterior type probabilities follow from Bayes' rule by hand.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.update.likelihoods import static_log_likelihood
from goldenbridge.analysis.update.posterior import DegeneracyWarning, kish_ess, update
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.scenario import ScenarioError, parse
from goldenbridge.scenario.observations import parse_observations
from strategies import observation_lists, scenarios

PRIOR = {"soft": 0.7, "hard": 0.3}
WAR = {"soft": (-0.3, 0.1), "hard": (-0.2, 0.8)}
U_X = 0.05  # B's utility of the offer x = 0.95


def two_types(samples: int = 40_000, seed: int = 3):
    return parse(
        {
            "name": "two-types",
            "samples": samples,
            "seed": seed,
            "issues": [{"name": "share", "min": 0, "max": 1, "status_quo": 1}],
            "actors": [
                {"name": "A", "role": "proposer", "position": {"share": 1}, "rho": 1},
                {
                    "name": "B",
                    "role": "target",
                    "position": {"share": 0},
                    "rho": 1,
                    "types": {
                        t: {"prior": PRIOR[t], "war_value": {"uniform": list(WAR[t])}}
                        for t in PRIOR
                    },
                },
            ],
            "offers": {"x": {"share": 0.95}, "status_quo": {}},
        }
    )


POP = sample(two_types())


def softplus(z: float) -> float:
    return math.log1p(math.exp(-abs(z))) + max(z, 0.0)


def p_accept(t: str, noise: float = 0.0) -> float:
    """E[P(accept) | type]: hard rule, or the logit integrated in closed form."""
    a, b = WAR[t]
    if noise == 0:
        return (U_X - a) / (b - a)
    sig = 1 / (1 + math.exp(-U_X / noise))  # w < 0: margin is U_X
    # int_0^b sigmoid((k - w)/s) dw = s [softplus(k/s) - softplus((k - b)/s)]
    tail = noise * (softplus(U_X / noise) - softplus((U_X - b) / noise))
    return (-a * sig + tail) / (b - a)


def p_fight(t: str) -> float:
    a, b = WAR[t]
    return b / (b - a)


def bayes(likelihood: dict[str, float]) -> dict[str, float]:
    joint = {t: PRIOR[t] * likelihood[t] for t in PRIOR}
    return {t: v / sum(joint.values()) for t, v in joint.items()}


def assert_types(post, expected: dict[str, float], k: float = 4.0) -> None:
    """Posterior type probabilities within k Monte Carlo SEs (docs/design.md section 5)."""
    w = post.population.worlds.weights
    names = list(PRIOR)
    for t, p in expected.items():
        y = post.population.type_index["B"] == names.index(t)
        se = math.sqrt(float((w**2) @ (y - p) ** 2)) / w.sum()
        assert abs(post.types["B"][t][1] - p) <= k * se + 1e-12, (t, post.types["B"][t], p, se)


@pytest.mark.parametrize("noise", [0.0, 0.02, 0.1])
def test_rejection_posterior_matches_bayes_by_hand(noise):
    post = update(POP, [{"kind": "rejected", "offer": "x"}], noise=noise)
    assert_types(post, bayes({t: 1 - p_accept(t, noise) for t in PRIOR}))
    # The evidence is P(reject) under the prior.
    evidence = sum(PRIOR[t] * (1 - p_accept(t, noise)) for t in PRIOR)
    assert abs(post.evidence[0].probability - evidence) < 0.01


@pytest.mark.parametrize("noise", [0.0, 0.05])
def test_acceptance_posterior_matches_bayes_by_hand(noise):
    post = update(POP, [{"kind": "accepted", "offer": "x", "noise": noise}])
    assert_types(post, bayes({t: p_accept(t, noise) for t in PRIOR}))


def test_rejected_with_attack_and_quiet_periods():
    # Hard rule: rejecting x implies w > 0.05 > 0, so the attack adds nothing.
    attack = update(POP, [{"kind": "rejected", "offer": "x", "attack": True}])
    assert_types(attack, bayes({t: 1 - p_accept(t) for t in PRIOR}))
    # No attack for t periods: P(fight)(1 - h)^t + 1 - P(fight).
    h, rounds = 0.2, 3
    quiet = update(POP, [{"kind": "no_attack", "rounds": rounds, "hazard": h}])
    like = {t: p_fight(t) * (1 - h) ** rounds + 1 - p_fight(t) for t in PRIOR}
    assert_types(quiet, bayes(like))
    assert (
        abs(
            quiet.p_fight[1]
            - sum(bayes(like)[t] * p_fight(t) * (1 - h) ** rounds / like[t] for t in PRIOR)
        )
        < 0.01
    )


def test_signals_by_type_by_war_preference_and_logistic():
    by_type = update(POP, [{"kind": "signal", "name": "m", "by_type": {"soft": 0.2, "hard": 0.9}}])
    assert_types(by_type, bayes({"soft": 0.2, "hard": 0.9}))
    war = update(POP, [{"kind": "signal", "name": "m", "if_war": 0.9, "if_peace": 0.3}])
    assert_types(war, bayes({t: 0.9 * p_fight(t) + 0.3 * (1 - p_fight(t)) for t in PRIOR}))
    # P(signal) = sigmoid((w - m) / s) in B's war margin w - u_B(sq) = w, integrated:
    # E = s / (b - a) [softplus((b - m) / s) - softplus((a - m) / s)].
    m, s = 0.1, 0.05
    logistic = update(
        POP,
        [
            {
                "kind": "signal",
                "name": "m",
                "logistic": {"input": "war_margin.B", "midpoint": m, "scale": s},
            }
        ],
    )
    like = {
        t: s / (b - a) * (softplus((b - m) / s) - softplus((a - m) / s))
        for t, (a, b) in WAR.items()
    }
    assert_types(logistic, bayes(like))


def test_posterior_of_a_war_value_given_its_type():
    post = update(POP, [{"kind": "rejected", "offer": "x"}])
    # Soft and rejecting: w ~ U[0.05, 0.1], mean 0.075, quantiles linear in between.
    q = post.quantity("actors.B.types.soft.war_value")
    assert q.condition == "B is soft"
    assert abs(q.prior.mean - (-0.1)) < 0.005 and abs(q.posterior.mean - 0.075) < 0.002
    assert 0.05 <= q.posterior.q05 < q.posterior.q50 < q.posterior.q95 <= 0.1
    assert abs(q.posterior.q50 - 0.075) < 0.003


def test_sequential_updates_equal_one_batch():
    first = {"kind": "rejected", "offer": "x", "noise": 0.03}
    second = {"kind": "no_attack", "rounds": 2, "hazard": 0.3}
    batch = update(POP, [first, second])
    step = gb.update(update(POP, [first]), [second])
    w1, w2 = batch.population.worlds.weights, step.population.worlds.weights
    assert np.allclose(w1 / w1.sum(), w2 / w2.sum())
    assert step.prior is POP and len(step.evidence) == 2
    for t in PRIOR:
        assert step.types["B"][t] == pytest.approx(batch.types["B"][t])


def test_kish_effective_sample_size():
    # k equal weights and the rest zero are worth exactly k worlds; scale does not matter.
    w = np.zeros(100)
    w[:37] = 2.5
    assert kish_ess(w) == pytest.approx(37)
    rng = np.random.default_rng(0)
    v = rng.random(50)
    p = v / v.sum()
    assert kish_ess(7 * v) == pytest.approx(1 / (p @ p))
    # An uninformative observation leaves every world: ESS = N.
    flat = update(POP, [{"kind": "signal", "name": "m", "by_type": {"soft": 0.4, "hard": 0.4}}])
    assert flat.ess == pytest.approx(POP.n)


def test_degenerate_posterior_warns():
    obs = [{"kind": "rejected", "offer": "x"}] * 1 + [
        {"kind": "signal", "name": "m", "by_type": {"soft": 1e-4, "hard": 1.0}}
    ]
    with pytest.warns(DegeneracyWarning, match="effective sample size"):
        post = update(POP, obs, min_ess_fraction=0.5)
    assert post.degenerate and post.warnings


def test_hard_rule_impossibility_is_a_clear_error_and_noise_lifts_it():
    quiet_peace = [{"kind": "rejected", "offer": "x", "attack": False}]
    with pytest.raises(ScenarioError, match=r"observations\.0: .*impossible in every sampled"):
        update(POP, quiet_peace)
    post = update(POP, quiet_peace, noise=0.05)
    assert 0 < post.ess <= POP.n


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), noise=st.floats(0.001, 0.5))
def test_logit_noise_makes_every_observation_possible(data, noise):
    raw = data.draw(scenarios(max_issues=2))
    raw["samples"] = 200
    pop = sample(parse(raw))
    observations = parse_observations(data.draw(observation_lists(raw)))
    for obs in observations.observations:
        assert np.isfinite(static_log_likelihood(obs, pop, noise)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegeneracyWarning)
        post = update(pop, observations, noise=noise)
    assert np.isfinite(post.population.worlds.weights).all() and post.ess > 0


def test_resampling_and_rejuvenation_keep_the_posterior():
    expected = bayes({t: 1 - p_accept(t) for t in PRIOR})
    obs = [{"kind": "rejected", "offer": "x"}]
    for moves in (0, 3):
        post = update(POP, obs, resample=True, rejuvenate=moves)
        w = post.population.worlds.weights
        assert np.all(w == 1.0)
        hard = float((post.population.type_index["B"] == 1).mean())
        se = math.sqrt(expected["hard"] * (1 - expected["hard"]) / post.ess)
        assert abs(hard - expected["hard"]) < 5 * se
        # Rejuvenated worlds stay where the likelihood is positive: soft and rejecting.
        q = post.quantity("actors.B.types.soft.war_value")
        assert 0.05 <= q.posterior.q05 and q.posterior.q95 <= 0.1
        assert abs(q.posterior.mean - 0.075) < 0.003
        distinct = len(np.unique(post.uniforms["actors.B.types.soft.war_value"]))
        if moves:
            assert all(0 < a < 1 for a in post.resampling["acceptance"])
            assert distinct > post.resampling["distinct_worlds"]
        else:
            assert distinct == post.resampling["distinct_worlds"]


def test_evaluate_on_the_posterior():
    post = gb.update(two_types(), [{"kind": "rejected", "offer": "x"}])
    # After a rejection of x the same offer is never accepted (hard rule) ...
    assert gb.evaluate(post, {"x": {"share": 0.95}}).offer("x").p_deal == 0.0
    # ... and a better offer x' = 0.9 (u = 0.1) is accepted iff w <= 0.1 given w > 0.05.
    post_types = bayes({t: 1 - p_accept(t) for t in PRIOR})
    lo, hi = WAR["hard"]
    expected = post_types["soft"] * 1.0 + post_types["hard"] * 0.05 / (hi - U_X)
    r = gb.evaluate(post, {"y": {"share": 0.9}}).offer("y")
    assert abs(r.p_deal - expected) < 4 * r.p_deal_se


@pytest.mark.parametrize(
    ("observations", "message"),
    [
        ([{"kind": "rejected", "offer": "nope"}], "observations.0.offer: no such offer"),
        ([{"kind": "accepted", "values": {"size": 1}}], "observations.0.values.size: unknown"),
        ([{"kind": "accepted", "offer": "x", "by": "Z"}], "observations.0.by: no such actor"),
        ([{"kind": "accepted", "offer": "x", "by": "A"}], "observations.0.by: A is the proposer"),
        ([{"kind": "signal", "name": "m", "by_type": {"soft": 0.1}}], "by_type: missing P"),
        ([{"kind": "signal", "name": "m", "by_type": {"x": 1}}], "by_type.x: B has no such type"),
        (
            [
                {
                    "kind": "signal",
                    "name": "m",
                    "logistic": {"input": "q", "midpoint": 0, "scale": 1},
                }
            ],
            "observations.0.logistic.input: 'q' is not an uncertain input",
        ),
        ([{"kind": "seen"}], "observations.0.kind: 'seen' is not one of"),
        ([{"kind": "no_attack", "rounds": 2}], "observations.0.hazard: missing required field"),
        ([{"kind": "no_attack", "rounds": 2, "hazard": 1}], "observations.0.hazard: input should"),
        ([{"kind": "rejected", "offer": "x", "extra": 1}], "observations.0.extra: unknown field"),
        ([{"kind": "signal", "name": "m", "if_war": 0.5}], "give both if_war and if_peace"),
        ({"noise": -1, "observations": [{"kind": "accepted", "offer": "x"}]}, "noise: input"),
        ([], "observations: list should have at least 1 item"),
    ],
)
def test_bad_observations_name_the_field(observations, message):
    with pytest.raises(ScenarioError) as info:
        update(POP, observations)
    assert message.lower() in str(info.value).lower()
    assert "\n" not in str(info.value)


runner = CliRunner()


def test_cli_update_json_and_text(tmp_path):
    scenario = tmp_path / "two.json"
    scenario.write_text(json.dumps(two_types(samples=5000).model_dump(exclude_none=True)))
    observe = tmp_path / "obs.yaml"
    observe.write_text(
        yaml.safe_dump(
            {
                "noise": 0.0,
                "observations": [{"kind": "rejected", "offer": "x", "date": "2022-02-01"}],
            }
        )
    )
    result = runner.invoke(app, ["update", str(scenario), "--observe", str(observe), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["samples"] == 5000 and doc["observations"][0]["date"] == "2022-02-01"
    assert set(doc["types"]["B"]) == {"soft", "hard"}
    assert doc["types"]["B"]["hard"]["posterior"] > doc["types"]["B"]["hard"]["prior"]
    assert [o["name"] for o in doc["offers"]["posterior"]] == ["x", "status_quo"]
    assert doc["offers"]["posterior"][0]["p_deal"] == 0.0 and doc["best"]["posterior"]
    assert 0 < doc["ess"] <= 5000 and isinstance(doc["quantities"], list)
    assert doc["optimize"] is None
    text = runner.invoke(app, ["update", str(scenario), "--observe", str(observe), "--optimize"])
    assert text.exit_code == 0 and "Effective sample size" in text.stdout
    assert "Best offer on the posterior (risk-return optimum, exact-1d)" in text.stdout
    assert "P(B is hard)" in text.stdout and "Best named package" in text.stdout


def test_cli_update_errors_are_one_line(tmp_path):
    observe = tmp_path / "obs.yaml"
    observe.write_text(yaml.safe_dump([{"kind": "rejected", "offer": "nope"}]))
    result = runner.invoke(app, ["update", "fearon-1d", "--observe", str(observe)])
    assert result.exit_code == 2
    known = "keep_all, split, optimum"
    assert result.stderr.strip().splitlines() == [
        f"error: {observe}: observations.0.offer: no such offer (named offers: {known})"
    ]
    missing = runner.invoke(app, ["update", "fearon-1d", "--observe", str(tmp_path / "no.yaml")])
    assert missing.exit_code == 2 and "no such observations file" in missing.stderr


def test_cli_degeneracy_warning_on_stderr(tmp_path):
    observe = tmp_path / "obs.yaml"
    observe.write_text(yaml.safe_dump([{"kind": "rejected", "values": {"share": 0.55}}]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = runner.invoke(
            app,
            ["update", "fearon-1d", "--observe", str(observe), "-n", "3000", "--min-ess", "0.9"],
        )
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("warning: effective sample size")


@pytest.mark.slow  # 18-21 s each, cold
@pytest.mark.parametrize("name", ["russia-2021-feb01.yaml", "russia-2021-feb23.yaml"])
def test_worked_example_observations_run(name):
    path = Path(__file__).resolve().parent.parent / "docs" / "examples" / name
    post = gb.update("russia-2021", str(path), samples=5000)
    assert all(e.source for e in post.evidence) and post.evidence[0].description.startswith(
        "rejected us_jan26_answer"
    )
    prior, posterior = post.types["Russia"]["revisionist"]
    assert posterior > prior and post.p_fight[1] > post.p_fight[0]


def test_optimize_on_the_posterior_and_its_independent_redraw():
    # After B rejects x = 0.95 every world fights, w ~ soft U(0.05, 0.1] / hard U(0.05, 0.8]
    # with the posterior type odds; B accepts a share y iff 1 - y >= w, and A's no-deal value
    # is its war value 0.5: EU(y) = F(1 - y) y + (1 - F(1 - y)) 0.5, maximised on a fine grid.
    post = gb.update(two_types(samples=10_000), [{"kind": "rejected", "offer": "x"}])
    odds = bayes({t: 1 - p_accept(t) for t in PRIOR})
    y = np.linspace(0.2, 0.95, 30_001)
    v = 1 - y
    cdf = odds["soft"] * np.clip((v - 0.05) / 0.05, 0, 1) + odds["hard"] * np.clip(
        (v - 0.05) / 0.75, 0, 1
    )
    eu = cdf * y + (1 - cdf) * 0.5
    result = gb.optimize(post, solutions=False)
    assert result.optimum.proposer_eu == pytest.approx(eu.max(), abs=0.005)
    # The independent draw is a posterior too (same observation, seed + 1), not the prior.
    best = float(y[eu.argmax()])
    expected_deal = float(np.interp(1 - best, v[::-1], cdf[::-1]))
    assert result.fresh_seed == 4
    assert result.optimum_fresh.p_deal == pytest.approx(expected_deal, abs=0.03)
    assert result.optimum_fresh.proposer_eu == pytest.approx(eu.max(), abs=0.01)


def test_progress_hears_the_readings_and_changes_nothing():
    """``progress(stage, done, total)`` is told of the weighing, of the other reading
    compared and of the stages of the talks game that reading solves; the posterior is
    the same without it."""
    rejected = [{"kind": "rejected", "values": {"share": 0.7}}]
    heard: list[tuple[str, int, int]] = []
    told = gb.update(
        "fearon-1d", rejected, samples=2_000, seed=1, progress=lambda *a: heard.append(a)
    )
    quiet = gb.update("fearon-1d", rejected, samples=2_000, seed=1)
    assert told.p_fight == quiet.p_fight and told.other_reading == quiet.other_reading
    np.testing.assert_array_equal(told.population.worlds.weights, quiet.population.worlds.weights)
    stages = [s for s, _, _ in heard]
    assert stages[:2] == [
        "weighing the worlds by the observations",
        "the dynamic reading of the rejections, for comparison",
    ]
    assert "the dynamic reading: the path of offers" in stages
    assert all(0 <= done <= total for _, done, total in heard)


def test_the_other_reading_is_the_update_read_that_way_and_can_be_left_out(tmp_path):
    """A rejection read statically, in a scenario with talks: the other (dynamic) reading's
    P(war if nothing is offered) is reported where it differs by more than 10 points, and it
    is what an update read dynamically finds; ``compare_readings=False`` and the CLI's
    ``--no-compare-readings`` leave it out (the posterior the same)."""
    data = two_types(samples=5000).model_dump(exclude_none=True)
    data["talks"] = {"rounds": 4, "discount": 0.95, "hazard": 0.0}
    pop = sample(parse(data))
    rejected = [{"kind": "rejected", "offer": "x"}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegeneracyWarning)
        both = gb.update(pop, rejected, noise=0.0)
        dynamic = gb.update(pop, rejected, noise=0.0, reading="dynamic", compare_readings=False)
        alone = gb.update(pop, rejected, noise=0.0, compare_readings=False)
    assert both.evidence[0].model == "static" and dynamic.evidence[0].model == "dynamic"
    assert abs(dynamic.p_fight[1] - both.p_fight[1]) > 0.1
    assert both.other_reading == {"reading": "dynamic", "p_fight": dynamic.p_fight[1], "note": None}
    assert alone.other_reading is None and alone.p_fight == both.p_fight
    scenario = tmp_path / "talks.json"
    scenario.write_text(json.dumps(data))
    observe = tmp_path / "obs.yaml"
    observe.write_text(yaml.safe_dump({"noise": 0.0, "observations": rejected}))
    args = ["update", str(scenario), "--observe", str(observe), "--json"]
    on, off = (runner.invoke(app, args + extra) for extra in ([], ["--no-compare-readings"]))
    assert on.exit_code == 0 and off.exit_code == 0, on.output + off.output
    assert json.loads(on.stdout)["other_reading"]["p_fight"] == dynamic.p_fight[1]
    assert json.loads(off.stdout)["other_reading"] is None
