"""Attribution: which world-level inputs explain the spread of an offer's outcome.

Sobol' variance-based indices (Sobol' 2001) over the inputs every world draws
from the scenario's own distributions (docs/design.md section 6). Each input is one
factor on the unit interval, mapped to its distribution through the inverse
CDF by :func:`goldenbridge.population.sample` (its ``uniforms`` hook); an
actor's type is one categorical factor (``Russia.type``), mapped through the
type priors by the same hook. The design is Saltelli's (Saltelli et al. 2010,
with SALib's scrambled Sobol' sequence) and the estimators are SALib's: the
first-order index ``S1`` (the share of the output's variance that the factor
explains alone) and the total index ``ST`` (its share including every
interaction; ``1 - ST`` is what remains when everything but this factor is
known).

The output is per world, for one fixed offer (by default the recommended offer): the
war indicator (its mean is P(war), the default), the deal indicator (its mean is P(deal))
or the proposer's realised payoff (``u_P(x)`` on a deal, its no-deal value ``r_P``
otherwise; its mean is the proposer's expected utility). Each world's outcome is the
model's own (:func:`goldenbridge.analysis.outcomes.decide`: the vetoes' approval under
their information, docs/design.md 4a-4c), so under the default information structure a
veto's approval in a world is its expectation over the design's other worlds.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from goldenbridge.analysis.outcomes import decide
from goldenbridge.analysis.results import JSON_SKIP, to_dict
from goldenbridge.population import Population, sample
from goldenbridge.scenario.errors import InputError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = [
    "Output",
    "OUTPUTS",
    "WorldInput",
    "FactorIndex",
    "Attribution",
    "world_inputs",
    "per_world",
    "attribution",
    "saltelli_design",
]

Output = Literal["p_war", "p_deal", "proposer_eu"]
#: The measures, the default first.
OUTPUTS: tuple[Output, ...] = ("p_war", "p_deal", "proposer_eu")
#: Called as ``progress(done, total)`` while model runs complete.
Progress = Callable[[int, int], None]

#: Worlds sampled and decided at once: bounds memory whatever the design size, and the
#: vetoes' own-information expectations pair each world with the others of its block.
_CHUNK = 8_192


@dataclass(frozen=True)
class WorldInput:
    """One uncertain quantity drawn in every world.

    Attributes
    ----------
    name : str
        Actor and quantity, e.g. ``Russia.types.revisionist.salience.ukraine``,
        ``conflict.p_win``, ``Russia.type``.
    path : str
        The field path the population draws it under (``actors.Russia.type``).
    categorical : bool
        True for an actor's type.
    """

    name: str
    path: str
    categorical: bool = False


def factor_name(path: str) -> str:
    """The name a report shows for a field path: the actor first, no ``actors.``.

    Examples
    --------
    >>> factor_name("actors.Russia.types.revisionist.prior")
    'Russia.types.revisionist.prior'
    >>> factor_name("threats.sanctions.credibility")
    'threats.sanctions.credibility'
    """
    return path.removeprefix("actors.")


def world_inputs(scenario: Scenario) -> tuple[WorldInput, ...]:
    """Every input a world draws: each uncertain quantity and each actor's type.

    Fixed numbers are not inputs; neither is the type of an actor whose prior
    puts all weight on one type.

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> [i.name for i in world_inputs(load("fearon-1d"))]
    ['conflict.cost.B']
    """
    drawn = sample(scenario, samples=1, seed=0).inputs
    inputs = []
    for actor in scenario.actors:
        if actor.types and sum(t.p > 0 for t in actor.types.values()) > 1:
            path = f"actors.{actor.name}.type"
            inputs.append(WorldInput(factor_name(path), path, categorical=True))
    inputs += [WorldInput(factor_name(path), path) for path in drawn]
    return tuple(inputs)


def per_world(population: Population, offers: Any, output: Output) -> np.ndarray:
    """Each world's outcome of each offer, as the model decides it.

    Parameters
    ----------
    population : Population
    offers : Offers
        Encoded offers (:meth:`Population.encode`).
    output : {"p_war", "p_deal", "proposer_eu"}
        The war indicator, the deal indicator (1.0 or 0.0), or the proposer's realised
        payoff (``u_P(x)`` on a deal, its no-deal value otherwise; docs/design.md section 6),
        from :func:`goldenbridge.analysis.outcomes.decide`.

    Returns
    -------
    (N, M) float64
    """
    decisions = decide(population, offers)
    if output == "p_war":
        return decisions.war.astype(np.float64)
    if output == "p_deal":
        return decisions.deal.astype(np.float64)
    return np.asarray(decisions.payoff, dtype=np.float64)


@dataclass(frozen=True)
class FactorIndex:
    """Sobol' indices of one factor with their bootstrap confidence half-widths.

    ``None`` where the output does not vary (the indices are undefined).
    """

    name: str
    path: str = field(metadata=JSON_SKIP)
    S1: float | None
    S1_conf: float | None
    ST: float | None
    ST_conf: float | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: name, S1, S1_conf, ST, ST_conf."""
        return to_dict(self)


@dataclass(frozen=True)
class Attribution:
    """Sobol' indices of one offer's per-world outcome, largest total index first.

    Attributes
    ----------
    output : {"p_war", "p_deal", "proposer_eu"}
    base_samples : int
        Saltelli's base sample ``N``; the model ran ``N (D + 2)`` worlds.
    runs : int
        Worlds evaluated.
    mean, variance : float
        The output's mean (P(war), P(deal) or the proposer's EU) and variance over the
        design.
    factors : tuple of FactorIndex
    """

    output: Output
    base_samples: int
    runs: int
    mean: float
    variance: float
    factors: tuple[FactorIndex, ...]

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)


