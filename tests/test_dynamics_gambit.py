"""The skimming equilibrium checked by an independent solver: small finite versions of the
dynamic game built as extensive-form games in pygambit (a test-only dependency), where the
project's strategy profile must have (almost) zero regret."""

from __future__ import annotations

import itertools
import multiprocessing
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest

from goldenbridge.analysis.negotiate.fictitious import fictitious_play
from goldenbridge.analysis.negotiate.mechanisms import switch_off
from goldenbridge.analysis.negotiate.regret import regret as proposer_regret
from goldenbridge.analysis.negotiate.skimming import (
    ACCEPT,
    ATTACK,
    DONE,
    WAIT,
    Equilibrium,
    ScreeningGame,
    loss_class,
    respond,
    solve,
)
from goldenbridge.analysis.negotiate.timegame import STAND, TimeEquilibrium, TimeGame
from goldenbridge.analysis.negotiate.timegame import play as time_play
from goldenbridge.analysis.negotiate.timegame import solve as time_solve

gbt = pytest.importorskip("pygambit")  # GPL: a test-only dependency, never imported by the package
H = gbt.H  # pygambit 17 names a node by the actions that lead to it: H.path(*actions)


@dataclass(frozen=True)
class World:
    """One world of a finite game: its chance, threshold (grid index, ``G`` = never),
    whether the target fights without a deal, the proposer's gain of a deal at each
    offer over its no-deal value (0 where a veto blocks), the proposer's gain from a
    war, and the target's (negative where it would not fight)."""

    prob: Fraction
    theta: int
    fight: bool
    deal: tuple[float, ...]
    war: float = 0.0
    target_war: float = 0.0


def loss_edges(worlds: list[World]) -> np.ndarray:
    """Edges between the distinct war costs, so that each is a class of its own."""
    costs = sorted({w.target_war for w in worlds if w.target_war < 0})
    return np.array([(a + b) / 2 for a, b in itertools.pairwise(costs)])


def screening_game(worlds: list[World], phi: np.ndarray) -> ScreeningGame:
    """The project's aggregate of the worlds by type: (threshold, class of war cost)."""
    edges = loss_edges(worlds)
    classes = loss_class(np.array([w.target_war for w in worlds]), edges)
    keys = sorted({(w.theta, int(c)) for w, c in zip(worlds, classes, strict=True)})
    mass = np.zeros(len(keys))
    deal = np.zeros((len(keys), phi.size))
    proposer_war = np.zeros(len(keys))
    target_war = np.zeros(len(keys))
    for w, c in zip(worlds, classes, strict=True):
        k = keys.index((w.theta, int(c)))
        mass[k] += float(w.prob)
        deal[k] += float(w.prob) * np.array(w.deal)
        proposer_war[k] += float(w.prob) * w.war
        target_war[k] = w.target_war
    theta = np.array([t for t, _ in keys], dtype=np.int64)
    cls = np.array([c for _, c in keys], dtype=np.int64)
    return ScreeningGame(phi, theta, cls, target_war, mass, deal, proposer_war, edges)


