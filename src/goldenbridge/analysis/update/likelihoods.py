"""Likelihoods from the model: ``log P(observation | world)`` for every world.

Static (docs/design.md section 4): actor ``i`` accepts offer ``x`` with probability
``sigmoid((u_i(x) - r_i) / noise)``, a logit choice rule (McKelvey & Palfrey
1995) in utility units that is the model's hard rule ``u_i(x) >= r_i`` when
``noise = 0``; the target attacks (prefers war) with probability
``sigmoid((w_T - u_T(status quo)) / noise)``. With noise > 0 no response to an
offer is impossible in any world.

Dynamic (docs/design.md section 6): for ``talks`` observations, the target's
accept / wait / attack / stand-down strategy in the equilibrium of
:mod:`goldenbridge.analysis.negotiate.dynamics` (face, pretext, mobilisation and drift
included), solved once on the prior population (the common beliefs when the talks began),
with the hazard for each round waited, mixed with a uniformly random target (each of the
four actions equally likely) with probability ``tremble`` (an epsilon-contaminated
likelihood) so that no history is impossible.

:class:`ModelLikelihood` dispatches on the observation's kind; any function with
the signature of :data:`LikelihoodModel` can replace it in ``update``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from goldenbridge.analysis.negotiate.building import assign
from goldenbridge.analysis.negotiate.dynamics import Negotiation, negotiate, world_responses
from goldenbridge.analysis.negotiate.talks_path import talks_path
from goldenbridge.analysis.negotiate.timegame import ACCEPT, ATTACK, STAND, WAIT
from goldenbridge.engine import Offers, margins, utilities
from goldenbridge.population import Population
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.observations import (
    Accepted,
    AllyVote,
    NoAttack,
    Observation,
    Rejected,
    Signal,
    Talks,
)

__all__ = [
    "READINGS",
    "reads_dynamic",
    "ally_vote_log_likelihood",
    "LikelihoodModel",
    "ModelLikelihood",
    "static_log_likelihood",
    "talks_positions",
    "world_quantity",
]

#: ``(observation, population, noise) -> (N,) log P(observation | world)``.
LikelihoodModel = Callable[[Observation, Population, float], np.ndarray]


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _log_choice(margin: np.ndarray, noise: float, strict: bool = False) -> np.ndarray:
    """log P(margin says yes): logit with ``noise``, else the hard rule (ties say yes
    unless ``strict``)."""
    if noise > 0:
        return _log_sigmoid(margin / noise)
    yes = margin > 0 if strict else margin >= 0
    return np.where(yes, 0.0, -np.inf)


def _log_fight(population: Population, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """log P(target attacks rather than keep the status quo), log P(it does not)."""
    t = population.actor_names.index(population.scenario.target.name)
    war_margin = population.war_value[:, t] - population.status_quo_u[:, t]
    # docs/design.md section 4: the target fights iff w_T > u_T(status quo) (strict).
    return _log_choice(war_margin, noise, strict=True), _log_choice(-war_margin, noise)


def world_quantity(population: Population, path: str) -> np.ndarray:
    """A per-world quantity by name: a sampled input's field path, or a derived one.

    Derived: ``war_value.<actor>``, ``status_quo_u.<actor>``,
    ``war_margin.<actor>`` (war value minus status-quo utility),
    ``capability.<actor>`` and ``p_win`` (the target's, over threat combinations).

    Examples
    --------
    >>> from goldenbridge.population import sample
    >>> from goldenbridge.scenario import load
    >>> pop = sample(load("fearon-1d"), samples=3, seed=0)
    >>> bool((world_quantity(pop, "war_margin.B") == 0.5 - pop.inputs["conflict.cost.B"]).all())
    True
    """
    if path in population.inputs:
        return population.inputs[path]
    if path == "p_win":
        return population.p_win
    kind, _, actor = path.partition(".")
    derived = {
        "war_value": population.war_value,
        "status_quo_u": population.status_quo_u,
        "capability": population.capability,
        "war_margin": population.war_value - population.status_quo_u,
    }
    if kind in derived and actor in population.actor_names:
        return derived[kind][:, population.actor_names.index(actor)]
    known = ", ".join(sorted(population.inputs)[:6])
    raise KeyError(
        f"{path!r} is not an uncertain input (e.g. {known or 'none'}) nor war_value.<actor>, "
        "status_quo_u.<actor>, war_margin.<actor>, capability.<actor>, p_win"
    )


def _observed_offer(obs, scenario) -> dict:
    """The values of the offer an observation names (``offer``) or gives (``values``)."""
    if obs.offer is None:
        return dict(obs.values or {})
    if obs.offer not in scenario.offers:
        known = ", ".join(scenario.offers) or "none"
        raise ScenarioError("offer", f"no such offer (named offers: {known})")
    return dict(scenario.offers[obs.offer])


def _response_margin(obs: Rejected | Accepted, population: Population) -> np.ndarray:
    """Per-world ``u_i(x) - r_i`` of the responding actor for the observed offer."""
    scenario = population.scenario
    names = population.actor_names
    by = obs.by if obs.by is not None else scenario.target.name
    if by not in names:
        raise ScenarioError("by", f"no such actor (actors: {', '.join(names)})")
    if scenario.actor(by).role == "proposer":
        raise ScenarioError("by", f"{by} is the proposer; it makes offers")
    encoded = population.encode([_observed_offer(obs, scenario)], "values")
    return margins(population.worlds, encoded)[:, 0, names.index(by)]


def _signal(obs: Signal, population: Population, noise: float) -> np.ndarray:
    if obs.by_type is not None:
        actor = obs.actor if obs.actor is not None else population.scenario.target.name
        if actor not in population.type_index:
            raise ScenarioError("actor", f"{actor} has no types")
        types = population.scenario.actor(actor).type_names
        for name in obs.by_type:
            if name not in types:
                raise ScenarioError(f"by_type.{name}", f"{actor} has no such type")
        missing = [t for t in types if t not in obs.by_type]
        if missing:
            raise ScenarioError("by_type", f"missing P(signal) for {', '.join(missing)}")
        table = np.array([obs.by_type[t] for t in types])
        with np.errstate(divide="ignore"):
            return np.log(table[population.type_index[actor]])
    if obs.logistic is not None:
        spec = obs.logistic
        try:
            x = world_quantity(population, spec.input)
        except KeyError as exc:
            raise ScenarioError("logistic.input", str(exc.args[0])) from None
        p = spec.low + (spec.high - spec.low) / (1.0 + np.exp(-(x - spec.midpoint) / spec.scale))
        with np.errstate(divide="ignore"):
            return np.log(p)
    fight, peace = _log_fight(population, noise)
    assert obs.if_war is not None and obs.if_peace is not None
    with np.errstate(divide="ignore"):
        return np.logaddexp(fight + np.log(obs.if_war), peace + np.log(obs.if_peace))


def static_log_likelihood(obs: Observation, population: Population, noise: float) -> np.ndarray:
    """``log P(observation | world)`` per world under the static model.

    Offers: ``P(accept) = sigmoid(margin / noise)`` (the hard rule when noise is
    0); a rejection ``with attack`` also needs the target to prefer war,
    ``without`` to prefer the status quo. No attack for ``t`` rounds:
    ``P(fight) (1 - h)^t + (1 - P(fight)) (1 - h_peace)^t``. Signals: as given.

    Raises
    ------
    ScenarioError
        With the path of the offending field inside the observation.
    """
    if isinstance(obs, Accepted):
        return _log_choice(_response_margin(obs, population), noise)
    if isinstance(obs, Rejected):
        log_reject = _log_choice(-_response_margin(obs, population), noise, strict=True)
        if obs.attack is None:
            return log_reject
        fight, peace = _log_fight(population, noise)
        return log_reject + (fight if obs.attack else peace)
    if isinstance(obs, Signal):
        return _signal(obs, population, noise)
    assert isinstance(obs, NoAttack)
    fight, peace = _log_fight(population, noise)
    with np.errstate(divide="ignore"):
        return np.logaddexp(
            fight + obs.rounds * np.log1p(-obs.hazard),
            peace + obs.rounds * np.log1p(-obs.hazard_if_peace),
        )


@dataclass(frozen=True)
class _Game:
    """A talks game solved on the prior: its grid of offers and its equilibrium."""

    negotiation: Negotiation
    grid_offers: Offers


def talks_positions(obs: Talks, population: Population) -> tuple[np.ndarray, Offers]:
    """Each round's offer as a position ``s`` in [0, 1] on the talks path, and the grid.

    A named offer or values must lie on the path (within 1e-9 in normalised units)
    unless ``project`` is set; then the nearest point of the path is used.

    Raises
    ------
    ScenarioError
        For an unknown offer or one off the path (naming its position and distance).
    """
    start, end, grid_offers = talks_path(population, obs.path_from, obs.path_to, obs.grid)
    if obs.positions is not None:
        return np.asarray(obs.positions, dtype=np.float64), grid_offers
    scenario = population.scenario
    ends = population.encode([start, end], "path")
    direction = ends.x[1] - ends.x[0]
    length = float(direction @ direction)
    positions = []
    for r, offer in enumerate(obs.offers or []):
        where = f"offers.{r}"
        if isinstance(offer, str):
            if offer not in scenario.offers:
                known = ", ".join(scenario.offers) or "none"
                raise ScenarioError(where, f"no such offer (named offers: {known})")
            values = dict(scenario.offers[offer])
        else:
            values = dict(offer)
        x = population.encode([values], where)
        if (x.option != ends.option[0]).any():
            raise ScenarioError(where, "its options differ from the talks path's")
        s = float(np.clip((x.x[0] - ends.x[0]) @ direction / length, 0, 1)) if length else 0.0
        distance = float(np.linalg.norm(x.x[0] - (ends.x[0] + s * direction)))
        if distance > 1e-9 and not obs.project:
            raise ScenarioError(
                where,
                f"not on the talks path (nearest point s = {s:.3f}, distance {distance:.3f} "
                "in normalised units); set project: true to use that point",
            )
        positions.append(s)
    return np.asarray(positions), grid_offers


#: How a rejection is read: by its context (``talks`` -> dynamic), or always one way.
READINGS = ("context", "static", "dynamic")


def reads_dynamic(obs: Observation, reading: str = "context") -> bool:
    """Whether ``obs`` is read with the dynamic model under ``reading``: talks always;
    a rejection when its context is talks (``context``) or when forced (``dynamic``)."""
    if isinstance(obs, Talks):
        return True
    if not isinstance(obs, Rejected):
        return False
    return reading == "dynamic" or (reading == "context" and obs.context == "talks")


def ally_vote_log_likelihood(obs: AllyVote, population: Population) -> np.ndarray:
    """``log P(the ally's vote | world)``: the approval rule of docs/design.md 4b (its own
    information by default, :func:`goldenbridge.analysis.outcomes.decide`), mixed with a
    vote at random (each way 1/2) with probability ``tremble``."""
    from goldenbridge.analysis.outcomes import decide

    scenario = population.scenario
    names = population.actor_names
    if obs.by not in names or scenario.actor(obs.by).role not in ("veto", "stakeholder"):
        allies = ", ".join(a.name for a in scenario.actors if a.role in ("veto", "stakeholder"))
        raise ScenarioError("by", f"not a veto actor or stakeholder (they are: {allies})")
    offers = population.encode([_observed_offer(obs, scenario)], "values")
    approve = decide(population, offers).approve[names.index(obs.by)][:, 0]
    agrees = approve if obs.kind == "approved" else ~approve
    with np.errstate(divide="ignore"):
        return np.log((1 - obs.tremble) * agrees + obs.tremble / 2)


class ModelLikelihood:
    """The model's likelihoods; talks games are solved once, on ``prior``.

    Parameters
    ----------
    prior : Population
        The population before any observation: the beliefs the talks began with.
    reading : str
        How rejections are read: ``context`` (default: a rejection during talks with the
        dynamic model, any other with the static one), ``static`` or ``dynamic``.
    progress : callable, optional
        ``progress(stage, done, total)``, told the stages of each talks game solved
        (:func:`~goldenbridge.analysis.negotiate.dynamics.negotiate`'s, labelled with
        ``label``).
    label : str
        What the stages are prefixed with (e.g. which reading solves the game).
    """

    def __init__(
        self,
        prior: Population,
        reading: str = "context",
        progress: Callable[[str, int, int], None] | None = None,
        label: str = "the talks game",
    ) -> None:
        if reading not in READINGS:
            raise ScenarioError("reading", f"must be one of {', '.join(READINGS)}")
        self.prior = prior
        self.reading = reading
        self._games: dict[str, _Game] = {}
        self._progress = progress
        self._label = label

    def _report(self, stage: str, done: int, total: int) -> None:
        if self._progress is not None:
            self._progress(f"{self._label}: {stage}", done, total)

    def __call__(self, obs: Observation, population: Population, noise: float) -> np.ndarray:
        if isinstance(obs, Talks):
            return self.talks(obs, population)
        if isinstance(obs, Rejected) and reads_dynamic(obs, self.reading):
            return self.rejected_in_talks(obs, population)
        if isinstance(obs, AllyVote):
            return ally_vote_log_likelihood(obs, population)
        return static_log_likelihood(obs, population, noise)

    def rejected_in_talks(self, obs: Rejected, population: Population) -> np.ndarray:
        """A rejection in the first round of the scenario's talks (the offer projected on the
        talks path): the target did not accept it; with ``attack``, it attacked (or the
        hazard struck), without, it waited or stood down."""
        offer: str | dict = obs.offer if obs.offer is not None else dict(obs.values or {})
        talks = Talks(kind="talks", offers=[offer], project=True)
        game = self.game(talks)
        ends = {"path_from": game.negotiation.path_from, "path_to": game.negotiation.path_to}
        positions, _ = talks_positions(talks.model_copy(update=ends), self.prior)
        offers = np.rint(positions * (talks.grid - 1)).astype(np.int64)
        same_worlds = population.worlds.actors is self.prior.worlds.actors
        types = (
            game.negotiation.built.type_of
            if same_worlds
            else assign(game.negotiation.built, population, game.grid_offers)
        )
        first = world_responses(game.negotiation, offers, types).action[0]
        h = game.negotiation.hazard
        if obs.attack is None:
            p = (first != ACCEPT).astype(np.float64)
        elif obs.attack:
            p = (first == ATTACK) + h * (first == WAIT)
        else:
            p = (first == WAIT) * (1 - h) + (first == STAND)
        with np.errstate(divide="ignore"):
            return np.log(p)

    def game(self, obs: Talks) -> _Game:
        """The solved game of a talks observation (cached by the game's settings)."""
        horizon = obs.horizon
        if horizon is None and self.prior.scenario.talks is None:
            horizon = obs.rounds
        settings = {"hazard", "discount", "path_from", "path_to", "grid"}
        key = f"{horizon}:{obs.model_dump_json(include=settings)}"
        if key not in self._games:
            negotiation = negotiate(
                self.prior,
                horizon,
                path_from=obs.path_from,
                path_to=obs.path_to,
                discount=obs.discount,
                hazard=obs.hazard,
                grid=obs.grid,
                decompose=False,
                progress=self._report if self._progress is not None else None,
            )
            _, _, grid_offers = talks_path(
                self.prior, negotiation.path_from, negotiation.path_to, obs.grid
            )
            self._games[key] = _Game(negotiation, grid_offers)
        game = self._games[key]
        if obs.rounds > game.negotiation.rounds:
            raise ScenarioError(
                "offers", f"{obs.rounds} rounds observed, the talks have {game.negotiation.rounds}"
            )
        return game

    def talks(self, obs: Talks, population: Population) -> np.ndarray:
        """``log P(history | world)`` under the skimming equilibrium, with the hazard."""
        game = self.game(obs)
        ends = {"path_from": game.negotiation.path_from, "path_to": game.negotiation.path_to}
        positions, _ = talks_positions(obs.model_copy(update=ends), self.prior)
        offers = np.rint(positions * (obs.grid - 1)).astype(np.int64)
        same_worlds = population.worlds.actors is self.prior.worlds.actors
        types = (
            game.negotiation.built.type_of
            if same_worlds
            else assign(game.negotiation.built, population, game.grid_offers)
        )
        fight = population.worlds.fight
        action = world_responses(game.negotiation, offers, types).action
        rounds, h = obs.rounds, game.negotiation.hazard
        waited = (action[:-1] == WAIT).all(axis=0)
        last = action[-1]
        if obs.outcome == "waiting":
            model = waited * (last == WAIT) * (1 - h) ** rounds
            uniform = (1 / 4) ** rounds * (1 - h) ** rounds
        elif obs.outcome == "accepted":
            model = waited * (last == ACCEPT) * (1 - h) ** (rounds - 1)
            uniform = (1 / 4) ** rounds * (1 - h) ** (rounds - 1)
        else:
            vetoes_ok = np.ones(population.n, dtype=bool)
            final = game.grid_offers.subset(offers[-1:])
            names = population.actor_names
            for a in population.scenario.vetoes:
                veto = population.worlds.actors[names.index(a.name)]
                vetoes_ok &= utilities(veto, final)[:, 0] >= veto.reservation
            war_now = (last == ATTACK) + (last == WAIT) * h + (last == ACCEPT) * ~vetoes_ok * fight
            model = waited * war_now * (1 - h) ** (rounds - 1)
            uniform = (1 / 4) ** rounds * (1 + h) * (1 - h) ** (rounds - 1)
        with np.errstate(divide="ignore"):
            return np.log((1 - obs.tremble) * model + obs.tremble * uniform)
