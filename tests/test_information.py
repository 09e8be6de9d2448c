"""Who knows what (docs/design.md 4a-4c): approvals on own information, three outcomes.

Oracles: closed forms derived below, the engine's per-world rule (``informed``), and a
brute-force pairing of every world with every other through the population's own
sampler (an independent code path from the on-the-fly kernel).
"""

from __future__ import annotations

import numpy as np
import pytest

from goldenbridge.analysis import outcomes
from goldenbridge.analysis.evaluate import evaluate
from goldenbridge.engine import tally, utilities
from goldenbridge.engine.choice import approval_reference, target_choice
from goldenbridge.information import inner_sample, knows
from goldenbridge.population import sample
from goldenbridge.scenario import load
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import ScenarioError


def one_veto(**extra):
    """One issue x in [0, 1], status quo 0. Target T: u_T = x, w_T ~ U[-0.5, 1] (fights
    without a deal iff w_T > 0). Veto V: u_V = 1 - x, w_V ~ U[0, 0.5], its own field.
    Proposer P: u_P = 1 - x, war value 0.2."""
    spec = {
        "name": "one-veto",
        "samples": 200_000,
        "seed": 3,
        "issues": [{"name": "x", "min": 0, "max": 1, "status_quo": 0}],
        "actors": [
            {"name": "P", "role": "proposer", "position": {"x": 0}, "rho": 1, "war_value": 0.2},
            {
                "name": "T",
                "role": "target",
                "position": {"x": 1},
                "rho": 1,
                "war_value": {"uniform": [-0.5, 1]},
            },
            {
                "name": "V",
                "role": "veto",
                "position": {"x": 0},
                "rho": 1,
                "war_value": {"uniform": [0, 0.5]},
            },
        ],
        "offers": {"nothing": {"x": 0}, "x02": {"x": 0.2}, "x04": {"x": 0.4}},
    }
    spec.update(extra)
    return load(spec)


def closed_form(x: float, informed: bool) -> tuple[float, float, float]:
    """P(deal), P(war), P(V approves) derived by hand.

    T accepts x iff w_T <= x: P(a) = (x + 0.5) / 1.5. Own information: V's expected gain
    E[a (u_V(x) - r_V)] = [(1 - x)(x + 0.5) - w_V x - 0.5] / 1.5 = x (0.5 - x - w_V) / 1.5,
    so V approves iff w_V <= 0.5 - x: P = 1 - 2x, independent of T's draw.
    Informed: V accepts iff 1 - x >= r_V: where T fights, r_V = w_V <= 0.5 <= 1 - x
    (always); where it does not, r_V = u_V(0) = 1 > 1 - x (never). A deal needs T to
    accept, so P(deal) = P(0 < w_T <= x) = x / 1.5.
    """
    if informed:
        deal = x / 1.5
        return deal, 2 / 3 - deal, float("nan")
    approve = 1 - 2 * x
    return (x + 0.5) / 1.5 * approve, 2 / 3 - x / 1.5 * approve, approve


def test_one_veto_threshold_from_the_population():
    """V's threshold computed by hand from the population's own frequencies: V approves
    iff (1 - x) P(a) - w_V P(a, fight) - P(a, no fight) >= 0 (the expectation over the
    sampled worlds, as the model takes it)."""
    pop = sample(one_veto(), samples=50_000)
    w_t = pop.inputs["actors.T.war_value"]
    w_v = pop.inputs["actors.V.war_value"]
    e = evaluate(pop)
    for name, x in (("x02", 0.2), ("x04", 0.4)):
        a = w_t <= x
        fight = w_t > 0
        threshold = ((1 - x) * a.mean() - (a & ~fight).mean()) / (a & fight).mean()
        approve = w_v <= threshold
        assert e.offer(name).actors["V"].p_approve == approve.mean()
        assert e.offer(name).p_deal == (a & approve).mean()