def extensive_form(worlds, phi, rounds, discount, hazard, type_agents=False):
    """The game tree: chance draws the world; in each round the proposer (who sees only
    past offers) offers a grid point; the target (who knows the world) accepts, waits or
    attacks; after a wait chance starts a war with probability ``hazard``. Payoffs as in
    goldenbridge.analysis.negotiate.skimming: discounted gains over the no-deal values.

    With ``type_agents`` each world's target is a player of its own ("Target n"), Harsanyi's
    (1967-68) type-agent form: the target's payoff is the chance-weighted sum of its worlds'
    payoffs and no information set spans two worlds, so a profile is a Nash equilibrium of
    one form iff it is of the other, and the strategic form (which ``max_regret()`` goes
    through) has a product of small strategy sets instead of one huge one.

    A node is the tuple of action labels leading to it (``H.path(*node)`` selects it).
    Returns the game, the proposer's information sets (offers so far -> the first node
    put in it) and the target's nodes ((world, offers so far) -> node)."""
    targets = [f"Target {n}" for n in range(len(worlds))] if type_agents else ["Target"]
    game = gbt.ExtensiveGame(players=["Proposer", *targets], title="skimming")
    game.append_event(H.path(), {f"world {n}": w.prob for n, w in enumerate(worlds)})
    label = itertools.count()
    proposer_sets: dict[tuple[int, ...], tuple[str, ...]] = {}  # offers so far -> first node
    target_nodes = {}  # (world, offers so far) -> node of the target's move
    top = phi[-1] + 1.0  # the threshold of a world that accepts no offer: every gain negative

    def leaf(node, n: int, proposer: float, target: float) -> None:
        # a type agent gets the target's payoff in its own world and 0 in the others
        own = [target if k == n % len(targets) else 0.0 for k in range(len(targets))]
        pay = dict(zip(["Proposer", *targets], [proposer, *own], strict=True))
        game.make_outcome(H.path(*node), pay, f"o{next(label)}")

    def play(node, n: int, history: tuple[int, ...]) -> None:
        world = worlds[n]
        t = len(history)
        if t == rounds:
            leaf(node, n, 0.0, 0.0)  # the no-deal rule after the last round: gain 0 for both
            return
        if history in proposer_sets:
            game.append_infoset(H.path(*node), H.path(*proposer_sets[history]))
        else:
            game.append_move(H.path(*node), "Proposer", [f"offer {j}" for j in range(phi.size)])
            proposer_sets[history] = node
        for j in range(phi.size):
            child = (*node, f"offer {j}")
            game.append_move(
                H.path(*child), targets[n % len(targets)], ["accept", "wait", "attack"]
            )
            target_nodes[(n, history + (j,))] = child
            accept, wait, attack = ((*child, a) for a in ("accept", "wait", "attack"))
            scale = discount**t
            own = phi[world.theta] if world.theta < phi.size else top
            leaf(accept, n, scale * world.deal[j], scale * (phi[j] - own))
            leaf(attack, n, scale * world.war, scale * world.target_war)
            if hazard:
                game.append_event(H.path(*wait), {"war": hazard, "no war": 1 - hazard})
                war, calm = (*wait, "war"), (*wait, "no war")
                leaf(war, n, scale * world.war, scale * world.target_war)
                play(calm, n, history + (j,))
            else:
                play(wait, n, history + (j,))

    for n in range(len(worlds)):
        play((f"world {n}",), n, ())
    return game, proposer_sets, target_nodes


def set_action(profile, node, prob) -> None:
    """Sets the probability ``prob(label)`` of each action at ``node``'s information set."""
    at = H.path(*node)
    profile[at] = {a: prob(a) for a in profile.game.get_actions(at)}


def project_profile(game, proposer_sets, target_nodes, eq: Equilibrium, worlds, phi, rounds):
    """The project's strategies as a behaviour profile of the tree."""
    profile = game.mixed_behavior_profile(rational=False)
    for t in range(rounds):
        for history in itertools.product(range(phi.size), repeat=t):
            state = eq.states(history)[-1]
            offer = f"offer {eq.offer[t, state]}"
            set_action(profile, proposer_sets[history], lambda a, o=offer: float(a == o))
    names = {ACCEPT: "accept", WAIT: "wait", ATTACK: "attack"}
    for (n, history), node in target_nodes.items():
        w = worlds[n]
        code = int(respond(eq, history, [w.theta], [w.fight], [w.target_war])[-1, 0])
        if code == DONE:  # reached only after the world's own deviation: any action will do
            code = ACCEPT if w.theta <= history[-1] else WAIT
        set_action(profile, node, lambda a, name=names[code]: float(a == name))
    return profile


def bounded(call, timeout: float = 60.0) -> float:
    """``call()`` (a pygambit computation returning a number) in a forked child process,
    killed after ``timeout`` seconds: pygambit's C++ solvers cannot be interrupted in-process."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=lambda: send.send(float(call())))
    child.start()
    ready = receive.poll(timeout)
    result = receive.recv() if ready else None
    child.join(1.0 if ready else 0.0)
    if child.is_alive():
        child.kill()
        child.join()
    if result is None:
        pytest.fail(f"pygambit call did not finish within {timeout:g} s")
    return result


def best_response_gain(profile, player: str) -> float:
    """How much ``player`` gains by its best response to the others' behaviour: its own
    infosets are first made uniform (so every one the others let it reach is reached),
    then set to the action of highest conditional value, deepest first (backward
    induction in a one-player decision problem with perfect recall). Every value comes
    from pygambit's evaluation of the tree."""
    game = profile.game
    br = profile.copy()
    own = game.get_infosets(player)  # each information set's first member (a History)
    for member in own:
        at = H.path(*member.actions)
        actions = game.get_actions(at)
        br[at] = dict.fromkeys(actions, 1.0 / len(actions))
    reach = br.infoset_probs  # a snapshot of every infoset's, taken again when br changes
    for member in sorted(own, key=lambda h: -len(h)):  # the first member's depth
        at = H.path(*member.actions)
        if reach[at] <= 0:
            continue  # the others never let the player get here
        actions = game.get_actions(at)
        action_values = br.action_values[at]
        values = [action_values[a] for a in actions]
        best = int(np.argmax(values))
        br[at] = {a: float(k == best) for k, a in enumerate(actions)}
        reach = br.infoset_probs
    return float(br.payoffs[player] - profile.payoffs[player])


