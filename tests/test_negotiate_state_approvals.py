"""The vetoes decide in each state of the talks (docs/dynamics.md, "Vetoes").

The history of offers and blocks is public, so a veto knows which state of the talks it
is in. A round reached in several states (the proposer mixes, or the vetoes may block)
has approvals per state: ``TimeGame.state_rows`` give those states rows of their own,
which the kernels, the strategy kernels and ``play`` read in that state only.

Oracles: a state's row changes that state's values exactly as making it the round's row
does, and no other state's; the Python ``play`` and the kernels agree on the proposer's
value; ``reached_states(..., blocks=True)`` is the kernels' ``_reach``; a veto's gain
with its own later decisions per state is a brute-force valuation written out here.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from test_negotiate_continuation import DELTA, H, brute_force_gain, small
from test_negotiate_regret import random_game
from test_negotiate_vetoes import GRID, grid_offers

from goldenbridge.analysis.negotiate.building import build
from goldenbridge.analysis.negotiate.continuation import continuation_approvals, veto_gains
from goldenbridge.analysis.negotiate.dynamics import negotiate
from goldenbridge.analysis.negotiate.fictitious import fictitious_play
from goldenbridge.analysis.negotiate.play_tree import STATE_SHARE, reached_states
from goldenbridge.analysis.negotiate.regret import kernel_args
from goldenbridge.analysis.negotiate.strategy_kernels import _reach, _values
from goldenbridge.analysis.negotiate.timegame import play, solve, state_rows_map


def with_rows(game, rows: np.ndarray, states: tuple = ()):
    """``game`` with approved shares ``rows`` (R, K, G) (the proposer's deal sums scaled
    by them) and ``states`` for the rows after the rounds'."""
    deal = game.deal[None] * rows
    return replace(game, approved=rows, deal_rounds=deal, state_rows=states)


def shares(rng, game, n: int) -> np.ndarray:
    """``n`` rows of random approved shares, some 1 and some 0."""
    out = rng.uniform(0.0, 1.0, (n, game.types, game.grid))
    out[out > 0.8] = 1.0
    out[out < 0.1] = 0.0
    return out


@pytest.mark.parametrize("seed", [0, 2, 4, 9])  # games where the row changes the value
def test_a_states_row_is_read_in_that_state_only(seed):
    """Round 1's state on the path gets a row of its own, B: its values are those of the
    game whose round-1 row is B, every other state's those of the game without it; the
    strategy kernels value the strategy as the solver did, and ``play`` gives the
    proposer the solver's value."""
    rng = np.random.default_rng(seed)
    base = random_game(rng)
    a = shares(rng, base, 2)
    b = shares(rng, base, 1)[0]
    plain = with_rows(base, a)
    eq0 = solve(plain, 2, 0.9, 0.1, 4)
    order = np.argsort(eq0.rank)
    j = int(eq0.offer[0, 0, 0])
    c, lv = int(eq0.cutoff[0, 0, 0, j]), min(int(eq0.inc[j]), eq0.offer.shape[2] - 1)
    own = with_rows(base, np.concatenate([a, b[None]]), ((1, lv, eq0.rank >= c),))
    whole = with_rows(base, np.stack([a[0], b]))
    e_own, e_whole, e_plain = (solve(g, 2, 0.9, 0.1, 4, order) for g in (own, whole, plain))
    rows = own.rows(2, order, eq0.offer.shape[2])
    assert rows[1, c, lv] == 2 and (np.delete(rows[1].ravel(), c * rows.shape[2] + lv) == 1).all()
    for name in ("value", "offer"):
        got, want = getattr(e_own, name)[1], getattr(e_plain, name)[1].copy()
        want[c, lv] = getattr(e_whole, name)[1, c, lv]
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(e_own.target_value[1, c, lv], e_whole.target_value[1, c, lv])
    assert not np.array_equal(e_own.value[1, c, lv], e_plain.value[1, c, lv])
    # the strategy kernels and play read the same rows
    value, _, _ = _values(kernel_args(own, e_own), e_own.offer, e_own.cutoff, *e_own.strategy())
    np.testing.assert_allclose(value, e_own.value, rtol=1e-13, atol=1e-13)
    gain = play(own, e_own).proposer_gain * own.mass.sum()
    assert gain == pytest.approx(e_own.value[0, 0, 0], abs=1e-12)


def test_a_state_of_another_order_keeps_the_rounds_row():
    """A state's row holds its types: under an order in which they are no state, every
    state of the round reads the round's row."""
    members = np.array([True, False, True])
    assert state_rows_map(((1, 0, members),), 2, 3, np.array([1, 0, 2]), 1)[1, 1, 0] == 2
    assert (state_rows_map(((1, 0, members),), 2, 3, np.array([0, 1, 2]), 1)[1] == 1).all()