@pytest.mark.parametrize("informed", [False, True])
def test_one_veto_closed_form(informed):
    scenario = one_veto(information="informed" if informed else "own")
    e = evaluate(sample(scenario))
    nothing = e.offer("nothing")
    assert not nothing.offered and nothing.p_deal == 0.0
    assert abs(nothing.p_war - 2 / 3) < 4 * nothing.p_war_se
    for name, x in (("x02", 0.2), ("x04", 0.4)):
        o = e.offer(name)
        deal, war, approve = closed_form(x, informed)
        # V's threshold is itself estimated from the worlds (its error, about 7.5 times
        # that of P(a, no fight) at x = 0.2, is not in the binomial SE): a wider margin
        assert abs(o.p_deal - deal) < 4 * o.p_deal_se + 0.015
        assert abs(o.p_war - war) < 4 * o.p_war_se + 0.015
        assert abs(o.p_deal + o.p_deterred + o.p_war - 1) < 1e-12
        if not informed:
            v = o.actors["V"]
            assert abs(v.p_approve - approve) < 4 * v.p_accept_se + 0.03
            assert o.inner_error <= o.p_deal_se


def test_informed_reproduces_the_per_world_rule_bit_for_bit():
    """`informed` through the decision path equals the engine's per-world tally (on the
    seed scenario without its face and pretext: the per-world rule has neither)."""
    scenario = load("russia-2021")
    zero = {"backing_down": Quantity(value=0.0), "pretext": Quantity(value=0.0), "face": None}
    conflict = scenario.conflict.model_copy(update=zero)
    scenario = scenario.model_copy(update={"information": "informed", "conflict": conflict})
    pop = sample(scenario, samples=20_000)
    values = [scenario.complete(dict(v)) for k, v in scenario.offers.items() if k != "reject"]
    offers = pop.encode(values)
    reference = tally(pop.worlds, offers, backend="numpy")
    decided = outcomes.decided_tally(pop, outcomes.decide(pop, offers))
    assert decided == reference
    fused = evaluate(pop)
    assert fused.offer("reject").p_deal == 0.0


def brute_gain(pop, actor: str, offers) -> np.ndarray:
    """(N, M) each world's exact expected gain: paired with every world through the
    population's own sampler, averaged in plain numpy (independent of the kernels)."""
    names = pop.actor_names
    offered = ~outcomes.offers_nothing(pop, offers)
    u_t = utilities(pop.worlds.actors[names.index(pop.scenario.target.name)], offers)
    rows = np.arange(pop.n)
    pairs = inner_sample(pop, actor, rows, np.broadcast_to(rows, (pop.n, pop.n)))
    keys = ("target_war", "target_sq", "backing_down", "pretext", "face", "own_war")
    arrays = {"weight": pairs.weight, "own_sq": pairs.own_sq}
    arrays.update({k: getattr(pairs, k) for k in keys})
    u_j = utilities(pop.worlds.actors[names.index(actor)], offers)
    return approval_reference(u_t, pairs.partner, arrays, u_j, offered)[0]


def test_approval_is_the_exact_pairing_with_every_world():
    """The refined approvals equal pairing each world with all others (brute force through
    the sampler), wherever the approval decides the outcome."""
    scenario = load("russia-2021")
    pop = sample(scenario, samples=300)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    offered = ~outcomes.offers_nothing(pop, offers)
    d = outcomes.decide(pop, offers)
    names = pop.actor_names
    exact = {}
    for actor in ("Germany and France", "Poland and the Baltics", "Ukraine"):
        exact[names.index(actor)] = brute_gain(pop, actor, offers) >= 0
    accept = d.accept & offered
    for j, approve in exact.items():
        others = np.ones_like(accept)
        for k in exact:
            if k != j:
                others &= exact[k]
        decides = accept & others
        assert np.array_equal(d.approve[j][decides], approve[decides])
    deal = accept.copy()
    for approve in exact.values():
        deal &= approve
    assert np.array_equal(d.deal, deal)
    assert (d.inner_error == 0).all()


def test_a_veto_that_gains_from_every_agreement_always_approves():
    """V sits at the target's position with a dreadful war: any agreement beats both its
    war value and the status quo, in every world."""
    scenario = one_veto()
    spec = scenario.model_dump(exclude_none=True)
    spec["actors"][2].update({"position": {"x": 1}, "war_value": {"uniform": [-1, -0.5]}})
    e = evaluate(sample(load(spec), samples=20_000))
    for name in ("x02", "x04"):
        assert e.offer(name).actors["V"].p_approve == 1.0