def nash_regret(profile) -> float:
    """The largest gain of any player from deviating: 0 exactly at a Nash equilibrium
    (what pygambit's ``max_regret`` measures, computed without the strategic form)."""
    return max(best_response_gain(profile, p) for p in profile.game.players)


def regret(worlds, phi, rounds, discount, hazard, type_agents=False):
    """The project's equilibrium and its strategy profile in the game tree."""
    eq = solve(screening_game(worlds, phi), rounds, discount, float(hazard))
    game, proposer_sets, target_nodes = extensive_form(
        worlds, phi, rounds, discount, hazard, type_agents
    )
    profile = project_profile(game, proposer_sets, target_nodes, eq, worlds, phi, rounds)
    return eq, profile


def linear(m: float, s: np.ndarray) -> tuple[float, ...]:
    return tuple(float(v) for v in m - s)


S3, S4, S5 = np.linspace(0, 1, 3), np.linspace(0, 1, 4), np.linspace(0, 1, 5)

# Small games in which a pure skimming equilibrium exists and the offers move over the rounds
# (found by a search over random small games; with finitely many types an equilibrium often
# needs mixing, see test_regret_is_bounded_by_the_reported_incentive_gap).
GAMES = {
    # A fighting world whose veto blocks concessions beyond offer 1 settles first; a
    # non-fighting world (where war costs the proposer .5) waits for a deeper concession.
    "veto-5x2": (
        [
            World(Fraction(2, 5), 2, False, linear(0.9, S5), war=-0.5),
            World(Fraction(3, 5), 0, True, (0.9, 0.65, 0.0, 0.0, 0.0)),
        ],
        np.sqrt(S5),
        2,
        0.8,
        Fraction(1, 5),
    ),
    # Three worlds and a pretext hazard; the hopeless fighter (threshold 4) attacks at once.
    "hazard-5x2": (
        [
            World(Fraction(1, 8), 2, True, linear(1.0, S5)),
            World(Fraction(5, 8), 0, False, linear(1.0, S5), war=-0.5),
            World(Fraction(1, 4), 4, True, linear(1.0, S5)),
        ],
        np.sqrt(S5),
        2,
        0.8,
        Fraction(1, 5),
    ),
    # Three rounds: settle the low type, stall a round, then concede to the next.
    "stall-4x3": (
        [
            World(Fraction(5, 9), 0, True, (0.8, 0.8 - 1 / 3, 0.0, 0.0)),
            World(Fraction(1, 3), 1, True, linear(0.8, S4)),
            World(Fraction(1, 9), 2, True, linear(0.8, S4)),
        ],
        S4,
        3,
        0.8,
        Fraction(1, 10),
    ),
    # A target that would not fight but fears the pretext war (target_war < 0) settles
    # before a fighting world of the same threshold.
    "war-cost-5x2": (
        [
            World(Fraction(1, 9), 1, True, linear(1.0, S5)),
            World(Fraction(4, 9), 0, False, linear(1.0, S5), war=-0.5, target_war=-0.1),
            World(Fraction(4, 9), 0, True, linear(1.0, S5)),
        ],
        S5,
        2,
        0.8,
        Fraction(1, 10),
    ),
    "war-cost-veto-5x2": (
        [
            World(Fraction(5, 9), 2, False, (0.9, 0.65, 0.4, 0.0, 0.0), -0.5, -0.6),
            World(Fraction(1, 3), 4, True, linear(0.9, S5)),
            World(Fraction(1, 9), 3, False, linear(0.9, S5), war=-0.5, target_war=-0.3),
        ],
        np.sqrt(S5),
        2,
        0.9,
        Fraction(1, 5),
    ),
    "stall-3x3": (
        [
            World(Fraction(1, 2), 1, True, linear(1.0, S3)),
            World(Fraction(1, 4), 2, False, linear(1.0, S3), war=-0.5),
            World(Fraction(1, 4), 0, True, linear(1.0, S3)),
        ],
        np.sqrt(S3),
        3,
        0.9,
        Fraction(1, 5),
    ),
}


