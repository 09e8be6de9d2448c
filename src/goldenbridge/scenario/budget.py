"""What a run will cost, checked before any work starts.

Sampling draws every actor's preferences once per world and per type (a world's
type is chosen afterwards), over every continuous issue and every option of a
discrete one, so memory and time grow as

    worlds x (sum over actors of its types) x (issue columns + 1) x inner sample

where the inner sample is that of the approval rule (DESIGN.md section 4b; 1 while
vetoes see the whole world). The engine keeps one tally per combination of types,
so the number of combinations is bounded on its own (:data:`MAX_TYPE_COMBINATIONS`).
A run over budget is refused with the number and what to lower, instead of a
``MemoryError`` after minutes (``--samples 1e12``: 7 TiB) or an exhausted machine
(5 actors x 20 types: 3.2 million combinations).
"""

from __future__ import annotations

import math

from goldenbridge.scenario.errors import ScenarioError
from goldenbridge.scenario.schema import Scenario

__all__ = [
    "DEFAULT_BUDGET",
    "INNER_SAMPLE",
    "MAX_TYPE_COMBINATIONS",
    "cost",
    "check_budget",
    "type_combinations",
]

#: Work units (about 8 bytes each at the peak) for the CLI and the library: ~4 GB.
DEFAULT_BUDGET = 500_000_000
#: Partner worlds per world of the approval rule's inner sample (docs/design.md 4b), where
#: it needs one (:func:`goldenbridge.scenario.checks.inner_sample`).
INNER_SAMPLE = 16
#: Joint type strata the engine keeps a tally for.
MAX_TYPE_COMBINATIONS = 4096


def type_combinations(scenario: Scenario) -> int:
    """Number of joint type strata: the product of the actors' type counts."""
    return math.prod(len(a.types) if a.types else 1 for a in scenario.actors)


def cost(scenario: Scenario, samples: int | None = None, inner: int = 1) -> int:
    """Work units of sampling ``samples`` worlds (default: the scenario's).

    Examples
    --------
    >>> from goldenbridge.scenario import load
    >>> cost(load("fearon-1d"), samples=1000)  # 1000 worlds x 2 actors x (1 issue + 1)
    4000
    """
    n = scenario.samples if samples is None else int(samples)
    columns = sum(len(i.options) if i.options else 1 for i in scenario.issues) + 1
    draws = sum(len(a.types) if a.types else 1 for a in scenario.actors)
    return n * draws * columns * max(1, int(inner))


def check_budget(
    scenario: Scenario,
    samples: int | None = None,
    budget: int = DEFAULT_BUDGET,
    inner: int = 1,
    field: str = "samples",
) -> int:
    """Refuse a run whose :func:`cost` exceeds ``budget``; return the cost.

    Raises
    ------
    ScenarioError
        Naming the number of work units, how it is made up and the budget.
    """
    combinations = type_combinations(scenario)
    if combinations > MAX_TYPE_COMBINATIONS:
        counts = " x ".join(str(len(a.types)) for a in scenario.actors if a.types)
        raise ScenarioError(
            "actors",
            f"the actors' types make {combinations:,} combinations ({counts}); "
            f"at most {MAX_TYPE_COMBINATIONS:,}",
        )
    units = cost(scenario, samples, inner)
    if units > budget:
        n = scenario.samples if samples is None else int(samples)
        per_world = units // max(n, 1)
        fits = max(budget // max(per_world, 1), 0)
        raise ScenarioError(
            field,
            f"{n:,} worlds x {per_world:,} draws per world = {units:,} work units, "
            f"over the budget of {budget:,}; use at most {fits:,} worlds "
            "or fewer actors, types or issues",
        )
    return units
