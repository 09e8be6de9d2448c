"""The proposer's regret on the path (analysis/negotiate/regret.py).

The tree check (the regret equals the best one-shot deviation pygambit evaluates in the
game tree) is in tests/test_dynamics_gambit.py; here the kernels' values of a given
strategy and the search's bookkeeping.
"""

from __future__ import annotations

import numpy as np
import pytest

from goldenbridge.analysis.negotiate.kernels import _values
from goldenbridge.analysis.negotiate.regret import improve, regret
from goldenbridge.analysis.negotiate.timegame import TimeGame, _prepared, play, solve


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
    """``_values`` (no optimisation) of the strategy ``_backward`` chose gives back its
    paths and every type's value bit for bit, and its values (summed per type here,
    per term there) to rounding."""
    rng = np.random.default_rng(seed)
    game = random_game(rng)
    order = rng.permutation(game.types)
    eq = solve(game, 3, 0.9, 0.1, 4, order)
    args, inc, inc_none, q, levels = _prepared(game, 3, 4, order)
    value, paths, tv, pay = _values(
        *args, inc, inc_none, q, levels, 3, 0.9, 0.1, eq.offer, eq.cutoff
    )
    reached = eq.offer.shape[2]
    np.testing.assert_allclose(value, eq.value, rtol=1e-13, atol=1e-13)
    np.testing.assert_array_equal(paths, eq.paths)
    np.testing.assert_array_equal(tv[..., eq.rank][:, :, :reached], eq.target_value)
    np.testing.assert_array_equal(pay[..., eq.rank][:, :, :reached], eq.proposer_pay)


@pytest.mark.parametrize("seed", range(6))
def test_improve_starts_from_the_solver_and_stops_without_regret_or_on_a_repeat(seed):
    rng = np.random.default_rng(100 + seed)
    game = random_game(rng)
    eq = solve(game, 3, 0.9, 0.1, 4)
    visited = improve(game, eq, steps=30)
    assert visited[0].equilibrium is eq
    assert visited[0].regret == regret(game, eq)
    for v in visited:
        assert v.regret >= 0.0
        assert v.regret == pytest.approx(regret(game, v.equilibrium), abs=0.0)
        np.testing.assert_array_equal(v.played.offers, play(game, v.equilibrium).offers)
    last = visited[-1]
    keys = [v.equilibrium.offer.tobytes() for v in visited]
    assert last.regret <= 1e-12 or keys[-1] in keys[:-1] or len(visited) == 31
