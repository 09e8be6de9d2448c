"""Exact decisions on an enumerated population (docs/design.md 4a-4c, 4b's test oracle).

On every combination of an all-discrete scenario's values
(:func:`goldenbridge.enumeration.enumerate_worlds`) a veto actor's expectation given what
it knows is a finite sum: world ``n``'s own fields paired with the rest of *every* world
``n'``, weighted by ``n'``'s probability. :func:`decide_exact` computes that sum for every
world, offer and veto actor (and stakeholder) -- no inner sample, no refinement, no error
bound -- through the population layer's own pairing (:func:`goldenbridge.information.
inner_sample`) and the approval kernel (:func:`goldenbridge.engine.choice.approval`), and
then the target's choice and the three outcomes of 4a as
:func:`goldenbridge.analysis.outcomes.decide` defines them.
"""

from __future__ import annotations

import numpy as np

from goldenbridge.analysis.outcomes import Decisions, offers_nothing, outcomes_of
from goldenbridge.engine import Offers, utilities
from goldenbridge.engine.choice import approval, target_choice
from goldenbridge.information import inner_sample, is_informed, knows, moves_target
from goldenbridge.population import Population

__all__ = ["PAIRS_PER_CHUNK", "exact_gain", "decide_exact"]

#: World pairs redrawn at once (memory: a few hundred bytes each).
PAIRS_PER_CHUNK = 400_000


def exact_gain(population: Population, actor: str, offers: Offers) -> np.ndarray:
    """(N, M): ``actor``'s expected gain from offering each offer rather than nothing,
    given its own fields (docs/design.md 4b), paired with every world of the population.

    Exact when the population is the whole distribution (an enumeration); on a sample it
    is the expectation over the sampled worlds. The gain depends on world ``n`` only
    through what the actor knows, so it is computed once per distinct combination of its
    known fields (an enumeration has few: the actor's own values).
    """
    known = [
        u
        for path, u in population.uniforms.items()
        if knows(
            population.scenario,
            actor,
            path,
            path in population.quantities and population.quantities[path].known_to == "all",
        )
    ]
    if known:
        _, first, inverse = np.unique(
            np.stack(known, axis=1), axis=0, return_index=True, return_inverse=True
        )
    else:
        first, inverse = np.zeros(1, dtype=np.int64), np.zeros(population.n, dtype=np.int64)
    return _gain(population, actor, offers, first)[inverse.reshape(-1)]


def _gain(population: Population, actor: str, offers: Offers, outer: np.ndarray) -> np.ndarray:
    """(R, M): :func:`exact_gain` for the worlds ``outer``."""
    n = population.n
    names = population.actor_names
    t, j = names.index(population.scenario.target.name), names.index(actor)
    offered = ~offers_nothing(population, offers)
    u_target = utilities(population.worlds.actors[t], offers)
    u_own = utilities(population.worlds.actors[j], offers)
    gain = np.empty((outer.size, offers.m))
    step = max(1, PAIRS_PER_CHUNK // n)
    for r0 in range(0, outer.size, step):
        chunk = np.arange(r0, min(outer.size, r0 + step))
        rows = outer[chunk]
        partner = np.broadcast_to(np.arange(n), (rows.size, n))
        pairs = inner_sample(population, actor, rows, partner)
        if pairs.target_pairs is None:
            u_t, row_of_target = u_target, pairs.partner
        else:  # the target's own preferences differ from the partner's: the pairs' own
            u_t = utilities(pairs.target_pairs.worlds.actors[t], offers)
            row_of_target = np.arange(u_t.shape[0]).reshape(pairs.partner.shape)
        keys = ("weight", "target_war", "target_sq", "backing_down", "pretext", "face")
        arrays = {k: getattr(pairs, k) for k in (*keys, "own_war", "own_sq")}
        gain[chunk], _ = approval(u_t, row_of_target, arrays, u_own[rows], offered)
    return gain


def decide_exact(population: Population, offers: Offers) -> Decisions:
    """Each world's decisions and outcome, every approval exact (docs/design.md 4a-4c).

    The same definitions as :func:`goldenbridge.analysis.outcomes.decide`, with each
    veto's (and stakeholder's) approval the sign of :func:`exact_gain` (ties approve) in
    every world, not only where it decides the outcome; ``inner_error`` is 0.
    """
    scenario = population.scenario
    worlds = population.worlds
    names = population.actor_names
    t = names.index(scenario.target.name)
    offered = ~offers_nothing(population, offers)
    u = [utilities(a, offers) for a in worlds.actors]
    accept, war_rejected = target_choice(
        u[t],
        population.status_quo_u[:, t, None],
        population.war_value[:, t, None],
        population.backing_down[:, None],
        population.pretext[:, None],
        population.face[:, None],
    )
    approve: dict[int, np.ndarray] = {}
    sincere = []
    for i, actor in enumerate(scenario.actors):
        if actor.role not in ("veto", "stakeholder"):
            continue
        if is_informed(scenario, actor.name):  # the per-world rule (4b, ``informed``)
            approve[i] = u[i] >= worlds.actors[i].reservation[:, None]
        else:
            approve[i] = exact_gain(population, actor.name, offers) >= 0.0
            if actor.role == "veto" and moves_target(population, actor.name):
                sincere.append(actor.name)
    inner_error = np.zeros(offers.m)
    return outcomes_of(population, u, offered, accept, war_rejected, approve, inner_error, sincere)