@pytest.mark.parametrize("name", list(GAMES))
def test_project_profile_is_an_equilibrium_of_the_finite_game(name):
    worlds, phi, rounds, discount, hazard = GAMES[name]
    eq, profile = regret(worlds, phi, rounds, discount, hazard)
    assert float(eq.gap.max()) == 0.0  # the solver found a pure skimming equilibrium
    assert nash_regret(profile) < 1e-9
    # Not a trivial game: two different types settle in two different rounds.
    states = eq.states(eq.path)
    assert len(set(states.tolist())) >= 3


S2 = np.linspace(0, 1, 2)

# Two-round games small enough for pygambit's own max_regret(), which goes through the
# strategic form: two grid points, so a type agent has (2 + 3^2)^2 = 121 reduced strategies.
# In both, a world that would not fight but dreads the pretext war takes the small offer at
# once; a fighting world waits a round for the concession; in the second a hopeless fighter
# attacks at once.
MAX_REGRET_GAMES = {
    "pretext-2x2": (
        [
            World(Fraction(1, 2), 0, False, (0.5, 0.15), war=-0.5, target_war=-10.0),
            World(Fraction(1, 2), 1, True, (0.4, 0.3)),
        ],
        Fraction(1, 10),
        [[ACCEPT, WAIT], [DONE, ACCEPT]],
    ),
    "pretext-attack-3x2": (
        [
            World(Fraction(1, 3), 0, False, (0.9, 0.3), war=-0.5, target_war=-10.0),
            World(Fraction(1, 3), 1, True, (1.0, 0.5)),
            World(Fraction(1, 3), 2, True, (1.0, 0.5)),
        ],
        Fraction(1, 5),
        [[ACCEPT, WAIT, ATTACK], [DONE, ACCEPT, DONE]],
    ),
}


@pytest.mark.parametrize("name", list(MAX_REGRET_GAMES))
def test_pygambit_max_regret_of_the_project_profile_is_zero(name):
    worlds, hazard, play = MAX_REGRET_GAMES[name]
    eq, profile = regret(worlds, S2, 2, 0.9, hazard, type_agents=True)
    assert float(eq.gap.max()) == 0.0
    assert eq.path.tolist() == [0, 1]  # the offer moves: screen first, concede next round
    actions = respond(
        eq,
        tuple(eq.path),
        [w.theta for w in worlds],
        [w.fight for w in worlds],
        [w.target_war for w in worlds],
    )
    assert actions.tolist() == play
    assert bounded(profile.max_regret) < 1e-12
    # the check can fail: a proposer who concedes at once (or screens twice) regrets it
    deviant = profile.copy()
    first = H.path("world 0")  # a node of the proposer's first move (offers so far: none)
    deviant[first] = {a: 1.0 - p for a, p in profile[first]}
    gain = bounded(deviant.max_regret)
    assert gain > 0.1
    assert nash_regret(deviant) == pytest.approx(gain, abs=1e-12)


def test_regret_routine_agrees_with_pygambit_max_regret():
    # pygambit's max_regret() goes through the strategic form (3^6 target strategies here),
    # small enough only with one round and two worlds; there both must agree, at the
    # equilibrium and away from it.
    worlds = [
        World(Fraction(2, 3), 1, False, linear(1.0, S3), war=-0.4),
        World(Fraction(1, 3), 3, True, linear(1.0, S3)),
    ]
    eq, profile = regret(worlds, S3, 1, 0.9, Fraction(1, 5))
    assert nash_regret(profile) == pytest.approx(bounded(profile.max_regret), abs=1e-12)
    assert nash_regret(profile) < 1e-12
    rng = np.random.default_rng(0)
    for _ in range(3):
        noisy = profile.copy()
        game = profile.game
        for member in (h for player in game.players for h in game.get_infosets(player)):
            actions = game.get_actions(H.path(*member.actions))  # chance's events excluded
            p = rng.dirichlet(np.ones(len(actions)))
            noisy[H.path(*member.actions)] = {a: float(q) for a, q in zip(actions, p, strict=True)}
        assert nash_regret(noisy) == pytest.approx(bounded(noisy.max_regret), abs=1e-9)
        assert nash_regret(noisy) > 1e-3


