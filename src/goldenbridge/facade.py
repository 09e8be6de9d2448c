"""The public facade (``gb.load``, ``gb.evaluate``, ...), imported on first use.

``import goldenbridge`` itself imports nothing heavy (see ``goldenbridge/__init__.py``);
the first attribute of the facade asked for imports this module, and with it
numpy, numba and pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from goldenbridge.analysis.deterrence import Deterrence, EffectField
from goldenbridge.analysis.deterrence import deterrence as _deterrence
from goldenbridge.analysis.evaluate import (
    ActorOdds,
    Evaluation,
    OfferResult,
    TypeOdds,
)
from goldenbridge.analysis.evaluate import evaluate as _evaluate
from goldenbridge.analysis.forecast import MODELS as _FORECAST_MODELS
from goldenbridge.analysis.forecast import Forecast
from goldenbridge.analysis.forecast import forecast as _forecast
from goldenbridge.analysis.negotiate import Negotiation
from goldenbridge.analysis.negotiate import negotiate as _negotiate
from goldenbridge.analysis.optimize import OptimizeResult
from goldenbridge.analysis.optimize import optimize as _optimize
from goldenbridge.analysis.sensitivity import PARTS as SENSITIVITY_PARTS
from goldenbridge.analysis.sensitivity import Sensitivity
from goldenbridge.analysis.sensitivity import sensitivity as _sensitivity
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.analysis.update import DegeneracyWarning, Posterior, redrawn_population
from goldenbridge.analysis.update import update as _update
from goldenbridge.analysis.update.likelihoods import LikelihoodModel
from goldenbridge.importers import import_files
from goldenbridge.population import Population, sample
from goldenbridge.scenario import Scenario, ScenarioError, builtin_names, load
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.observations import Observation, Observations, load_observations
from goldenbridge.scenario.schema import OfferValue

__all__ = [
    "ActorOdds",
    "DegeneracyWarning",
    "Deterrence",
    "Evaluation",
    "Forecast",
    "Negotiation",
    "Observations",
    "OfferResult",
    "OptimizeResult",
    "Population",
    "Posterior",
    "Scenario",
    "ScenarioError",
    "SENSITIVITY_PARTS",
    "Sensitivity",
    "TypeOdds",
    "builtin_names",
    "deterrence",
    "evaluate",
    "load",
    "load_observations",
    "negotiate",
    "optimize",
    "population",
    "sample",
    "update",
    "sensitivity",
    "forecast",
    "load_genius",
    "load_ktab",
    "load_decide",
    "load_eum",
]

ScenarioLike = Scenario | str | Path | Mapping[str, Any]
ObservationsLike = (
    Observations | Sequence[Observation | Mapping[str, Any]] | Mapping[str, Any] | str | Path
)


def _scenario(source: ScenarioLike) -> Scenario:
    return source if isinstance(source, Scenario) else load(source)  # type: ignore[arg-type]


def population(
    source: ScenarioLike | Population | Posterior,
    samples: int | None = None,
    seed: int | None = None,
) -> Population:
    """A sampled population from a scenario, a built-in name, a path or a mapping
    (a posterior's reweighted worlds for a :class:`Posterior`)."""
    if isinstance(source, Posterior):
        if samples is None and seed is None:
            return source.population
        raise InputError("a posterior's worlds are fixed: samples and seed cannot be changed")
    if isinstance(source, Population):
        if samples is None and seed is None:
            return source
        source = source.scenario
    return sample(_scenario(source), samples, seed)


def evaluate(
    source: ScenarioLike | Population | Posterior,
    offers: Mapping[str, Mapping[str, float | str]] | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    backend: str = "auto",
    dask: str | None = None,
    bootstrap: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Evaluate offers (default: the scenario's named offers); see
    :func:`goldenbridge.analysis.evaluate.evaluate` (``backend``/``dask``: which
    engine, :func:`goldenbridge.engine.tally`; ``bootstrap``: standard errors from B
    bootstrap replicates)."""
    return _evaluate(
        population(source, samples, seed),
        offers,
        backend=backend,
        dask=dask,
        bootstrap=bootstrap,
        progress=progress,
    )


def update(
    source: ScenarioLike | Population | Posterior,
    observations: ObservationsLike,
    *,
    samples: int | None = None,
    seed: int | None = None,
    noise: float | None = None,
    model: LikelihoodModel | None = None,
    min_ess_fraction: float = 0.1,
    resample: bool = False,
    rejuvenate: int = 0,
    jitter: float = 0.05,
) -> Posterior:
    """Condition a scenario's worlds on observations (a file, a list or a mapping);
    see :func:`goldenbridge.analysis.update.posterior.update`.

    >>> post = update("fearon-1d", [{"kind": "rejected", "values": {"share": 0.7}}],
    ...               samples=20_000, seed=1)
    >>> round(post.quantity("conflict.cost.B").posterior.mean, 2)
    0.1
    >>> round(evaluate(post, {"x": {"share": 0.7}}).offer("x").p_deal, 2)
    0.0
    """
    prior = source if isinstance(source, Posterior) else population(source, samples, seed)
    return _update(
        prior,
        observations,
        noise=noise,
        model=model,
        min_ess_fraction=min_ess_fraction,
        resample=resample,
        rejuvenate=rejuvenate,
        jitter=jitter,
    )


def deterrence(
    source: ScenarioLike,
    threat: str,
    grid: Sequence[float] | None = None,
    *,
    effects: Sequence[float] | None = None,
    effect_field: EffectField | None = None,
    offers: Mapping[str, Mapping[str, OfferValue]] | None = None,
    samples: int | None = None,
    seed: int | None = None,
    tolerance: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
) -> Deterrence:
    """Sweep a threat's credibility (and effect) with common random numbers; see
    :func:`goldenbridge.analysis.deterrence.deterrence`."""
    return _deterrence(
        _scenario(source),
        threat,
        grid,
        effects=effects,
        effect_field=effect_field,
        offers=offers,
        samples=samples,
        seed=seed,
        tolerance=tolerance,
        progress=progress,
    )


def sensitivity(
    source: ScenarioLike,
    offer: str | Mapping[str, OfferValue] | None = None,
    *,
    output: Output = "p_deal",
    method: str = "sobol",
    n: int = 4096,
    trajectories: int = 10,
    samples: int | None = None,
    seed: int | None = None,
    points: int = 2,
    threshold: float = 0.5,
    evppi: Sequence[str] | None = None,
    bins: int = 10,
    parts: Collection[str] = SENSITIVITY_PARTS,
    backend: str = "auto",
    dask: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Sensitivity:
    """Which assumption decides the answer for one offer (default: the recommended
    named offer); see :func:`goldenbridge.analysis.sensitivity.combined.sensitivity`."""
    return _sensitivity(
        _scenario(source),
        offer,
        output=output,
        method=method,
        n=n,
        trajectories=trajectories,
        samples=samples,
        seed=seed,
        points=points,
        threshold=threshold,
        evppi=evppi,
        bins=bins,
        parts=parts,
        backend=backend,
        dask=dask,
        progress=progress,
    )


def optimize(
    source: ScenarioLike | Population | Posterior,
    target_p: float | None = None,
    issues: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    fresh_seed: int | None = None,
    fresh_population: Population | None = None,
    search_samples: int = 10_000,
    solutions: bool = True,
    capability_weighted: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    max_p_war: float | None = None,
) -> OptimizeResult:
    """The risk-return optimum, the golden bridge (P(war) <= ``max_p_war``, or P(deal)
    >= ``target_p``) and the frontier; see :func:`goldenbridge.analysis.optimize.best.optimize`.

    >>> r = optimize("fearon-1d", samples=20_000, seed=1, solutions=False)
    >>> round(r.optimum.values["share"], 1), round(r.optimum.p_deal, 1)
    (0.6, 0.7)
    """
    if isinstance(source, Posterior) and fresh_population is None:
        fresh_population = redrawn_population(source, fresh_seed)
    return _optimize(
        population(source, samples, seed),
        target_p,
        issues,
        fresh_seed=fresh_seed,
        fresh_population=fresh_population,
        search_samples=search_samples,
        solutions=solutions,
        capability_weighted=capability_weighted,
        progress=progress,
        max_p_war=max_p_war,
    )


def negotiate(
    source: ScenarioLike | Population,
    rounds: int | None = None,
    *,
    path_from: str | Mapping[str, float | str] | None = None,
    path_to: str | Mapping[str, float | str] | None = None,
    discount: float | None = None,
    hazard: float | None = None,
    grid: int = 101,
    samples: int | None = None,
    seed: int | None = None,
) -> Negotiation:
    """The proposer's equilibrium offers over several rounds when delay risks war; see
    :func:`goldenbridge.analysis.negotiate.dynamics.negotiate`."""
    return _negotiate(
        population(source, samples, seed),
        rounds,
        path_from=path_from,
        path_to=path_to,
        discount=discount,
        hazard=hazard,
        grid=grid,
    )


def forecast(
    source: ScenarioLike,
    models: Sequence[str] = _FORECAST_MODELS,
    *,
    issues: Sequence[str] | None = None,
    rounds: int = 10,
    q: float = 1.0,
    t: float = 1.0,
) -> Forecast:
    """Predicted outcome per issue (compromise, median, Nash, EUM); see
    :func:`goldenbridge.analysis.forecast.forecast`."""
    return _forecast(_scenario(source), models, issues=issues, rounds=rounds, q=q, t=t)


def load_genius(
    *files: str | Path,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    status_quo: Mapping[str, float | str] | None = None,
) -> Scenario:
    """A scenario from a Genius domain and profiles (:mod:`goldenbridge.importers.genius`)."""
    return import_files(
        "genius", files, proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
    ).scenario


def load_ktab(
    file: str | Path,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    status_quo: Mapping[str, float | str] | None = None,
) -> Scenario:
    """A scenario from a KTAB SMP CSV (:mod:`goldenbridge.importers.ktab`)."""
    return import_files(
        "ktab", [file], proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
    ).scenario


def load_decide(
    file: str | Path,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    status_quo: Mapping[str, float | str] | None = None,
) -> Scenario:
    """A scenario from a Decide CSV (:mod:`goldenbridge.importers.decide`)."""
    return import_files(
        "decide", [file], proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
    ).scenario


def load_eum(
    file: str | Path,
    proposer: str | None = None,
    target: str | None = None,
    vetoes: Sequence[str] = (),
    status_quo: Mapping[str, float | str] | None = None,
) -> Scenario:
    """A scenario from an expected-utility-model CSV (:mod:`goldenbridge.importers.eum`)."""
    return import_files(
        "eum", [file], proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
    ).scenario
