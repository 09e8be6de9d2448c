"""The brief: every analysis a reader needs, run once, in one result.

:func:`build_brief` runs the analyses through the facade (evaluate the named
packages, optimise, which assumption decides) on one seed and sample size, and
draws the figures; :func:`goldenbridge.report.html.render` turns the result into
one self-contained HTML file. ``Brief.to_dict()`` is the JSON of
``goldenbridge report --json`` and holds every number the HTML shows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import goldenbridge as gb
from goldenbridge.scenario import Scenario
from goldenbridge.scenario.errors import InputError

__all__ = ["Brief", "build_brief", "scenario_source"]

#: Called as ``progress(stage, done, total)``: the brief's stages, then each analysis's own.
Progress = Callable[[str, int, int], None]

STAGES = ("evaluate", "optimize", "sensitivity", "figures")
#: Assumptions the brief re-optimises (the widest after the screening): it keeps the
#: brief's run short; ``goldenbridge sensitivity`` re-optimises six by default.
BRIEF_REOPTIMISE = 2


def scenario_source(source: str | Path | Scenario) -> tuple[Scenario, str]:
    """A scenario and the exact text it was read from (a built-in name or a file); a
    scenario object (e.g. an upload held by the web server) as its JSON document."""
    if isinstance(source, Scenario):
        document = source.model_dump(mode="json", by_alias=True, exclude_none=True)
        return source, json.dumps(document, indent=2, sort_keys=False) + "\n"
    name = str(source)
    if name in gb.builtin_names() and not Path(name).exists():
        text = resources.files("goldenbridge.scenario.builtin").joinpath(f"{name}.yaml")
        return gb.load(name), text.read_text(encoding="utf-8")
    scenario = gb.load(name)  # the loader's own errors for a missing or bad file
    return scenario, Path(name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Brief:
    """Everything the brief shows.

    Attributes
    ----------
    scenario : Scenario
    scenario_text : str
        The text the scenario was read from; ``scenario_hash`` is its SHA-256.
    version : str
        The goldenbridge version that computed it.
    seed, samples : int
        The seed and worlds of every analysis (sensitivity: worlds per model run).
    evaluation : Evaluation
        The named packages (or those asked for).
    optimum : OptimizeResult or None
        The risk-return optimum, the golden bridge and the frontier.
    sensitivity : Sensitivity or None
        Which assumption decides (global indices, sweeps, flips).
    figures : dict of str
        Inline SVG by name (empty without matplotlib figures).
    """

    scenario: Scenario
    scenario_text: str
    version: str
    seed: int
    samples: int
    evaluation: gb.Evaluation
    optimum: gb.OptimizeResult | None
    sensitivity: gb.Sensitivity | None
    sensitivity_samples: int
    figures: dict[str, str] = field(default_factory=dict)

    @property
    def scenario_hash(self) -> str:
        return hashlib.sha256(self.scenario_text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``goldenbridge report --json``."""
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario_hash,
            "version": self.version,
            "seed": self.seed,
            "samples": self.samples,
            "sensitivity_samples": self.sensitivity_samples,
            "evaluate": self.evaluation.to_dict(),
            "optimize": self.optimum.to_dict() if self.optimum is not None else None,
            "sensitivity": self.sensitivity.to_dict() if self.sensitivity is not None else None,
            "figures": sorted(self.figures),
        }


def build_brief(
    source: str | Path | Scenario,
    offers: Sequence[str] | None = None,
    *,
    samples: int | None = None,
    seed: int | None = None,
    sensitivity_samples: int | None = None,
    sobol_n: int = 1024,
    sections: Sequence[str] = ("optimize", "sensitivity"),
    figures: bool = True,
    progress: Progress | None = None,
) -> Brief:
    """Run the brief's analyses.

    Parameters
    ----------
    source : str, path or Scenario
        A built-in scenario name, a YAML/JSON file or a loaded scenario.
    offers : sequence of str, optional
        Named offers to show (default: all the scenario's named offers).
    samples, seed : int, optional
        Worlds and seed of the evaluation and the optimisation (default: the scenario's).
    sensitivity_samples : int, optional
        Worlds per model run of the sensitivity analysis (default: its own default).
    sobol_n : int
        Saltelli's base sample of the Sobol' indices (a power of 2).
    sections : sequence of str
        The optional analyses to run: ``"optimize"``, ``"sensitivity"``.
    figures : bool
        Draw the figures (needs matplotlib).
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    Brief
    """
    unknown = [s for s in sections if s not in ("optimize", "sensitivity")]
    if unknown:
        raise InputError(f"--sections {','.join(unknown)}: expected optimize and/or sensitivity")
    if figures:
        from goldenbridge.report.figures import require_matplotlib

        require_matplotlib()
    if "sensitivity" in sections:
        try:
            import SALib  # noqa: F401
        except ImportError:
            raise ImportError(
                "the brief's sensitivity needs SALib: pip install 'goldenbridge[sensitivity]'"
            ) from None
    scenario, text = scenario_source(source)
    chosen: dict[str, dict[str, Any]] | None = None
    if offers:
        missing = [o for o in offers if o not in scenario.offers]
        if missing:
            known = ", ".join(scenario.offers) or "none"
            raise InputError(f"--offer {missing[0]}: no such offer (named offers: {known})")
        chosen = {o: dict(scenario.offers[o]) for o in offers}

    def stage(name: str, done: int = 0, total: int = 1) -> None:
        if progress is not None:
            progress(name, done, total)

    stage("sampling the worlds")
    population = gb.population(scenario, samples, seed)
    stage("evaluating the packages")
    evaluation = gb.evaluate(population, chosen)
    optimum = None
    if "optimize" in sections:
        stage("optimizing")
        optimum = gb.optimize(population, progress=progress)
    found = None
    if "sensitivity" in sections:
        stage("which assumption decides")
        found = gb.sensitivity(
            scenario,
            None,
            samples=sensitivity_samples,
            seed=population.seed,
            n=sobol_n,
            reoptimise=BRIEF_REOPTIMISE,
            parts=("global", "robustness", "flips"),
            progress=progress,
        )
    drawn: dict[str, str] = {}
    if figures:
        from goldenbridge.report.figures import outcome_bars, svg_figures

        stage("drawing the figures")
        drawn = {"outcomes": outcome_bars(evaluation), **svg_figures(population, optimum, found)}
    return Brief(
        scenario=scenario,
        scenario_text=text,
        version=gb.__version__,
        seed=population.seed,
        samples=population.n,
        evaluation=evaluation,
        optimum=optimum,
        sensitivity=found,
        sensitivity_samples=found.samples if found is not None else 0,
        figures=drawn,
    )


def offers_of(brief: Brief) -> Mapping[str, Any]:
    """The evaluated packages by name (for templates and tests)."""
    return {o.name: o for o in brief.evaluation.offers}
