"""sensitivity(): which assumption decides the answer (DESIGN.md section 6).

Puts the parts together for one fixed offer (by default the recommended named
offer, the one with the highest proposer expected utility):

- attribution (:mod:`goldenbridge.analysis.attribution`): Sobol' indices of the
  per-world outcome over the world-level inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from goldenbridge.analysis.attribution import Attribution, Output, attribution
from goldenbridge.analysis.evaluate import evaluate, named_offers
from goldenbridge.population import sample
from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import OfferValue, Scenario

__all__ = ["Sensitivity", "sensitivity", "ROBUSTNESS_SAMPLES"]

#: Default worlds per model run of the sweeps (capped by the scenario's own ``samples``).
ROBUSTNESS_SAMPLES = 20_000

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
        Worlds per model run of the sweeps and the value of information.
    offer_name : str
    offer : dict
        The fixed offer (every issue).
    output : {"p_deal", "proposer_eu"}
    method : {"sobol", "morris"}
    attribution : Attribution
    """

    scenario: str
    seed: int
    samples: int
    offer_name: str
    offer: dict[str, OfferValue]
    output: Output
    method: str
    attribution: Attribution

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge sensitivity --json``."""
        return {
            "scenario": self.scenario,
            "seed": self.seed,
            "samples": self.samples,
            "offer": {"name": self.offer_name, "values": dict(self.offer)},
            "output": self.output,
            "method": self.method,
            "base_samples": self.attribution.base_samples,
            "runs": self.attribution.runs,
            "factors": [f.to_dict() for f in self.attribution.factors],
        }


def choose_offer(
    scenario: Scenario,
    offer: str | Mapping[str, OfferValue] | None,
    samples: int,
    seed: int,
) -> tuple[str, dict[str, OfferValue]]:
    """The fixed offer: a named one, a custom mapping, or the recommended named offer.

    Raises
    ------
    ScenarioError
        For an unknown offer name.
    """
    if isinstance(offer, str):
        if offer not in scenario.offers:
            known = ", ".join(scenario.offers) or "none"
            raise ScenarioError("offer", f"{offer!r}: no such offer (named offers: {known})")
        return offer, scenario.complete(dict(scenario.offers[offer]))
    if offer is not None:
        values = scenario.complete(dict(offer))
        sample(scenario, 1, seed).encode([values], "offer")  # checks issues and scales
        return "custom", values
    population = sample(scenario, samples, seed)
    best = evaluate(population, named_offers(population)).best
    return best.name, dict(best.values)


def sensitivity(
    scenario: Scenario,
    offer: str | Mapping[str, OfferValue] | None = None,
    *,
    output: Output = "p_deal",
    method: str = "sobol",
    n: int = 4096,
    samples: int | None = None,
    seed: int | None = None,
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
        What the attribution explains: the deal indicator or the proposer's payoff.
    method : {"sobol"}
        Sobol' indices over the world-level inputs.
    n : int
        Saltelli's base sample (a power of 2).
    samples : int, optional
        Worlds per model run of the other parts; default the scenario's
        ``samples`` capped at :data:`ROBUSTNESS_SAMPLES`.
    seed : int, optional
        Default the scenario's; the same seed gives the same numbers.
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    Sensitivity
    """
    if output not in ("p_deal", "proposer_eu"):
        raise ValueError(f"--output {output}: expected p_deal or proposer_eu")
    if method != "sobol":
        raise ValueError(f"--method {method}: expected sobol")
    seed = scenario.seed if seed is None else int(seed)
    samples = min(scenario.samples, ROBUSTNESS_SAMPLES) if samples is None else int(samples)
    offer_name, values = choose_offer(scenario, offer, samples, seed)

    def stage(name: str) -> Callable[[int, int], None] | None:
        if progress is None:
            return None
        return lambda done, total: progress(name, done, total)

    attributed = attribution(scenario, values, output, n, seed, stage("Sobol indices"))
    return Sensitivity(
        scenario=scenario.name,
        seed=seed,
        samples=samples,
        offer_name=offer_name,
        offer=values,
        output=output,
        method=method,
        attribution=attributed,
    )