def test_design_4c_face_and_pretext_example():
    """docs/design.md 4c: u_T(x) = 1 - x, status quo 1, w_T ~ U[-0.4, 0.6], b = p = 0.1,
    face 0.5: nothing offered P(war) = 0.8; x = 0.8 accepted with 0.48, x = 0.5 with 0.9."""
    w = np.linspace(-0.4, 0.6, 100_001)
    zero, cost = np.zeros_like(w), np.full_like(w, 0.1)
    half = np.full_like(w, 0.5)
    _, war = target_choice(zero, zero, w, cost, cost, half, offered=False)
    assert abs(war.mean() - 0.8) < 1e-4
    for x, expected in ((0.8, 0.48), (0.5, 0.9)):
        accept, _ = target_choice(np.full_like(w, 1 - x), zero, w, cost, cost, half)
        assert abs(accept.mean() - expected) < 1e-4


def test_face_and_pretext_in_a_scenario():
    """The same example as a scenario: P(war) offering nothing and the target's P(accept)."""
    scenario = load(
        {
            "name": "face",
            "samples": 100_000,
            "issues": [{"name": "x", "min": 0, "max": 1, "status_quo": 1}],
            "conflict": {"backing_down": 0.1, "pretext": 0.1, "face": 0.5},
            "actors": [
                {"name": "A", "role": "proposer", "position": {"x": 1}, "rho": 1},
                {
                    "name": "B",
                    "role": "target",
                    "position": {"x": 0},
                    "rho": 1,
                    "war_value": {"uniform": [-0.4, 0.6]},
                },
            ],
            "offers": {"nothing": {}, "x08": {"x": 0.8}, "x05": {"x": 0.5}},
        }
    )
    e = evaluate(sample(scenario))
    assert abs(e.offer("nothing").p_war - 0.8) < 4 * e.offer("nothing").p_war_se
    for name, expected in (("x08", 0.48), ("x05", 0.9)):
        o = e.offer(name)
        assert abs(o.actors["B"].p_accept - expected) < 4 * o.actors["B"].p_accept_se
        assert abs(o.p_deal - expected) < 4 * o.p_deal_se


def test_who_knows_which_field():
    s = load("russia-2021")
    assert knows(s, "Poland and the Baltics", "actors.Poland and the Baltics.rho", False)
    assert knows(s, "Poland and the Baltics", "conflict.cost.Poland and the Baltics", False)
    assert not knows(s, "Poland and the Baltics", "actors.Russia.types", False)
    assert not knows(s, "Ukraine", "threats.us_sanctions.credibility", False)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s["actors"][1].update(informed=True), "actors.T.informed"),
        (
            lambda s: s["actors"][0].update(war_value={"value": 0.2, "known_to": "all"}),
            "actors.P.war_value.known_to",
        ),
        (lambda s: s.update(conflict={"face": 0.5}), "conflict.face"),
    ],
)
def test_misuse_is_a_one_line_error(change, field):
    spec = one_veto().model_dump(exclude_none=True)
    change(spec)
    with pytest.raises(ScenarioError) as err:
        load(spec)
    assert err.value.path == field, str(err.value)


MIXED = {
    "name": "mixed",
    "samples": 300,
    "seed": 5,
    "issues": [
        {"name": "x", "min": 0, "max": 1, "status_quo": 0},
        {"name": "d", "options": ["a", "b", "c"], "status_quo": "a"},
    ],
    "actors": [
        {
            "name": "P",
            "role": "proposer",
            "position": {"x": 0},
            "values": {"d": {"a": 1, "b": 0.5, "c": 0}},
            "war_value": 0.2,
        },
        {
            "name": "T",
            "role": "target",
            "position": {"x": {"uniform": [0.5, 1]}},
            "war_value": {"uniform": [-0.3, 0.9]},
            "types": {
                "hard": {"prior": 0.5, "values": {"d": {"a": 0, "b": 0.3, "c": 1}}},
                "soft": {"prior": 0.5, "values": {"d": {"a": 0, "b": 1, "c": 0.2}}},
            },
        },
        {
            "name": "V",
            "role": "veto",
            "position": {"x": {"uniform": [0, 0.4]}},
            "rho": {"uniform": [0.5, 2.5]},
            "values": {"d": {"a": {"uniform": [0.6, 1]}, "b": {"uniform": [0, 1]}, "c": 0}},
            "salience": {"x": {"uniform": [0.2, 0.8]}, "d": 0.5},
        },
    ],
    "conflict": {"p_win": {"uniform": [0.2, 0.8]}, "cost": {"V": {"uniform": [0, 0.3]}}},
    "offers": {"nothing": {}, "half": {"x": 0.5, "d": "b"}, "most": {"x": 0.8, "d": "c"}},
}


