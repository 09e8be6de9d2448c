"""sensitivity(): which assumption decides the answer (docs/design.md section 6).

The answer is the recommended offer -- the risk-return optimum, argmax of the proposer's
expected utility (:mod:`goldenbridge.analysis.sensitivity.recommend`) -- and its P(war) by
default (``output`` selects P(deal) or the proposer's EU instead), re-optimised under each
change. A named or custom offer can be held fixed instead. The parts:

- attribution (:mod:`goldenbridge.analysis.sensitivity.attribution`): Sobol' indices of the
  per-world war indicator (or deal indicator, or payoff) of the recommended offer over the
  world-level inputs; or, with ``method="morris"``, Morris screening of the assumptions
  (:mod:`goldenbridge.analysis.sensitivity.robustness`) for the offer held fixed;
- robustness (:mod:`goldenbridge.analysis.sensitivity.decides`): every assumption at the
  ends of its 90% range (:mod:`goldenbridge.analysis.sensitivity.assumptions`), screened with
  the offer fixed, the ``reoptimise`` widest re-optimised; the structural switches
  (:mod:`goldenbridge.analysis.sensitivity.switches`) beside them;
- decision flips (:mod:`goldenbridge.analysis.sensitivity.flips`) of the re-optimised rows;
- value of information (:mod:`goldenbridge.analysis.sensitivity.voi`) over the recommended
  offer and its alternatives;
- the headline, naming the assumption whose range moves the answer most, and notes where
  another table ranks something else first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from goldenbridge.analysis.evaluate import named_offers
from goldenbridge.analysis.results import JSON_SKIP, json_meta, jsonable, to_dict
from goldenbridge.analysis.sensitivity.assumptions import Assumption, assumptions, population_at
from goldenbridge.analysis.sensitivity.attribution import (
    OUTPUTS,
    Attribution,
    Output,
    attribution,
    world_inputs,
)
from goldenbridge.analysis.sensitivity.decides import (
    LABELS,
    Row,
    SwitchRow,
    headline,
    input_of,
    notes,
    rows,
    switch_rows,
)
from goldenbridge.analysis.sensitivity.flips import FLIP_BY, Flip, flip, smallest_first
from goldenbridge.analysis.sensitivity.observed import Observed
from goldenbridge.analysis.sensitivity.recommend import Answer, Recommender
from goldenbridge.analysis.sensitivity.robustness import MorrisRow, evaluator, morris
from goldenbridge.analysis.sensitivity.voi import Information, value_of_information
from goldenbridge.engine.threads import map_threads
from goldenbridge.population import Population, sample
from goldenbridge.scenario.errors import InputError, ScenarioError
from goldenbridge.scenario.observations import Observations
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = [
    "Sensitivity",
    "sensitivity",
    "ROBUSTNESS_SAMPLES",
    "REOPTIMISE",
    "METHODS",
    "PARTS",
]

#: Default worlds per model run of the robustness rows, flips and value of information
#: (capped by the scenario's own ``samples``): each re-optimisation is a search.
ROBUSTNESS_SAMPLES = 4_000
#: Default number of assumptions re-optimised (the widest after the screening).
REOPTIMISE = 6
#: Global methods: Sobol' indices of world-level inputs, or Morris screening of assumptions.
METHODS = ("sobol", "morris")
#: The parts of the analysis: the global table (Sobol' or Morris), the robustness rows and
#: the switches, the decision flips (which need the rows) and the value of information.
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
        Worlds per model run of the rows, flips and value of information.
    offer_name : str
        ``recommended`` (the risk-return optimum, re-optimised under each change), a named
        offer or ``custom`` (held fixed).
    offer : dict
        The offer as written (every issue).
    reoptimised : bool
        True for the recommended offer.
    output : {"p_war", "p_deal", "proposer_eu"}
        The measure of the answer.
    method : {"sobol", "morris"}
    parts : tuple of str
        The parts computed (:data:`PARTS`); the others are empty.
    flip_by : float
        How far the measure must move for a flip.
    baseline : Answer
        The offer and its measures as written.
    attribution : Attribution or None
    screening : tuple of MorrisRow
    rows : tuple of Row
        Every assumption at the ends of its range; re-optimised rows first, widest first.
    switches : tuple of SwitchRow
    flips : tuple of Flip
        Smallest relative change first.
    information : tuple of Information
    headline : str
    notes : tuple of str
        Where another table ranks something else first than the headline, and why.
    """

    scenario: str
    seed: int
    samples: int
    offer_name: str = field(metadata=json_meta(name="offer.name"))
    offer: dict[str, OfferValue] = field(metadata=json_meta(name="offer.values"))
    reoptimised: bool = field(metadata=json_meta(name="offer.reoptimised"))
    output: Output
    method: str
    parts: tuple[str, ...]
    flip_by: float
    baseline: Answer
    # Written below in their JSON shapes (factors, robustness, switches, voi):
    attribution: Attribution | None = field(metadata=JSON_SKIP)
    screening: tuple[MorrisRow, ...] = field(metadata=JSON_SKIP)
    rows: tuple[Row, ...] = field(metadata=JSON_SKIP)
    switches: tuple[SwitchRow, ...] = field(metadata=JSON_SKIP)
    flips: tuple[Flip, ...]
    information: tuple[Information, ...] = field(metadata=JSON_SKIP)
    headline: str
    notes: tuple[str, ...]

    @property
    def decides(self) -> Row | None:
        """The assumption that decides: the first row (re-optimised, widest swing)."""
        return self.rows[0] if self.rows else None

    @property
    def voi(self) -> dict[str, float]:
        """Value of information by name."""
        return {i.name: i.value for i in self.information}

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge sensitivity --json``: the fields, then the
        factors (Sobol' indices or Morris rows), the robustness rows, the switches and the
        value of information by name."""
        document = to_dict(self)
        document["decides"] = None if self.decides is None else self.decides.assumption.name
        if self.attribution is not None:
            document["base_samples"] = self.attribution.base_samples
            document["runs"] = self.attribution.runs
            document["factors"] = jsonable(self.attribution.factors)
        else:
            document["factors"] = jsonable(self.screening)
        document["robustness"] = [r.to_dict() for r in self.rows]
        document["switches"] = [s.to_dict() for s in self.switches]
        document["voi"] = self.voi
        document["voi_p_war"] = {i.name: i.p_war for i in self.information}
        document["voi_choices"] = {i.name: i.choices for i in self.information if i.choices}
        return document


def choose_offer(
    population: Population,
    offer: str | Mapping[str, OfferValue] | None,
) -> tuple[str, dict[str, OfferValue] | None]:
    """The fixed offer (a named one or a custom mapping), or ``None`` for the recommended.

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
    return "recommended", None


def sensitivity(
    scenario: Scenario,
    offer: str | Mapping[str, OfferValue] | None = None,
    *,
    output: Output = "p_war",
    method: str = "sobol",
    n: int = 1024,
    trajectories: int = 10,
    samples: int | None = None,
    seed: int | None = None,
    reoptimise: int | None = REOPTIMISE,
    flip_by: float = FLIP_BY,
    evppi: Sequence[str] | None = None,
    bins: int = 10,
    parts: Collection[str] = PARTS,
    backend: str = "auto",
    dask: str | None = None,
    progress: StageProgress | None = None,
    observations: Observations | None = None,
    reading: str = "context",
) -> Sensitivity:
    """Which assumption decides the answer.

    Parameters
    ----------
    scenario : Scenario
    offer : str or mapping, optional
        ``None`` (default): the recommended offer, the risk-return optimum over every
        issue, re-optimised under each change. A named offer or a custom one (issue ->
        value) is held fixed instead.
    output : {"p_war", "p_deal", "proposer_eu"}
        The measure of the answer (default P(war)): what the Sobol' indices explain (the
        per-world indicator or payoff), the rows rank by, the flips watch.
    method : {"sobol", "morris"}
        Sobol' indices over the world-level inputs, or Morris screening of the
        assumptions (the offer held fixed).
    n : int
        Saltelli's base sample for Sobol' (a power of 2).
    trajectories : int
        Morris trajectories.
    samples : int, optional
        Worlds per model run of the rows, flips and value of information; default the
        scenario's ``samples`` capped at :data:`ROBUSTNESS_SAMPLES`.
    seed : int, optional
        Default the scenario's; the same seed gives the same numbers.
    reoptimise : int or None
        How many assumptions (the widest after the screening) are re-optimised; ``None``:
        all.
    flip_by : float
        How far the measure must move for a flip (default 0.05: five points of P(war)).
    evppi : sequence of str, optional
        World-level inputs to compute the EVPPI of; default the deciding assumption's
        input and the input with the largest total Sobol' index.
    bins : int
        Quantile bins for the EVPPI.
    parts : collection of str
        Which of :data:`PARTS` to compute (all by default).
    backend, dask : str
        The engine of the fixed-offer runs (the screening's and Morris's), passed to
        :func:`goldenbridge.analysis.evaluate.outcome_tally`: only the per-world rule
        uses it (:func:`goldenbridge.engine.tally`).
    progress : callable, optional
        ``progress(stage, done, total)``.
    observations : Observations, optional
        What was observed (:func:`goldenbridge.load_observations`): the answer is then the
        recommended offer on the posterior, and every changed assumption's worlds are
        updated on the same observations (:mod:`goldenbridge.analysis.sensitivity.
        observed`). The Sobol' indices stay over the prior's draws (a note says so).
    reading : {"context", "static", "dynamic"}
        How observed rejections are read (as in :func:`goldenbridge.update`); the switch
        ``reading of a rejection`` reads them the other way.

    Returns
    -------
    Sensitivity
    """
    if output not in OUTPUTS:
        raise InputError(f"--output {output}: expected {', '.join(OUTPUTS)}")
    if method not in METHODS:
        raise InputError(f"--method {method}: expected sobol or morris")
    if not 0 < flip_by <= 1:
        raise InputError(f"--flip-by {flip_by}: expected a change in (0, 1]")
    if reoptimise is not None and reoptimise < 0:
        raise InputError(f"--reoptimise {reoptimise}: expected a count >= 0")
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise InputError(f"--parts {','.join(unknown)}: expected some of {', '.join(PARTS)}")
    parts = tuple(p for p in PARTS if p in parts)
    if "global" in parts and method == "sobol" and (n < 2 or n & (n - 1)):
        raise InputError(f"--base-sample {n}: Saltelli's base sample: a power of 2")
    known = {i.name for i in world_inputs(scenario)}
    for name in evppi or ():
        if name not in known:  # before any work starts
            raise InputError(f"--evppi {name}: not an uncertain input (see the Sobol' table)")
    observed = Observed(observations, reading)
    seed = scenario.seed if seed is None else int(seed)
    samples = min(scenario.samples, ROBUSTNESS_SAMPLES) if samples is None else int(samples)
    prior = sample(scenario, samples, seed)
    base = observed.condition(prior)
    offer_name, values = choose_offer(base, offer)

    def worlds(settings: Mapping[Assumption, float]) -> Population:
        """The worlds with the assumptions changed, conditioned on what was observed."""
        return observed.condition(population_at(prior, settings))

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    if progress is not None:
        progress("Recommended offer", 0, 1)
    recommender = Recommender(base, values)
    if progress is not None:
        progress("Recommended offer", 1, 1)
    answer0 = recommender.base
    moved: tuple[Assumption, ...] = assumptions(scenario)
    attributed: Attribution | None = None
    screening: tuple[MorrisRow, ...] = ()
    if "global" in parts and method == "sobol":
        attributed = attribution(scenario, answer0.values, output, n, seed, stage("Sobol' indices"))
    elif "global" in parts:
        evaluate_at = evaluator(base, recommender.offers, backend, dask, worlds)
        screening = morris(
            evaluate_at, moved, 0, output, trajectories, seed=seed, progress=stage("Morris")
        )
    found: tuple[Row, ...] = ()
    switched: tuple[SwitchRow, ...] = ()
    if "robustness" in parts or "flips" in parts:
        found = rows(base, recommender, moved, output, reoptimise, stage("Robustness"),
                     worlds, shortcut=not observed.items, threads=not observed.items)  # fmt: skip
        switched = switch_rows(prior, recommender, output, observed)
    flipped: tuple[Flip, ...] = ()
    if "flips" in parts:
        chosen = [r for r in found if r.reoptimised or not recommender.reoptimise]
        finished = 0
        lock = threading.Lock()

        def flipped_by(r: Row) -> Flip:
            nonlocal finished
            a = r.assumption

            def ask(delta: float) -> Answer:
                return recommender.at(worlds({a: float(delta)}))

            out = flip(a, (r.low, r.high), answer0, ask, output, flip_by)
            with lock:  # the flips report from several threads
                finished += 1
                if progress is not None:
                    progress("Decision flips", finished, len(chosen))
            return out

        # each assumption's search for its flip is its own: side by side, as the rows
        # (not with observations, whose conditioning solves games)
        threads = not observed.items
        done = map_threads(flipped_by, chosen) if threads else [flipped_by(r) for r in chosen]
        flipped = smallest_first(done)
    information: tuple[Information, ...] = ()
    if "voi" in parts:
        if evppi is None:
            evppi = _default_evppi(scenario, attributed, found)
        information = value_of_information(base, _choice_set(base, answer0, found, switched),
                                           evppi, bins)  # fmt: skip
    if found or switched:
        sentence = headline(found, switched, output, offer_name, recommender.reoptimise)
    else:
        sentence = _global_headline(offer_name, output, attributed, screening)
    return Sensitivity(
        scenario=scenario.name,
        seed=seed,
        samples=samples,
        offer_name=offer_name,
        offer=dict(answer0.values),
        reoptimised=recommender.reoptimise,
        output=output,
        method=method,
        parts=parts,
        flip_by=flip_by,
        baseline=answer0,
        attribution=attributed,
        screening=screening,
        rows=found,
        switches=switched,
        flips=flipped,
        information=information,
        headline=sentence,
        notes=notes(found, attributed, flipped, information, output, observed, screening),
    )


def _choice_set(
    base: Population, answer0: Answer, found: Sequence[Row], switched: Sequence[SwitchRow]
) -> dict[str, dict[str, OfferValue]]:
    """The offers the value of information chooses among: the recommended (first), the
    re-optimised alternatives of the rows and switches, and the named offers."""
    choices: dict[str, dict[str, OfferValue]] = {"recommended": dict(answer0.values)}
    for r in found:
        if r.reoptimised:
            choices[f"{r.assumption.name} low"] = dict(r.low.values)
            choices[f"{r.assumption.name} high"] = dict(r.high.values)
    for s in switched:
        choices[f"{s.name} {s.other}"] = dict(s.answer.values)
    scenario = base.scenario
    for name, values in named_offers(base).items():
        choices.setdefault(name, scenario.complete(dict(values)))
    unique: dict[str, dict[str, OfferValue]] = {}
    for name, values in choices.items():
        if values not in unique.values():
            unique[name] = values
    return unique


def _default_evppi(
    scenario: Scenario, attributed: Attribution | None, found: Sequence[Row]
) -> list[str]:
    """The continuous inputs that matter most: the deciding assumption's, and the one with
    the largest total Sobol' index (or the next row's)."""
    continuous = {i.name for i in world_inputs(scenario) if not i.categorical}
    deciding = [input_of(r.assumption) for r in found[:1]]
    ranked = [f.name for f in attributed.factors if f.ST is not None] if attributed else []
    ranked += [input_of(r.assumption) for r in found]
    top = next(([name] for name in ranked if name in continuous), [])
    return list(dict.fromkeys(name for name in deciding + top if name in continuous))


def _global_headline(
    offer_name: str, output: Output, attributed: Attribution | None, screening: Sequence[MorrisRow]
) -> str:
    """The first sentence when the rows were not computed: the top of the global table."""
    what = LABELS[output]
    if attributed is not None and attributed.factors and attributed.factors[0].ST is not None:
        top = attributed.factors[0]
        return (
            f"{what} of the {offer_name} offer depends most, across worlds, on {top.name} "
            f"(total Sobol' index {top.ST:.2f})."
        )
    if screening:
        return f"{what} of the {offer_name} offer depends most on {screening[0].name} (Morris mu*)."
    return ""
