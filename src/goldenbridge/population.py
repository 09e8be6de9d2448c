"""Scenario -> sampled worlds (docs/design.md section 5): arrays and weights, nothing else.

Every uncertain quantity is drawn by its inverse CDF from its own random stream,
derived from the seed and the quantity's field path (``actors.Russia.war_value``,
``conflict.cost.B``, ...) with :class:`numpy.random.SeedSequence`. Adding an
issue or an actor leaves the other draws unchanged, and raising the sample size
keeps the first worlds. Callers may supply the uniforms of any path themselves
(sensitivity designs do).
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from goldenbridge.engine import utilities_at
from goldenbridge.engine.arrays import ActorArrays, Offers, Worlds
from goldenbridge.scenario.budget import DEFAULT_BUDGET, check_budget
from goldenbridge.scenario.checks import inner_sample
from goldenbridge.scenario.distributions import Quantity
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import Actor, OfferValue, Scenario

__all__ = ["Population", "WarParts", "first_worlds", "sample", "stream", "encode_offers"]


def stream(seed: int, path: str) -> np.random.Generator:
    """The random stream of one field path: independent of every other path.

    Examples
    --------
    >>> a = stream(0, "conflict.p_win").random(3)
    >>> b = stream(0, "conflict.p_win").random(5)
    >>> bool((a == b[:3]).all())
    True
    """
    key = int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "little")
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))


@dataclass
class _Draws:
    """Draws each uncertain quantity once per path and remembers it."""

    n: int
    seed: int
    uniforms: Mapping[str, np.ndarray]
    values: dict[str, np.ndarray] = field(default_factory=dict)
    quantities: dict[str, Quantity] = field(default_factory=dict)
    used: dict[str, np.ndarray] = field(default_factory=dict)

    def uniform(self, path: str) -> np.ndarray:
        if path in self.used:
            return self.used[path]
        if path in self.uniforms:
            u = np.asarray(self.uniforms[path], dtype=np.float64)
            if u.shape != (self.n,):
                raise ValueError(f"uniforms for {path} must have shape ({self.n},)")
        else:
            u = stream(self.seed, path).random(self.n)
        self.used[path] = u
        return u

    def __call__(self, q: Quantity | None, path: str, default: float = 0.0) -> np.ndarray:
        if q is None:
            return np.full(self.n, default)
        if q.is_fixed:
            return np.full(self.n, q.support()[0])
        if path not in self.values:
            self.values[path] = q.ppf(self.uniform(path))
            self.quantities[path] = q
        return self.values[path]


@dataclass(frozen=True)
class WarParts:
    """What each world's war values are made of (docs/design.md section 4), kept so that
    one actor's fields can be paired with another world's (:mod:`goldenbridge.information`).

    Attributes (N worlds, A actors, J threats)
    ----------
    win_x, lose_x : (N, Kc) float64
        The outcome of a war the target wins / loses (normalised continuous issues).
    win_option, lose_option : (N, Kd) int64
        The same on the discrete issues.
    base_cost : (N, A) float64
        ``conflict.cost`` of each actor.
    direct : (N, A) float64
        A war value given directly (NaN where the conflict model computes it).
    credibility, effect_cost, cost_to_threatener : (N, J) float64
        Each threat's credibility, its cost effect on its target (0 without one) and its
        cost to the threatener.
    """

    win_x: np.ndarray
    win_option: np.ndarray
    lose_x: np.ndarray
    lose_option: np.ndarray
    base_cost: np.ndarray
    direct: np.ndarray
    credibility: np.ndarray
    effect_cost: np.ndarray
    cost_to_threatener: np.ndarray


@dataclass(frozen=True)
class Population:
    """N sampled worlds of a scenario, with what analyses need to read them.

    Attributes
    ----------
    scenario : Scenario
    worlds : Worlds
        The engine's arrays (actors in scenario order).
    seed : int
    continuous, discrete : tuple of str
        Issue names in the engine's column order.
    type_index : dict
        Actor name -> (N,) index of its type in each world (actors with types).
    inputs : dict
        Field path -> (N,) draws of every uncertain quantity.
    quantities : dict
        Field path -> the :class:`Quantity` it was drawn from.
    war_value, status_quo_u : (N, A) float64
        Each actor's war value and status-quo utility per world.
    capability : (N, A) float64
    p_win : (N,) float64
        The target's probability of winning, averaged over threat combinations.
    backing_down, pretext, face : (N,) float64
        The face-and-pretext parameters of docs/design.md section 4c (0, 0, 1 when unset).
    war_parts : WarParts
        The parts each war value is made of.
    uniforms : dict
        Field path -> (N,) uniforms every drawn quantity (and type) came from: what
        pairs one actor's fields with another world's (:mod:`goldenbridge.information`).
    exact : bool
        The worlds are every combination of the scenario's values, weighted by their
        probabilities (:func:`goldenbridge.enumeration.enumerate_worlds`), not a sample:
        estimates over them are exact.
    """

    scenario: Scenario
    worlds: Worlds
    seed: int
    continuous: tuple[str, ...]
    discrete: tuple[str, ...]
    type_index: dict[str, np.ndarray]
    inputs: dict[str, np.ndarray]
    quantities: dict[str, Quantity]
    war_value: np.ndarray
    status_quo_u: np.ndarray
    capability: np.ndarray
    p_win: np.ndarray
    backing_down: np.ndarray
    pretext: np.ndarray
    face: np.ndarray
    war_parts: WarParts = field(repr=False, compare=False)
    uniforms: dict[str, np.ndarray] = field(repr=False, compare=False)
    exact: bool = False

    @property
    def n(self) -> int:
        """Number of worlds."""
        return self.worlds.n

    @property
    def actor_names(self) -> tuple[str, ...]:
        """Actor names in the engine's order."""
        return tuple(a.name for a in self.scenario.actors)

    @property
    def typed_actors(self) -> tuple[str, ...]:
        """Actors with types, in the order that defines the group index."""
        return tuple(a.name for a in self.scenario.actors if a.types)

    def group_types(self, group: int) -> dict[str, str]:
        """The type of each typed actor in stratum ``group``."""
        out: dict[str, str] = {}
        for name in reversed(self.typed_actors):
            types = self.scenario.actor(name).type_names
            group, index = divmod(group, len(types))
            out[name] = types[index]
        return dict(reversed(out.items()))

    def encode(self, offers: Sequence[Mapping[str, OfferValue]], path: str = "offers") -> Offers:
        """Offers as the engine's arrays (left-out issues at the status quo)."""
        return encode_offers(self.scenario, offers, path)

    def reweighted(self, weights: np.ndarray) -> Population:
        """The same worlds with new weights (Bayesian updating)."""
        return replace(self, worlds=self.worlds.with_weights(weights))


