"""negotiate's vetoes decide on the rule evaluate uses (docs/design.md 4b, section 6).

Oracles: the veto's threshold derived by hand from the population's own frequencies, a
brute-force pairing of every world with every other (through the population's sampler),
the per-world rule of ``information: informed``, and ``evaluate`` itself for the one-shot
row of the comparison.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_information import one_veto as information_one_veto

import goldenbridge as gb
from goldenbridge.analysis import outcomes
from goldenbridge.analysis.negotiate.building import one_shot
from goldenbridge.analysis.negotiate.dynamics import negotiate
from goldenbridge.analysis.negotiate.talks_path import position_values
from goldenbridge.analysis.negotiate.timegame import play
from goldenbridge.engine import Offers, utilities
from goldenbridge.engine.choice import approval_reference
from goldenbridge.information import inner_sample
from goldenbridge.population import sample
from goldenbridge.scenario import load

GRID = 11


def one_veto(**extra):
    """test_information's one-veto scenario (u_T = x, w_T ~ U[-0.5, 1]; u_V = 1 - x,
    w_V ~ U[0, 0.5]; P's war value 0.2) on 4 000 worlds, without named offers."""
    spec = information_one_veto().model_dump(exclude_none=True)
    spec.pop("offers")
    spec["samples"] = 4_000
    spec.update(extra)
    return load(spec)


def grid_offers(pop):
    return pop.encode([{"x": j / (GRID - 1)} for j in range(GRID)])


def moratorium_path(pop) -> Offers:
    """GRID offers from the status quo to russia-2021's ``bridge_moratorium``."""
    sq = pop.scenario.status_quo()
    end = pop.scenario.complete(dict(pop.scenario.offers["bridge_moratorium"]))
    enc = pop.encode([sq, end])
    s = np.linspace(0, 1, GRID)[:, None]
    return Offers(enc.x[0] + s * (enc.x[1] - enc.x[0]), np.repeat(enc.option[:1], GRID, 0))


def test_own_information_approval_is_the_hand_threshold():
    """V approves x iff E[a (u_V(x) - r_V) | w_V] >= 0 over the population: with a = 1{w_T
    <= x} and r_V = w_V where T fights, 1 where it does not, that is w_V <= ((1 - x) P(a) -
    P(a, no fight)) / P(a, fight), the frequencies taken over the sampled worlds."""
    pop = sample(one_veto())
    w_t = pop.inputs["actors.T.war_value"]
    w_v = pop.inputs["actors.V.war_value"]
    once = one_shot(pop, grid_offers(pop))
    fight = w_t > 0
    informed_differs = 0
    for j in range(1, GRID):
        x = j / (GRID - 1)
        a = w_t <= x
        threshold = ((1 - x) * a.mean() - (a & ~fight).mean()) / (a & fight).mean()
        hand = w_v <= threshold
        # where V's approval decides the outcome (T accepts), exactly the hand rule
        assert np.array_equal(once.approve[a, j], hand[a])
        informed_differs += int(np.any(hand[a] != (fight[a] & (1 - x >= w_v[a]))))
    assert informed_differs >= 5  # the rules differ: the test can tell them apart


def test_informed_keeps_the_per_world_rule():
    """``information: informed``: V approves iff 1 - x >= r_V in the world (w_V where T
    fights, u_V(0) = 1 where it does not)."""
    pop = sample(one_veto(information="informed"))
    w_t = pop.inputs["actors.T.war_value"]
    w_v = pop.inputs["actors.V.war_value"]
    once = one_shot(pop, grid_offers(pop))
    x = np.arange(GRID) / (GRID - 1)
    hand = np.where(w_t[:, None] > 0, (1 - x)[None, :] >= w_v[:, None], x[None, :] <= 0)
    assert np.array_equal(once.approve, hand)


