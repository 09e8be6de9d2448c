"""The talks game with vetoes whose approvals depend on the state of the talks, checked in
pygambit (a test-only dependency): small games written out as trees in which, after each
offer, chance approves it with the share of the type's worlds whose vetoes approve it in
that state (the history of offers and blocks is public: the proposer sees it, and the
state, hence the row of approvals, follows from it), else the round passes with nothing
offered. The payoffs come from the game's definition, not from the solver; the strategies
are the project's. Checked: no type gains by deviating, the proposer's value is
``play``'s, and ``regret()`` is the largest gain pygambit evaluates for a change of offer
at one information set (docs/dynamics.md, "Vetoes" and the equilibrium's step 2).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from test_dynamics_gambit import (
    best_response_gain,
    one_shot_gains,
    proposer_move,
    random_time_game,
    set_action,
)

from goldenbridge.analysis.negotiate.fictitious import fictitious_play
from goldenbridge.analysis.negotiate.play_tree import _replies
from goldenbridge.analysis.negotiate.regret import regret as proposer_regret
from goldenbridge.analysis.negotiate.timegame import play, solve

gbt = pytest.importorskip("pygambit")  # GPL: a test-only dependency, never imported by the package
H = gbt.H  # pygambit 17 names a node by the actions that lead to it: H.path(*actions)


def with_state_rows(rng, game, rounds: int, q: int):
    """``game`` with approvals in halves (0, 1/2 or 1; nothing offered always 1) for each
    round and for the states of round 1 that some first offer leads to, each its own."""
    eq = solve(game, rounds, 0.9, 0.0, q)
    top = eq.offer.shape[2] - 1
    states = {(int(eq.cutoff[0, 0, 0, j]), min(int(eq.inc[j]), top)) for j in range(game.grid)}
    keys = tuple((1, lv, eq.rank >= c) for c, lv in sorted(states))
    shares = rng.integers(0, 3, (rounds + len(keys), game.types, game.grid)) / 2
    shares[:, :, 0] = 1.0
    deal = game.deal[None] * shares
    return replace(game, approved=shares, deal_rounds=deal, state_rows=keys), eq.rank


def veto_tree(game, eq):
    """The extensive form (module docstring): chance draws the type; in round t the
    proposer, seeing the offers and blocks so far, offers j; chance approves it with the
    type's share in the state's row (``game.rows``); the type's agent accepts, attacks,
    stands down or waits, offered j, or, blocked, attacks, stands down or waits with the
    pretext of an empty round. A node is the tuple of action labels leading to it.
    Returns the tree, the proposer's information sets (the (offer, made) pairs so far ->
    the first node put in it) and each target node with its (type, round, state, offer
    or -1)."""
    k_types, g = game.types, game.grid
    approved, _ = game.shares(eq.rounds)
    top = eq.offer.shape[2] - 1
    rows = game.rows(eq.rounds, np.argsort(eq.rank), top + 1)
    total = int(round(float(game.mass.sum())))
    targets = [f"Target {k}" for k in range(k_types)]
    tree = gbt.ExtensiveGame(players=["Proposer", *targets], title="talks with vetoes")
    tree.append_event(
        H.path(), {f"type {k}": Fraction(int(m), total) for k, m in enumerate(game.mass)}
    )
    label = itertools.count()
    seen: dict = {}
    nodes = {}

    def leaf(node, k, proposer, target):
        pay = [proposer, *(target if i == k else 0.0 for i in range(k_types))]
        payoffs = dict(zip(["Proposer", *targets], pay, strict=True))
        tree.make_outcome(H.path(*node), payoffs, f"o{next(label)}")

    def target_move(node, k, t, history, state, j, paid):
        last = t == eq.rounds - 1
        c, lv = state
        s = lv / eq.levels if eq.levels > 0 else 0.0
        scale, m = eq.discount**t, float(game.mass[k])
        actions = ["accept"] if j >= 0 and np.isfinite(game.accept[k, j]) else []
        actions += ["attack", "stand"] + ([] if last else ["wait"])
        tree.append_move(H.path(*node), targets[k], actions)
        nodes[node] = (k, t, state, j)
        now = game.pretext_now[k, j] if j >= 0 else game.pretext_none[k]
        f = game.war[k] + t * game.drift[k] + game.pretext[k] * s + now
        war_p = (game.war_p[k] + t * game.drift_p[k]) / m
        out = {a: (*node, a) for a in actions}
        if "accept" in out:
            leaf(out["accept"], k, scale * game.deal[k, j] / m, paid + scale * game.accept[k, j])
        leaf(out["attack"], k, scale * war_p, paid + scale * f)
        leaf(out["stand"], k, scale * game.stand_p[k] / m, paid + scale * game.stand[k])
        if "wait" in out:
            after = (
                (int(eq.cutoff[t, c, lv, j]), min(lv + int(eq.inc[j]), top))
                if j >= 0
                else (c, min(lv + eq.inc_none, top))
            )
            rounds_from(out["wait"], k, history, after, paid - scale * game.mobilisation[k])

    def rounds_from(node, k, history, state, paid):
        t = len(history)
        proposer_move(tree, node, history, g, seen)
        c, lv = state
        for j in range(g):
            child = (*node, f"offer {j}")
            share = Fraction(float(approved[rows[t, c, lv], k, j]))
            if share == 1:
                target_move(child, k, t, history + ((j, 1),), state, j, paid)
            elif share == 0:
                target_move(child, k, t, history + ((j, 0),), state, -1, paid)
            else:
                tree.append_event(H.path(*child), {"made": share, "blocked": 1 - share})
                made, blocked = (*child, "made"), (*child, "blocked")
                target_move(made, k, t, history + ((j, 1),), state, j, paid)
                target_move(blocked, k, t, history + ((j, 0),), state, -1, paid)

    for k in range(k_types):
        rounds_from((f"type {k}",), k, (), (0, 0), 0.0)
    return tree, seen, nodes


def veto_profile(tree, seen, nodes, game, eq):
    """The proposer follows its (possibly mixed) strategy in the state each history leads
    to; each type plays its best reply there (``play_tree._replies``, as ``play`` does)."""
    profile = tree.mixed_behavior_profile(rational=False)
    top = eq.offer.shape[2] - 1
    assert len(seen) == len(tree.get_infosets("Proposer"))  # each of its information sets
    for history, first in seen.items():  # the (offer, made) pairs so far, a node in the set
        c, lv = 0, 0
        for t, (j, made) in enumerate(history):
            if made:
                c, lv = int(eq.cutoff[t, c, lv, j]), min(lv + int(eq.inc[j]), top)
            else:
                lv = min(lv + eq.inc_none, top)
        chance = dict(eq.support(len(history), c, lv))
        set_action(profile, first, lambda a, p=chance: p.get(int(a.split()[1]), 0.0))
    for node, (k, t, (c, lv), j) in nodes.items():
        take, leave, wait, fights, _ = _replies(game, eq, t, c, lv, j)
        name = "accept" if take[k] else "wait" if wait[k] else "attack" if fights[k] else "stand"
        set_action(profile, node, lambda a, name=name: float(a == name))
    return profile


@pytest.mark.parametrize("seed", range(4))
def test_state_approvals_in_the_tree(seed):
    """Random small games (three types, three offers, two rounds, every mechanism on)
    whose round-1 states have approvals of their own: for the skimming strategy and the
    mixed one fictitious play finds, no type gains by deviating in the tree, the
    proposer's value is ``play``'s, and ``regret()`` is the best one-shot deviation
    pygambit evaluates."""
    rng = np.random.default_rng(90 + seed)
    game, (rounds, delta, _, q) = random_time_game(
        rng, {"mobilisation", "drift", "pretext", "discount"}
    )
    game, rank = with_state_rows(rng, game, rounds, q)
    skimming = solve(game, rounds, delta, 0.0, q, np.argsort(rank))
    assert (game.rows(rounds, np.argsort(rank), skimming.offer.shape[2])[1] >= rounds).any()
    mixed = fictitious_play(game, skimming, steps=30).equilibrium
    for eq in (skimming, mixed):
        tree, seen, nodes = veto_tree(game, eq)
        profile = veto_profile(tree, seen, nodes, game, eq)
        proposer = "Proposer"
        assert float(profile.payoffs[proposer]) == pytest.approx(
            play(game, eq).proposer_gain, abs=1e-9
        )
        for player in tree.players:
            if player != proposer:
                assert best_response_gain(profile, player) < 1e-9
        assert proposer_regret(game, eq) == pytest.approx(one_shot_gains(tree, profile), abs=1e-9)