def encode_offers(
    scenario: Scenario, offers: Sequence[Mapping[str, OfferValue]], path: str = "offers"
) -> Offers:
    """Turn offers (issue -> value or option) into normalised engine arrays.

    Raises
    ------
    ScenarioError
        For an unknown issue or a value off the scale.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> encode_offers(load("fearon-1d"), [{"share": 0.25}, {}]).x.tolist()
    [[0.25], [1.0]]
    """
    continuous = [i for i in scenario.issues if not i.discrete]
    discrete = [i for i in scenario.issues if i.discrete]
    names = {i.name for i in scenario.issues}
    x = np.zeros((len(offers), len(continuous)))
    option = np.zeros((len(offers), len(discrete)), dtype=np.int64)
    for m, offer in enumerate(offers):
        for issue_name in offer:
            if issue_name not in names:
                raise ScenarioError(f"{path}.{issue_name}", "unknown issue")
        full = scenario.complete(dict(offer))
        for c, issue in enumerate(continuous):
            value = full[issue.name]
            if isinstance(value, str) or not issue.min <= float(value) <= issue.max:
                raise ScenarioError(
                    f"{path}.{issue.name}",
                    f"{value!r} is outside the scale [{issue.min:g}, {issue.max:g}]",
                )
            x[m, c] = (float(value) - issue.min) / (issue.max - issue.min)
        for d, issue in enumerate(discrete):
            value = full[issue.name]
            if value not in (issue.options or []):
                raise ScenarioError(f"{path}.{issue.name}", f"{value!r} is not an option")
            option[m, d] = (issue.options or []).index(str(value))
    return Offers(x, option)


