"""Who knows what (docs/design.md section 4b): an actor's own fields, and paired worlds.

The sampled worlds are the *analyst's* uncertainty. A veto actor (and a stakeholder, for
reporting) knows its own fields -- its ``actors`` entry, its ``conflict.cost``, the
``credibility`` and ``cost_to_threatener`` of the threats it carries out -- and every
quantity marked ``known_to: all``; everything else it knows only through the scenario's
distributions (the common prior, or after ``update`` the posterior population).

Its expectation given what it knows is therefore an average over worlds that share its
fields and draw the rest elsewhere. :func:`inner_sample` builds those *paired worlds*:
for world ``n`` and each of ``S`` partner worlds ``n'``, every uniform of a field the
actor knows comes from ``n`` and every other from ``n'``; the population layer's own
:func:`~goldenbridge.population.sample` then recomputes war values, the target's
choice and the actor's no-offer value in the pair, so nothing is special-cased. Partners
are fixed per actor and level (common random numbers across offers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from goldenbridge.engine import utilities_at
from goldenbridge.engine.arrays import ActorArrays
from goldenbridge.population import Population, sample
from goldenbridge.scenario.schema import Scenario

__all__ = [
    "knows",
    "is_informed",
    "moves_target",
    "InnerSample",
    "inner_sample",
    "pair_parts",
]


def knows(scenario: Scenario, actor: str, path: str, shared: bool) -> bool:
    """Whether ``actor`` knows the field at ``path`` (docs/design.md section 4b).

    ``shared`` says that the quantity is marked ``known_to: all``.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> s = load("russia-2021")
    >>> knows(s, "Ukraine", "actors.Ukraine.rho", False)
    True
    >>> knows(s, "Ukraine", "conflict.p_win", False), knows(s, "Ukraine", "conflict.p_win", True)
    (False, True)
    >>> knows(s, "Germany and France", "threats.eu_sanctions.credibility", False)
    True
    >>> knows(s, "Germany and France", "threats.eu_sanctions.effect.cost", False)
    False
    """
    if shared or path.startswith(f"actors.{actor}.") or path == f"conflict.cost.{actor}":
        return True
    for threat in scenario.threats:
        if threat.by == actor and path in (
            f"threats.{threat.name}.credibility",
            f"threats.{threat.name}.cost_to_threatener",
        ):
            return True
    return False


def is_informed(scenario: Scenario, actor: str) -> bool:
    """True when ``actor`` sees the whole world (``information: informed`` or its own
    ``informed: true``): the per-world rule of the model before docs/design.md 4b."""
    return scenario.information == "informed" or scenario.actor(actor).informed


def _known_paths(population: Population, actor: str) -> list[str]:
    quantities = population.quantities
    return [
        path
        for path in population.uniforms
        if knows(
            population.scenario,
            actor,
            path,
            path in quantities and quantities[path].known_to == "all",
        )
    ]


def moves_target(population: Population, actor: str) -> bool:
    """Whether a field ``actor`` knows (and that varies) changes the target's choice.

    Then sincere approval is an assumption, not the pivotal best reply (docs/design.md
    section 4b), and the output says so. A threat of the actor against the target with an
    uncertain credibility is the usual case.
    """
    scenario = population.scenario
    target = scenario.target.name
    for path in _known_paths(population, actor):
        if path.startswith(f"actors.{actor}."):
            continue
        if path.startswith("threats."):
            name = path.split(".")[1]
            threat = next(t for t in scenario.threats if t.name == name)
            if threat.against == target and path.endswith(".credibility"):
                return True
        elif not path.startswith("conflict.cost.") or path == f"conflict.cost.{target}":
            return True  # a shared quantity the target's choice reads
    return False


@dataclass(frozen=True)
class InnerSample:
    """Paired worlds for one actor: its fields from world ``n``, the rest from partners.

    Attributes (N outer worlds, S partners each)
    ----------
    partner : (N, S) int64
        The partner world of each pair.
    weight : (N, S) float64
        The partner's population weight (the posterior after ``update``).
    target_war, target_sq : (N, S) float64
        The target's war value and status-quo utility in the pair.
    backing_down, pretext, face : (N, S) float64
        The face-and-pretext parameters in the pair (docs/design.md 4c).
    own_war, own_sq : (N, S) float64
        The actor's war value and status-quo utility in the pair.
    target_pairs : Population or None
        The paired population itself when the target's own preferences differ from the
        partner's (a ``known_to: all`` field of the target's); otherwise ``None`` and the
        target's utility of an offer is read from the partner world.
    """

    partner: np.ndarray
    weight: np.ndarray
    target_war: np.ndarray
    target_sq: np.ndarray
    backing_down: np.ndarray
    pretext: np.ndarray
    face: np.ndarray
    own_war: np.ndarray
    own_sq: np.ndarray
    target_pairs: Population | None

    @property
    def s(self) -> int:
        """Partners per world."""
        return int(self.partner.shape[1])


def inner_sample(
    population: Population, actor: str, rows: np.ndarray, partner: np.ndarray
) -> InnerSample:
    """The paired worlds of ``actor`` for outer worlds ``rows`` and their partners.

    Parameters
    ----------
    population : Population
    actor : str
        The veto actor (or stakeholder) whose information defines the pairing.
    rows : (R,) int
        Outer worlds.
    partner : (R, S) int
        Partner worlds of each row.

    Returns
    -------
    InnerSample
        With arrays of shape (R, S), by redrawing the paired worlds with the population
        layer's own :func:`~goldenbridge.population.sample`: general (shared quantities,
        threats that move ``p_win``) and slow; the common case pairs on the fly in
        :func:`~goldenbridge.engine.choice.gain_from_parts` from :func:`pair_parts`, and
        the tests check the two agree.
    """
    r, s = partner.shape
    outer = np.repeat(np.asarray(rows, dtype=np.int64), s)
    inner = partner.reshape(-1)
    known = set(_known_paths(population, actor))
    uniforms = {
        path: (u[outer] if path in known else u[inner]) for path, u in population.uniforms.items()
    }
    pairs = sample(population.scenario, r * s, population.seed, uniforms=uniforms)
    names = population.actor_names
    t, j = names.index(population.scenario.target.name), names.index(actor)
    target = population.scenario.target.name
    target_moves = any(p.startswith(f"actors.{target}.") for p in known)

    def shaped(a: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(a.reshape(r, s))

    return InnerSample(
        partner=np.ascontiguousarray(partner, dtype=np.int64),
        weight=shaped(population.worlds.weights[inner]),
        target_war=shaped(pairs.war_value[:, t]),
        target_sq=shaped(pairs.status_quo_u[:, t]),
        backing_down=shaped(pairs.backing_down),
        pretext=shaped(pairs.pretext),
        face=shaped(pairs.face),
        own_war=shaped(pairs.war_value[:, j]),
        own_sq=shaped(pairs.status_quo_u[:, j]),
        target_pairs=pairs if target_moves else None,
    )


def pair_parts(population: Population, actor: str) -> dict | None:
    """What :func:`~goldenbridge.engine.choice.gain_from_parts` needs to pair ``actor``'s
    fields with other worlds on the fly, or ``None`` where the pairs must be redrawn
    (shared quantities, a threat of the actor's that moves ``p_win``)."""
    if not _pairs_by_parts(population, actor):
        return None
    scenario = population.scenario
    names = population.actor_names
    t, j = names.index(scenario.target.name), names.index(actor)
    parts = population.war_parts
    n = population.n
    own_threat = np.zeros(n)
    against = np.zeros(n)
    moving = []
    for k, threat in enumerate(scenario.threats):
        if threat.by == actor:
            own_threat += parts.credibility[:, k] * parts.cost_to_threatener[:, k]
            if threat.against == scenario.target.name:
                moving.append(k)
        if threat.against == actor:
            against += parts.credibility[:, k] * parts.effect_cost[:, k]
    arrays = population.worlds.actors[j]

    def fixed_u(x: np.ndarray, option: np.ndarray) -> tuple[bool, np.ndarray, np.ndarray]:
        """Whether the outcome is the same in every world; u_j at the first world's
        outcome; u_j at a reference outcome (the mean point, the first world's options)."""
        same = bool((x == x[:1]).all() and (option == option[:1]).all())
        first = np.repeat(option[:1], n, 0)
        u = utilities_at(arrays, np.repeat(x[:1], n, 0), first)
        if same:  # the reference is the outcome itself
            return same, u, u
        ref = utilities_at(arrays, np.repeat(x.mean(axis=0, keepdims=True), n, 0), first)
        return same, u, ref

    def varying(x: np.ndarray, option: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The continuous columns whose outcome varies (all when a discrete one does),
        and j's utility from the others, which are the same in every world."""
        kc = x.shape[1]
        if not (option == option[:1]).all():
            return np.arange(kc), np.zeros(n)
        cols = np.flatnonzero(~(x == x[:1]).all(axis=0))
        keep = np.setdiff1d(np.arange(kc), cols)
        fixed = ActorArrays(
            arrays.weight[:, keep],
            arrays.ideal[:, keep],
            arrays.rho,
            arrays.table,
            arrays.reservation,
        )
        return cols, utilities_at(fixed, np.repeat(x[:1, keep], n, 0), np.repeat(option[:1], n, 0))

    win_fixed, u_win, u_win_ref = fixed_u(parts.win_x, parts.win_option)
    lose_fixed, u_lose, u_lose_ref = fixed_u(parts.lose_x, parts.lose_option)
    # an outcome the same in every world varies on no column, and j's utility of the
    # others is its utility of that outcome (the same sum, issue by issue, as fixed_u's)
    none = np.zeros(0, dtype=np.int64)
    win_cols, win_base = (none, u_win) if win_fixed else varying(parts.win_x, parts.win_option)
    lose_cols, lose_base = (
        (none, u_lose) if lose_fixed else varying(parts.lose_x, parts.lose_option)
    )
    win_table = bool(not (parts.win_option == parts.win_option[:1]).all())
    lose_table = bool(not (parts.lose_option == parts.lose_option[:1]).all())
    return {
        "weight": arrays.weight,
        "ideal": arrays.ideal,
        "rho": arrays.rho,
        "table": arrays.table,
        "own_sq": population.status_quo_u[:, j],
        "base_cost": parts.base_cost[:, j],
        "own_threat": own_threat,
        "direct": parts.direct[:, j],
        "cred_own": parts.credibility[:, moving],
        "cred_partner": parts.credibility[:, moving],
        "effect": parts.effect_cost[:, moving],
        "target_war": population.war_value[:, t],
        "target_sq": population.status_quo_u[:, t],
        "backing_down": population.backing_down,
        "pretext": population.pretext,
        "face": population.face,
        "p_win": population.p_win,
        "against": against,
        "world_w": population.worlds.weights,
        "win_x": parts.win_x,
        "win_opt": parts.win_option,
        "lose_x": parts.lose_x,
        "lose_opt": parts.lose_option,
        "win_fixed": win_fixed,
        "lose_fixed": lose_fixed,
        "u_win": u_win,
        "u_lose": u_lose,
        "u_win_ref": u_win_ref,
        "u_lose_ref": u_lose_ref,
        "moving": bool(moving),
        "win_cols": win_cols.astype(np.int64),
        "win_base": win_base,
        "lose_cols": lose_cols.astype(np.int64),
        "lose_base": lose_base,
        "win_table": win_table,
        "lose_table": lose_table,
    }


def _pairs_by_parts(population: Population, actor: str) -> bool:
    scenario = population.scenario
    shared = any(q.known_to == "all" for q in population.quantities.values())
    moves_p = any(t.by == actor and t.effect.p_win is not None for t in scenario.threats)
    return not shared and not moves_p
