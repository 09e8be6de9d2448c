"""The public facade (``gb.load``, ``gb.evaluate``, ...), imported on first use.

``import goldenbridge`` itself imports nothing heavy (see ``goldenbridge/__init__.py``);
the first attribute of the facade asked for imports this module, and with it
numpy, numba and pydantic.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import goldenbridge as _package
from goldenbridge.analysis.deterrence import Deterrence, EffectField
from goldenbridge.analysis.deterrence import deterrence as _deterrence
from goldenbridge.analysis.evaluate import ActorOdds as ActorOdds
from goldenbridge.analysis.evaluate import Evaluation as Evaluation
from goldenbridge.analysis.evaluate import OfferResult as OfferResult
from goldenbridge.analysis.evaluate import TypeOdds as TypeOdds
from goldenbridge.analysis.evaluate import evaluate as _evaluate
from goldenbridge.analysis.forecast import MODELS as _FORECAST_MODELS
from goldenbridge.analysis.forecast import Forecast
from goldenbridge.analysis.forecast import forecast as _forecast
from goldenbridge.analysis.negotiate import Negotiation
from goldenbridge.analysis.negotiate import negotiate as _negotiate
from goldenbridge.analysis.optimize import OptimizeResult
from goldenbridge.analysis.optimize import optimize as _optimize
from goldenbridge.analysis.sensitivity import FLIP_BY as _FLIP_BY
from goldenbridge.analysis.sensitivity import PARTS as SENSITIVITY_PARTS
from goldenbridge.analysis.sensitivity import REOPTIMISE as _REOPTIMISE
from goldenbridge.analysis.sensitivity import Sensitivity
from goldenbridge.analysis.sensitivity import sensitivity as _sensitivity
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.analysis.update import DegeneracyWarning as DegeneracyWarning
from goldenbridge.analysis.update import Posterior as Posterior
from goldenbridge.analysis.update import redrawn_population
from goldenbridge.analysis.update import update as _update
from goldenbridge.analysis.update.likelihoods import LikelihoodModel
from goldenbridge.enumeration import enumerate_worlds
from goldenbridge.importers import import_files, label
from goldenbridge.population import Population, sample
from goldenbridge.scenario import Scenario as Scenario
from goldenbridge.scenario import ScenarioError as ScenarioError
from goldenbridge.scenario import builtin_names as builtin_names
from goldenbridge.scenario import load as load
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.observations import Observation
from goldenbridge.scenario.observations import Observations as Observations
from goldenbridge.scenario.observations import load_observations as load_observations
from goldenbridge.scenario.schema import OfferValue

# The one list of public names is goldenbridge/__init__.py's (it must not import this
# module, so it holds the list, and this module serves it); names imported here only to be
# served are re-exported explicitly (``import X as X``).
__all__ = list(_package.__all__)

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
    exact: bool = False,
) -> Population:
    """A sampled population from a scenario, a built-in name, a path or a mapping
    (a posterior's reweighted worlds for a :class:`Posterior`); with ``exact``, every
    world of an all-discrete scenario weighted by its probability
    (:func:`goldenbridge.enumeration.enumerate_worlds`: the numbers are then exact)."""
    if exact:
        if samples is not None or seed is not None:
            raise InputError("exact enumeration lists every world: give no samples or seed")
        if isinstance(source, Posterior | Population):
            raise InputError("exact enumeration starts from a scenario, not from worlds")
        return enumerate_worlds(_scenario(source))
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
    exact: bool = False,
) -> Evaluation:
    """Evaluate offers (default: the scenario's named offers); see
    :func:`goldenbridge.analysis.evaluate.evaluate` (``backend``/``dask``: which
    engine, :func:`goldenbridge.engine.tally`; ``bootstrap``: standard errors from B
    bootstrap replicates; ``exact``: on every world of an all-discrete scenario,
    :func:`population`)."""
    return _evaluate(
        population(source, samples, seed, exact),
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
    reading: str = "context",
    compare_readings: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
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
        reading=reading,
        compare_readings=compare_readings,
        progress=progress,
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


def _observations(source: ObservationsLike | None) -> Observations | None:
    if source is None or isinstance(source, Observations):
        return source
    return load_observations(source)  # type: ignore[arg-type]


def sensitivity(
    source: ScenarioLike,
    offer: str | Mapping[str, OfferValue] | None = None,
    *,
    output: Output = "p_war",
    method: str = "sobol",
    n: int = 1024,
    trajectories: int = 10,
    samples: int | None = None,
    seed: int | None = None,
    reoptimise: int | None = _REOPTIMISE,
    flip_by: float = _FLIP_BY,
    evppi: Sequence[str] | None = None,
    bins: int = 10,
    parts: Collection[str] = SENSITIVITY_PARTS,
    backend: str = "auto",
    dask: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    observations: ObservationsLike | None = None,
    reading: str = "context",
) -> Sensitivity:
    """Which assumption decides the answer: the recommended offer's P(war), re-optimised
    under each change (or a fixed offer's); ``observations`` (a file, a list or mapping
    as :func:`load_observations` reads it) condition every answer on what was seen, its
    rejections read by ``reading``; see
    :func:`goldenbridge.analysis.sensitivity.combined.sensitivity`."""
    return _sensitivity(
        _scenario(source),
        offer,
        output=output,
        method=method,
        n=n,
        trajectories=trajectories,
        samples=samples,
        seed=seed,
        reoptimise=reoptimise,
        flip_by=flip_by,
        evppi=evppi,
        bins=bins,
        parts=parts,
        backend=backend,
        dask=dask,
        progress=progress,
        observations=_observations(observations),
        reading=reading,
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
    curve: int | Sequence[float] | None = None,
) -> OptimizeResult:
    """The risk-return optimum, the golden bridge (P(war) <= ``max_p_war``, or P(deal)
    >= ``target_p``), the frontier and (``curve``) the proposer's best utility over the
    P(war) target; see :func:`goldenbridge.analysis.optimize.best.optimize`.

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
        curve=curve,
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
    decompose: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> Negotiation:
    """The proposer's equilibrium offers over several rounds when time is strategic; see
    :func:`goldenbridge.analysis.negotiate.dynamics.negotiate`."""
    return _negotiate(
        population(source, samples, seed),
        rounds,
        path_from=path_from,
        path_to=path_to,
        discount=discount,
        hazard=hazard,
        grid=grid,
        decompose=decompose,
        progress=progress,
    )


def forecast(
    source: ScenarioLike,
    models: Sequence[str] = _FORECAST_MODELS,
    *,
    issues: Sequence[str] | None = None,
    rounds: int = 10,
    q: float = 1.0,
    t: float | None = None,
) -> Forecast:
    """Predicted outcome per issue (compromise, median, Nash, EUM); see
    :func:`goldenbridge.analysis.forecast.forecast`."""
    return _forecast(_scenario(source), models, issues=issues, rounds=rounds, q=q, t=t)


def _importer(fmt: str, *, many: bool = False) -> Callable[..., Scenario]:
    """``gb.load_<fmt>``: a scenario from files in format ``fmt``, through the importer
    registry (:func:`goldenbridge.importers.import_files`). ``many``: the format takes
    several files (``load_genius(*files, ...)``); otherwise one (``load_ktab(file, ...)``)."""

    def load_files(
        *files: str | Path,
        proposer: str | None = None,
        target: str | None = None,
        vetoes: Sequence[str] = (),
        status_quo: Mapping[str, float | str] | None = None,
    ) -> Scenario:
        return import_files(
            fmt, files, proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
        ).scenario

    def load_file(
        file: str | Path,
        proposer: str | None = None,
        target: str | None = None,
        vetoes: Sequence[str] = (),
        status_quo: Mapping[str, float | str] | None = None,
    ) -> Scenario:
        return load_files(
            file, proposer=proposer, target=target, vetoes=vetoes, status_quo=status_quo
        )

    function = load_files if many else load_file
    function.__name__ = function.__qualname__ = f"load_{fmt}"
    function.__doc__ = (
        f"A scenario from {'files' if many else 'a file'} in the {label(fmt)} format "
        f"(:mod:`goldenbridge.importers.{fmt}`): roles as ``goldenbridge import`` sets them."
    )
    return function


load_genius = _importer("genius", many=True)
load_ktab = _importer("ktab")
load_decide = _importer("decide")
load_eum = _importer("eum")
