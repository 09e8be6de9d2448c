"""The slow analyses the web app runs in its analysis process, as picklable functions.

Each takes plain data and a scenario and returns the result's ``to_dict()``
document, the same JSON as the CLI's ``--json``.
"""

from __future__ import annotations

from typing import Any

import goldenbridge as gb
from goldenbridge.analysis.sensitivity.attribution import Output
from goldenbridge.scenario.schema import OfferValue

__all__ = ["optimize_document", "sensitivity_document"]


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
) -> dict[str, Any]:
    """``goldenbridge optimize --json``: the optimum, the golden bridge, the frontier."""
    return gb.optimize(
        scenario, target_p, issues, samples=samples, seed=seed, solutions=solutions
    ).to_dict()
