"""The proposer's regret on the path (analysis/negotiate/regret.py).

The tree check (the regret equals the best one-shot deviation pygambit evaluates in the
game tree, for the skimming and the mixed strategy) is in tests/test_dynamics_gambit.py;
here the kernels' values of a given strategy, pure or mixed, the weight reaching each
state, and fictitious play's bookkeeping.
"""

from __future__ import annotations

import numpy as np
import pytest

from goldenbridge.analysis.negotiate.fictitious import fictitious_play
from goldenbridge.analysis.negotiate.regret import kernel_args, regret
from goldenbridge.analysis.negotiate.strategy_kernels import _reach, _values
from goldenbridge.analysis.negotiate.timegame import TimeGame, play, solve


def random_game(rng: np.random.Generator, types: int = 4, grid: int = 5) -> TimeGame:
    """Types that differ in threshold, slope, war value, drift, pretext and mobilisation;
    vetoes approving a random share of each type's worlds."""
    s = np.linspace(0, 1, grid)
    mass = rng.integers(1, 5, types).astype(float)
    accept = (
        rng.uniform(0.3, 1.5, types)[:, None] * s[None] - rng.uniform(0.05, 0.9, types)[:, None]
    )
    unsaved = np.clip(1 - s / 0.6, 0, 1)
    pretext = rng.uniform(0, 0.2, types)
    return TimeGame(
        accept=np.where(s[None] > 0, accept, -np.inf),
        pretext_now=pretext[:, None] * unsaved[None],
        unsaved=unsaved,
        war=rng.uniform(-0.5, 0.1, types),
        drift=rng.uniform(-0.1, 0.2, types),
        pretext=pretext,
        mobilisation=rng.uniform(0, 0.05, types),
        stand=np.zeros(types),
        mass=mass,
        deal=mass[:, None] * (0.8 - s)[None],
        war_p=-mass * rng.uniform(0.3, 1.0, types),
        drift_p=np.zeros(types),
        stand_p=np.zeros(types),
        deal_mass=mass[:, None] * rng.uniform(0.6, 1.0, (types, grid)),
        block_war=np.zeros((types, grid)),
    )