def test_where_mixing_is_needed_the_gap_bounds_the_regret():
    # Two types: if the low type waits the proposer concedes next round, if it accepts now
    # the proposer would not; in equilibrium it must mix (Fudenberg, Levine & Tirole 1985).
    # The pure solver reports the incentive gap and the regret is the low type's share of it.
    worlds = [
        World(Fraction(1, 2), 0, False, linear(1.0, S4), war=-0.5),
        World(Fraction(3, 10), 2, True, linear(1.0, S4)),
        World(Fraction(1, 5), 4, True, linear(1.0, S4)),
    ]
    eq, profile = regret(worlds, S4, 2, 0.8, Fraction(1, 5))
    assert eq.path_gap > 0.05
    assert nash_regret(profile) == pytest.approx(0.5 * eq.path_gap, abs=1e-9)


@pytest.mark.parametrize("seed", range(10))
def test_random_small_games(seed):
    # Random small games: the proposer always best-responds exactly; the profile is an
    # equilibrium wherever the solver reports no incentive gap, and otherwise the target's
    # regret is at most one gap a round.
    rng = np.random.default_rng(seed)
    grid, rounds = 4, 2
    phi = np.sort(rng.random(grid))
    phi[0] = 0.0
    weights = rng.integers(1, 5, size=3)
    worlds = []
    for wt in weights:
        fight = bool(rng.random() < 0.7)
        worlds.append(
            World(
                Fraction(int(wt), int(weights.sum())),
                int(rng.integers(0, grid + 1)),
                fight,
                tuple(float(v) for v in np.sort(rng.random(grid))[::-1] - 0.3),
                war=0.0 if fight else float(-rng.random() * 0.3),
            )
        )
    discount, hazard = float(rng.uniform(0.6, 1.0)), Fraction(int(rng.integers(0, 3)), 10)
    eq, profile = regret(worlds, phi, rounds, discount, hazard)
    assert best_response_gain(profile, "Proposer") < 1e-9
    assert nash_regret(profile) <= rounds * float(eq.gap.max()) + 1e-9


# ---------------------------------------------------------------------------------------
# The talks game with strategic time (goldenbridge.analysis.negotiate.timegame): small
# finite versions with each mechanism switched on -- the hazard, mobilisation, the drift
# of p_win, the accumulating pretext, discounting -- built as pygambit trees in which the
# project's profile must have zero regret (docs/design.md section 6).

TARGET_ACTIONS = {ACCEPT: "accept", ATTACK: "attack", STAND: "stand", WAIT: "wait"}


def proposer_move(tree, node, history: tuple, offers: int, seen: dict) -> None:
    """The proposer offers one of ``offers`` at ``node``, in the information set of the
    public ``history`` (created at its first node, joined at the others; ``seen`` maps
    each history to that first node)."""
    if history in seen:
        tree.append_infoset(H.path(*node), H.path(*seen[history]))
    else:
        tree.append_move(H.path(*node), "Proposer", [f"offer {j}" for j in range(offers)])
        seen[history] = node


