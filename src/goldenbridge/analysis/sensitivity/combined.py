"""sensitivity(): which assumption decides the answer (docs/design.md section 6).

Puts the parts together for one fixed offer (by default the recommended named
offer, the one with the highest proposer expected utility):

- attribution (:mod:`goldenbridge.analysis.sensitivity.attribution`): Sobol' indices of the
  per-world outcome over the world-level inputs; or, with ``method="morris"``,
  Morris screening of the assumptions (:mod:`goldenbridge.analysis.sensitivity.robustness`);
- robustness: one-at-a-time sweeps of every assumption over its stated range
  (:mod:`goldenbridge.analysis.sensitivity.assumptions`), common random numbers;
- decision flips (:mod:`goldenbridge.analysis.sensitivity.flips`) and the headline sentence;
- value of information (:mod:`goldenbridge.analysis.sensitivity.voi`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from goldenbridge.analysis.evaluate import evaluate, named_offers
from goldenbridge.analysis.results import JSON_SKIP, json_meta, jsonable, to_dict
from goldenbridge.analysis.sensitivity.assumptions import Assumption, assumptions
from goldenbridge.analysis.sensitivity.attribution import (
    Attribution,
    Output,
    attribution,
    world_inputs,
)
from goldenbridge.analysis.sensitivity.flips import Flip, flips, headline
from goldenbridge.analysis.sensitivity.robustness import MorrisRow, Sweep, evaluator, morris, sweeps
from goldenbridge.analysis.sensitivity.voi import Information, value_of_information
from goldenbridge.engine import get_engine
from goldenbridge.population import Population, sample
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = ["Sensitivity", "sensitivity", "ROBUSTNESS_SAMPLES", "METHODS", "PARTS"]

#: Default worlds per model run of the sweeps (capped by the scenario's own ``samples``).
ROBUSTNESS_SAMPLES = 10_000
#: Global methods: Sobol' indices of world-level inputs, or Morris screening of assumptions.
METHODS = ("sobol", "morris")
#: The parts of the analysis: the global table (Sobol' or Morris), the one-at-a-time sweeps,
#: the decision flips (which need the sweeps) and the value of information.
PARTS = ("global", "robustness", "flips", "voi")

#: Called as ``progress(stage, done, total)``.
StageProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Sensitivity:
    """The result of :func:`sensitivity`.

    Attributes
    ----------
    scenario : str
    seed : int
    samples : int
        Worlds per model run of the sweeps, the flips and the value of information.
    offer_name : str
    offer : dict
        The fixed offer (every issue).
    output : {"p_deal", "proposer_eu"}
    method : {"sobol", "morris"}
    parts : tuple of str
        The parts computed (:data:`PARTS`); the others are empty.
    threshold : float
        The P(deal) level the flips watch.
    best : str
        The recommended named offer as written.
    p_deal, proposer_eu : float
        The fixed offer's P(deal) and the proposer's EU as written.
    attribution : Attribution or None
        Sobol' indices (``method="sobol"``).
    screening : tuple of MorrisRow
        Morris screening (``method="morris"``).
    sweeps : tuple of Sweep
        One-at-a-time sweeps, largest swing of the output first.
    flips : tuple of Flip
        Smallest relative change first.
    information : tuple of Information
    headline : str
    """

    scenario: str
    seed: int
    samples: int
    offer_name: str = field(metadata=json_meta(name="offer.name"))
    offer: dict[str, OfferValue] = field(metadata=json_meta(name="offer.values"))
    output: Output
    method: str
    parts: tuple[str, ...]
    threshold: float
    best: str = field(metadata=json_meta(name="baseline.best"))
    p_deal: float = field(metadata=json_meta(name="baseline.p_deal"))
    proposer_eu: float = field(metadata=json_meta(name="baseline.proposer_eu"))
    # Written below in their JSON shapes (factors, robustness, voi):
    attribution: Attribution | None = field(metadata=JSON_SKIP)
    screening: tuple[MorrisRow, ...] = field(metadata=JSON_SKIP)
    sweeps: tuple[Sweep, ...] = field(metadata=JSON_SKIP)
    chosen: int = field(metadata=JSON_SKIP)
    flips: tuple[Flip, ...]
    information: tuple[Information, ...] = field(metadata=JSON_SKIP)
    headline: str

    @property
    def voi(self) -> dict[str, float]:
        """Value of information by name."""
        return {i.name: i.value for i in self.information}

    def robustness(self) -> list[dict[str, Any]]:
        """The tornado's rows: each assumption's range and the fixed offer at its ends."""
        rows = []
        for s in self.sweeps:
            ends = s.at_ends(self.chosen)
            rows.append(
                {
                    **s.assumption.to_dict(),
                    **ends,
                    "swing": s.swing(self.chosen, self.output),
                }
            )
        return rows

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge sensitivity --json``: the fields, then the
        factors (Sobol' indices or Morris rows), the tornado's rows and the value of
        information by name."""
        document = to_dict(self)
        if self.attribution is not None:
            document["base_samples"] = self.attribution.base_samples
            document["runs"] = self.attribution.runs
            document["factors"] = jsonable(self.attribution.factors)
        else:
            document["factors"] = jsonable(self.screening)
        document["robustness"] = self.robustness()
        document["voi"] = self.voi
        document["voi_choices"] = {i.name: i.choices for i in self.information if i.choices}
        return document