@dataclass
class _Preferences:
    """One actor's preference arrays before the no-deal value is known."""

    weight: np.ndarray  # (N, K) over all issues in scenario order
    ideal: np.ndarray  # (N, Kc) normalised
    favourite: np.ndarray  # (N, Kd) argmax option
    has_position: np.ndarray  # (N, K) bool
    table: np.ndarray  # (N, Kd, O)
    rho: np.ndarray  # (N,)
    capability: np.ndarray  # (N,)
    war_value: np.ndarray | None  # (N,) or None when computed from the conflict


def _preferences(
    scenario: Scenario, actor: Actor, bases: Mapping[str, str], draw: _Draws, n: int
) -> _Preferences:
    """Sample one (resolved) actor's preferences; ``bases`` is each field's path prefix."""
    issues = scenario.issues
    continuous = [i for i in issues if not i.discrete]
    discrete = [i for i in issues if i.discrete]
    n_options = max((len(i.options or []) for i in discrete), default=0)
    cares = np.array([i.name in actor.position or i.name in actor.values for i in issues])
    raw = np.zeros((n, len(issues)))
    for k, issue in enumerate(issues):
        if actor.salience is None:
            raw[:, k] = float(cares[k])
        elif issue.name in actor.salience:
            raw[:, k] = draw(actor.salience[issue.name], f"{bases['salience']}.{issue.name}")
    total = raw.sum(axis=1, keepdims=True)
    equal = np.broadcast_to(cares / max(cares.sum(), 1), raw.shape)
    weight = np.where(total > 0, raw / np.where(total > 0, total, 1.0), equal)
    ideal = np.zeros((n, len(continuous)))
    for c, issue in enumerate(continuous):
        if issue.name in actor.position:
            point = draw(actor.position[issue.name], f"{bases['position']}.{issue.name}")
            ideal[:, c] = np.clip((point - issue.min) / (issue.max - issue.min), 0.0, 1.0)
    table = np.zeros((n, len(discrete), n_options))
    favourite = np.zeros((n, len(discrete)), dtype=np.int64)
    for d, issue in enumerate(discrete):
        evaluations = actor.values.get(issue.name)
        if not evaluations:
            continue
        e = np.zeros((n, n_options))
        for o, option in enumerate(issue.options or []):
            if option in evaluations:
                e[:, o] = draw(evaluations[option], f"{bases['values']}.{issue.name}.{option}")
        best = e.max(axis=1, keepdims=True)
        k = [i.name for i in issues].index(issue.name)
        table[:, d, :] = weight[:, k, None] * np.where(best > 0, e / np.where(best > 0, best, 1), 0)
        favourite[:, d] = e.argmax(axis=1)
    return _Preferences(
        weight=weight,
        ideal=ideal,
        favourite=favourite,
        has_position=np.broadcast_to(cares, (n, len(issues))).copy(),
        table=table,
        rho=draw(actor.rho, bases["rho"]).copy(),
        capability=draw(actor.capability, bases["capability"]).copy(),
        war_value=None
        if actor.war_value is None
        else draw(actor.war_value, bases["war_value"]).copy(),
    )