def test_approvals_are_the_exact_pairing_on_russia():
    """On a tiny russia-2021 population, along the talks' path: each veto's approval equals
    its exact expected gain (every world paired with every other through the sampler, in
    plain numpy) wherever it decides the outcome (the target accepts and the others
    approve)."""
    scenario = load("russia-2021")
    pop = sample(scenario, samples=300, seed=5)
    offers = moratorium_path(pop)
    once = one_shot(pop, offers)
    names = pop.actor_names
    t = names.index(scenario.target.name)
    offered = ~outcomes.offers_nothing(pop, offers)
    u_t = utilities(pop.worlds.actors[t], offers)
    rows = np.arange(pop.n)
    exact = {}
    for actor in (a.name for a in scenario.vetoes):
        pairs = inner_sample(pop, actor, rows, np.broadcast_to(rows, (pop.n, pop.n)))
        keys = ("target_war", "target_sq", "backing_down", "pretext", "face", "own_war")
        arrays = {"weight": pairs.weight, "own_sq": pairs.own_sq}
        arrays.update({k: getattr(pairs, k) for k in keys})
        u_j = utilities(pop.worlds.actors[names.index(actor)], offers)
        exact[actor] = approval_reference(u_t, pairs.partner, arrays, u_j, offered)[0] >= 0
    all_exact = np.logical_and.reduce(list(exact.values()))
    accept = outcomes.decide(pop, offers).accept & offered
    assert np.array_equal(once.approve[accept], all_exact[accept])
    assert 0 < all_exact[accept].mean() < 1  # some blocks, some approvals


@pytest.mark.parametrize("chunk", [1, 3])
def test_the_grid_decisions_do_not_depend_on_the_chunk(chunk, monkeypatch):
    """one_shot decides the grid a few offers at a time (building.APPROVAL_CHUNK, chosen for
    speed): every offer's approvals and outcome are the same whatever the chunk."""
    from goldenbridge.analysis.negotiate import building

    pop = sample(load("russia-2021"), samples=2_000, seed=3)
    offers = moratorium_path(pop)
    whole = one_shot(pop, offers)  # the shipped chunk
    monkeypatch.setattr(building, "APPROVAL_CHUNK", chunk)
    parts = one_shot(pop, offers)
    assert np.array_equal(parts.approve, whole.approve)
    for v, by in whole.approve_by.items():
        assert np.array_equal(parts.approve_by[v], by)
    for name in ("p_deal", "p_war", "proposer_eu", "inner_error"):
        assert np.array_equal(getattr(parts, name), getattr(whole, name)), name
    assert 0 < whole.approve.mean() < 1


def test_one_round_is_the_one_shot_model_with_vetoes_face_and_pretext():
    """T = 1, every world a type: each offer's outcome in the game equals decide()'s world
    by world, with an own-information veto, face and pretext (where the veto blocks, the
    no-offer outcome)."""
    scenario = one_veto(conflict={"backing_down": 0.1, "pretext": 0.3, "face": 0.5})
    pop = sample(scenario, samples=1_000, seed=7)
    result = negotiate(pop, 1, path_to={"x": 1}, grid=GRID, per_world=True, decompose=False)
    game, eq = result.built.game, result.equilibrium
    d = outcomes.decide(pop, grid_offers(pop))
    blocked = 0
    for j in range(GRID):
        once = play(game, eq, [j])
        assert once.p_deal[0] == pytest.approx(d.deal[:, j].mean(), abs=1e-12)
        assert once.p_war[0] == pytest.approx(d.war[:, j].mean(), abs=1e-12)
        blocked += int(np.sum(d.accept[:, j] & ~d.approve[2][:, j]))
    assert blocked > 0


@pytest.mark.parametrize("scenario", ["one-veto", "russia-2021"])
def test_one_shot_row_is_evaluate(scenario):
    """The comparison's best one-shot offer has evaluate's P(deal), P(war) and EU for that
    offer on the same worlds (own-information vetoes, face and pretext in russia-2021)."""
    if scenario == "one-veto":
        pop = sample(one_veto(), samples=2_000, seed=11)
        kwargs = {"path_to": {"x": 1}}
    else:
        pop = sample(load(scenario), samples=2_000, seed=11)
        kwargs = {"path_to": "bridge_moratorium"}
    result = negotiate(pop, 2, grid=GRID, decompose=False, **kwargs)
    row = result.one_shot
    offer = position_values(pop.scenario, result.path_from, result.path_to, row.position)
    e = gb.evaluate(pop, {"x": offer}).offer("x")
    assert row.p_war == pytest.approx(e.p_war, abs=1e-12)
    assert row.p_deal == pytest.approx(e.p_deal, abs=1e-12)
    assert row.proposer_eu == pytest.approx(e.proposer_eu, abs=1e-12)
    # and it is the best of the grid's offers by evaluate's EU
    grid = {
        f"s{j}": position_values(pop.scenario, result.path_from, result.path_to, j / (GRID - 1))
        for j in range(GRID)
    }
    assert row.proposer_eu == pytest.approx(gb.evaluate(pop, grid).best.proposer_eu, abs=1e-12)
