"""The slow analyses the web app runs in its analysis process, as picklable functions.

Each takes plain data and a scenario and returns the result's ``to_dict()``
document, the same JSON as the CLI's ``--json``.
"""

from __future__ import annotations

from typing import Any

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.scenario.schema import OfferValue

__all__ = ["brief_html", "optimize_document", "sensitivity_document"]


def sensitivity_document(
    scenario: gb.Scenario,
    offer: str | dict[str, OfferValue] | None,
    output: Output,
    n: int,
    seed: int | None,
    parts: tuple[str, ...] = ("global",),
) -> dict[str, Any]:
    """``goldenbridge sensitivity --json --parts ...`` for one offer."""
    return gb.sensitivity(scenario, offer, output=output, n=n, seed=seed, parts=parts).to_dict()


def optimize_document(
    scenario: gb.Scenario,
    target_p: float | None,
    issues: list[str] | None,
    samples: int,
    seed: int,
    solutions: bool,
    max_p_war: float | None = None,
) -> dict[str, Any]:
    """``goldenbridge optimize --json``: the optimum, the golden bridge, the frontier."""
    return gb.optimize(
        scenario,
        target_p,
        issues,
        samples=samples,
        seed=seed,
        solutions=solutions,
        max_p_war=max_p_war,
    ).to_dict()


def brief_html(
    scenario: gb.Scenario,
    offers: list[str] | None,
    samples: int,
    seed: int,
    sections: tuple[str, ...],
    sensitivity_samples: int,
    sobol_n: int,
) -> str:
    """``goldenbridge report`` as one self-contained HTML text."""
    from goldenbridge.report.brief import build_brief
    from goldenbridge.report.html import render

    return render(
        build_brief(
            scenario,
            offers,
            samples=samples,
            seed=seed,
            sections=sections,
            sensitivity_samples=sensitivity_samples,
            sobol_n=sobol_n,
        )
    )