def time_tree(game: TimeGame, eq: TimeEquilibrium):
    """The extensive form of the talks game: chance draws the type (probability ``mass /
    sum``); in round t the proposer (who sees the offers so far) offers j; type k's agent
    (Harsanyi's type-agent form) accepts (where j offers something), attacks, stands down
    or waits (not in the last round); a wait costs ``mobilisation`` and war breaks out
    with probability ``hazard`` (chance), else the next round. Payoffs, written out from
    the game's definition (timegame's module docstring), not from the solver: round t is
    discounted by ``discount^t``; an exit or a hazard war is worth ``F = war + t drift +
    pretext S + pretext_now[j]`` to the target (``S``: the earlier offers' unsaved shares
    on the solver's levels), standing down ``stand``, accepting ``accept[k, j]``; the
    proposer gets the type's mean (``deal / mass``, ``(war_p + t drift_p) / mass``,
    ``stand_p / mass``).

    A node is the tuple of action labels leading to it. Returns the tree, the proposer's
    information sets (offers so far -> the first node put in it) and the types' nodes."""
    k_types, g = game.types, game.grid
    total = int(round(float(game.mass.sum())))
    targets = [f"Target {k}" for k in range(k_types)]
    tree = gbt.ExtensiveGame(players=["Proposer", *targets], title="talks")
    tree.append_event(
        H.path(), {f"type {k}": Fraction(int(m), total) for k, m in enumerate(game.mass)}
    )
    hazard = Fraction(eq.hazard).limit_denominator(1000)
    label = itertools.count()
    seen: dict[tuple[int, ...], tuple[str, ...]] = {}
    nodes = {}  # (type, offers so far) -> node of the type's move

    def leaf(node, k: int, proposer: float, target: float) -> None:
        pay = [proposer, *(target if i == k else 0.0 for i in range(k_types))]
        payoffs = dict(zip(["Proposer", *targets], pay, strict=True))
        tree.make_outcome(H.path(*node), payoffs, f"o{next(label)}")

    def rounds_from(node, k: int, history: tuple[int, ...], paid: float) -> None:
        t = len(history)
        last = t == eq.rounds - 1
        proposer_move(tree, node, history, g, seen)
        level = sum(int(eq.inc[j]) for j in history)
        s = level / eq.levels if eq.levels > 0 else 0.0
        scale = eq.discount**t
        m = float(game.mass[k])
        for j in range(g):
            child = (*node, f"offer {j}")
            actions = ["accept"] if np.isfinite(game.accept[k, j]) else []
            actions += ["attack", "stand"] + ([] if last else ["wait"])
            tree.append_move(H.path(*child), targets[k], actions)
            nodes[(k, history + (j,))] = child
            f = game.war[k] + t * game.drift[k] + game.pretext[k] * s + game.pretext_now[k, j]
            war_p = (game.war_p[k] + t * game.drift_p[k]) / m
            out = {a: (*child, a) for a in actions}
            if "accept" in out:
                deal = scale * game.deal[k, j] / m
                leaf(out["accept"], k, deal, paid + scale * game.accept[k, j])
            leaf(out["attack"], k, scale * war_p, paid + scale * f)
            leaf(out["stand"], k, scale * game.stand_p[k] / m, paid + scale * game.stand[k])
            if "wait" in out:
                after = paid - scale * game.mobilisation[k]
                calm = out["wait"]
                if hazard:
                    tree.append_event(H.path(*calm), {"war": hazard, "no war": 1 - hazard})
                    war, calm = (*calm, "war"), (*calm, "no war")
                    leaf(war, k, scale * war_p, after + scale * f)
                rounds_from(calm, k, history + (j,), after)

    for k in range(k_types):
        rounds_from((f"type {k}",), k, (), 0.0)
    return tree, seen, nodes


def time_profile(tree, seen, nodes, game: TimeGame, eq: TimeEquilibrium):
    """The project's strategies in the tree: the proposer follows the skimming states
    (cutoff and pretext level after each offer), each type plays what
    :func:`~goldenbridge.analysis.negotiate.timegame.play` says it does after those offers
    (where play says the type is already gone the node is reached only by its own
    deviation: any action will do)."""
    profile = tree.mixed_behavior_profile(rational=False)
    g, top = game.grid, eq.offer.shape[2] - 1
    for t in range(eq.rounds):
        for history in itertools.product(range(g), repeat=t):
            c = lv = 0
            for r, j in enumerate(history):
                c, lv = int(eq.cutoff[r, c, lv, j]), min(lv + int(eq.inc[j]), top)
            chance = dict(eq.support(t, c, lv))  # the proposer may mix (fictitious.py)
            set_action(profile, seen[history], lambda a, p=chance: p.get(int(a.split()[1]), 0.0))
    for (k, history), node in nodes.items():
        code = int(time_play(game, eq, list(history)).action[-1, k])
        name = TARGET_ACTIONS.get(code, "stand")
        set_action(profile, node, lambda a, name=name: float(a == name))
    return profile


def random_time_game(rng, on: set[str], types: int = 3, grid: int = 3) -> tuple:
    """A small talks game with only the mechanisms in ``on`` switched on: types ordered by
    threshold, some of which would fight and some stand down; offer 0 offers nothing.
    Returns the game and (rounds, discount, hazard, levels per unit)."""
    s = np.linspace(0, 1, grid)
    theta = np.sort(rng.uniform(0.05, 1.1, types))
    mass = rng.integers(1, 5, types).astype(float)
    stand = -rng.uniform(0.05, 0.3, types)
    war = stand + rng.uniform(-0.3, 0.2, types)
    unsaved = np.clip(1 - s / 0.6, 0, 1)
    pretext = rng.uniform(0.05, 0.25, types) if "pretext" in on else np.zeros(types)
    game = TimeGame(
        accept=np.where(s[None, :] > 0, s[None, :] - theta[:, None], -np.inf),
        pretext_now=pretext[:, None] * unsaved[None, :],
        unsaved=unsaved,
        war=war,
        drift=rng.uniform(-0.15, 0.15, types) if "drift" in on else np.zeros(types),
        pretext=pretext,
        mobilisation=rng.uniform(0, 0.1, types) if "mobilisation" in on else np.zeros(types),
        stand=stand,
        mass=mass,
        deal=mass[:, None] * (1 - s)[None, :] - 0.2 * mass[:, None],
        war_p=-mass * rng.uniform(0.2, 0.8, types),
        drift_p=mass * rng.uniform(-0.05, 0.05, types) if "drift" in on else np.zeros(types),
        stand_p=mass * rng.uniform(0, 0.1, types),
        deal_mass=np.repeat(mass[:, None], grid, axis=1),
        block_war=np.zeros((types, grid)),
    )
    discount = float(rng.uniform(0.5, 0.95)) if "discount" in on else 1.0
    hazard = float(Fraction(int(rng.integers(1, 4)), 10)) if "hazard" in on else 0.0
    return game, (2, discount, hazard, 4 if "pretext" in on else 0)


