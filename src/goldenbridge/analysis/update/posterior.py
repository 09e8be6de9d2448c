"""Bayesian updating over sampled worlds (docs/design.md section 6, "updating").

The population's worlds are draws from the prior; an observation with
likelihood ``L_n = P(observation | world n)`` turns them into importance
weights ``w_n' = w_n L_n`` (self-normalised importance sampling; e.g. Owen 2013,
*Monte Carlo theory, methods and examples*, ch. 9). Every analysis reads the
weights, so ``evaluate`` on :attr:`Posterior.population` answers on the
posterior.

Likelihoods come from the model (:mod:`goldenbridge.analysis.update.likelihoods`):
static acceptance with optional logit noise, or the dynamic game's accept /
wait / attack strategies for ``talks`` observations; any function with the
signature of :data:`~goldenbridge.analysis.update.likelihoods.LikelihoodModel` can
replace them.

Degeneracy. Kish's effective sample size ``(sum w)^2 / sum w^2`` (Kish 1965)
measures how many equally weighted worlds the posterior is worth; below
``min_ess_fraction`` of N a :class:`DegeneracyWarning` is raised. Optional
remedies: systematic resampling (Kitagawa 1996) to N equally weighted worlds,
then ``rejuvenate`` Metropolis-Hastings moves (resample-move, Gilks & Berzuini
2001): each world's uniforms (the inputs of every quantity's inverse CDF) take a
reflected Gaussian random-walk step; the prior is uniform on the unit cube in
those coordinates, so a step is accepted with probability ``min(1, L'/L)`` and
the posterior is left invariant.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from goldenbridge.analysis.results import json_meta, to_dict
from goldenbridge.analysis.update.likelihoods import (
    LikelihoodModel,
    ModelLikelihood,
    reads_dynamic,
    world_quantity,
)
from goldenbridge.population import Population, sample, stream
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.observations import (
    Observation,
    Observations,
    Rejected,
    Talks,
    load_observations,
)
from goldenbridge.scenario.schema import TYPE_FIELDS

__all__ = [
    "DegeneracyWarning",
    "Posterior",
    "QuantityChange",
    "Summary",
    "kish_ess",
    "redrawn_population",
    "update",
]
QUANTILES = (0.05, 0.5, 0.95)
#: Difference of posterior P(war if nothing is offered) between the static and the dynamic
#: reading of a rejection above which ``update`` reports the other reading.
DISAGREEMENT = 0.10


class DegeneracyWarning(UserWarning):
    """The posterior rests on too few worlds (effective sample size too small)."""


def kish_ess(weights: np.ndarray) -> float:
    """Kish's (1965) effective sample size ``(sum w)^2 / sum w^2``.

    Examples
    --------
    >>> kish_ess(np.array([1.0, 1.0, 0.0, 0.0]))
    2.0
    """
    w = np.asarray(weights, dtype=np.float64)
    w2 = float(w @ w)
    return float(w.sum() ** 2 / w2) if w2 > 0 else 0.0


@dataclass(frozen=True)
class Summary:
    """Weighted mean, standard deviation and 5/50/95% quantiles of one quantity."""

    mean: float
    sd: float
    q05: float
    q50: float
    q95: float


@dataclass(frozen=True)
class QuantityChange:
    """One uncertain quantity before and after the observations.

    ``condition`` names the types under which the quantity is used (e.g. a
    type's own salience); both summaries are over those worlds only.
    """

    path: str
    condition: str | None
    prior: Summary
    posterior: Summary

    @property
    def shift(self) -> float:
        """Posterior minus prior mean, in prior standard deviations."""
        return (self.posterior.mean - self.prior.mean) / self.prior.sd if self.prior.sd else 0.0


@dataclass(frozen=True)
class Evidence:
    """One observation and ``P(it | the observations before it)`` under the model."""

    description: str = field(metadata=json_meta(name="observation"))
    label: str | None
    date: str | None
    source: str | None
    noise: float
    probability: float
    model: str = "static"


@dataclass(frozen=True)
class Posterior:
    """The result of :func:`update`.

    Attributes
    ----------
    population : Population
        The posterior worlds: the prior's, reweighted (or, after resampling,
        N equally weighted worlds). Pass it to ``evaluate``.
    prior : Population
        The population before any observation.
    observations : tuple
        Every observation since ``prior``, each with its noise resolved.
    evidence : tuple of Evidence
    ess : float
        Kish's effective sample size of the importance weights (before any
        resampling).
    min_ess_fraction : float
    types : dict
        Actor -> type -> (prior, posterior) probability.
    p_fight : tuple of float
        P(target prefers war to the status quo): prior, posterior.
    quantities : tuple of QuantityChange
        Every sampled input and the target's derived war quantities.
    resampling : dict or None
        How the posterior was resampled (method, moves, jitter, acceptance).
    uniforms : dict or None
        Field path -> (N,) uniforms of the posterior worlds (for rejuvenation).
    warnings : tuple of str
    reading : str
        How rejections were read: ``context`` (a rejection during talks with the dynamic
        model, any other with the static one), ``static`` or ``dynamic``.
    other_reading : dict or None
        Where a rejection could be read by the other model and the posterior P(target
        prefers war to the status quo) -- P(war) if nothing is offered -- differs by more
        than :data:`DISAGREEMENT`: that reading and its numbers.
    """

    population: Population
    prior: Population
    observations: tuple[Observation, ...]
    evidence: tuple[Evidence, ...]
    ess: float
    min_ess_fraction: float
    types: dict[str, dict[str, tuple[float, float]]]
    p_fight: tuple[float, float]
    quantities: tuple[QuantityChange, ...]
    resampling: dict[str, Any] | None = None
    uniforms: dict[str, np.ndarray] | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()
    reading: str = "context"
    other_reading: dict[str, Any] | None = None

    @property
    def n(self) -> int:
        """Number of worlds."""
        return self.population.n

    @property
    def ess_fraction(self) -> float:
        """ESS as a fraction of the number of worlds."""
        return self.ess / self.prior.n

    @property
    def degenerate(self) -> bool:
        """True when the ESS fraction is below ``min_ess_fraction``."""
        return self.ess_fraction < self.min_ess_fraction

    def redraw(self, seed: int) -> Posterior:
        """The same observations applied to an independent prior draw (seed ``seed``):
        for re-evaluating an offer chosen on this posterior (the optimiser's curse)."""
        prior = sample(self.prior.scenario, self.prior.n, seed)
        observations = Observations(observations=list(self.observations))
        return update(prior, observations, min_ess_fraction=self.min_ess_fraction)

    def quantity(self, path: str) -> QuantityChange:
        """The change of the quantity at ``path``."""
        return next(q for q in self.quantities if q.path == path)

    def moved(self, k: int = 8) -> list[QuantityChange]:
        """The ``k`` quantities whose mean moved most, in prior standard deviations."""
        return sorted(self.quantities, key=lambda q: -abs(q.shift))[:k]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``goldenbridge update --json`` and the web API (the
        prior's scenario, size and seed, the ESS and its properties beside the fields)."""
        return {
            "scenario": self.prior.scenario.name,
            "samples": self.prior.n,
            "seed": self.prior.seed,
            "observations": [to_dict(e) for e in self.evidence],
            "ess": self.ess,
            "ess_fraction": self.ess_fraction,
            "degenerate": self.degenerate,
            "warnings": list(self.warnings),
            "types": {
                a: {t: {"prior": p, "posterior": q} for t, (p, q) in ts.items()}
                for a, ts in self.types.items()
            },
            "p_fight": {"prior": self.p_fight[0], "posterior": self.p_fight[1]},
            "quantities": [to_dict(q) for q in self.quantities],
            "resampling": self.resampling,
            "reading": self.reading,
            "other_reading": self.other_reading,
        }


def _summary(x: np.ndarray, w: np.ndarray, order: np.ndarray | None = None) -> Summary:
    """Weighted mean, sd and quantiles; ``order`` is ``x``'s stable argsort if known."""
    total = w.sum()
    mean = float(w @ x / total)
    sd = float(np.sqrt(max(w @ (x - mean) ** 2 / total, 0.0)))
    if order is None:
        order = np.argsort(x, kind="stable")
    cdf = np.cumsum(w[order]) / total
    index = np.minimum(np.searchsorted(cdf, QUANTILES), len(x) - 1)
    q05, q50, q95 = (float(v) for v in x[order][index])
    return Summary(mean, sd, q05, q50, q95)


def _users(population: Population, path: str) -> tuple[str, np.ndarray] | None:
    """The types under which the quantity at ``path`` is used, if not all of them."""
    for actor in population.typed_actors:
        types = population.scenario.actor(actor).types or {}
        names = list(types)
        index = population.type_index[actor]
        root = f"actors.{actor}."
        if not path.startswith(root):
            continue
        rest = path[len(root) :]
        for t, name in enumerate(names):
            if rest.startswith(f"types.{name}."):
                return f"{actor} is {name}", index == t
        top = rest.split(".")[0]
        if top in TYPE_FIELDS:
            users = [t for t, name in enumerate(names) if getattr(types[name], top) is None]
            if len(users) < len(names):
                label = " or ".join(names[t] for t in users)
                return f"{actor} is {label}", np.isin(index, users)
    return None


def _changes(prior: Population, posterior: Population) -> tuple[QuantityChange, ...]:
    target = prior.scenario.target.name
    paths = [*sorted(prior.inputs), f"war_value.{target}", f"war_margin.{target}"]
    if "conflict.p_win" in prior.inputs or prior.scenario.threats:
        paths.append("p_win")
    out = []
    for path in paths:
        users = _users(prior, path)
        condition, mask = users if users else (None, np.ones(prior.n, dtype=bool))
        post_users = _users(posterior, path) if users else None
        post_mask = post_users[1] if post_users else np.ones(posterior.n, dtype=bool)
        prior_w = prior.worlds.weights * mask
        post_w = posterior.worlds.weights * post_mask
        if prior_w.sum() <= 0 or post_w.sum() <= 0:
            continue
        x_prior, x_post = world_quantity(prior, path), world_quantity(posterior, path)
        order = np.argsort(x_prior, kind="stable")
        # reweighted (not resampled) worlds keep their values: sort them once
        same = x_post is x_prior or np.array_equal(x_post, x_prior)
        out.append(
            QuantityChange(
                path,
                condition,
                _summary(x_prior, prior_w, order),
                _summary(x_post, post_w, order if same else None),
            )
        )
    return tuple(out)


def _type_odds(population: Population) -> dict[str, dict[str, float]]:
    w = population.worlds.weights
    total = w.sum()
    return {
        actor: {
            name: float(w[population.type_index[actor] == t].sum() / total)
            for t, name in enumerate(population.scenario.actor(actor).type_names)
        }
        for actor in population.typed_actors
    }


def _p_fight(population: Population) -> float:
    w = population.worlds.weights
    return float(np.clip(w @ population.worlds.fight / w.sum(), 0.0, 1.0))


def _uniforms(population: Population) -> dict[str, np.ndarray]:
    """The uniforms a default-stream population was drawn from, checked by redrawing."""
    paths = [*population.inputs, *(f"actors.{a}.type" for a in population.typed_actors)]
    u = {p: stream(population.seed, p).random(population.n) for p in paths}
    redrawn = sample(population.scenario, population.n, population.seed, uniforms=u)
    same = all(np.array_equal(redrawn.inputs[p], population.inputs[p]) for p in population.inputs)
    same = same and all(
        np.array_equal(redrawn.type_index[a], population.type_index[a])
        for a in population.typed_actors
    )
    if not same:
        raise InputError(
            "resampling needs the uniforms the population was drawn from: pass a population "
            "from gb.population/sample (no uniforms hook) or an earlier Posterior"
        )
    return u


def _systematic(weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Systematic resampling (Kitagawa 1996): N indices, one uniform offset."""
    n = len(weights)
    cdf = np.cumsum(weights / weights.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, (rng.random() + np.arange(n)) / n, side="right")


def _reflect(u: np.ndarray) -> np.ndarray:
    """Fold a random-walk step back into [0, 1) (keeps the proposal symmetric)."""
    u = np.mod(u, 2.0)
    return np.minimum(np.where(u > 1.0, 2.0 - u, u), np.nextafter(1.0, 0.0))


def _total_log_likelihood(
    observations: Sequence[Observation], population: Population, model: LikelihoodModel
) -> np.ndarray:
    total = np.zeros(population.n)
    for obs in observations:
        total = total + model(obs, population, obs.noise or 0.0)
    return total


def _resample(
    population: Population,
    weights: np.ndarray,
    uniforms: dict[str, np.ndarray],
    observations: Sequence[Observation],
    model: LikelihoodModel,
    moves: int,
    jitter: float,
) -> tuple[Population, dict[str, np.ndarray], dict[str, Any]]:
    """Systematic resampling, then ``moves`` Metropolis-Hastings steps in uniform space."""
    rng = stream(population.seed, "update.resample")
    index = _systematic(weights, rng)
    u = {p: v[index] for p, v in uniforms.items()}
    scenario, n, seed = population.scenario, population.n, population.seed
    current = sample(scenario, n, seed, uniforms=u)
    acceptance = []
    if moves:
        log_l = _total_log_likelihood(observations, current, model)
        for _ in range(moves):
            proposal = {p: _reflect(v + jitter * rng.standard_normal(n)) for p, v in u.items()}
            moved = sample(scenario, n, seed, uniforms=proposal)
            log_l_new = _total_log_likelihood(observations, moved, model)
            with np.errstate(invalid="ignore"):
                accept = np.log(rng.random(n)) < log_l_new - log_l
            u = {p: np.where(accept, proposal[p], v) for p, v in u.items()}
            log_l = np.where(accept, log_l_new, log_l)
            acceptance.append(float(accept.mean()))
        current = sample(scenario, n, seed, uniforms=u)
    info = {
        "method": "systematic" + (" + Metropolis-Hastings rejuvenation" if moves else ""),
        "moves": moves,
        "jitter": jitter if moves else None,
        "acceptance": acceptance,
        "distinct_worlds": int(len(np.unique(index))),
    }
    return current, u, info


def _soften(obs: Observation) -> str:
    """What lifts an impossibility: logit noise, or a tremble for talks."""
    return "give tremble > 0" if isinstance(obs, Talks) else "give noise > 0"


def _weigh(
    current: Population,
    new: Sequence[Observation],
    model: LikelihoodModel,
    reading: str,
    default_model: bool,
    earlier: Posterior | None,
) -> tuple[np.ndarray, list[Evidence]]:
    """The worlds' log weights after the observations ``new`` (Bayes' rule), and the
    evidence (each observation's probability before it was seen)."""
    with np.errstate(divide="ignore"):
        log_w = np.log(current.worlds.weights)
    evidence = list(earlier.evidence) if earlier else []
    for k, obs in enumerate(new, start=len(evidence)):
        try:
            log_l = model(obs, current, obs.noise or 0.0)
        except ScenarioError as exc:
            raise ScenarioError(f"observations.{k}.{exc.path}", exc.message) from None
        if not np.isfinite(log_l).any():
            raise ScenarioError(
                f"observations.{k}",
                f"'{obs.describe()}' is impossible in every sampled world; {_soften(obs)}",
            )
        joint = log_w + log_l
        top = np.max(log_w)
        before = np.exp(log_w - top).sum()
        probability = float(np.exp(joint - top).sum() / before) if np.isfinite(top) else 0.0
        if not np.isfinite(joint).any():
            raise ScenarioError(
                f"observations.{k}",
                f"'{obs.describe()}' is impossible in every world left by the earlier "
                f"observations; {_soften(obs)}",
            )
        how = "dynamic" if reads_dynamic(obs, reading) else "static"
        if not default_model:
            how = "given model"
        evidence.append(
            Evidence(
                obs.describe(), obs.label, obs.date, obs.source, obs.noise or 0.0, probability, how
            )
        )
        log_w = joint
    return log_w, evidence


def update(
    population: Population | Posterior,
    observations: (
        Observations | Sequence[Observation | Mapping[str, Any]] | Mapping[str, Any] | str | Path
    ),
    *,
    noise: float | None = None,
    model: LikelihoodModel | None = None,
    min_ess_fraction: float = 0.1,
    resample: bool = False,
    rejuvenate: int = 0,
    jitter: float = 0.05,
    reading: str = "context",
    compare_readings: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Posterior:
    """Condition the worlds on what was observed (Bayes' rule over worlds).

    Parameters
    ----------
    population : Population or Posterior
        The prior worlds, or an earlier posterior to update further.
    observations : Observations, list or mapping
        See :mod:`goldenbridge.scenario.observations`.
    noise : float, optional
        Logit noise (utility units) for observations that give none; overrides
        the file's default. 0 = the model's hard acceptance rule.
    model : callable, optional
        The likelihood model (default: :class:`ModelLikelihood` on the prior:
        static likelihoods, and the dynamic game's for ``talks``).
    min_ess_fraction : float
        Warn (:class:`DegeneracyWarning`) when ESS / N falls below this.
    resample : bool
        Resample to N equally weighted worlds (systematic resampling).
    rejuvenate : int
        Metropolis-Hastings moves after resampling (implies ``resample``).
    jitter : float
        Standard deviation of a move in uniform coordinates.
    reading : str
        How rejections are read: ``context`` (default: one made during talks -- ``context:
        talks`` -- with the dynamic model of docs/design.md section 6, any other with the
        static one), ``static`` or ``dynamic``.
    compare_readings : bool
        Also read the rejections the other way and report it (``other_reading``) when the
        posterior P(war if nothing is offered) differs by more than :data:`DISAGREEMENT`.
    progress : callable, optional
        ``progress(stage, done, total)``, told as each stage starts (with the stages of
        each talks game the default model solves: the dynamic reading of a rejection,
        ``talks`` observations, the other reading).

    Returns
    -------
    Posterior

    Raises
    ------
    ScenarioError
        For an observation naming an unknown offer, actor, type or input, or one
        that is impossible in every world (give noise > 0).

    Examples
    --------
    Fearon's crisis: B rejects a share of 0.7 iff its cost of war is below 0.2,
    so its cost given the rejection is uniform on [0, 0.2].

    >>> from goldenbridge.scenario import load
    >>> prior = sample(load("fearon-1d"), samples=20_000, seed=1)
    >>> post = update(prior, [{"kind": "rejected", "values": {"share": 0.7}}])
    >>> round(post.quantity("conflict.cost.B").posterior.mean, 2)
    0.1
    """
    if isinstance(observations, Observations):
        parsed = observations
    else:
        parsed = load_observations(observations)  # type: ignore[arg-type]
    default_noise = parsed.noise if noise is None else float(noise)
    if default_noise < 0:
        raise InputError("noise must be >= 0")
    if rejuvenate < 0 or not jitter > 0:
        raise InputError("rejuvenate must be >= 0 and jitter > 0")
    new = tuple(
        o if o.noise is not None else o.model_copy(update={"noise": default_noise})
        for o in parsed.observations
    )
    earlier = population if isinstance(population, Posterior) else None
    current = earlier.population if earlier else population
    assert isinstance(current, Population)
    root = earlier.prior if earlier else current
    default_model = model is None

    def report(stage: str, done: int = 0, total: int = 1) -> None:
        if progress is not None:
            progress(stage, done, total)

    report("weighing the worlds by the observations")
    model = model if model is not None else ModelLikelihood(root, reading, progress)

    log_w, evidence = _weigh(current, new, model, reading, default_model, earlier)
    weights = np.exp(log_w - np.max(log_w))
    ess = kish_ess(weights)
    posterior = current.reweighted(weights / weights.sum() * current.n)
    all_obs = (*(earlier.observations if earlier else ()), *new)

    notes: list[str] = []
    if ess / current.n < min_ess_fraction:
        notes.append(
            f"effective sample size {ess:,.0f} of {current.n:,} worlds "
            f"({ess / current.n:.1%}) is below {min_ess_fraction:.0%}: the posterior rests on "
            "few worlds; raise the sample size, add logit noise, or resample with rejuvenation"
        )
        warnings.warn(notes[-1], DegeneracyWarning, stacklevel=2)
    uniforms = earlier.uniforms if earlier else None
    resampling = None
    if resample or rejuvenate:
        if rejuvenate and earlier is None and np.ptp(current.worlds.weights) > 0:
            raise InputError("rejuvenation needs a prior with equal weights (or a Posterior)")
        report("resampling the worlds")
        if uniforms is None:
            uniforms = _uniforms(current)
        posterior, uniforms, resampling = _resample(
            current, weights, uniforms, all_obs, model, rejuvenate, jitter
        )
    p_fight = (_p_fight(root), _p_fight(posterior))
    other: dict[str, Any] | None = None
    rejections = [o for o in new if isinstance(o, Rejected)]
    if compare_readings and default_model and rejections:
        flip = "static" if any(reads_dynamic(o, reading) for o in rejections) else "dynamic"
        report(f"the {flip} reading of the rejections, for comparison")
        alt = ModelLikelihood(root, flip, progress, f"the {flip} reading")
        try:  # only the other reading's P(fight) is reported: its weights alone
            alt_log_w, _ = _weigh(current, new, alt, flip, True, earlier)
        except ScenarioError as exc:  # impossible under the other reading
            other = {"reading": flip, "p_fight": None, "note": exc.message}
        else:
            alt_weights = np.exp(alt_log_w - np.max(alt_log_w))
            alt_fight = _p_fight(current.reweighted(alt_weights / alt_weights.sum() * current.n))
            if abs(alt_fight - p_fight[1]) > DISAGREEMENT:
                other = {"reading": flip, "p_fight": alt_fight, "note": None}
    return Posterior(
        population=posterior,
        prior=root,
        observations=all_obs,
        evidence=tuple(evidence),
        ess=ess,
        min_ess_fraction=min_ess_fraction,
        types={
            actor: {t: (p, _type_odds(posterior)[actor][t]) for t, p in odds.items()}
            for actor, odds in _type_odds(root).items()
        },
        p_fight=p_fight,
        quantities=_changes(root, posterior),
        resampling=resampling,
        uniforms=uniforms,
        warnings=tuple(notes),
        reading=reading,
        other_reading=other,
    )


def redrawn_population(posterior: Posterior, seed: int | None = None) -> Population:
    """The posterior's observations applied to an independent prior draw.

    For re-evaluating an offer chosen on ``posterior`` (the optimiser's curse:
    Smith and Winkler 2006): the worlds are a fresh prior sample with seed ``seed``
    (default: the prior's seed + 1), reweighted on the same observations.
    """
    fresh_seed = posterior.prior.seed + 1 if seed is None else int(seed)
    return posterior.redraw(fresh_seed).population