#: MIXED where the veto's own sanctions (uncertain credibility) move the target.
MIXED_THREAT = {
    **MIXED,
    "threats": [
        {
            "name": "sanctions",
            "by": "V",
            "against": "T",
            "credibility": {"uniform": [0.1, 0.9]},
            "effect": {"cost": {"uniform": [0.1, 0.4]}},
            "cost_to_threatener": {"uniform": [0.0, 0.1]},
        }
    ],
}


@pytest.mark.parametrize(
    ("spec", "actors"),
    [
        (MIXED, ("V",)),
        (MIXED_THREAT, ("V",)),
        ("russia-2021", ("Poland and the Baltics", "Ukraine", "Germany and France")),
    ],
)
def test_binned_gain_brackets_the_exact_gain(spec, actors):
    """A veto's gain computed on bins with a proven bound -- the control variate's
    population mean plus a binned residual where no field of its own moves the target
    (engine/binned.py), sorted thresholds of its own credibility where one does
    (engine/thresholds.py): the exact gain (every pair, brute force) lies within the
    bound, which shrinks with more bins; also where the war's outcome varies on a
    discrete issue (MIXED)."""
    scenario = load(spec)
    pop = sample(scenario, samples=300)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    offered = ~outcomes.offers_nothing(pop, offers)
    names = pop.actor_names
    u_t = utilities(pop.worlds.actors[names.index(scenario.target.name)], offers)
    rows = np.arange(pop.n)
    for actor in actors:
        u_j = utilities(pop.worlds.actors[names.index(actor)], offers)
        rule = outcomes._OwnApproval(pop, actor, offers, offered, u_t, u_j)
        assert rule.levels == outcomes.BIN_LEVELS
        exact = brute_gain(pop, actor, offers)
        widths = []
        for b in (2, 8, 64):
            est, se, bound = rule._gain(rows, b, 0)
            assert (se == 0).all()
            assert (np.abs(est - exact) <= bound + 1e-12).all()
            widths.append(bound.mean())
        assert widths[0] > widths[1] > widths[2] > 0
        est, _, _ = rule._gain(rows, pop.n, len(rule.levels) - 1)
        np.testing.assert_allclose(est, exact, rtol=0, atol=1e-12)


@pytest.mark.parametrize("budget", ["default", "truncated"])
def test_decisions_do_not_depend_on_which_offers_are_decided_together(budget, monkeypatch):
    """Same seed, same numbers: an offer's approvals and outcomes are the same decided
    alone or with others (the optimizer scores offers in chunks), also where the exact
    level's budget leaves worlds unsettled (each offer has its own budget)."""
    if budget == "truncated":  # coarse bins, then one world per offer, and no floor
        monkeypatch.setattr(outcomes, "BIN_LEVELS", (8, 2**62))
        monkeypatch.setattr(outcomes, "EXACT_PAIRS", 1)
        monkeypatch.setattr(outcomes, "INNER_SHARE", 1e9)
    scenario = load("russia-2021")
    pop = sample(scenario, samples=3_000)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    together = outcomes.decide(pop, offers)
    if budget == "truncated":
        assert (together.inner_error > 0).sum() >= 2  # the budget bites on several offers
    for m in range(offers.m):
        alone = outcomes.decide(pop, offers.subset([m]))
        assert np.array_equal(alone.deal[:, 0], together.deal[:, m])
        assert np.array_equal(alone.war[:, 0], together.war[:, m])
        assert alone.inner_error[0] == together.inner_error[m]
        for i, approve in together.approve.items():
            assert np.array_equal(alone.approve[i][:, 0], approve[:, m])