def all_histories(game, rounds):
    for t in range(1, rounds + 1):
        yield from itertools.product(range(game.grid), repeat=t)


def skimming_is_exact(game, eq) -> bool:
    """No incentive gap and no type leaving above the cutoff after any offers."""
    for history in all_histories(game, eq.rounds):
        result = time_play(game, eq, list(history))
        if result.gap > 0 or result.misjudged > 0:
            return False
    return True


def flagged(game, eq) -> bool:
    """The solver flags the game as possibly inexact after some offers: an incentive gap,
    or a type leaving the talks above the cutoff (the skimming belief still counts it)."""
    for history in all_histories(game, eq.rounds):
        result = time_play(game, eq, list(history))
        if result.gap > 0 or result.misjudged > 0:
            return True
    return False


def exact_games(on: set[str], seed: int, wanted: int, types: int = 3, grid: int = 3):
    """The first ``wanted`` random games (fixed seed) that the solver does not flag, whose
    equilibrium is not trivial (the offer moves or some type waits), and in which switching
    the mechanisms off (the discount to 1) changes the proposer's value in some state."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(400):
        game, (rounds, delta, hazard, q) = random_time_game(rng, on, types, grid)
        eq = time_solve(game, rounds, delta, hazard, q)
        played = time_play(game, eq)
        moves = len(set(eq.path.tolist())) > 1 or bool((played.action == WAIT).any())
        off = switch_off(game, {"hazard", "mobilisation", "drift", "pretext"} & on)[0]
        plain = time_solve(
            off, rounds, 1.0 if on == {"discount"} else delta, 0.0 if "hazard" in on else hazard, 0
        )
        matters = not np.allclose(plain.value[:, :, 0], eq.value[:, :, 0], atol=1e-6)
        if moves and matters and not flagged(game, eq):
            found.append((game, eq))
            if len(found) == wanted:
                break
    assert len(found) == wanted, f"only {len(found)} exact games with {sorted(on)}"
    return found


# Each mechanism on its own with discounting (without it, a type that expects nothing ties
# between leaving now and waiting, and leaves above the cutoff: docs/dynamics.md, choice 6).
MECHANISM_SETS = {
    "discount": {"discount"},
    "hazard": {"discount", "hazard"},
    "mobilisation": {"discount", "mobilisation"},
    "drift": {"discount", "drift"},
    "pretext": {"discount", "pretext"},
    "all": {"hazard", "mobilisation", "drift", "pretext", "discount"},
}


@pytest.mark.parametrize("name", list(MECHANISM_SETS))
def test_time_game_profile_has_zero_regret_in_pygambit(name):
    """Three types, three offers, two rounds: the project's profile is a Nash equilibrium
    of the tree (every player's best response, computed from pygambit's evaluation of the
    tree, gains nothing), and the tree's value for the proposer is the solver's."""
    for game, eq in exact_games(MECHANISM_SETS[name], seed=7, wanted=2):
        tree, seen, nodes = time_tree(game, eq)
        profile = time_profile(tree, seen, nodes, game, eq)
        assert nash_regret(profile) < 1e-9
        proposer = "Proposer"
        assert float(profile.payoffs[proposer]) == pytest.approx(
            eq.value[0, 0, 0] / game.mass.sum(), abs=1e-9
        )
        # the check can fail: a proposer who opens with a worse offer regrets it
        losses = []
        for i in range(game.grid):
            deviant = profile.copy()
            set_action(deviant, seen[()], lambda a, o=f"offer {i}": float(a == o))
            loss = float(profile.payoffs[proposer] - deviant.payoffs[proposer])
            assert loss > -1e-9  # no opening beats the equilibrium's
            if loss > 1e-6:
                losses.append(loss)
                assert best_response_gain(deviant, proposer) >= loss - 1e-9
        assert losses


@pytest.mark.parametrize("name", list(MECHANISM_SETS))
def test_time_game_pygambit_max_regret_is_zero(name):
    """Two types, two offers (nothing, a concession), two rounds: small enough for
    pygambit's own ``max_regret()`` (through the strategic form)."""
    ((game, eq),) = exact_games(MECHANISM_SETS[name], seed=3, wanted=1, types=2, grid=2)
    tree, seen, nodes = time_tree(game, eq)
    profile = time_profile(tree, seen, nodes, game, eq)
    assert bounded(profile.max_regret) < 1e-9
    assert nash_regret(profile) < 1e-9


