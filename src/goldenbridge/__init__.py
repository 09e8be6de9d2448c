"""goldenbridge: crisis bargaining analysis.

>>> import goldenbridge as gb
>>> result = gb.evaluate("fearon-1d", {"split": {"share": 0.6}}, samples=20_000, seed=3)
>>> round(result.offer("split").p_deal, 1)
0.7
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from goldenbridge.analysis.deterrence import Deterrence
from goldenbridge.analysis.deterrence import deterrence as _deterrence
from goldenbridge.analysis.dynamics import Negotiation
from goldenbridge.analysis.dynamics import negotiate as _negotiate
from goldenbridge.analysis.evaluate import (
    ActorOdds,
    Evaluation,
    OfferResult,
    TypeOdds,
)
from goldenbridge.analysis.evaluate import evaluate as _evaluate
from goldenbridge.analysis.observations import Observations, load_observations
from goldenbridge.analysis.optimize import OptimizeResult
from goldenbridge.analysis.optimize import optimize as _optimize
from goldenbridge.analysis.sensitivity import PARTS as SENSITIVITY_PARTS
from goldenbridge.analysis.sensitivity import Sensitivity
from goldenbridge.analysis.sensitivity import sensitivity as _sensitivity
from goldenbridge.analysis.update import DegeneracyWarning, Posterior
from goldenbridge.analysis.update import update as _update
from goldenbridge.population import Population, sample
from goldenbridge.scenario import Scenario, ScenarioError, builtin_names, load
from goldenbridge.scenario.errors import InputError

__version__ = "0.1.0"

__all__ = [
    "ActorOdds",
    "DegeneracyWarning",
    "Deterrence",
    "Evaluation",
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
]

ScenarioLike = Scenario | str | Path | Mapping[str, Any]


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
) -> Evaluation:
    """Evaluate offers (default: the scenario's named offers); see
    :func:`goldenbridge.analysis.evaluate.evaluate` (``backend``/``dask``: which
    engine, :func:`goldenbridge.engine.tally`)."""
    return _evaluate(population(source, samples, seed), offers, backend=backend, dask=dask)


def update(
    source: ScenarioLike | Population | Posterior,
    observations: Any,
    *,
    samples: int | None = None,
    seed: int | None = None,
    **options: Any,
) -> Posterior:
    """Condition a scenario's worlds on observations (a file, a list or a mapping);
    see :func:`goldenbridge.analysis.update.update`.

    >>> post = update("fearon-1d", [{"kind": "rejected", "values": {"share": 0.7}}],
    ...               samples=20_000, seed=1)
    >>> round(post.quantity("conflict.cost.B").posterior.mean, 2)
    0.1
    >>> round(evaluate(post, {"x": {"share": 0.7}}).offer("x").p_deal, 2)
    0.0
    """
    if isinstance(source, Posterior):
        return _update(source, observations, **options)
    return _update(population(source, samples, seed), observations, **options)


def deterrence(source: ScenarioLike, threat: str, grid: Any = None, **options: Any) -> Deterrence:
    """Sweep a threat's credibility (and effect) with common random numbers; see
    :func:`goldenbridge.analysis.deterrence.deterrence`."""
    return _deterrence(_scenario(source), threat, grid, **options)


def sensitivity(
    source: ScenarioLike,
    offer: str | Mapping[str, float | str] | None = None,
    **options: Any,
) -> Sensitivity:
    """Which assumption decides the answer for one offer (default: the recommended
    named offer); see :func:`goldenbridge.analysis.sensitivity.sensitivity`."""
    return _sensitivity(_scenario(source), offer, **options)


def optimize(
    source: ScenarioLike | Population | Posterior,
    target_p: float | None = None,
    issues: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    **options: Any,
) -> OptimizeResult:
    """The risk-return optimum, the golden bridge reaching P(deal) >= ``target_p``
    and the frontier; see :func:`goldenbridge.analysis.optimize.optimize`.

    >>> r = optimize("fearon-1d", samples=20_000, seed=1, solutions=False)
    >>> round(r.optimum.values["share"], 1), round(r.optimum.p_deal, 1)
    (0.6, 0.7)
    """
    if isinstance(source, Posterior) and "fresh_population" not in options:
        # Re-evaluate on the same observations applied to an independent prior draw.
        fresh_seed = options.get("fresh_seed")
        fresh_seed = source.prior.seed + 1 if fresh_seed is None else int(fresh_seed)
        options["fresh_population"] = source.redraw(fresh_seed).population
    return _optimize(population(source, samples, seed), target_p, issues, **options)


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
    :func:`goldenbridge.analysis.dynamics.negotiate`."""
    return _negotiate(
        population(source, samples, seed),
        rounds,
        path_from=path_from,
        path_to=path_to,
        discount=discount,
        hazard=hazard,
        grid=grid,
    )
