"""Talks observations: likelihoods from the dynamic game's accept / wait / attack strategies.

Oracles: (1) with one round the game is the one-shot crisis, whose acceptance and war
probabilities are closed forms (tests/test_update.py's two-type scenario, Bayes by hand);
(2) over several rounds, the probability of each observed history under the prior must
equal what ``negotiate`` reports through its own code path (P(deal by t), P(war by t)).
"""

from __future__ import annotations

import numpy as np
import pytest
from test_update import PRIOR, assert_types, bayes, p_accept, two_types

import goldenbridge as gb
from goldenbridge.analysis.negotiate.building import assign
from goldenbridge.analysis.negotiate.dynamics import negotiate
from goldenbridge.analysis.update.likelihoods import ModelLikelihood, talks_positions
from goldenbridge.analysis.update.posterior import update
from goldenbridge.population import sample
from goldenbridge.scenario import ScenarioError, load
from goldenbridge.scenario.observations import parse_observations

# The two-type scenario's path runs from the status quo (share 1) to B's ideal (share 0):
# position s is the share 1 - s, so the offer x = 0.95 is s = 0.05, grid index 5 of 101.
PATH = {"from": {"share": 1}, "to": {"share": 0}}
POP = sample(two_types(samples=10_000))


def talks(outcome, positions=(0.05,), **extra):
    return {"kind": "talks", "positions": list(positions), "outcome": outcome, **PATH, **extra}


def test_one_round_is_the_one_shot_crisis():
    # One round, no hazard: B accepts iff max(w, 0) <= 0.05, else it attacks (it fights in
    # every world that rejects) - the static model's P(accept), Bayes by hand.
    accepted = update(POP, [talks("accepted", horizon=1, hazard=0.0)])
    assert_types(accepted, bayes({t: p_accept(t) for t in PRIOR}))
    war = update(POP, [talks("war", horizon=1, hazard=0.0)])
    assert_types(war, bayes({t: 1 - p_accept(t) for t in PRIOR}))
    assert (
        abs(war.evidence[0].probability - sum(PRIOR[t] * (1 - p_accept(t)) for t in PRIOR)) < 0.01
    )


def test_waiting_in_the_last_round_is_impossible_without_tremble():
    # In the last round every world accepts or (if it fights) attacks; here all reject-ers fight.
    with pytest.raises(ScenarioError, match=r"observations\.0: 'talks: 1 round, then waiting'"):
        update(POP, [talks("waiting", horizon=1, hazard=0.0)])
    post = update(POP, [talks("waiting", horizon=1, hazard=0.0, tremble=0.1)])
    assert post.ess == pytest.approx(POP.n)  # the uniform part is the same in every world


@pytest.mark.parametrize(("rounds", "hazard"), [(2, 0.0), (3, 0.2)])
def test_history_probabilities_match_negotiate(rounds, hazard):
    pop = sample(two_types(samples=10_000))
    result = negotiate(pop, rounds, path_from=PATH["from"], path_to=PATH["to"], hazard=hazard)
    played = [r.position for r in result.sequence]
    deal = [r.p_deal_by for r in result.sequence]
    war = [r.p_war_by for r in result.sequence]
    model = ModelLikelihood(pop)  # solves the game once for every history below
    for t in range(1, rounds + 1):
        common = {"positions": played[:t], "horizon": rounds, "hazard": hazard}

        def evidence(outcome, common=common):
            try:
                post = update(pop, [talks(outcome, **common)], min_ess_fraction=0, model=model)
            except ScenarioError as exc:  # a history no world plays: probability 0
                assert "impossible in every sampled world; give tremble > 0" in str(exc)
                return 0.0
            return post.evidence[0].probability

        p_deal_now = deal[t - 1] - (deal[t - 2] if t > 1 else 0.0)
        p_war_now = war[t - 1] - (war[t - 2] if t > 1 else 0.0)
        if t < rounds:  # (after the last round the no-deal rule adds the waiting fighters)
            assert evidence("accepted") == pytest.approx(p_deal_now, abs=1e-9)
            assert evidence("war") == pytest.approx(p_war_now, abs=1e-9)
            assert evidence("waiting") == pytest.approx(1 - deal[t - 1] - war[t - 1], abs=1e-9)


def test_types_of_other_worlds_match_the_dynamics_build():
    model = ModelLikelihood(POP)
    obs = parse_observations([talks("war", horizon=2)]).observations[0]
    game = model.game(obs)
    built = game.negotiation.built
    assert np.array_equal(assign(built, POP, game.grid_offers), built.type_of)


def test_rejuvenation_recomputes_each_moved_worlds_strategy():
    obs = [talks("war", horizon=1, hazard=0.0)]
    expected = bayes({t: 1 - p_accept(t) for t in PRIOR})
    post = update(POP, obs, rejuvenate=2)
    hard = float((post.population.type_index["B"] == 1).mean())
    assert abs(hard - expected["hard"]) < 5 * np.sqrt(
        expected["hard"] * (1 - expected["hard"]) / post.ess
    )
    q = post.quantity("actors.B.types.soft.war_value")
    assert q.posterior.q05 >= 0.05 - 0.01  # grid offers: thresholds in steps of 0.01


def test_offers_on_and_off_the_path():
    scenario = load("russia-2021")
    pop = sample(scenario, samples=200)
    on_path = parse_observations(
        [
            {
                "kind": "talks",
                "to": "accept_all",
                "offers": [
                    "reject",
                    {"enlargement": 50, "missiles": 50, "forces": 50, "ukraine": 25},
                ],
            }
        ]
    ).observations[0]
    positions, grid = talks_positions(on_path, pop)
    assert positions.tolist() == pytest.approx([0.0, 0.5]) and grid.m == 101
    off = [{"kind": "talks", "to": "accept_all", "offers": ["us_jan26_answer"]}]
    with pytest.raises(ScenarioError, match=r"observations\.0\.offers\.0: not on the talks path"):
        update(pop, off)
    projected = parse_observations([{**off[0], "project": True}]).observations[0]
    s, _ = talks_positions(projected, pop)
    # (0, .2, .1, 0) onto the direction (1, 1, 1, .5): s = .3 / 3.25.
    assert s[0] == pytest.approx(0.3 / 3.25)
    with pytest.raises(ScenarioError, match=r"observations\.0\.offers\.0: no such offer"):
        update(pop, [{"kind": "talks", "to": "accept_all", "offers": ["nope"]}])
    with pytest.raises(ScenarioError, match="5 rounds observed, the talks have 4"):
        update(pop, [{"kind": "talks", "positions": [0.1] * 5}])
    with pytest.raises(ScenarioError, match="give exactly one of offers or positions"):
        update(pop, [{"kind": "talks"}])


def test_facade_accepts_talks():
    post = gb.update(two_types(samples=2000), [talks("war", horizon=1, hazard=0.0)])
    assert post.evidence[0].description == "talks: 1 round, then war"


def test_the_reading_is_negotiates_equilibrium():
    """A rejection during talks is read with the equilibrium ``negotiate`` reports, the
    allies' replies to the mixed offers included (one solve, never two answers)."""
    pop = sample(load("russia-2021"), samples=400, seed=5)
    obs = parse_observations([{"kind": "talks", "offers": ["reject"], "horizon": 2}])
    game = ModelLikelihood(pop).game(obs.observations[0])
    direct = negotiate(pop, 2, decompose=False)
    assert not np.isnan(game.negotiation.approvals_mixed_gap)
    assert game.negotiation.approvals_mixed_gap == direct.approvals_mixed_gap
    assert game.negotiation.sequence == direct.sequence
    assert game.negotiation.approve.same(direct.approve)