@pytest.mark.parametrize("on", [{"hazard"}, {"mobilisation"}, set(MECHANISM_SETS["all"])])
def test_time_game_regret_only_where_the_solver_flags_it(on):
    """Random small games (no discount for the first two: many ties): wherever the
    project's profile has a positive regret in the tree, the solver flagged the game (an
    incentive gap, or a type leaving above the cutoff after some offers); games it flags
    can still be exact (the flag is conservative)."""
    rng = np.random.default_rng(11)
    regrets = {True: [], False: []}
    for _ in range(25):
        game, (rounds, delta, hazard, q) = random_time_game(rng, on)
        eq = time_solve(game, rounds, delta, hazard, q)
        tree, seen, nodes = time_tree(game, eq)
        regrets[flagged(game, eq)].append(nash_regret(time_profile(tree, seen, nodes, game, eq)))
    assert max(regrets[False], default=0.0) < 1e-9
    assert regrets[True]
    if "pretext" in on:  # where it is flagged, leaving above the cutoff can cost the proposer
        assert max(regrets[True]) > 1e-3


def one_shot_gains(tree, profile) -> float:
    """The largest gain pygambit evaluates in the tree when the proposer changes its
    offer at one information set the profile reaches."""
    proposer = "Proposer"
    base = float(profile.payoffs[proposer])
    best = 0.0
    reach = profile.infoset_probs
    for member in tree.get_infosets(proposer):  # each information set's first member
        if reach[H.path(*member.actions)] <= 0:
            continue
        for chosen in tree.get_actions(H.path(*member.actions)):
            deviant = profile.copy()
            set_action(deviant, member.actions, lambda a, c=chosen: float(a == c))
            best = max(best, float(deviant.payoffs[proposer]) - base)
    return best


@pytest.mark.parametrize("on", [{"discount", "drift"}, set(MECHANISM_SETS["all"])])
def test_proposer_regret_is_the_best_one_shot_deviation_in_the_tree(on):
    """``regret()`` (regret.py: Bayes' posterior in each state the path reaches, every type
    best-replying) equals the largest gain pygambit evaluates in the game tree when the
    proposer changes its offer at one information set of the path, for the skimming
    strategy and for the mixed strategy fictitious play finds from it; the latter's
    value is the tree's, no type gains by deviating from it, and both regrets are at
    most the proposer's best-response gain in the tree (deviations at several
    information sets). Positive in some of these games."""
    rng = np.random.default_rng(5)
    positive = 0
    for _ in range(10):
        game, (rounds, delta, hazard, q) = random_time_game(rng, on)
        skimming = time_solve(game, rounds, delta, hazard, q)
        mixed = fictitious_play(game, skimming, steps=30)
        assert mixed.start_regret == proposer_regret(game, skimming)
        for eq in (skimming, mixed.equilibrium):
            tree, seen, nodes = time_tree(game, eq)
            profile = time_profile(tree, seen, nodes, game, eq)
            proposer = "Proposer"
            ours = proposer_regret(game, eq)
            assert ours == pytest.approx(one_shot_gains(tree, profile), abs=1e-9)
            assert best_response_gain(profile, proposer) >= ours - 1e-9
            assert float(profile.payoffs[proposer]) == pytest.approx(
                time_play(game, eq).proposer_gain, abs=1e-9
            )
            for player in tree.players:
                if player != proposer:
                    assert best_response_gain(profile, player) < 1e-9
            positive += ours > 1e-6
        assert mixed.regret == pytest.approx(proposer_regret(game, mixed.equilibrium), abs=1e-15)
    assert positive