def _finite(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def saltelli_design(factors: int, base_samples: int, seed: int) -> np.ndarray:
    """Saltelli's design for first and total indices on the unit cube: ``N (D + 2)`` rows
    of ``D`` factors, in the layout of SALib's ``sobol.sample(problem, N,
    calc_second_order=False, seed=seed)`` with every bound ``[0, 1]``, bit for bit.

    For each point ``i`` of a scrambled Sobol' sequence in ``2 D`` dimensions (scipy's
    ``qmc.Sobol``, as SALib draws it), with ``A`` its first ``D`` coordinates and ``B``
    the other ``D``: the row ``A``, then ``D`` rows ``A`` with factor ``k`` taken from
    ``B`` (``A_B^(k)``, Saltelli 2002; Saltelli et al. 2010, table 1), then ``B``. SALib
    writes these rows one number at a time in Python (1.4 s for russia-2021's 64 factors
    and ``N = 1024``); here they are whole-array copies, the same numbers (tested
    against SALib). Scaling to ``[0, 1]`` multiplies by 1.0 and adds 0.0, which leaves
    every point of ``[0, 1)`` as it is.

    Examples
    --------
    >>> d = saltelli_design(2, 4, seed=1)
    >>> d.shape
    (16, 2)
    >>> bool((d[1] == [d[3][0], d[0][1]]).all() and (d[2] == [d[0][0], d[3][1]]).all())
    True
    """
    from scipy.stats import qmc

    base = qmc.Sobol(d=2 * factors, scramble=True, seed=seed).random(base_samples)
    a, b = base[:, :factors], base[:, factors:]
    out = np.repeat(a[:, None, :], factors + 2, axis=1)  # (N, D + 2, D): A in every row
    k = np.arange(factors)
    out[:, 1 + k, k] = b  # row 1 + k: A with factor k from B
    out[:, factors + 1] = b
    return out.reshape(-1, factors)


def attribution(
    scenario: Scenario,
    offer: Mapping[str, OfferValue],
    output: Output = "p_war",
    base_samples: int = 1024,
    seed: int | None = None,
    progress: Progress | None = None,
) -> Attribution:
    """Sobol' first-order and total indices of one offer's per-world outcome.

    Parameters
    ----------
    scenario : Scenario
    offer : mapping
        Issue -> value; issues left out stay at the status quo.
    output : {"p_war", "p_deal", "proposer_eu"}
        The war indicator (default), the deal indicator or the proposer's realised payoff.
    base_samples : int
        Saltelli's base sample ``N``, a power of 2; the model runs ``N (D + 2)``
        worlds for D factors (first and total indices, Saltelli et al. 2010).
    seed : int, optional
        Scrambles the Sobol' sequence and the bootstrap; default the scenario's.
    progress : callable, optional
        ``progress(done, total)`` after each block of worlds.

    Returns
    -------
    Attribution

    Raises
    ------
    ValueError
        When ``base_samples`` is not a power of 2.

    References
    ----------
    Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical
    models and their Monte Carlo estimates. Math. Comput. Simul. 55, 271-280.
    Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M., Tarantola,
    S. (2010). Variance based sensitivity analysis of model output. Design and
    estimator for the total sensitivity index. Comput. Phys. Commun. 181, 259-270.
    """
    from SALib.analyze import sobol as sobol_analyze

    if base_samples < 2 or base_samples & (base_samples - 1):
        raise InputError(f"--base-sample {base_samples}: Saltelli's base sample: a power of 2")
    seed = scenario.seed if seed is None else int(seed)
    inputs = world_inputs(scenario)
    if not inputs:
        return Attribution(output, base_samples, 0, float("nan"), 0.0, ())
    problem = {
        "num_vars": len(inputs),
        "names": [i.name for i in inputs],
        "bounds": [[0.0, 1.0]] * len(inputs),
    }
    design = saltelli_design(len(inputs), base_samples, seed)
    encoded = None
    y = np.empty(design.shape[0])
    for start in range(0, design.shape[0], _CHUNK):
        block = design[start : start + _CHUNK]
        uniforms = {i.path: block[:, j] for j, i in enumerate(inputs)}
        population = sample(scenario, block.shape[0], seed, uniforms=uniforms)
        if encoded is None:
            encoded = population.encode([dict(offer)])
        y[start : start + block.shape[0]] = per_world(population, encoded, output)[:, 0]
        if progress is not None:
            progress(start + block.shape[0], design.shape[0])
    variance = float(y.var())
    if variance == 0.0:
        factors = tuple(FactorIndex(i.name, i.path, None, None, None, None) for i in inputs)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            si = sobol_analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        factors = tuple(
            FactorIndex(
                i.name,
                i.path,
                _finite(si["S1"][j]),
                _finite(si["S1_conf"][j]),
                _finite(si["ST"][j]),
                _finite(si["ST_conf"][j]),
            )
            for j, i in enumerate(inputs)
        )
        factors = tuple(sorted(factors, key=lambda f: -(f.ST or 0.0)))
    return Attribution(output, base_samples, int(y.size), float(y.mean()), variance, factors)