@pytest.mark.parametrize("pieces", [1, 3])
def test_decisions_do_not_depend_on_the_threads(pieces, monkeypatch):
    """decide splits the offers across threads: one piece, or three pieces on numba's
    threads, give the same decisions bit for bit."""
    scenario = load("russia-2021")
    pop = sample(scenario, samples=2_000)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    monkeypatch.setattr(outcomes, "workers", lambda m: 1)
    serial = outcomes.decide(pop, offers)
    monkeypatch.setattr(outcomes, "workers", lambda m: min(m, pieces))
    split = outcomes.decide(pop, offers)
    for name in ("offered", "accept", "deal", "war", "payoff", "u_proposer", "inner_error"):
        assert np.array_equal(getattr(split, name), getattr(serial, name)), name
    assert split.approve.keys() == serial.approve.keys() and split.sincere == serial.sincere
    for i, approve in serial.approve.items():
        assert np.array_equal(split.approve[i], approve)


def test_bootstrap_errors_include_the_error_of_the_vetos_threshold():
    """V's threshold is estimated from the sampled worlds, so P(deal) varies between
    populations more than its binomial SE says. The bootstrap SE (evaluate(...,
    bootstrap=B)) matches the spread of P(deal) over independent populations (fresh
    seeds: an independent estimate), the binomial one falls short of it."""
    scenario = one_veto()
    draws = [evaluate(sample(scenario, samples=4_000, seed=s)).offer("x02") for s in range(40)]
    spread = float(np.std([d.p_deal for d in draws], ddof=1))
    binomial = float(np.mean([d.p_deal_se for d in draws]))
    e = evaluate(sample(scenario, samples=4_000, seed=99), bootstrap=40)
    assert e.se_method == "bootstrap (40 replicates)"
    boot = e.offer("x02").p_deal_se
    assert 0.6 * spread < boot < 1.6 * spread
    assert binomial < 0.6 * spread
    deal, war, _ = closed_form(0.2, informed=False)
    o = e.offer("x02")
    assert abs(o.p_deal - deal) < 4 * o.p_deal_se and abs(o.p_war - war) < 4 * o.p_war_se
    assert e.offer("nothing").p_deal_se == 0.0


def test_threshold_sweep_is_the_same_whatever_the_blocks_and_threads():
    """The sweep of engine/thresholds.py runs rows in blocks of its loss table: bit for
    bit the same numbers whatever the block size (or numba's thread count)."""
    import numba

    from goldenbridge.engine.thresholds import threshold_gain

    scenario = load(MIXED_THREAT)
    pop = sample(scenario, samples=500)
    offers = pop.encode([scenario.complete(dict(v)) for v in scenario.offers.values()])
    offered = ~outcomes.offers_nothing(pop, offers)
    names = pop.actor_names
    u_t = utilities(pop.worlds.actors[names.index("T")], offers)
    u_j = utilities(pop.worlds.actors[names.index("V")], offers)
    rule = outcomes._OwnApproval(pop, "V", offers, offered, u_t, u_j)
    sides = tuple(rule._edges(outcome, 16) for outcome in ("win", "lose"))
    rows = np.arange(pop.n)
    one = threshold_gain(rows, rule.parts, u_j, rule.events, sides, block=1)
    threads = numba.get_num_threads()
    try:
        for block, nthreads in ((7, threads), (64, 1), (None, threads), (10_000, 1)):
            numba.set_num_threads(nthreads)
            got = threshold_gain(rows, rule.parts, u_j, rule.events, sides, block=block)
            assert np.array_equal(got[0], one[0]) and np.array_equal(got[1], one[1])
    finally:
        numba.set_num_threads(threads)


def test_the_exact_level_leaves_unsettled_less_than_the_sampling_error():
    """Beyond its pair budget the exact level still refines until the worlds left
    unsettled weigh at most a quarter of the sampling error of a proportion of 1/2:
    with 10^6 equal worlds that is 0.25 * 0.5 / 1000 = 1.25e-4, 125 worlds, so of 1 000
    unsettled worlds 875 are refined (the budget alone, 2e8 / 10^6, would take 200)."""
    w = np.ones(10**6)
    assert outcomes._exact_rows(w, np.arange(1_000)) == 875
    assert outcomes._exact_rows(w, np.arange(100)) == 200  # within the budget: all of them
    heavy = w.copy()
    heavy[999] = 10**4  # the last unsettled world alone outweighs the target: refine all
    assert outcomes._exact_rows(heavy, np.arange(1_000)) == 1_000