@pytest.mark.parametrize("seed", range(6))
def test_values_of_the_solvers_own_strategy_are_its_values(seed):
    """``_values`` (no optimisation) of the strategy ``_backward`` chose gives back every
    type's value and the proposer's payoffs bit for bit, and its values (summed per type
    here, per term there) to rounding."""
    rng = np.random.default_rng(seed)
    game = random_game(rng)
    order = rng.permutation(game.types)
    eq = solve(game, 3, 0.9, 0.1, 4, order)
    args = kernel_args(game, eq)
    value, tv, pay = _values(args, eq.offer, eq.cutoff, *eq.strategy())
    np.testing.assert_allclose(value, eq.value, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(tv[..., eq.rank], eq.target_value)
    np.testing.assert_array_equal(pay[..., eq.rank], eq.proposer_pay)


@pytest.mark.parametrize("seed", range(4))
def test_a_mixed_state_is_worth_the_mixture_of_its_offers(seed):
    """Where the proposer mixes two offers in the first state, every type's value and
    the proposer's payoff there are the mixture of those of the two pure strategies."""
    rng = np.random.default_rng(20 + seed)
    game = random_game(rng)
    eq = solve(game, 3, 0.9, 0.1, 4)
    args = kernel_args(game, eq)
    j1, j2 = 1, game.grid - 1
    pure = []
    for j in (j1, j2):
        offer = eq.offer.copy()
        offer[0, 0, 0] = j
        pure.append(_values(args, offer, eq.cutoff, *eq.strategy())[1:])
    mix_row = np.full(eq.offer.shape, -1, dtype=np.int64)
    mix_row[0, 0, 0] = 0
    mix_p = np.zeros((1, game.grid))
    mix_p[0, [j1, j2]] = 0.3, 0.7
    _, tv, pay = _values(args, eq.offer, eq.cutoff, mix_row, mix_p)
    for got, a, b in ((tv, pure[0][0], pure[1][0]), (pay, pure[0][1], pure[1][1])):
        np.testing.assert_allclose(got[0, 0, 0], 0.3 * a[0, 0, 0] + 0.7 * b[0, 0, 0], atol=1e-14)
        np.testing.assert_array_equal(got[1:], a[1:])  # later states do not depend on it


@pytest.mark.parametrize("seed", range(4))
def test_reach_counts_the_weight_still_in_the_talks(seed):
    """``_reach``: the weight reaching the states of round t + 1 is the weight that
    neither signed, fought nor stood down by the end of round t (``play``), also when
    the proposer mixes."""
    rng = np.random.default_rng(40 + seed)
    game = random_game(rng)
    eq = fictitious_play(game, solve(game, 3, 0.9, 0.1, 4), steps=10).equilibrium
    args = kernel_args(game, eq)
    tv = np.ascontiguousarray(eq.target_value[..., np.argsort(eq.rank)])
    alive, _ = _reach(args, eq.offer, eq.cutoff, *eq.strategy(), tv)
    mass = game.mass[np.argsort(eq.rank)]
    played = play(game, eq)
    for t in range(2):
        left = 1 - played.p_deal[t] - played.p_war[t] - played.p_stand[t]
        assert alive[t + 1].sum(axis=(0, 1)) @ mass / mass.sum() == pytest.approx(left, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_fictitious_play_reports_the_regret_of_what_it_returns(seed):
    """The regret it reports is :func:`regret` of the strategy it returns, its mixtures
    are probabilities, and a strategy without regret comes back unchanged."""
    rng = np.random.default_rng(100 + seed)
    game = random_game(rng)
    eq = solve(game, 3, 0.9, 0.1, 4)
    mixed = fictitious_play(game, eq, steps=25)
    assert mixed.start_regret == regret(game, eq)
    assert mixed.regret == pytest.approx(regret(game, mixed.equilibrium), abs=1e-15)
    if mixed.equilibrium.mix_p is not None and mixed.equilibrium.mix_p.size:
        np.testing.assert_allclose(mixed.equilibrium.mix_p.sum(axis=1), 1.0, atol=1e-12)
        assert (mixed.equilibrium.mix_p >= 0).all()
    if mixed.start_regret <= 1e-12:
        assert mixed.steps == 0 and mixed.equilibrium is eq
    again = fictitious_play(game, mixed.equilibrium, steps=0)
    assert again.regret == pytest.approx(mixed.regret, abs=1e-15)


@pytest.mark.slow
def test_the_split_does_not_depend_on_the_threads():
    """The subsets of the P(war) split are solved side by side (fictitious play in each),
    and the backward induction's states and the regret's gains run on numba's threads:
    the same result, bit for bit, on one thread and two."""
    import numba

    import goldenbridge as gb
    from goldenbridge.population import sample

    pop = sample(gb.load("russia-2021"), samples=600, seed=3)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = gb.negotiate(pop, 3, grid=21)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = gb.negotiate(pop, 3, grid=21)
    finally:
        numba.set_num_threads(before)
    assert one.decomposition == two.decomposition
    assert any(d.pretext != 0 for d in one.decomposition)
    assert (one.sequence, one.compare) == (two.sequence, two.compare)
    assert one.proposer_regret == two.proposer_regret
    assert np.array_equal(one.equilibrium.value, two.equilibrium.value)


def test_the_split_reports_the_regret_its_games_were_left_with(monkeypatch):
    """Each game of the P(war) split (mechanisms switched off) is solved by fictitious play;
    the result names the largest regret any of them was left with (recomputed here with
    :func:`regret` on each game) and how many stopped at the step limit above the
    tolerance (here a limit of one step, so that some do), and the text says so."""
    from typer.testing import CliRunner

    import goldenbridge as gb
    from goldenbridge.analysis.negotiate import dynamics
    from goldenbridge.cli import app

    games = []

    def one_step(game, eq):
        mixed = fictitious_play(game, eq, steps=1)
        games.append((game, mixed))
        return mixed

    monkeypatch.setattr(dynamics, "fictitious_play", one_step)
    result = gb.negotiate("russia-2021", 3, grid=21, samples=600, seed=3)
    assert len(games) == 2 ** len(result.active) > 1
    regrets = [regret(game, mixed.equilibrium) for game, mixed in games]
    assert result.split_regret == pytest.approx(max(regrets), rel=1e-12, abs=1e-15)
    assert result.split_unconverged == sum(not mixed.converged for _, mixed in games) > 0
    text = CliRunner().invoke(
        app, ["negotiate", "russia-2021", "-T", "3", "--grid", "21", "--samples", "600"]
    )
    assert text.exit_code == 0, text.output
    assert "fictitious play stopped at its step limit" in " ".join(text.stdout.split())