def _actor_preferences(
    scenario: Scenario, actor: Actor, type_index: np.ndarray | None, draw: _Draws, n: int
) -> _Preferences:
    """Preferences of an actor, each world's from that world's type."""
    root = f"actors.{actor.name}"
    fields = ("position", "values", "salience", "rho", "capability", "war_value")
    if not actor.types or type_index is None:
        return _preferences(scenario, actor, {f: f"{root}.{f}" for f in fields}, draw, n)
    merged: _Preferences | None = None
    for t, (type_name, spec) in enumerate(actor.types.items()):
        bases = {
            f: f"{root}.types.{type_name}.{f}" if getattr(spec, f) is not None else f"{root}.{f}"
            for f in fields
        }
        prefs = _preferences(scenario, actor.resolved(type_name), bases, draw, n)
        mask = type_index == t
        if merged is None:
            merged = prefs
            if merged.war_value is None:
                merged.war_value = np.full(n, np.nan)
            continue
        for name in ("weight", "ideal", "favourite", "has_position", "table", "rho", "capability"):
            target = getattr(merged, name)
            target[mask] = getattr(prefs, name)[mask]
        assert merged.war_value is not None  # set to NaNs above when the first type has none
        if prefs.war_value is not None:
            merged.war_value[mask] = prefs.war_value[mask]
        else:
            merged.war_value[mask] = np.nan
    assert merged is not None
    if merged.war_value is not None and np.isnan(merged.war_value).all():
        merged.war_value = None
    return merged