def choose_offer(
    population: Population,
    offer: str | Mapping[str, OfferValue] | None,
) -> tuple[str, dict[str, OfferValue]]:
    """The fixed offer: a named one, a custom mapping, or the recommended named offer.

    Raises
    ------
    ScenarioError
        For an unknown offer name, issue or value off the scale.
    """
    scenario = population.scenario
    if isinstance(offer, str):
        if offer not in scenario.offers:
            known = ", ".join(scenario.offers) or "none"
            raise ScenarioError("offer", f"{offer!r}: no such offer (named offers: {known})")
        return offer, scenario.complete(dict(scenario.offers[offer]))
    if offer is not None:
        population.encode([offer], "offer")  # checks issues and scales
        return "custom", scenario.complete(dict(offer))
    best = evaluate(population, named_offers(population)).best
    return best.name, dict(best.values)


def sensitivity(
    scenario: Scenario,
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
    parts: Collection[str] = PARTS,
    backend: str = "auto",
    dask: str | None = None,
    progress: StageProgress | None = None,
) -> Sensitivity:
    """Which assumption decides the answer for one offer.

    Parameters
    ----------
    scenario : Scenario
    offer : str or mapping, optional
        A named offer, a custom offer (issue -> value), or ``None`` for the
        recommended named offer (highest proposer expected utility).
    output : {"p_deal", "proposer_eu"}
        What the global method explains and the sweeps rank by.
    method : {"sobol", "morris"}
        Sobol' indices over the world-level inputs, or Morris screening of the
        assumptions.
    n : int
        Saltelli's base sample for Sobol' (a power of 2).
    trajectories : int
        Morris trajectories.
    samples : int, optional
        Worlds per model run of the sweeps, flips and value of information;
        default the scenario's ``samples`` capped at :data:`ROBUSTNESS_SAMPLES`.
    seed : int, optional
        Default the scenario's; the same seed gives the same numbers.
    points : int
        Sweep grid points on each side of each assumption's baseline.
    threshold : float
        P(deal) level for the flips.
    evppi : sequence of str, optional
        World-level inputs to compute the EVPPI of; default the input whose
        assumption flips the recommendation soonest and the input with the
        largest total Sobol' index (other than a type).
    bins : int
        Quantile bins for the EVPPI.
    parts : collection of str
        Which of :data:`PARTS` to compute (all by default; ``("global",)`` for
        the Sobol' table alone, in seconds).
    backend, dask : str
        The engine for the sweeps (:func:`goldenbridge.engine.get_engine`).
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    Sensitivity
    """
    if output not in ("p_deal", "proposer_eu"):
        raise InputError(f"--output {output}: expected p_deal or proposer_eu")
    if method not in METHODS:
        raise InputError(f"--method {method}: expected sobol or morris")
    if not 0 <= threshold <= 1:
        raise InputError(f"--threshold {threshold}: expected a probability")
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise InputError(f"--parts {','.join(unknown)}: expected some of {', '.join(PARTS)}")
    parts = tuple(p for p in PARTS if p in parts)
    engine = get_engine(backend, dask)
    seed = scenario.seed if seed is None else int(seed)
    samples = min(scenario.samples, ROBUSTNESS_SAMPLES) if samples is None else int(samples)
    base = sample(scenario, samples, seed)
    offer_name, values = choose_offer(base, offer)
    named = named_offers(base)
    columns = [scenario.complete(dict(v)) for v in named.values()]
    if offer is None or isinstance(offer, str):
        chosen = list(named).index(offer_name)
    else:
        chosen = len(columns)
        columns.append(values)
    evaluate_at = evaluator(base, base.encode(columns), engine)

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    moved: tuple[Assumption, ...] = assumptions(scenario)
    attributed: Attribution | None = None
    screening: tuple[MorrisRow, ...] = ()
    if "global" in parts and method == "sobol":
        attributed = attribution(scenario, values, output, n, seed, stage("Sobol' indices"))
    elif "global" in parts:
        screening = morris(
            evaluate_at, moved, chosen, output, trajectories, seed=seed, progress=stage("Morris")
        )
    swept: tuple[Sweep, ...] = ()
    if "robustness" in parts or "flips" in parts:
        swept = sweeps(evaluate_at, moved, points, stage("Robustness sweeps"))
        swept = tuple(sorted(swept, key=lambda s: -s.swing(chosen, output)))
    names = list(named)
    flipped: tuple[Flip, ...] = ()
    if "flips" in parts:
        flipped = flips(
            swept, evaluate_at, names, chosen, threshold, progress=stage("Decision flips")
        )
    p0, eu0 = evaluate_at({})
    best = names[int(eu0[: len(names)].argmax())]
    information: tuple[Information, ...] = ()
    if "voi" in parts:
        if evppi is None:
            evppi = _default_evppi(scenario, attributed, swept, flipped)
        information = value_of_information(base, named, evppi, bins)
    if "flips" in parts:
        sentence = headline(flipped, swept, offer_name, chosen, threshold)
    else:
        sentence = _global_headline(offer_name, output, attributed, screening)
    return Sensitivity(
        scenario=scenario.name,
        seed=seed,
        samples=samples,
        offer_name=offer_name,
        offer=values,
        output=output,
        method=method,
        parts=parts,
        threshold=threshold,
        best=best,
        p_deal=float(p0[chosen]),
        proposer_eu=float(eu0[chosen]),
        attribution=attributed,
        screening=screening,
        sweeps=swept,
        chosen=chosen,
        flips=flipped,
        information=information,
        headline=sentence,
    )


