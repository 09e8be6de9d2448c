"""negotiate(): the talks game against closed forms, the direct solver and the one-shot model.

The first two tests check the hazard-only screening game of ``skimming`` (kept as the
reference of the earlier model and of tests/test_dynamics_gambit.py); the rest check the
game with strategic time (``timegame``) that ``negotiate`` solves."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

import goldenbridge as gb
from goldenbridge.analysis.negotiate import timegame
from goldenbridge.analysis.negotiate.direct import solve_direct
from goldenbridge.analysis.negotiate.dynamics import _decompose, negotiate, responses
from goldenbridge.analysis.negotiate.mechanisms import MECHANISMS, shapley, without
from goldenbridge.analysis.negotiate.skimming import ScreeningGame, solve
from goldenbridge.analysis.negotiate.timegame import ACCEPT, TimeGame, play
from goldenbridge.analysis.outcomes import decide
from goldenbridge.cli import app
from goldenbridge.population import sample
from goldenbridge.report.documents import decimals
from goldenbridge.report.narrative import pct
from goldenbridge.scenario import ScenarioError, load, parse
from goldenbridge.scenario.errors import InputError

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


def fighters(a, b, m, grid, drift=0.0, pretext=0.0):
    """Types theta uniform over the grid points in [a, b] whose no-deal outcome is war (gain
    0), who never stand down (-1); the target gains s - theta from a deal at s, the proposer
    m - s and 0 from a war; every offer leaves face unsaved (pretext accumulates)."""
    s = np.linspace(0.0, 1.0, grid)
    theta = s[(s >= a - 1e-12) & (s <= b + 1e-12)]
    types = theta.size
    mass = np.full(types, 1.0 / types)
    zeros = np.zeros(types)
    return TimeGame(
        accept=s[None, :] - theta[:, None],
        pretext_now=np.full((types, grid), pretext),
        unsaved=np.ones(grid),
        war=zeros.copy(),
        drift=np.full(types, drift),
        pretext=np.full(types, pretext),
        mobilisation=zeros.copy(),
        stand=np.full(types, -1.0),
        mass=mass,
        deal=mass[:, None] * (m - s)[None, :],
        war_p=zeros.copy(),
        drift_p=zeros.copy(),
        stand_p=zeros.copy(),
        deal_mass=np.repeat(mass[:, None], grid, axis=1),
        block_war=np.zeros((types, grid)),
    )


def two_rounds_with_time(a, m, delta, hazard, drift, pretext):
    """Closed form of two rounds for types who would fight (war is their no-deal value, 0),
    theta ~ U[a, b], deal gain s - theta (target) and m - s (proposer, war 0), beta = delta
    (1 - h), with the target's war value rising by ``drift`` a round and a pretext p added by
    each round that leaves face unsaved (here every offer): its war value is d t + p (t + 1)
    in round t = 0, 1.

    Round 2, waiters [k, b]: theta accepts iff s - theta >= W2 = d + 2p; the proposer
    maximises (m - s)(s - W2 - k)  ->  s2 = (m + k + W2) / 2.
    Round 1: waiting is worth h W1 + beta (s2 - theta) with W1 = p (the hazard's war), more
    than attacking (W1) for every type here; the cutoff k is indifferent:
    s1 - k = h p + beta (s2 - k)  ->  s1 = (1 - beta) k + beta s2 + h p.
    The proposer: V(k) = (k - a)(m - s1) + beta (m - s2)(s2 - W2 - k) with
    m - s1 = (1 - beta/2)(m - k) - beta W2 / 2 - h p and m - s2 = s2 - W2 - k = (m - k - W2)/2;
    dV/dk = (1 - beta/2)(m + a) - (2 - beta) k - beta m/2 + beta k/2 - h p = 0
    ->  k = (2 (1 - beta) m + (2 - beta) a - 2 h p) / (4 - 3 beta)
    (the drift cancels from k; with d = p = 0 it is Fudenberg & Tirole's example above).
    """
    beta = delta * (1 - hazard)
    w2 = drift + 2 * pretext
    k = (2 * (1 - beta) * m + (2 - beta) * a - 2 * hazard * pretext) / (4 - 3 * beta)
    s2 = (m + k + w2) / 2
    s1 = (1 - beta) * k + beta * s2 + hazard * pretext
    value = (k - a) * (m - s1) + beta * (m - s2) * (s2 - w2 - k)  # unnormalised by b - a
    return k, s1, s2, value


@pytest.mark.parametrize(
    ("a", "b", "m", "delta", "hazard", "drift", "pretext"),
    [
        (0.1, 0.9, 1.0, 0.9, 0.1, 0.0, 0.0),
        (0.1, 0.9, 1.0, 0.9, 0.1, 0.05, 0.0),  # an opening window for the target
        (0.1, 0.9, 1.0, 0.9, 0.1, 0.0, 0.03),  # pretext accumulating
        (0.0, 0.8, 0.9, 0.8, 0.2, 0.02, 0.02),
    ],
)
def test_two_rounds_with_drift_and_pretext_match_the_closed_form(
    a, b, m, delta, hazard, drift, pretext
):
    # Types on a grid approximate the continuum; the proposer's value is flat near the
    # optimum (second order), so the offers are checked to a few grid steps, the value and
    # the deals more tightly.
    grid = 401
    step = 1 / (grid - 1)
    game = fighters(a, b, m, grid, drift, pretext)
    eq = timegame.solve(game, 2, delta, hazard, levels_per_unit=1)  # every offer adds 1
    k, s1, s2, value = two_rounds_with_time(a, m, delta, hazard, drift, pretext)
    assert a < k < s2 - drift - 2 * pretext < b  # the interior case
    result = play(game, eq)
    assert eq.path * step == pytest.approx([s1, s2], abs=6 * step)
    # types one grid step apart: the discrete game's value is within a step of the continuum's
    assert result.proposer_gain == pytest.approx(value / (b - a), abs=step)
    w2 = drift + 2 * pretext  # the waiters who survive the hazard accept s2 iff theta <= s2 - w2
    deals = (k - a) + (1 - hazard) * (s2 - w2 - k)
    assert result.p_deal[1] == pytest.approx(deals / (b - a), abs=0.02)
    # forward play and backward induction agree on the proposer's value
    assert result.proposer_gain == pytest.approx(eq.value[0, 0, 0] / game.mass.sum(), abs=1e-9)


def random_game(rng, types, grid):
    """A small game with hazard, drift, pretext and face drawn at random, types ordered by
    threshold, where no type leaves before the last round except by accepting (exit values
    below 0 that only rise, no mobilisation: waiting beats exiting now) -- the domain where
    the skimming belief is exact (docs/dynamics.md)."""
    theta = np.sort(rng.uniform(0, 1, types))
    s = np.linspace(0, 1, grid)
    mass = rng.uniform(0.5, 1.5, types)
    stand = -rng.uniform(0.05, 0.3, types)
    return TimeGame(
        accept=np.where(s[None, :] > 0, s[None, :] - theta[:, None], -np.inf),
        pretext_now=rng.uniform(0, 0.05) * np.clip(1 - s / 0.5, 0, 1)[None, :].repeat(types, 0),
        unsaved=np.clip(1 - s / 0.5, 0, 1),
        war=stand.copy(),
        drift=rng.uniform(0, 0.05, types),
        pretext=np.full(types, rng.uniform(0, 0.05)),
        mobilisation=np.zeros(types),
        stand=stand,
        mass=mass,
        deal=mass[:, None] * (1 - s)[None, :],
        war_p=-mass * rng.uniform(0.2, 0.6, types),
        drift_p=mass * rng.uniform(-0.02, 0.02, types),
        stand_p=mass * rng.uniform(0, 0.1, types),
        deal_mass=np.repeat(mass[:, None], grid, axis=1),
        block_war=np.zeros((types, grid)),
    )


def test_skimming_agrees_with_the_direct_solver_where_it_is_exact():
    """Where single crossing holds (the skimming solver reports no incentive gap on the
    path) and no type leaves early except by accepting, the direct solver over sets of
    types finds the same value as the skimming solver, and forward play agrees with it."""
    rng = np.random.default_rng(5)
    compared = 0
    for _ in range(60):
        game = random_game(rng, int(rng.integers(2, 5)), 5)
        rounds = int(rng.integers(1, 4))
        delta, hazard = float(rng.uniform(0.8, 1)), float(rng.uniform(0, 0.2))
        eq = timegame.solve(game, rounds, delta, hazard)
        result = play(game, eq)
        direct = solve_direct(game, rounds, delta, hazard)
        # the cutoffs consistent after every offer in every state, not only on the path
        # (the proposer's values of its deviations depend on the states they lead to)
        if float(eq.gap.max()) == 0 and result.misjudged == 0 and direct.gap == 0:
            compared += 1
            assert direct.value == pytest.approx(eq.value[0, 0, 0], abs=1e-9)
            assert result.proposer_gain * game.mass.sum() == pytest.approx(direct.value, abs=1e-9)
    assert compared >= 15


def test_one_round_is_the_one_shot_model_world_by_world():
    """T = 1 with every world a type of its own: for each offer on the path, the outcomes
    equal decide()'s (docs/design.md 4a-4c; informed vetoes: fearon-1d has none)."""
    data = load("fearon-1d").model_dump(exclude_none=True, by_alias=True)
    data["conflict"].update({"backing_down": 0.05, "pretext": 0.1, "face": 0.2})
    pop = sample(parse(data), samples=300, seed=3)
    result = negotiate(pop, 1, path_to={"share": 0}, grid=11, per_world=True, decompose=False)
    game, eq = result.built.game, result.equilibrium
    offers = pop.encode([{"share": 1 - j / 10} for j in range(11)])
    decisions = decide(pop, offers)
    for j in range(11):
        one = play(game, eq, [j])
        assert one.p_deal[0] == pytest.approx(decisions.deal[:, j].mean(), abs=1e-12)
        assert one.p_war[0] == pytest.approx(decisions.war[:, j].mean(), abs=1e-12)


def test_shapley_parts_sum_to_the_total_whatever_the_order():
    values = {frozenset(c): hash(tuple(sorted(c))) % 97 / 97 for c in _subsets(MECHANISMS)}
    base, parts = shapley(lambda s: values[s], MECHANISMS)
    assert base + sum(parts.values()) == pytest.approx(values[frozenset(MECHANISMS)])
    # the average over all orders of the marginal contributions (the definition)
    import itertools

    orders = list(itertools.permutations(MECHANISMS))
    for m in MECHANISMS:
        marginal = 0.0
        for order in orders:
            before = frozenset(order[: order.index(m)])
            marginal += values[before | {m}] - values[before]
        assert parts[m] == pytest.approx(marginal / len(orders))


def _subsets(items):
    import itertools

    return [c for r in range(len(items) + 1) for c in itertools.combinations(items, r)]


def test_decomposition_by_hand():
    """One type offered nothing for two rounds: war value -0.1 over standing down, pretext
    0.06 a refusal, hazard 0.1, mobilisation 0.03, no discount.
    Round 2 (last): F = -0.1 + 0.06 (2 rounds) = 0.02 > 0 with accumulation (it fights),
    -0.04 without (it stands down). Round 1: F = -0.04, so it waits iff
    -m + h F + (1 - h) V2 > 0. By hand, P(war) for each set of mechanisms on:
    {} 0 (V2 = 0: tie, it stands down), {h} 0 (-0.004), {p} 1 (0.02), {m} 0, {h, p}
    0.1 + 0.9 = 1 (0.014), {m, p} 0 (-0.01), {h, m} 0, {h, m, p} 0 (-0.016).
    Shapley: pretext (1/3)(1) + (1/6)(1) = 1/2, mobilisation -(1/6) - (1/3) = -1/2, hazard 0."""
    game = TimeGame(
        accept=np.array([[-np.inf]]),
        pretext_now=np.array([[0.06]]),
        unsaved=np.array([1.0]),
        war=np.array([-0.1]),
        drift=np.zeros(1),
        pretext=np.array([0.06]),
        mobilisation=np.array([0.03]),
        stand=np.zeros(1),
        mass=np.ones(1),
        deal=np.zeros((1, 1)),
        war_p=np.array([-0.5]),
        drift_p=np.zeros(1),
        stand_p=np.zeros(1),
        deal_mass=np.zeros((1, 1)),
        block_war=np.zeros((1, 1)),
    )
    (talks, sequence), regret, unconverged = _decompose(
        game, 2, 1.0, 0.1, True, 0, ("talks", "sequence")
    )
    assert regret == 0.0 and unconverged == 0  # one type, one offer: nothing to regret
    for d in (talks, sequence):
        assert d.total == pytest.approx(0.0)
        assert d.at_once == pytest.approx(0.0)
        assert d.pretext == pytest.approx(0.5)
        assert d.mobilisation == pytest.approx(-0.5)
        assert d.hazard == pytest.approx(0.0) and d.drift == 0.0


@pytest.mark.slow
def test_russia_decomposition_sums_and_switches():
    pop = sample(load("russia-2021"), samples=2000, seed=1)
    result = negotiate(pop, 3, grid=21)
    for d, row in zip(result.decomposition, (result.compare[1], result.compare[3]), strict=True):
        assert d.at_once + d.hazard + d.induced == pytest.approx(d.total, abs=1e-12)
        assert d.induced == pytest.approx(d.mobilisation + d.drift + d.pretext, abs=1e-12)
        assert d.total == pytest.approx(row.p_war, abs=1e-12)
    names = [s.name for s in result.compare]
    assert names[0] == "reject now" and names[2] == "best one-shot offer"
    assert "optimum" in result.path_note
    off = negotiate(sample(without(load("russia-2021")), samples=2000, seed=1), 3, grid=21)
    for d in off.decomposition:
        assert (d.hazard, d.induced) == (0.0, 0.0) and d.at_once == pytest.approx(d.total)
    # reject now does not depend on the talks
    assert off.compare[0] == result.compare[0]


def test_responses_follow_the_equilibrium_and_answer_any_offers():
    pop = sample(load("fearon-1d"), samples=4000, seed=2)
    result = negotiate(pop, 3, path_to={"share": 0}, discount=0.9, grid=31, decompose=False)
    played = responses(result)
    assert played.action.shape == (3, pop.n)
    w = pop.worlds.weights
    deal_by = [
        float(w @ ((played.accept_round > 0) & (played.accept_round <= t + 1))) / w.sum()
        for t in range(3)
    ]
    assert deal_by == pytest.approx([r.p_deal_by for r in result.sequence], abs=1e-9)
    stalled = responses(result, [0.0, 0.0, 0.0])
    assert not (stalled.action == ACCEPT).any()  # nothing offered: no accept option
    with pytest.raises(InputError):
        responses(result, [0.5] * 4)


@pytest.mark.parametrize(
    ("conflict", "message"),
    [
        ({"mobilisation": -0.1}, "mobilisation: must be >= 0"),
        ({"p_win_drift": 2}, "p_win_drift: must lie in [-1, 1]"),
        ({"p_win_drift": {"uniform": [-3, 0]}}, "p_win_drift"),
    ],
)
def test_time_fields_are_validated(conflict, message):
    data = load("fearon-1d").model_dump(exclude_none=True, by_alias=True)
    data["conflict"].update(conflict)
    with pytest.raises(ScenarioError) as info:
        parse(data)
    assert message in str(info.value)


def test_russia_time_fields_are_sourced():
    conflict = gb.load("russia-2021").conflict
    for q in (
        conflict.backing_down,
        conflict.pretext,
        conflict.face,
        conflict.mobilisation,
        conflict.p_win_drift,
    ):
        assert q is not None and q.source and q.basis == "judgement"


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


def test_share_se_bound_bounds_the_weighted_standard_error():
    """share_se_bound >= sqrt(sum w^2 (y - p)^2) / sum w for any y in [0, 1] and weights,
    with equality (the binomial SE) for 0/1 outcomes on equal weights."""
    from goldenbridge.analysis.stats import se_bound_scale, share_se_bound

    rng = np.random.default_rng(5)
    for case in range(200):
        n = int(rng.integers(1, 60))
        w = rng.exponential(size=n) if case % 2 else np.ones(n)
        y = rng.random(n) if case % 3 else (rng.random(n) < rng.random()).astype(float)
        p = (w @ y) / w.sum()
        exact = np.sqrt((w * w) @ (y - p) ** 2) / w.sum()
        bound = share_se_bound(p, se_bound_scale(w))
        assert bound >= exact - 1e-12
        if case % 2 == 0 and case % 3 == 0:  # 0/1 on equal weights
            assert bound == pytest.approx(exact, rel=1e-9, abs=1e-15)


def test_cli_json_rounds_every_share_to_its_standard_error():
    """negotiate --json prints P(deal), P(war) and the by-round shares with their standard
    errors (the binomial SE on these equally weighted worlds), rounded to them as the
    other commands' numbers are: not to 15 digits."""
    from goldenbridge.report.documents import round_numbers

    args = "fearon-1d --rounds 2 --grid 21 --path :share=0 --samples 3000 --seed 4".split()
    result = runner.invoke(app, ["negotiate", *args, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    pop = sample(load("fearon-1d"), samples=3000, seed=4)
    raw = negotiate(pop, 2, path_to={"share": 0.0}, grid=21)

    def check(shown: dict, p: float, key: str) -> None:
        se = np.sqrt(p * (1 - p) / 3000)
        assert shown[f"{key}_se"] == float(f"{se:.2g}"), key
        if se > 0:
            assert shown[key] == round(p, 1 - int(np.floor(np.log10(se)))), key
        else:
            assert shown[key] == p, key

    check(doc, raw.p_deal, "p_deal")
    check(doc, raw.p_war, "p_war")
    check(doc, raw.approvals_p_war_low, "approvals_p_war_low")
    check(doc, raw.approvals_p_war_high, "approvals_p_war_high")
    for shown, row in zip(doc["sequence"], raw.sequence, strict=True):
        check(shown, row.p_deal_by, "p_deal_by")
        check(shown, row.p_war_by, "p_war_by")
    for shown, row in zip(doc["compare"], raw.compare, strict=True):
        check(shown, row.p_deal, "p_deal")
        check(shown, row.p_war, "p_war")
    # the CLI's document: the result's, with the P(war) split's standard errors added
    from goldenbridge.cli.negotiate import negotiation_document

    assert doc == round_numbers(json.loads(json.dumps(negotiation_document(raw))))


@pytest.mark.slow
def test_cli_json_has_the_issue_shape(tmp_path):
    result = runner.invoke(
        app,
        "negotiate fearon-1d --rounds 2 --path :share=0 --discount 0.9 --hazard 0.05 "
        "--samples 3000 --seed 4 --json --plot".split()
        + [str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert {"compare", "decomposition", "mechanisms", "path", "sequence", "consistent"} <= set(doc)
    assert doc["path"]["note"] == "given"
    assert [r["name"] for r in doc["compare"]] == [
        "reject now",
        "talks with empty offers for 2 rounds",
        "best one-shot offer",
        "best sequence (2 rounds)",
    ]
    parts = {"total", "at_once", "hazard", "induced", "mobilisation", "drift", "pretext"}
    assert set(doc["decomposition"][0]) == {"strategy"} | parts | {f"{p}_se" for p in parts}
    assert (tmp_path / "negotiate-fearon-1d.png").stat().st_size > 0


@pytest.mark.slow
def test_cli_text_holds_the_json_numbers():
    args = ["negotiate", "russia-2021", "-T", "3", "--grid", "21", "--samples", "2000"]
    wide = {"COLUMNS": "200"}
    text = runner.invoke(app, args, env=wide)
    as_json = runner.invoke(app, [*args, "--json"], env=wide)
    assert text.exit_code == 0 and as_json.exit_code == 0, text.output + as_json.output
    doc = json.loads(as_json.stdout)
    shown = [doc["path"]["note"]]
    for row in doc["compare"]:
        eu = f"{row['proposer_eu']:.{decimals(row['proposer_eu_se'])}f}"  # as its SE allows
        shown += [row["name"], eu, pct(row["p_war"])]
    for d in doc["decomposition"]:
        shown += [pct(d["at_once"]), pct(d["hazard"]), pct(d["induced"]), pct(d["pretext"])]
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


def test_progress_hears_each_stage_and_changes_nothing():
    """``progress(stage, done, total)`` is told of the path, the one-shot grid, every
    approvals solve and the split, with ``0 <= done <= total``; the result is the same
    without it."""
    import goldenbridge as gb

    heard: list[tuple[str, int, int]] = []
    told = gb.negotiate("russia-2021", 2, samples=400, seed=4, progress=lambda *a: heard.append(a))
    quiet = gb.negotiate("russia-2021", 2, samples=400, seed=4)
    assert (told.sequence, told.compare, told.decomposition) == (
        quiet.sequence,
        quiet.compare,
        quiet.decomposition,
    )
    stages = [s for s, _, _ in heard]
    assert stages[:2] == ["the path of offers", "the grid's offers, one shot"]
    assert "the allies' approvals (skimming offers)" in stages
    assert "the proposer's mixed offers" in stages
    assert stages[-1] == "P(war) split over the mechanisms"
    assert all(0 <= done <= total for _, done, total in heard)