def _expected_p_win(p: np.ndarray, shifts: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """E[clip(p + sum of carried-out shifts, 0, 1)] over the 2^J threat combinations.

    ``shifts`` holds (credibility, p_win effect) per threat with a p_win effect;
    threats are carried out independently (docs/design.md section 4).
    """
    expected = np.zeros_like(p)
    for carried in itertools.product((False, True), repeat=len(shifts)):
        prob = np.ones_like(p)
        shifted = p.copy()
        for on, (credibility, effect) in zip(carried, shifts, strict=True):
            prob = prob * (credibility if on else 1.0 - credibility)
            if on:
                shifted = shifted + effect
        expected += prob * np.clip(shifted, 0.0, 1.0)
    return expected


def _outcome(
    scenario: Scenario,
    spec: Mapping[str, Quantity | str] | None,
    path: str,
    target: _Preferences | None,
    draw: _Draws,
    n: int,
) -> tuple[np.ndarray, np.ndarray]:
    """An outcome per world: the status quo, overridden by ``spec`` or the target's ideal."""
    base = encode_offers(scenario, [{}], path)
    x = np.repeat(base.x, n, axis=0)
    option = np.repeat(base.option, n, axis=0)
    continuous = [i for i in scenario.issues if not i.discrete]
    discrete = [i for i in scenario.issues if i.discrete]
    for c, issue in enumerate(continuous):
        value = (spec or {}).get(issue.name)
        if isinstance(value, Quantity):
            point = draw(value, f"{path}.{issue.name}")
            x[:, c] = (point - issue.min) / (issue.max - issue.min)
    for d, issue in enumerate(discrete):
        value = (spec or {}).get(issue.name)
        if isinstance(value, str):
            option[:, d] = (issue.options or []).index(value)
    if target is not None:  # the target's position where it has one
        cont = [k for k, i in enumerate(scenario.issues) if not i.discrete]
        disc = [k for k, i in enumerate(scenario.issues) if i.discrete]
        for c, k in enumerate(cont):
            x[:, c] = np.where(target.has_position[:, k], target.ideal[:, c], x[:, c])
        for d, k in enumerate(disc):
            option[:, d] = np.where(target.has_position[:, k], target.favourite[:, d], option[:, d])
    return x, option


def _assert_finite(
    inputs: Mapping[str, np.ndarray],
    arrays: Sequence[ActorArrays],
    war_value: np.ndarray,
    status_quo_u: np.ndarray,
    p_win: np.ndarray,
) -> None:
    """Every sampled number is finite, or the field that produced one is named.

    Validation bounds every parameter so that this holds; a NaN here would be read
    by every later comparison as "no" (a target that should fight standing down).
    """
    for path, values in inputs.items():
        if not np.isfinite(values).all():
            raise ScenarioError(path, "its distribution produced a value that is not finite")
    for name, values in (
        ("war values", war_value),
        ("status-quo utilities", status_quo_u),
        ("conflict.p_win", p_win),
    ):
        if not np.isfinite(values).all():
            raise ScenarioError("", f"the {name} of some worlds are not finite")
    for actor in arrays:
        for values in (actor.weight, actor.ideal, actor.rho, actor.table, actor.reservation):
            if not np.isfinite(values).all():
                raise ScenarioError("actors", "some sampled preferences are not finite")


def sample(
    scenario: Scenario,
    samples: int | None = None,
    seed: int | None = None,
    uniforms: Mapping[str, np.ndarray] | None = None,
    budget: int | None = DEFAULT_BUDGET,
) -> Population:
    """Draw N worlds of a scenario.

    Parameters
    ----------
    scenario : Scenario
    samples, seed : int, optional
        Default to the scenario's own ``samples`` and ``seed``.
    uniforms : mapping, optional
        Field path -> (N,) uniforms to use instead of that path's random stream
        (``actors.X.type`` for an actor's type).
    budget : int, optional
        Refuse, before any work, a run costing more work units than this
        (:func:`goldenbridge.scenario.budget.check_budget`); ``None``: no limit.

    Returns
    -------
    Population

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=4, seed=1)
    >>> pop.n, sorted(pop.inputs)
    (4, ['conflict.cost.B'])
    """
    n = scenario.samples if samples is None else int(samples)
    seed = scenario.seed if seed is None else int(seed)
    if n < 1:
        raise ScenarioError("samples", "must be >= 1")
    if budget is not None:
        check_budget(scenario, n, budget, inner=inner_sample(scenario))
    draw = _Draws(n, seed, uniforms or {})
    names = [a.name for a in scenario.actors]
    target_i = names.index(scenario.target.name)

    type_index: dict[str, np.ndarray] = {}
    group = np.zeros(n, dtype=np.int64)
    n_groups = 1
    for actor in scenario.actors:
        if actor.types:
            priors = np.cumsum([t.p for t in actor.types.values()])
            priors[-1] = np.inf
            index = np.searchsorted(priors, draw.uniform(f"actors.{actor.name}.type"), side="right")
            type_index[actor.name] = index.astype(np.int64)
            group = group * len(actor.types) + index
            n_groups *= len(actor.types)

    prefs = [
        _actor_preferences(scenario, a, type_index.get(a.name), draw, n) for a in scenario.actors
    ]
    arrays = []
    for pref in prefs:
        kc = pref.ideal.shape[1]
        cont = [k for k, i in enumerate(scenario.issues) if not i.discrete]
        weight = pref.weight[:, cont] if kc else np.zeros((n, 0))
        arrays.append(ActorArrays(weight, pref.ideal, pref.rho, pref.table, np.zeros(n)))

    conflict = scenario.conflict
    sq_x, sq_opt = _outcome(scenario, None, "issues", None, draw, n)
    lose = _outcome(scenario, conflict.lose, "conflict.lose", None, draw, n)
    win_default = None if conflict.win else prefs[target_i]
    win = _outcome(scenario, conflict.win, "conflict.win", win_default, draw, n)
    p = np.clip(draw(conflict.p_win, "conflict.p_win"), 0.0, 1.0)
    base_cost = np.stack(
        [draw(conflict.cost.get(name), f"conflict.cost.{name}") for name in names], axis=1
    )
    threat_cost = np.zeros((n, len(names)))  # expected over the threats carried out
    shifts = []
    n_threats = len(scenario.threats)
    credibilities, effect_costs, to_threatener = (np.zeros((n, n_threats)) for _ in range(3))
    for t, threat in enumerate(scenario.threats):
        path = f"threats.{threat.name}"
        credibility = draw(threat.credibility, f"{path}.credibility")
        credibilities[:, t] = credibility
        if threat.effect.cost is not None:
            effect_costs[:, t] = draw(threat.effect.cost, f"{path}.effect.cost")
            threat_cost[:, names.index(threat.against)] += credibility * effect_costs[:, t]
        to_threatener[:, t] = draw(threat.cost_to_threatener, f"{path}.cost_to_threatener")
        threat_cost[:, names.index(threat.by)] += credibility * to_threatener[:, t]
        if threat.effect.p_win is not None:
            shifts.append((credibility, draw(threat.effect.p_win, f"{path}.effect.p_win")))
    p_win = _expected_p_win(p, shifts) if shifts else p
    backing_down = draw(conflict.backing_down, "conflict.backing_down").copy()
    pretext = draw(conflict.pretext, "conflict.pretext").copy()
    face = draw(conflict.face, "conflict.face", 1.0).copy()
    # time in talks (docs/design.md section 6): drawn here so that they are world inputs
    draw(conflict.mobilisation, "conflict.mobilisation")
    draw(conflict.p_win_drift, "conflict.p_win_drift")

    war_value = np.empty((n, len(names)))
    status_quo_u = np.empty((n, len(names)))
    direct = np.full((n, len(names)), np.nan)
    for i, (pref, arr) in enumerate(zip(prefs, arrays, strict=True)):
        status_quo_u[:, i] = utilities_at(arr, sq_x, sq_opt)
        # Fearon (1995): w_i = p u_i(win) + (1 - p) u_i(lose) - c_i; linear in the
        # threat costs, so their expectation enters directly.
        fought = p_win * utilities_at(arr, *win) + (1 - p_win) * utilities_at(arr, *lose)
        fought = fought - base_cost[:, i]
        if pref.war_value is not None:  # a direct war value replaces the conflict model
            fought = np.where(np.isnan(pref.war_value), fought, pref.war_value)
            direct[:, i] = pref.war_value
        war_value[:, i] = fought - threat_cost[:, i]
    # Nothing offered saves no face (docs/design.md 4c): the target fights iff
    # w_T + pretext > u_T(sq) - backing_down; with both 0 this is w_T > u_T(sq).
    fight = war_value[:, target_i] + pretext > status_quo_u[:, target_i] - backing_down
    reservation = np.where(fight[:, None], war_value, status_quo_u)
    arrays = [replace(a, reservation=reservation[:, i].copy()) for i, a in enumerate(arrays)]

    worlds = Worlds(
        actors=tuple(arrays),
        proposer=names.index(scenario.proposer.name),
        deciders=tuple(i for i, a in enumerate(scenario.actors) if a.role in ("target", "veto")),
        fight=fight,
        weights=np.ones(n),
        group=group,
        n_groups=n_groups,
    )
    _assert_finite(draw.values, arrays, war_value, status_quo_u, p_win)
    return Population(
        scenario=scenario,
        worlds=worlds,
        seed=seed,
        continuous=tuple(i.name for i in scenario.issues if not i.discrete),
        discrete=tuple(i.name for i in scenario.issues if i.discrete),
        type_index=type_index,
        inputs=dict(draw.values),
        quantities=dict(draw.quantities),
        war_value=war_value,
        status_quo_u=status_quo_u,
        capability=np.stack([p.capability for p in prefs], axis=1),
        p_win=p_win,
        backing_down=backing_down,
        pretext=pretext,
        face=face,
        war_parts=WarParts(
            win_x=win[0],
            win_option=win[1],
            lose_x=lose[0],
            lose_option=lose[1],
            base_cost=base_cost,
            direct=direct,
            credibility=credibilities,
            effect_cost=effect_costs,
            cost_to_threatener=to_threatener,
        ),
        uniforms=dict(draw.used),
    )


def first_worlds(population: Population, n: int | None) -> Population:
    """A population of the first ``n`` worlds of ``population``'s draw (its scenario and
    seed drawn again, each field's stream the same), for an analysis that needs fewer
    worlds; ``population`` itself where ``n`` is None or not smaller, or where its worlds
    are weighted (a posterior: drawing again would lose the weights).

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=10, seed=1)
    >>> few = first_worlds(pop, 4)
    >>> few.n, bool((few.p_win == pop.p_win[:4]).all()), first_worlds(pop, None) is pop
    (4, True, True)
    """
    if n is None or population.n <= n or not np.all(population.worlds.weights == 1.0):
        return population
    return sample(population.scenario, n, population.seed)