def _default_evppi(
    scenario: Scenario,
    attributed: Attribution | None,
    swept: Sequence[Sweep],
    flipped: Sequence[Flip],
) -> list[str]:
    """The continuous inputs that matter most: the one whose assumption flips the
    recommendation soonest, and the one with the largest total index (or swing)."""
    continuous = {i.name for i in world_inputs(scenario) if not i.categorical}
    deciding = [f.factor for f in flipped[:1] if f.threshold is not None]
    ranked = [f.name for f in attributed.factors if f.ST is not None] if attributed else []
    ranked += [s.assumption.name for s in swept]
    top = next(([name] for name in ranked if name in continuous), [])
    return list(dict.fromkeys(name for name in deciding + top if name in continuous))


def _global_headline(
    offer_name: str, output: Output, attributed: Attribution | None, screening: Sequence[MorrisRow]
) -> str:
    """The first sentence when the flips were not computed: the top of the global table."""
    what = "P(deal)" if output == "p_deal" else "The proposer's payoff"
    if attributed is not None and attributed.factors and attributed.factors[0].ST is not None:
        top = attributed.factors[0]
        return (
            f"{what} of '{offer_name}' depends most on {top.name} "
            f"(total Sobol' index {top.ST:.2f})."
        )
    if screening:
        return f"{what} of '{offer_name}' depends most on {screening[0].name} (Morris mu*)."
    return ""