@pytest.mark.parametrize("seed", range(4))
def test_reached_states_with_blocks_are_the_kernels_reach(seed):
    """The states the talks reach, offers made or blocked, are those ``_reach`` finds
    with some weight, each holding the same types; a pure strategy whose offers the
    vetoes may block reaches several states a round."""
    rng = np.random.default_rng(60 + seed)
    base = random_game(rng)
    game = with_rows(base, shares(rng, base, 3))
    eq = fictitious_play(game, solve(game, 3, 0.9, 0.1, 4), steps=5).equilibrium
    tv = np.ascontiguousarray(eq.target_value[..., np.argsort(eq.rank)])
    alive, _ = _reach(kernel_args(game, eq), eq.offer, eq.cutoff, *eq.strategy(), tv)
    for t, here in enumerate(reached_states(game, eq, blocks=True)):
        found = {(c, lv) for c, lv in np.argwhere(alive[t].sum(axis=2) > 0).tolist()}
        assert {state for state, _ in here} == found
        for (c, lv), weights in here:
            np.testing.assert_array_equal(weights > 0, alive[t, c, lv][eq.rank] > 0)
    assert max(len(h) for h in reached_states(game, eq, blocks=True)) > 1


@pytest.mark.parametrize(("rounds", "seed"), [(3, 12), (3, 13)])  # every round reached
def test_own_later_decisions_are_read_in_each_later_state(rounds, seed):
    """The later states on the path get rows of their own, each with its own random
    pattern of V's decisions: the gain equals the brute force, which reads V's decision
    in the state each later offer is made in."""
    pop = small(30, seed)
    offers = grid_offers(pop)
    built = build(pop, offers, per_world=True)
    eq = solve(built.game, rounds, DELTA, H, 4)
    path = [r[0][0] for r in reached_states(built.game, eq)]  # a pure strategy: one each
    states = tuple((r, path[r][1], eq.rank >= path[r][0]) for r in range(1, rounds))
    rows = state_rows_map(states, rounds, built.game.types, np.argsort(eq.rank), eq.offer.shape[2])
    own = np.random.default_rng(seed).random((rounds + len(states), pop.n, GRID)) < 0.6

    def later(r, c, lv):  # the brute force reads V's decisions in round r's state (c, lv)
        return {r: own[rounds + r - 1 if (c, lv) == path[r] else r]}

    matter = 0
    for t in range(rounds - 1):
        gain = veto_gains(pop, built, offers, 2, eq, t, own=own, rows=rows)
        plain = veto_gains(pop, built, offers, 2, eq, t, own=own)
        for j in range(1, GRID):
            hand = brute_force_gain(pop, built, eq, t, path[t], j, later)
            assert gain[:, j] == pytest.approx(hand, abs=1e-9)
        matter += int(not np.allclose(gain, plain))
    assert matter  # the states' rows change the gains


def test_negotiate_gives_the_states_of_a_round_their_own_approvals():
    """Three rounds on the one-veto scenario: the vetoes' replies to the equilibrium have
    a row for each state of a round its mixed offers reach in several (with at least
    ``STATE_SHARE`` of the round's weight), the rest of the round reading the round's
    row; each state's row
    is the sign of the veto's gain over that state's types alone, which in some state
    decides an offer made there otherwise than the round's row."""
    pop = small(400, 20)
    offers = grid_offers(pop)
    result = negotiate(pop, 3, path_to={"x": 1}, grid=GRID, decompose=False)
    built, eq = result.built, result.equilibrium
    game = built.game
    assert result.approval_states == len(result.approve.states) > 0
    replies = continuation_approvals(pop, built, offers, eq, built.one_shot.approve_by)
    rows = state_rows_map(replies.states, 3, game.types, np.argsort(eq.rank), eq.offer.shape[2])
    offered = np.arange(GRID) > 0
    differ = 0
    for t, here in enumerate(reached_states(game, eq)):
        weight = [alive @ game.mass for _, alive in here]
        for ((c, lv), alive), m in zip(here, weight, strict=True):
            row = rows[t, c, lv]
            assert (row >= 3) == (len(here) > 1 and m >= STATE_SHARE * sum(weight))
            if row < 3:
                continue
            state = [((c, lv), alive)]
            gain = veto_gains(pop, built, offers, 2, eq, t, state, own=replies.approve, rows=rows)
            own = (gain >= -1e-12 * (1 + np.abs(gain).max())) | ~offered
            # the only veto: its rule is the approval (no other veto's later blocks)
            assert np.array_equal(replies.approve[row], own)
            for j, _ in eq.support(t, c, lv):
                differ += int(np.any(replies.approve[row, :, j] != replies.approve[t, :, j]))
    assert differ > 0
